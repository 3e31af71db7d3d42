import {
  deleteSession,
  findLoginDevice,
  findPartnerById,
  findUserByEmail,
  findVendorById,
  insertApiToken,
  insertLoginDevice,
  insertSession,
  pruneLoginDevices,
  touchLoginDevice,
  type Executor,
  type User,
} from '@orderdesk/store';
import type { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { hashSecret, randomSecret, verifyPassword } from '../auth/secrets.ts';
import type { AppContext } from '../context.ts';
import {
  eventActorOf,
  recordEvent,
  SYSTEM_ACTOR,
  type EventActor,
} from '../events/record-event.ts';
import { AppError, conflict, forbidden, invalidInput } from '../shared/errors.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { actorFromUser, presentedTokenOf } from './actor-resolution.ts';
import { LoginBlocked, type LoginThrottleScope, type ReservedAttempt } from './login-throttle.ts';
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

/** A new login session: the secrets the adapter hands out (cookies, CSRF header) and the user. */
export interface LoginResult {
  me: Me;
  sessionSecret: string;
  csrfToken: string;
  expiresAt: Date;
  /**
   * The long-lived device secret for the device cookie: the one presented (its life extended)
   * or a new one. A login from this device later counts only against the device's own failures.
   */
  deviceSecret: string;
  deviceExpiresAt: Date;
}

/** How long a device stays known after its last successful login. */
export const LOGIN_DEVICE_TTL_DAYS = 180;

/** A limit a failed login reached (for the adapter's log; the event records it too). */
export interface LoginLockout {
  scope: LoginThrottleScope;
  failures: number;
  blockedSeconds: number;
  /** The account tried, when it exists (never the e-mail or password typed). */
  userId: string | null;
}

/** Optional observers of the throttle, for logging; they never change the outcome. */
export interface LoginObserver {
  /** This failed attempt reached a limit: attempts are refused for a while from now. */
  onLockout?(lockout: LoginLockout): void;
  /** An attempt refused (429) because a limit is in force. */
  onRefused?(refused: { scope: LoginThrottleScope; retryAfterSeconds: number }): void;
}

/**
 * Checks e-mail and password under the login throttle (login-throttle.ts: growing delays per
 * account and client address, ceilings per address and per account, known devices judged by
 * their own failures) and opens a session. Anonymous: there is no actor until it succeeds.
 * The throttle's counts are written in their own short transactions, so `options.tx` is used
 * only for the session itself.
 */
export async function logIn(
  ctx: AppContext,
  input: { email: string; password: string; clientIp: string; deviceSecret?: string | undefined },
  options: WriteOptions & LoginObserver = {},
): Promise<LoginResult> {
  const now = ctx.now();
  const nowMs = now.getTime();
  const db = ctx.store.db;
  const user = await findUserByEmail(db, input.email);
  const presentedDevice = input.deviceSecret ? hashSecret(input.deviceSecret) : null;
  const device =
    presentedDevice && user
      ? await findLoginDevice(db, presentedDevice, now.toISOString())
      : undefined;
  const knownDevice = device && device.user_id === user?.id ? device.id_hash : null;
  const attempt = ctx.loginThrottle.keysOf({
    email: input.email,
    clientAddress: input.clientIp,
    deviceHash: knownDevice,
    freeFailures: ctx.config.LOGIN_MAX_FAILURES,
  });
  let reserved: ReservedAttempt;
  try {
    reserved = await db.transaction().execute((tx) => ctx.loginThrottle.reserve(tx, attempt, now));
  } catch (error) {
    if (!(error instanceof LoginBlocked)) throw error;
    options.onRefused?.({ scope: error.scope, retryAfterSeconds: error.retryAfterSeconds });
    throw new AppError(
      'rate_limited',
      'too-many-login-attempts',
      `Too many failed logins; try again in ${error.retryAfterSeconds} s`,
      undefined,
      { retryAfterSeconds: error.retryAfterSeconds },
    );
  }
  const ok = await verifyPassword(user?.password_hash ?? null, input.password);
  if (!user || !ok || user.active !== 1) {
    if (reserved.lockouts.length > 0) await recordLockouts(ctx, reserved, user, input.clientIp);
    for (const l of reserved.lockouts) options.onLockout?.({ ...l, userId: user?.id ?? null });
    throw new AppError('unauthenticated', 'invalid-credentials', 'Wrong e-mail or password');
  }
  const sessionSecret = randomSecret();
  const csrfToken = randomSecret();
  const expiresAt = new Date(nowMs + ctx.config.SESSION_TTL_HOURS * 3600_000);
  const deviceSecret = knownDevice && input.deviceSecret ? input.deviceSecret : randomSecret();
  const deviceExpiresAt = new Date(nowMs + LOGIN_DEVICE_TTL_DAYS * 86_400_000);
  return inTransaction(ctx, options, async (tx) => {
    await ctx.loginThrottle.succeeded(tx, reserved, now);
    if (knownDevice) {
      await touchLoginDevice(tx, knownDevice, {
        expiresAt: deviceExpiresAt.toISOString(),
        at: now.toISOString(),
      });
    } else {
      await insertLoginDevice(tx, {
        idHash: hashSecret(deviceSecret),
        userId: user.id,
        expiresAt: deviceExpiresAt.toISOString(),
        at: now.toISOString(),
      });
      await pruneLoginDevices(tx, now.toISOString());
    }
    await insertSession(tx, {
      idHash: hashSecret(sessionSecret),
      userId: user.id,
      csrfToken,
      expiresAt: expiresAt.toISOString(),
      at: now.toISOString(),
    });
    const me = await meOf(tx, await actorFromUser(tx, user, 'session'));
    return { me, sessionSecret, csrfToken, expiresAt, deviceSecret, deviceExpiresAt };
  });
}

/**
 * Records `user.login_throttled` for the limits of an existing account this failure reached
 * (the per-address ceiling is about no one account: only logged). The vendor's or partner's
 * admin sees them at GET /api/v1/login-lockouts.
 */
async function recordLockouts(
  ctx: AppContext,
  reserved: ReservedAttempt,
  user: User | undefined,
  clientAddress: string,
): Promise<void> {
  if (!user) return;
  const events = reserved.lockouts.filter((l) => l.scope === 'address' || l.scope === 'account');
  if (events.length === 0) return;
  const at = ctx.now().toISOString();
  await ctx.store.db.transaction().execute(async (tx) => {
    for (const l of events) {
      await recordEvent(tx, {
        type: 'user.login_throttled',
        entityId: user.id,
        vendorId: user.vendor_id,
        partnerId: user.partner_id,
        actor: SYSTEM_ACTOR,
        at,
        data: {
          userId: user.id,
          scope: l.scope === 'account' ? 'account' : 'address',
          clientAddress: l.scope === 'account' ? null : clientAddress,
          failures: l.failures,
          blockedSeconds: l.blockedSeconds,
        },
      });
    }
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
  expiresAt: string | null;
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
  return {
    id,
    name: input.name,
    token,
    canMint: input.canMint === true,
    expiresAt: input.expiresAt ?? null,
  };
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
  if (input.expiresAt != null) {
    const expiresAt = new Date(input.expiresAt);
    if (!(expiresAt.getTime() > ctx.now().getTime())) {
      throw invalidInput('A token must expire in the future', [
        { path: 'expiresAt', code: 'invalid', message: 'Give an instant in the future' },
      ]);
    }
    input = { ...input, expiresAt: expiresAt.toISOString() };
  }
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
