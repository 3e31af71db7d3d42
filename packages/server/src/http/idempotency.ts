import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  runIdempotent,
  type AppContext,
  type CreatedResult,
  type IdempotencyOptions,
} from '@orderdesk/app';
import type { Executor } from '@orderdesk/store';
import { badRequest } from './problem.ts';

export type CreatedResponse = CreatedResult;

function hashRequest(request: FastifyRequest): string {
  return createHash('sha256')
    .update(
      `${request.method} ${request.url.split('?')[0]}\n${JSON.stringify(request.body ?? null)}`,
    )
    .digest('hex');
}

/**
 * A creating POST at most once per `Idempotency-Key` header (per user), through the app's
 * `runIdempotent`: the same key and body replay the stored response (with
 * `idempotent-replayed: true`); the same key with another body is a 409. `create` gets the
 * transaction the key is stored in, to pass to its use case.
 *
 * With a key, the first answer is sent as the text stored under it, so every answer to that
 * key is the same bytes, and the body is serialised once instead of twice (stored, then again
 * through the route's response schema). The use cases' views are the schemas' own shapes: the
 * tests' harness holds every POST's answer, keyed or not, to its route's schema and fails on a
 * field beyond it (test/harness.ts).
 */
export async function withIdempotency(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: AppContext,
  userId: string,
  create: (tx: Executor) => Promise<CreatedResponse>,
  options: IdempotencyOptions = {},
): Promise<FastifyReply> {
  const header = request.headers['idempotency-key'];
  if (
    header !== undefined &&
    (typeof header !== 'string' || header.length === 0 || header.length > 200)
  ) {
    throw badRequest('Invalid Idempotency-Key header', [
      {
        path: 'headers.idempotency-key',
        code: 'invalid',
        message: 'A non-empty string of at most 200 characters',
      },
    ]);
  }
  const key =
    header === undefined
      ? null
      : {
          userId,
          key: header,
          method: request.method,
          path: request.url.split('?')[0] ?? '',
          requestHash: hashRequest(request),
        };
  const result = await runIdempotent(ctx, key, create, options);
  // Never return the reply from an awaited promise chain: a Fastify reply is a thenable.
  const stored = result.replayed ? result.body : result.stored;
  if (stored === undefined) {
    void reply.code(result.status).send(result.body);
    return reply;
  }
  if (result.replayed) void reply.header('idempotent-replayed', 'true');
  void reply
    .code(result.status)
    .type('application/json; charset=utf-8')
    .serializer((text: string) => text)
    .send(stored);
  return reply;
}
