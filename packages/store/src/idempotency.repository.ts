import type { Executor } from './executor.ts';
import { newId } from './ids.ts';
import { preparedInsert } from './prepared-query.ts';

export interface StoredResponse {
  requestHash: string;
  statusCode: number;
  body: string;
}

export async function findIdempotentResponse(
  db: Executor,
  userId: string,
  key: string,
): Promise<StoredResponse | undefined> {
  const row = await db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'status_code', 'response_body'])
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .executeTakeFirst();
  return (
    row && { requestHash: row.request_hash, statusCode: row.status_code, body: row.response_body }
  );
}

/** Stores the response of a creating POST; a concurrent duplicate violates the unique key. */
export async function insertIdempotentResponse(
  db: Executor,
  input: { userId: string; key: string; method: string; path: string; at: string } & StoredResponse,
): Promise<void> {
  await insertIdempotencyKey(db, [
    {
      id: newId('idk'),
      user_id: input.userId,
      key: input.key,
      method: input.method,
      path: input.path,
      request_hash: input.requestHash,
      status_code: input.statusCode,
      response_body: input.body,
      created_at: input.at,
    },
  ]);
}

const insertIdempotencyKey = preparedInsert('idempotency_keys');

/** Fills in the response of a key reserved by insertIdempotentResponse (same transaction). */
export async function completeIdempotentResponse(
  db: Executor,
  input: { userId: string; key: string; statusCode: number; body: string },
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ status_code: input.statusCode, response_body: input.body })
    .where('user_id', '=', input.userId)
    .where('key', '=', input.key)
    .execute();
}
