import type { Executor } from './executor.ts';
import { newId } from './ids.ts';
import { isPostgres } from './search.repository.ts';
import type { Insertable } from 'kysely';
import type { OutboxMessage, OutboxTable } from './schema.ts';

export interface OutboxInput {
  vendorId?: string | null;
  /** e.g. `mail`, `webhook`. */
  topic: string;
  entityType: string;
  entityId: string;
  payload: unknown;
  /** When it is queued. */
  at: string;
  /** Not before this instant (a retry, a scheduled reminder); `at` by default. */
  availableAt?: string;
}

/**
 * Queues a side effect; call inside the transaction of the change that causes it. A mail names
 * its thread message (`messages.id`) in the payload.
 */
export async function enqueueOutbox(db: Executor, input: OutboxInput): Promise<{ id: string }> {
  const row = outboxRowOf(input);
  await db.insertInto('outbox').values(row).execute();
  return { id: row.id };
}

/** The outbox row `enqueueOutbox` writes (for a caller that writes it with other rows). */
export function outboxRowOf(input: OutboxInput): Insertable<OutboxTable> & { id: string } {
  const now = input.at;
  return {
    id: newId('obx'),
    vendor_id: input.vendorId ?? null,
    topic: input.topic,
    entity_type: input.entityType,
    entity_id: input.entityId,
    payload: JSON.stringify(input.payload),
    created_at: now,
    available_at: input.availableAt ?? now,
    processed_at: null,
    last_error: null,
    locked_by: null,
    locked_until: null,
    dead_at: null,
  };
}

/** The messages queued for an entity (e.g. an order's e-mail thread), oldest first. */
export async function listOutboxFor(
  db: Executor,
  entityType: string,
  entityId: string,
): Promise<OutboxMessage[]> {
  return db
    .selectFrom('outbox')
    .selectAll()
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .orderBy('id')
    .execute();
}

/**
 * Work due at `now`, oldest first (by `available_at`, then queue order). With `lock`, inside a
 * transaction on PostgreSQL, the rows are locked and rows another worker holds are skipped, so
 * concurrent workers take distinct work; SQLite runs one writer at a time anyway.
 */
export async function listPendingOutbox(
  db: Executor,
  options: { now: string; limit: number; topic?: string; lock?: boolean },
): Promise<OutboxMessage[]> {
  let q = db
    .selectFrom('outbox')
    .selectAll()
    .where('processed_at', 'is', null)
    .where('dead_at', 'is', null)
    .where('available_at', '<=', options.now)
    .orderBy('available_at')
    .orderBy('id')
    .limit(options.limit);
  if (options.topic !== undefined) q = q.where('topic', '=', options.topic);
  if (options.lock && isPostgres(db)) q = q.forUpdate().skipLocked();
  return q.execute();
}

/** Marks work done at `at`; false if it was already done (another worker, a replay). */
export async function markOutboxProcessed(db: Executor, id: string, at: string): Promise<boolean> {
  return (await markOutboxProcessedMany(db, [id], at)) === 1;
}

/** markOutboxProcessed for several rows at once (one statement); how many changed. */
export async function markOutboxProcessedMany(
  db: Executor,
  ids: readonly string[],
  at: string,
): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db
    .updateTable('outbox')
    .set({ processed_at: at, last_error: null, locked_by: null, locked_until: null })
    .where('id', 'in', ids)
    .where('processed_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Records a failed attempt and when to try again. */
export async function markOutboxFailed(
  db: Executor,
  id: string,
  failure: { error: string; retryAt: string },
): Promise<void> {
  await db
    .updateTable('outbox')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      last_error: failure.error,
      available_at: failure.retryAt,
      locked_by: null,
      locked_until: null,
    }))
    .where('id', '=', id)
    .where('processed_at', 'is', null)
    .execute();
}

/**
 * Claims due work for one worker: rows not processed, not dead, due at `now` and not leased to
 * a live worker (`locked_until` unset or past). Each claimed row is leased to `workerId` until
 * `leaseUntil`, so a worker that dies gives its rows back when the lease runs out. Run it in a
 * transaction: on PostgreSQL the candidate rows are locked and rows another worker is claiming
 * are skipped (FOR UPDATE SKIP LOCKED), so concurrent workers never claim the same row.
 */
export async function claimOutbox(
  db: Executor,
  options: { now: string; limit: number; workerId: string; leaseUntil: string; topic?: string },
): Promise<OutboxMessage[]> {
  let q = db
    .selectFrom('outbox')
    .selectAll()
    .where('processed_at', 'is', null)
    .where('dead_at', 'is', null)
    .where('available_at', '<=', options.now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', options.now)]))
    .orderBy('available_at')
    .orderBy('id')
    .limit(options.limit);
  if (options.topic !== undefined) q = q.where('topic', '=', options.topic);
  if (isPostgres(db)) q = q.forUpdate().skipLocked();
  const rows = await q.execute();
  if (rows.length === 0) return [];
  await db
    .updateTable('outbox')
    .set({ locked_by: options.workerId, locked_until: options.leaseUntil })
    .where(
      'id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  return rows.map((r) => ({ ...r, locked_by: options.workerId, locked_until: options.leaseUntil }));
}

/** Gives a claimed row back untouched (a worker stopping before it got to it). */
export async function releaseOutbox(db: Executor, id: string, workerId: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ locked_by: null, locked_until: null })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .where('processed_at', 'is', null)
    .execute();
}

/** Gives up on a row after its last failed attempt: a dead letter with the last error. */
export async function markOutboxDead(
  db: Executor,
  id: string,
  failure: { error: string; at: string },
): Promise<boolean> {
  const r = await db
    .updateTable('outbox')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      last_error: failure.error,
      dead_at: failure.at,
      locked_by: null,
      locked_until: null,
    }))
    .where('id', '=', id)
    .where('processed_at', 'is', null)
    .where('dead_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function findOutboxById(db: Executor, id: string): Promise<OutboxMessage | undefined> {
  return db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A vendor's dead letters, the most recent first. */
export async function listDeadOutbox(
  db: Executor,
  options: {
    vendorId: string;
    limit: number;
    /** Where a page resumes: the rows that died before this one (dead_at, id). */
    before?: { deadAt: string; id: string } | undefined;
  },
): Promise<OutboxMessage[]> {
  let q = db
    .selectFrom('outbox')
    .selectAll()
    .where('vendor_id', '=', options.vendorId)
    .where('dead_at', 'is not', null)
    .where('processed_at', 'is', null);
  const before = options.before;
  if (before) {
    q = q.where((eb) => eb(eb.refTuple('dead_at', 'id'), '<', eb.tuple(before.deadAt, before.id)));
  }
  return q.orderBy('dead_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
}

/**
 * Puts a dead letter back in the queue, due at `at`, with a fresh count of attempts (its last
 * error stays until the next attempt). False if the row is not dead (already retried).
 */
export async function reviveOutbox(db: Executor, id: string, at: string): Promise<boolean> {
  const r = await db
    .updateTable('outbox')
    .set({ dead_at: null, attempts: 0, available_at: at, locked_by: null, locked_until: null })
    .where('id', '=', id)
    .where('dead_at', 'is not', null)
    .where('processed_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
