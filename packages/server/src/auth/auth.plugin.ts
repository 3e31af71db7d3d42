import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  actorFromSession,
  actorFromToken,
  safeEqual,
  type Actor,
  type AppContext,
} from '@orderdesk/app';
import { HttpProblem } from '../http/problem.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export const SESSION_COOKIE = 'od_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves the caller from a bearer token or the session cookie on every request, and
 * refuses cookie-authenticated writes without the session's CSRF token (403).
 */
export function installAuth(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match?.[1])
        throw new HttpProblem(401, 'unauthorized', 'Authorization header must be "Bearer <token>"');
      request.actor = await actorFromToken(ctx, match[1]);
      return;
    }
    const cookie = request.cookies[SESSION_COOKIE];
    if (!cookie) return;
    const found = await actorFromSession(ctx, cookie);
    if (!found) return; // expired or logged out: treated as anonymous
    // Logging in again over a live session needs no CSRF token; every other write does.
    const isLogin =
      request.method === 'POST' && /^\/api\/v1\/session\/?$/.test(request.url.split('?')[0] ?? '');
    if (!SAFE_METHODS.has(request.method) && !isLogin) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !safeEqual(sent, found.csrfToken)) {
        throw new HttpProblem(
          403,
          'csrf',
          'Missing or wrong X-CSRF-Token header for a cookie-authenticated write',
        );
      }
    }
    request.actor = found.actor;
  });
}
