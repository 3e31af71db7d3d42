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
import { eventActorOf, recordEvent, type EventActor } from '../events/record-event.ts';
import { AppError, conflict, forbidden } from '../shared/errors.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { actorFromUser, presentedTokenOf } from './actor-resolution.ts';
import type { meSchema } from './session.schemas.ts';

export type Me = z.infer<typeof meSchema>;

async function meOf(db: Executor, actor: Actor): Promise<Me> {
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

/** The caller as `GET /me` shows them: roles, and their vendor or partner. */
export async function describeMe(ctx: AppContext, actor: Actor): Promise<Me> {
  return meOf(ctx.store.db, actor);
}

/** A new login session: the secrets the adapter hands out (cookie, CSRF header) and the user. */
export interface LoginResult {
  me: Me;
  sessionSecret: string;
  csrfToken: string;
  expiresAt: Date;
}

/**
 * Checks e-mail and password with a throttle on repeated failures (per e-mail and per client
 * address) and opens a session. Anonymous: there is no actor until it succeeds.
 */
export async function logIn(
  ctx: AppContext,
  input: { email: string; password: string; clientIp: string },
  options: WriteOptions = {},
): Promise<LoginResult> {
  const now = ctx.now();
  const nowMs = now.getTime();
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
    nowMs,
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
    ctx.loginThrottle.recordFailure([emailKey, ipKey], nowMs);
    throw new AppError('unauthenticated', 'invalid-credentials', 'Wrong e-mail or password');
  }
  ctx.loginThrottle.recordSuccess([emailKey]);
  const sessionSecret = randomSecret();
  const csrfToken = randomSecret();
  const expiresAt = new Date(nowMs + ctx.config.SESSION_TTL_HOURS * 3600_000);
  return inTransaction(ctx, options, async (tx) => {
    await insertSession(tx, {
      idHash: hashSecret(sessionSecret),
      userId: user.id,
      csrfToken,
      expiresAt: expiresAt.toISOString(),
      at: now.toISOString(),
    });
    const me = await meOf(tx, await actorFromUser(tx, user, 'session'));
    return { me, sessionSecret, csrfToken, expiresAt };
  });
}

/** Ends the session of `sessionSecret` (nothing when there is none). */
export async function logOut(
  ctx: AppContext,
  sessionSecret: string | undefined,
  options: WriteOptions = {},
): Promise<void> {
  if (!sessionSecret) return;
  await inTransaction(ctx, options, (tx) => deleteSession(tx, hashSecret(sessionSecret)));
}

/** What `POST /tokens` answers: the secret, shown this once (only its hash is stored). */
export interface CreatedToken {
  id: string;
  name: string;
  token: string;
  canMint: boolean;
}

/** Stores a new token of `user` (its hash only) and records `token.created` by `by`. */
async function issueToken(
  tx: Executor,
  user: { id: string; vendorId: string | null; partnerId: string | null },
  input: { name: string; expiresAt?: string | null; canMint?: boolean },
  by: EventActor,
  at: string,
): Promise<CreatedToken> {
  const token = randomSecret('od_');
  const { id } = await insertApiToken(tx, {
    userId: user.id,
    name: input.name,
    tokenHash: hashSecret(token),
    expiresAt: input.expiresAt ?? null,
    canMint: input.canMint === true,
    at,
  });
  await recordEvent(tx, {
    type: 'token.created',
    entityId: id,
    vendorId: user.vendorId,
    partnerId: user.partnerId,
    actor: by,
    at,
    data: { tokenId: id, userId: user.id, name: input.name },
  });
  return { id, name: input.name, token, canMint: input.canMint === true };
}

/**
 * Creates an API token acting as the caller; records `token.created`. A caller holding a
 * bearer token may mint only if that token was created with `canMint`: a leaked token must
 * not be able to make itself a successor that survives its revocation. A logged-in session
 * (password) may always mint, with or without the right.
 */
export async function createApiToken(
  ctx: AppContext,
  actor: Actor,
  input: { name: string; expiresAt?: string | null; canMint?: boolean },
  options: WriteOptions = {},
): Promise<CreatedToken> {
  const presented = presentedTokenOf(actor);
  if (presented && !presented.canMint) {
    throw forbidden(
      'This API token may not create tokens: log in, or use a token created with canMint',
    );
  }
  const at = ctx.now().toISOString();
  return inTransaction(ctx, options, (tx) =>
    issueToken(
      tx,
      { id: actor.userId, vendorId: actor.vendorId, partnerId: actor.partnerId },
      input,
      eventActorOf(actor),
      at,
    ),
  );
}

/**
 * Creates an API token for a user by e-mail, for the operator at the command line
 * (`orderdesk token create`), who owns the database and acts without a user account. The
 * token acts as the user; `token.created` records the operator.
 */
export async function createApiTokenForUser(
  ctx: AppContext,
  by: { operator: string },
  input: { email: string; name: string; expiresAt?: string | null; canMint?: boolean },
  options: WriteOptions = {},
): Promise<CreatedToken> {
  return inTransaction(ctx, options, async (tx) => {
    const user = await findUserByEmail(tx, input.email);
    if (!user) throw new AppError('not_found', 'not-found', `No user with e-mail ${input.email}`);
    if (user.active !== 1) throw conflict(`User ${input.email} is deactivated`);
    return issueToken(
      tx,
      { id: user.id, vendorId: user.vendor_id, partnerId: user.partner_id },
      input,
      { userId: null, label: by.operator },
      ctx.now().toISOString(),
    );
  });
}
