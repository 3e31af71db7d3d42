import type { Executor } from './executor.ts';
import { newId, nowIso } from './ids.ts';
import type { OutboxMessage } from './schema.ts';

export interface OutboxInput {
  vendorId?: string | null;
  /** e.g. `mail`, `webhook`. */
  topic: string;
  entityType: string;
  entityId: string;
  payload: unknown;
  availableAt?: string;
}

/** Queues a side effect; call inside the transaction of the change that causes it. */
export async function enqueueOutbox(db: Executor, input: OutboxInput): Promise<void> {
  const now = nowIso();
  await db
    .insertInto('outbox')
    .values({
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
    })
    .execute();
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
