import {
  completeIdempotentResponse,
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
  (CreatedResult & { replayed: false }) | { replayed: true; status: number; body: string };

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
  const earlier = await stored();
  if (earlier) return earlier;
  try {
    const created = await db.transaction().execute(async (tx) => {
      // Reserve the key first: a concurrent request with the same key waits on this row (or,
      // on SQLite, runs after this transaction) and then replays our answer.
      await insertIdempotentResponse(tx, {
        userId: key.userId,
        key: key.key,
        method: key.method,
        path: key.path,
        requestHash: key.requestHash,
        statusCode: 0,
        body: '',
        at: ctx.now().toISOString(),
      });
      const result = await create(tx);
      await completeIdempotentResponse(tx, {
        userId: key.userId,
        key: key.key,
        statusCode: result.status,
        body: JSON.stringify(result.body),
      });
      return result;
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
