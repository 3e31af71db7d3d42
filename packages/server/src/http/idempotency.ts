import { hash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  runIdempotent,
  type AppContext,
  type CreatedResult,
  type IdempotencyOptions,
  type IdempotentResult,
} from '@orderdesk/app';
import { findIdempotentResponse, type Executor } from '@orderdesk/store';
import { badRequest } from './problem.ts';

export type CreatedResponse = CreatedResult;

function hashRequest(request: FastifyRequest): string {
  // One-shot: a Hash object and its calls cost more than the copy of the body's text.
  return hash(
    'sha256',
    `${request.method} ${request.url.split('?')[0]}\n${JSON.stringify(request.body ?? null)}`,
    'hex',
  );
}

/** The request's `Idempotency-Key`, when it sent one; a malformed one is a 400. */
function keyHeaderOf(request: FastifyRequest): string | undefined {
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
  return header;
}

/**
 * Whether the request's `Idempotency-Key` (per user, as withIdempotency scopes it) has an
 * answer stored already, so that withIdempotency replays it or refuses another body with a
 * 409 without running the use case. For a route whose slow work (reading an upload, writing
 * its bytes) runs before withIdempotency, outside its transaction: it skips that work then.
 * A key still in progress counts as unanswered (withIdempotency waits for it).
 */
export async function idempotencyKeyAnswered(
  request: FastifyRequest,
  ctx: AppContext,
  userId: string,
): Promise<boolean> {
  const key = keyHeaderOf(request);
  if (key === undefined) return false;
  const found = await findIdempotentResponse(ctx.store.db, userId, key);
  return found !== undefined && found.statusCode !== 0;
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
  return sendIdempotent(reply, await runIdempotentRequest(request, ctx, userId, create, options));
}

/**
 * The first half of withIdempotency: runs `create` at most once for the request's key and
 * gives back what to answer, unsent, for a route with something to do in between (an upload
 * route throws away the bytes it stored when the answer is another request's replay).
 */
export async function runIdempotentRequest(
  request: FastifyRequest,
  ctx: AppContext,
  userId: string,
  create: (tx: Executor) => Promise<CreatedResponse>,
  options: IdempotencyOptions = {},
): Promise<IdempotentResult> {
  const header = keyHeaderOf(request);
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
  return runIdempotent(ctx, key, create, options);
}

/** The second half of withIdempotency: sends the answer (a replay with its header). */
export function sendIdempotent(reply: FastifyReply, result: IdempotentResult): FastifyReply {
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
