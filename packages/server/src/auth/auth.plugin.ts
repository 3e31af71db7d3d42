import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  actorFromSession,
  actorFromToken,
  requireAccess,
  safeEqual,
  unauthenticated,
  type Access,
  type Actor,
  type AppContext,
} from '@orderdesk/app';
import { HttpProblem } from '../http/problem.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** An /api/v1 route open without logging in (log-in, health, the OpenAPI document, …). */
    public?: boolean;
    /**
     * Who may use the route at all: the access its use case declares and checks (the app's
     * constant, e.g. `CREATE_QUOTE_ACCESS`). Anyone else gets 403 before the body is read.
     */
    access?: Access;
  }
}

/** Route options of an /api/v1 route that answers callers who are not logged in. */
export const PUBLIC_ROUTE = { public: true } as const;

export const SESSION_COOKIE = 'od_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves the caller from a bearer token or the session cookie on every request, and
 * refuses cookie-authenticated writes without the session's CSRF token (403). A caller who is
 * not logged in gets 401 from every /api/v1 route but the public ones (`config: PUBLIC_ROUTE`)
 * here, before the body is read: "not logged in" comes before "malformed request", as API.md
 * orders them, and the body schemas are not shown to anonymous callers. Likewise a caller
 * whose side or roles the route's `config.access` does not admit gets 403 here, checked by the
 * app's `requireAccess` (the use case checks the same constant again): "role not allowed"
 * comes before the body's, query's and parameters' schema errors too.
 */
export function installAuth(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    await resolveActor(request, ctx);
    if (request.actor === null) {
      if (needsLogin(request)) throw unauthenticated();
      return;
    }
    const { access } = request.routeOptions.config;
    if (access !== undefined && !request.is404) requireAccess(request.actor, access);
  });
}

/** Whether the request is for a matched /api/v1 route that is not public (not a preflight). */
function needsLogin(request: FastifyRequest): boolean {
  if (request.method === 'OPTIONS' || request.is404) return false;
  if (!request.url.startsWith('/api/v1/')) return false;
  return request.routeOptions.config.public !== true;
}

/** Sets `request.actor` from the bearer token or the session cookie (null when neither). */
async function resolveActor(request: FastifyRequest, ctx: AppContext): Promise<void> {
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
}
