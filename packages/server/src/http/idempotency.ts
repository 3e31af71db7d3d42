import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  completeIdempotentResponse,
  findIdempotentResponse,
  insertIdempotentResponse,
  isUniqueViolation,
  type Executor,
} from '@orderdesk/store';
import type { AppContext } from '@orderdesk/app';
import { conflict, badRequest } from './problem.ts';

function hashRequest(request: FastifyRequest): string {
  return createHash('sha256')
    .update(
      `${request.method} ${request.url.split('?')[0]}\n${JSON.stringify(request.body ?? null)}`,
    )
    .digest('hex');
}

export interface CreatedResponse {
  status: number;
  body: unknown;
}

/**
 * Runs a creating POST at most once per `Idempotency-Key` (per user): the same key and body
 * replay the stored response; the same key with another body is a 409. Without the header the
 * handler simply runs. `create` gets the executor to write in — the key is stored in the same
 * transaction as the resource, so a crash never leaves one without the other.
 */
export async function withIdempotency(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: AppContext,
  userId: string,
  create: (tx: Executor) => Promise<CreatedResponse>,
): Promise<FastifyReply> {
  const db = ctx.store.db;
  const key = request.headers['idempotency-key'];
  if (key === undefined) {
    const result = await db.transaction().execute((tx) => create(tx));
    void reply.code(result.status).send(result.body);
    return reply;
  }
  if (typeof key !== 'string' || key.length === 0 || key.length > 200) {
    throw badRequest('Invalid Idempotency-Key header', [
      {
        path: 'headers.idempotency-key',
        code: 'invalid',
        message: 'A non-empty string of at most 200 characters',
      },
    ]);
  }
  const requestHash = hashRequest(request);
  // Returns whether a stored response was sent. (Never return the reply itself from an async
  // function: a Fastify reply is a thenable, and awaiting it waits for the response to finish.)
  const replay = async (): Promise<boolean> => {
    const stored = await findIdempotentResponse(db, userId, key);
    if (!stored || stored.statusCode === 0) return false;
    if (stored.requestHash !== requestHash) {
      throw conflict('This Idempotency-Key was used with a different request', [
        {
          path: 'headers.idempotency-key',
          code: 'idempotency.conflict',
          message: 'Key reused with another body',
        },
      ]);
    }
    void reply
      .code(stored.statusCode)
      .header('idempotent-replayed', 'true')
      .type('application/json; charset=utf-8')
      .serializer((x: unknown) => (typeof x === 'string' ? x : JSON.stringify(x)))
      .send(stored.body);
    return true;
  };
  if (await replay()) return reply;
  try {
    const result = await db.transaction().execute(async (tx) => {
      // Reserve the key first: a concurrent request with the same key waits on this row (or,
      // on SQLite, runs after this transaction) and then replays our response.
      await insertIdempotentResponse(tx, {
        userId,
        key,
        method: request.method,
        path: request.url.split('?')[0] ?? '',
        requestHash,
        statusCode: 0,
        body: '',
        at: ctx.now().toISOString(),
      });
      const created = await create(tx);
      await completeIdempotentResponse(tx, {
        userId,
        key,
        statusCode: created.status,
        body: JSON.stringify(created.body),
      });
      return created;
    });
    void reply.code(result.status).send(result.body);
    return reply;
  } catch (error) {
    // A concurrent request with the same key committed first: answer as it did.
    if (isUniqueViolation(error) && (await replay())) return reply;
    throw error;
  }
}
