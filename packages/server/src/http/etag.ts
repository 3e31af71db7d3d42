import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Weak ETags on the API's successful GET answers, and `304 Not Modified` when the caller's
 * `If-None-Match` names the same one. The back office polls its queues every few seconds; an
 * unchanged queue then costs a hash, not a transfer and a re-render. The ETag is a hash of the
 * answer as sent to *this* caller, so it can never tell one tenant anything about another's
 * data. `Cache-Control: no-store` stays: no cache keeps the answer, the client sends the tag.
 */
export function installEtags(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    done(null, withEtag(request, reply, payload));
  });
}

/** The payload to send, with its ETag set on a successful GET; empty for a 304. */
function withEtag(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  if (request.method !== 'GET' || reply.statusCode !== 200) return payload;
  if (!request.url.startsWith('/api/v1/')) return payload;
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload; // streams
  const tag = `W/"${createHash('sha1').update(payload).digest('base64url')}"`;
  reply.header('etag', tag);
  const wanted = request.headers['if-none-match'];
  if (wanted !== undefined && matches(wanted, tag)) {
    reply.code(304);
    reply.removeHeader('content-length');
    return '';
  }
  return payload;
}

/** RFC 9110 §13.1.2: weak comparison against a list of tags, or `*`. */
function matches(header: string, tag: string): boolean {
  const opaque = (t: string): string => t.trim().replace(/^W\//, '');
  const want = opaque(tag);
  return header.split(',').some((t) => t.trim() === '*' || opaque(t) === want);
}
