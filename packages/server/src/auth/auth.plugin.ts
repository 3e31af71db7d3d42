import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  findPartnerById,
  findSessionUser,
  findTokenUser,
  listPartnerScopeIds,
  nowIso,
  type Executor,
  type User,
} from '@orderdesk/store';
import { HttpProblem } from '../http/problem.ts';
import { parseRoles, type Actor } from './actor.ts';
import { hashSecret, safeEqual } from './secrets.ts';

export const SESSION_COOKIE = 'od_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function actorFromUser(db: Executor, user: User, via: Actor['via']): Promise<Actor> {
  const partnerScopeIds = user.partner_id ? await listPartnerScopeIds(db, user.partner_id) : [];
  const partner = user.partner_id ? await findPartnerById(db, user.partner_id) : undefined;
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    roles: parseRoles(user),
    side: user.vendor_id ? 'vendor' : 'partner',
    vendorId: user.vendor_id,
    partnerId: user.partner_id,
    parentPartnerId: partner?.parent_partner_id ?? null,
    partnerScopeIds,
    via,
  };
}

/**
 * Resolves the caller from a bearer token or the session cookie on every request, and
 * refuses cookie-authenticated writes without the session's CSRF token (403).
 */
export function installAuth(app: FastifyInstance, db: Executor): void {
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match?.[1])
        throw new HttpProblem(401, 'unauthorized', 'Authorization header must be "Bearer <token>"');
      const user = await findTokenUser(db, hashSecret(match[1]));
      if (!user) throw new HttpProblem(401, 'unauthorized', 'Unknown or revoked API token');
      request.actor = await actorFromUser(db, user, 'token');
      return;
    }
    const cookie = request.cookies[SESSION_COOKIE];
    if (!cookie) return;
    const found = await findSessionUser(db, hashSecret(cookie), nowIso());
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
    request.actor = await actorFromUser(db, found.user, 'session');
  });
}
