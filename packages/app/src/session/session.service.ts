import {
  deleteSession,
  findPartnerById,
  findUserByEmail,
  findVendorById,
  insertApiToken,
  insertSession,
  type Executor,
} from '@orderdesk/store';
import type { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { hashSecret, randomSecret, verifyPassword } from '../auth/secrets.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../shared/errors.ts';
import type { meSchema } from './session.schemas.ts';

export type Me = z.infer<typeof meSchema>;

/** The caller as `GET /me` shows them. */
export async function describeActor(db: Executor, actor: Actor): Promise<Me> {
  const me: Me = { id: actor.userId, email: actor.email, name: actor.name, roles: actor.roles };
  if (actor.vendorId) {
    const v = await findVendorById(db, actor.vendorId);
    if (v) me.vendor = { id: v.id, slug: v.slug, name: v.name };
  }
  if (actor.partnerId) {
    const p = await findPartnerById(db, actor.partnerId);
    if (p)
      me.partner = { id: p.id, name: p.name, tier: p.tier, parentPartnerId: p.parent_partner_id };
  }
  return me;
}

/**
 * Checks e-mail and password with a throttle on repeated failures (per e-mail and per client
 * address); returns the new session's secrets.
 */
export async function logIn(
  ctx: AppContext,
  input: { email: string; password: string; clientIp: string },
): Promise<{ userId: string; sessionSecret: string; csrfToken: string; expiresAt: Date }> {
  const now = ctx.now().getTime();
  // One account is locked after LOGIN_MAX_FAILURES failures; one client address (an office
  // behind NAT, a test runner) only after many more, so it cannot lock out everyone else.
  const emailKey = `email:${input.email.toLowerCase()}`;
  const ipKey = `ip:${input.clientIp}`;
  const max = ctx.config.LOGIN_MAX_FAILURES;
  const wait = ctx.loginThrottle.retryAfter(
    [
      { key: emailKey, max },
      { key: ipKey, max: max * 20 },
    ],
    now,
  );
  if (wait > 0) {
    throw new AppError(
      'rate_limited',
      'too-many-login-attempts',
      `Too many failed logins; try again in ${wait} s`,
      undefined,
      { retryAfterSeconds: wait },
    );
  }
  const user = await findUserByEmail(ctx.store.db, input.email);
  const ok = await verifyPassword(user?.password_hash ?? null, input.password);
  if (!user || !ok || user.active !== 1) {
    ctx.loginThrottle.recordFailure([emailKey, ipKey], now);
    throw new AppError('unauthenticated', 'invalid-credentials', 'Wrong e-mail or password');
  }
  ctx.loginThrottle.recordSuccess([emailKey]);
  const sessionSecret = randomSecret();
  const csrfToken = randomSecret();
  const expiresAt = new Date(now + ctx.config.SESSION_TTL_HOURS * 3600_000);
  await insertSession(ctx.store.db, {
    idHash: hashSecret(sessionSecret),
    userId: user.id,
    csrfToken,
    expiresAt: expiresAt.toISOString(),
  });
  return { userId: user.id, sessionSecret, csrfToken, expiresAt };
}

export async function logOut(db: Executor, sessionSecret: string | undefined): Promise<void> {
  if (sessionSecret) await deleteSession(db, hashSecret(sessionSecret));
}

/** Creates an API token for the caller; the secret is returned once and stored hashed. */
export async function createApiToken(
  db: Executor,
  actor: Actor,
  name: string,
): Promise<{ id: string; name: string; token: string }> {
  const token = randomSecret('od_');
  const { id } = await insertApiToken(db, {
    userId: actor.userId,
    name,
    tokenHash: hashSecret(token),
  });
  return { id, name, token };
}
