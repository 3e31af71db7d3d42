import { sql } from 'kysely';
import type { Executor } from './executor.ts';
import { newId } from './ids.ts';
import type { ApiToken, User } from './schema.ts';
import { prepared } from './prepared-query.ts';
import { VersionedRead } from './read-versions.ts';

export interface UserInput {
  email: string;
  name: string;
  /** Null for a user invited to set a password (or one who signs in otherwise). */
  passwordHash: string | null;
  roles: readonly string[];
  vendorId?: string | null;
  partnerId?: string | null;
  at: string;
}

export async function insertUser(db: Executor, input: UserInput): Promise<User> {
  const row: User = {
    id: newId('usr'),
    email: input.email.toLowerCase(),
    name: input.name,
    password_hash: input.passwordHash,
    vendor_id: input.vendorId ?? null,
    partner_id: input.partnerId ?? null,
    roles: JSON.stringify(input.roles),
    active: 1,
    deactivated_at: null,
    created_at: input.at,
  };
  await db.insertInto('users').values(row).execute();
  return row;
}

export async function findUserByEmail(db: Executor, email: string): Promise<User | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('email', '=', email.toLowerCase())
    .executeTakeFirst();
}

/**
 * The user who may sign in with a password under this e-mail: active, with a password set (an
 * invited user has none until it accepts). Undefined otherwise, so a deactivated user cannot
 * log in whatever the caller forgets to check.
 */
export async function findLoginUser(db: Executor, email: string): Promise<User | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('email', '=', email.toLowerCase())
    .where('active', '=', 1)
    .where('password_hash', 'is not', null)
    .executeTakeFirst();
}

export async function findUserById(db: Executor, id: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Vendor staff holding a role, e.g. the CAMs to pick from. */
export async function listVendorUsers(
  db: Executor,
  vendorId: string,
  page?: { limit: number; afterEmail?: string | undefined },
): Promise<User[]> {
  let q = db.selectFrom('users').selectAll().where('vendor_id', '=', vendorId).orderBy('email');
  if (page) {
    q = q.limit(page.limit);
    if (page.afterEmail !== undefined) q = q.where('email', '>', page.afterEmail);
  }
  return q.execute();
}

/** A partner's own users (not its tier-2 resellers'). */
export async function listPartnerUsers(
  db: Executor,
  partnerId: string,
  page?: { limit: number; afterEmail?: string | undefined },
): Promise<User[]> {
  let q = db.selectFrom('users').selectAll().where('partner_id', '=', partnerId).orderBy('email');
  if (page) {
    q = q.limit(page.limit);
    if (page.afterEmail !== undefined) q = q.where('email', '>', page.afterEmail);
  }
  return q.execute();
}

/** Sets an active user's password (an invitation accepted, a reset); false if none changed. */
export async function setUserPassword(
  db: Executor,
  userId: string,
  passwordHash: string,
): Promise<boolean> {
  const r = await db
    .updateTable('users')
    .set({ password_hash: passwordHash })
    .where('id', '=', userId)
    .where('active', '=', 1)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Deactivates a user and, in the same executor, ends everything it could act with: its sessions
 * are deleted and its tokens revoked at `at`. Call inside one transaction so no request sees a
 * deactivated user with a live session. False if the user was not active (nothing changed).
 */
export async function deactivateUser(
  db: Executor,
  userId: string,
  at: string,
): Promise<{ sessionsEnded: number; tokensRevoked: number } | null> {
  const r = await db
    .updateTable('users')
    .set({ active: 0, deactivated_at: at })
    .where('id', '=', userId)
    .where('active', '=', 1)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return null;
  const sessions = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  const tokens = await db
    .updateTable('api_tokens')
    .set({ revoked_at: at })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
    .executeTakeFirst();
  return {
    sessionsEnded: Number(sessions.numDeletedRows),
    tokensRevoked: Number(tokens.numUpdatedRows),
  };
}

export async function insertSession(
  db: Executor,
  input: { idHash: string; userId: string; csrfToken: string; expiresAt: string; at: string },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id: input.idHash,
      user_id: input.userId,
      csrf_token: input.csrfToken,
      created_at: input.at,
      expires_at: input.expiresAt,
    })
    .execute();
}

/**
 * A signed-in user as authentication reads it: every column but the password's hash, which
 * only signing in needs (the token's read is kept in memory, and nothing kept holds a hash).
 */
export type SignedInUser = Omit<User, 'password_hash'>;

const SIGNED_IN_USER_COLUMNS = [
  'u.id',
  'u.email',
  'u.name',
  'u.vendor_id',
  'u.partner_id',
  'u.roles',
  'u.active',
  'u.deactivated_at',
  'u.created_at',
] as const satisfies readonly `u.${keyof SignedInUser}`[];

/** A live session and its active user, or undefined. */
export async function findSessionUser(
  db: Executor,
  idHash: string,
  now: string,
): Promise<{ user: SignedInUser; csrfToken: string; partnerScope: PartnerScope } | undefined> {
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .leftJoin('partners as up', 'up.id', 'u.partner_id')
    .select(SIGNED_IN_USER_COLUMNS)
    .select('s.csrf_token as csrf_token')
    .select(PARTNER_SCOPE_COLUMNS)
    .where('s.id', '=', idHash)
    .where('s.expires_at', '>', now)
    .where('u.active', '=', 1)
    .executeTakeFirst();
  if (!row) return undefined;
  const { csrf_token, partner_parent_id, partner_children, ...user } = row;
  return {
    user,
    csrfToken: csrf_token,
    partnerScope: partnerScopeOf(user, partner_parent_id, partner_children),
  };
}

/**
 * A partner user's tenant scope, read with the user in the same statement (authentication
 * runs on every request): the partner's distributor, if it is a tier-2 reseller, and the
 * tier-2 resellers under it, if it is a distributor.
 */
export interface PartnerScope {
  parentPartnerId: string | null;
  /** The partner and the tier-2 resellers under it; empty for vendor staff. */
  partnerScopeIds: string[];
}

const PARTNER_SCOPE_COLUMNS = [
  'up.parent_partner_id as partner_parent_id',
  sql<
    string | null
  >`(select string_agg(c.id, ',') from partners c where c.parent_partner_id = u.partner_id)`.as(
    'partner_children',
  ),
] as const;

function partnerScopeOf(
  user: Pick<User, 'partner_id'>,
  parent: string | null,
  children: string | null,
): PartnerScope {
  if (!user.partner_id) return { parentPartnerId: null, partnerScopeIds: [] };
  return {
    parentPartnerId: parent,
    partnerScopeIds: [user.partner_id, ...(children ? children.split(',') : [])],
  };
}

export async function deleteSession(db: Executor, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', idHash).execute();
}

export interface ApiTokenInput {
  userId: string;
  name: string;
  tokenHash: string;
  /** Null or absent: never expires. */
  expiresAt?: string | null;
  /** Whether the token may create other tokens. */
  canMint?: boolean;
  at: string;
}

export async function insertApiToken(db: Executor, input: ApiTokenInput): Promise<{ id: string }> {
  const id = newId('tok');
  await db
    .insertInto('api_tokens')
    .values({
      id,
      user_id: input.userId,
      name: input.name,
      token_hash: input.tokenHash,
      created_at: input.at,
      last_used_at: null,
      revoked_at: null,
      expires_at: input.expiresAt ?? null,
      can_mint: input.canMint ? 1 : 0,
    })
    .execute();
  return { id };
}

/** A token as its owner may see it: never the hash. */
export type ApiTokenSummary = Omit<ApiToken, 'token_hash'>;

const TOKEN_COLUMNS = [
  't.id',
  't.user_id',
  't.name',
  't.created_at',
  't.last_used_at',
  't.revoked_at',
  't.expires_at',
  't.can_mint',
] as const;

const selectTokenUser = prepared((db, a: { tokenHash: string }) =>
  db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .leftJoin('partners as up', 'up.id', 'u.partner_id')
    .select(SIGNED_IN_USER_COLUMNS)
    .select(PARTNER_SCOPE_COLUMNS)
    .select([
      't.id as token_id',
      't.name as token_name',
      't.created_at as token_created_at',
      't.last_used_at as token_last_used_at',
      't.expires_at as token_expires_at',
      't.can_mint as token_can_mint',
    ])
    .where('t.token_hash', '=', a.tokenHash)
    .where('t.revoked_at', 'is', null)
    .where('u.active', '=', 1),
);

/**
 * A live token's row with its active user, kept while `api_tokens`, `users` and `partners`
 * are unchanged (read-versions.ts): a request with a bearer token then costs one
 * statement (the stamps) instead of the read across four tables. A revocation, a deactivation,
 * a change of partner and a recorded use each change a stamp, in this process or another, so
 * the next request reads again. Expiry is checked on every call (it depends on the time).
 */
const keptTokenUsers = new VersionedRead(
  ['api_tokens', 'users', 'partners'],
  async (db, a: { tokenHash: string }) => (await selectTokenUser(db, a)).rows[0] ?? null,
);

/**
 * The active user of a token that is neither revoked nor expired at `now`, with the token;
 * undefined otherwise.
 */
export async function findTokenUser(
  db: Executor,
  tokenHash: string,
  now: string,
): Promise<{ user: SignedInUser; token: ApiTokenSummary; partnerScope: PartnerScope } | undefined> {
  const row = await keptTokenUsers.getOutsideTransaction(db, { tokenHash });
  // ISO-8601 texts, compared as SQL compared them.
  if (!row || (row.token_expires_at !== null && row.token_expires_at <= now)) return undefined;
  const {
    token_id,
    token_name,
    token_created_at,
    token_last_used_at,
    token_expires_at,
    token_can_mint,
    partner_parent_id,
    partner_children,
    ...user
  } = row;
  return {
    user,
    partnerScope: partnerScopeOf(user, partner_parent_id, partner_children),
    token: {
      id: token_id,
      user_id: user.id,
      name: token_name,
      created_at: token_created_at,
      last_used_at: token_last_used_at,
      revoked_at: null,
      expires_at: token_expires_at,
      can_mint: token_can_mint,
    },
  };
}

/**
 * Records a token's use. To spare a write on every request, only when the last recorded use is
 * older than `minIntervalMs` before `at`.
 */
export async function touchToken(
  db: Executor,
  tokenId: string,
  at: string,
  minIntervalMs = 60_000,
): Promise<void> {
  const threshold = new Date(Date.parse(at) - minIntervalMs).toISOString();
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: at })
    .where('id', '=', tokenId)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', threshold)]))
    .execute();
}

/** A user's tokens, newest first, revoked and expired ones included (they say so). */
export async function listTokens(
  db: Executor,
  userId: string,
  page?: { limit: number; beforeId?: string | undefined },
): Promise<ApiTokenSummary[]> {
  let q = db
    .selectFrom('api_tokens as t')
    .select(TOKEN_COLUMNS)
    .where('t.user_id', '=', userId)
    .orderBy('t.id', 'desc');
  if (page) {
    q = q.limit(page.limit);
    if (page.beforeId !== undefined) q = q.where('t.id', '<', page.beforeId);
  }
  return q.execute();
}

/** Revokes one of a user's tokens; false if it is not the user's or was already revoked. */
export async function revokeToken(
  db: Executor,
  id: string,
  userId: string,
  at: string,
): Promise<boolean> {
  const r = await db
    .updateTable('api_tokens')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
