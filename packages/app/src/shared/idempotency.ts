import {
  completeIdempotentResponse,
  deferredWrites,
  findIdempotentResponse,
  insertIdempotentResponse,
  isUniqueViolation,
  type Executor,
} from '@orderdesk/store';
import type { AppContext } from '../context.ts';
import { conflict } from './errors.ts';

/** What a creating call answered (stored under its idempotency key). */
export interface CreatedResult {
  status: number;
  body: unknown;
}

/** The key a caller sent with a creating call, and what identifies the request it named. */
export interface IdempotencyKey {
  userId: string;
  key: string;
  method: string;
  path: string;
  /** A digest of the request (method, path, body): the same key with another request is a conflict. */
  requestHash: string;
}

/** The result of a creating call; `replayed` when it is the stored answer of an earlier one. */
export type IdempotentResult =
  | (CreatedResult & {
      replayed: false;
      /** The body as stored under the key (JSON), when there was one: what a replay answers. */
      stored?: string;
    })
  | { replayed: true; status: number; body: string };

export interface IdempotencyOptions {
  /**
   * Store the key with the answer at the end of the use case's transaction instead of reading
   * it first and reserving it (one statement instead of three). Only for use cases whose
   * every effect is in that transaction, and whose repetition fails or is rolled back: a
   * repeated request runs the use case again, which then either fails (an order's PO number
   * is taken by the first) or succeeds until the key's unique index refuses the second row —
   * either way its transaction is rolled back and the first answer is replayed. A concurrent
   * request with the same key waits on that index (PostgreSQL) or runs after this one
   * (SQLite), as before.
   */
  keyLast?: boolean;
}

/**
 * Runs a creating use case at most once per idempotency key (per user): the same key and
 * request get the stored answer back; the same key with another request is a conflict.
 * The key is reserved and completed in the transaction of the use case, so a crash never
 * leaves one without the other, and a concurrent call with the same key waits for this one
 * (on SQLite: runs after it) and replays its answer. Without a key the use case simply runs
 * in a transaction of its own.
 */
export async function runIdempotent(
  ctx: AppContext,
  key: IdempotencyKey | null,
  create: (tx: Executor) => Promise<CreatedResult>,
  options: IdempotencyOptions = {},
): Promise<IdempotentResult> {
  const db = ctx.store.db;
  if (key === null) {
    return { ...(await db.transaction().execute(create)), replayed: false };
  }
  const stored = async (): Promise<IdempotentResult | null> => {
    const found = await findIdempotentResponse(db, key.userId, key.key);
    if (!found || found.statusCode === 0) return null;
    if (found.requestHash !== key.requestHash) {
      throw conflict('This Idempotency-Key was used with a different request', [
        {
          path: 'headers.idempotency-key',
          code: 'idempotency.conflict',
          message: 'Key reused with another body',
        },
      ]);
    }
    return { replayed: true, status: found.statusCode, body: found.body };
  };
  if (options.keyLast) return runKeyLast(ctx, key, create, stored);
  const earlier = await stored();
  if (earlier) return earlier;
  try {
    const created = await db.transaction().execute(async (tx) => {
      // Reserve the key first: a concurrent request with the same key waits on this row (or,
      // on SQLite, runs after this transaction) and then replays our answer.
      await insertIdempotentResponse(tx, {
        ...key,
        statusCode: 0,
        body: '',
        at: ctx.now().toISOString(),
      });
      const result = await create(tx);
      const stored = JSON.stringify(result.body);
      await completeIdempotentResponse(tx, {
        userId: key.userId,
        key: key.key,
        statusCode: result.status,
        body: stored,
      });
      return { ...result, stored };
    });
    return { ...created, replayed: false };
  } catch (error) {
    // A concurrent request with the same key committed first: answer as it did.
    if (isUniqueViolation(error)) {
      const theirs = await stored();
      if (theirs) return theirs;
    }
    throw error;
  }
}

/** runIdempotent with the key written last (see IdempotencyOptions.keyLast). */
async function runKeyLast(
  ctx: AppContext,
  key: IdempotencyKey,
  create: (tx: Executor) => Promise<CreatedResult>,
  stored: () => Promise<IdempotentResult | null>,
): Promise<IdempotentResult> {
  try {
    const created = await ctx.store.db.transaction().execute(async (tx) => {
      const result = await create(tx);
      const stored = JSON.stringify(result.body);
      // On PostgreSQL the key goes with the commit (deferredWrites): a duplicate fails it.
      await insertIdempotentResponse(deferredWrites(tx), {
        ...key,
        statusCode: result.status,
        body: stored,
        at: ctx.now().toISOString(),
      });
      return { ...result, stored };
    });
    return { ...created, replayed: false };
  } catch (error) {
    // Whatever failed (the key's row, or the use case finding its own first run's effects),
    // a request with this key that was answered before is answered the same way again.
    const earlier = await stored();
    if (earlier) return earlier;
    throw error;
  }
}
