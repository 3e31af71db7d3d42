import { PostgresAdapter, type Selectable } from 'kysely';
import type { Executor } from './executor.ts';

/**
 * One throttled key (an account at a client address, a client address, an account, a known
 * device): its failures in the current window and the instant it is blocked until.
 */
export interface LoginThrottleTable {
  key: string;
  failures: number;
  /** When the current counting window began (ISO). */
  window_start: string;
  /** Refuse attempts until this instant (ISO); null: not blocked. */
  blocked_until: string | null;
  updated_at: string;
}

/** A browser that logged in as a user before: the hash of its long-lived device cookie. */
export interface LoginDeviceTable {
  id_hash: string;
  user_id: string;
  created_at: string;
  last_used_at: string;
  expires_at: string;
}

export type LoginThrottleRow = Selectable<LoginThrottleTable>;
export type LoginDevice = Selectable<LoginDeviceTable>;

function isPostgres(db: Executor): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * The rows of `keys`, created empty when missing, locked for the rest of the transaction: on
 * PostgreSQL with `FOR UPDATE` (keys taken in sorted order, so two logins never deadlock); on
 * SQLite the insert has already taken the database's write lock. Call inside a transaction.
 */
export async function lockLoginThrottleRows(
  tx: Executor,
  keys: readonly string[],
  at: string,
): Promise<Map<string, LoginThrottleRow>> {
  const sorted = [...new Set(keys)].sort();
  if (sorted.length === 0) return new Map();
  await tx
    .insertInto('login_throttle')
    .values(
      sorted.map((key) => ({
        key,
        failures: 0,
        window_start: at,
        blocked_until: null,
        updated_at: at,
      })),
    )
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const rows = await tx
    .selectFrom('login_throttle')
    .selectAll()
    .where('key', 'in', sorted)
    .orderBy('key')
    .$if(isPostgres(tx), (q) => q.forUpdate())
    .execute();
  return new Map(rows.map((r) => [r.key, r]));
}

export async function updateLoginThrottleRow(
  tx: Executor,
  row: {
    key: string;
    failures: number;
    windowStart: string;
    blockedUntil: string | null;
    at: string;
  },
): Promise<void> {
  await tx
    .updateTable('login_throttle')
    .set({
      failures: row.failures,
      window_start: row.windowStart,
      blocked_until: row.blockedUntil,
      updated_at: row.at,
    })
    .where('key', '=', row.key)
    .execute();
}

export async function deleteLoginThrottleRows(
  tx: Executor,
  keys: readonly string[],
): Promise<void> {
  if (keys.length === 0) return;
  await tx
    .deleteFrom('login_throttle')
    .where('key', 'in', [...keys])
    .execute();
}

/** Forgets rows untouched since `before` and not blocked beyond it; returns how many. */
export async function pruneLoginThrottle(db: Executor, before: string): Promise<number> {
  const r = await db
    .deleteFrom('login_throttle')
    .where('updated_at', '<', before)
    .where((eb) => eb.or([eb('blocked_until', 'is', null), eb('blocked_until', '<', before)]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function insertLoginDevice(
  db: Executor,
  input: { idHash: string; userId: string; expiresAt: string; at: string },
): Promise<void> {
  await db
    .insertInto('login_devices')
    .values({
      id_hash: input.idHash,
      user_id: input.userId,
      created_at: input.at,
      last_used_at: input.at,
      expires_at: input.expiresAt,
    })
    .execute();
}

/** The unexpired device of `idHash`, or undefined. */
export async function findLoginDevice(
  db: Executor,
  idHash: string,
  now: string,
): Promise<LoginDevice | undefined> {
  return db
    .selectFrom('login_devices')
    .selectAll()
    .where('id_hash', '=', idHash)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

export async function touchLoginDevice(
  db: Executor,
  idHash: string,
  input: { expiresAt: string; at: string },
): Promise<void> {
  await db
    .updateTable('login_devices')
    .set({ last_used_at: input.at, expires_at: input.expiresAt })
    .where('id_hash', '=', idHash)
    .execute();
}

/** Forgets expired devices; returns how many. */
export async function pruneLoginDevices(db: Executor, now: string): Promise<number> {
  const r = await db.deleteFrom('login_devices').where('expires_at', '<=', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** A recorded lockout (`user.login_throttled`) with the e-mail of its user. */
export interface LoginLockoutRow {
  id: string;
  at: string;
  user_id: string;
  email: string;
  data: string | null;
}

/**
 * The lockouts of one tenant's users, newest first: a vendor's staff, or a partner's users.
 * `before`: the (at, id) of the last row of the previous page.
 */
export async function listLoginLockouts(
  db: Executor,
  scope: { vendorId: string } | { partnerId: string },
  page: { limit: number; before?: { at: string; id: string } | undefined },
): Promise<LoginLockoutRow[]> {
  let q = db
    .selectFrom('audit_events as e')
    .innerJoin('users as u', 'u.id', 'e.entity_id')
    .select(['e.id as id', 'e.at as at', 'u.id as user_id', 'u.email as email', 'e.data as data'])
    .where('e.type', '=', 'user.login_throttled');
  q =
    'vendorId' in scope
      ? q.where('e.vendor_id', '=', scope.vendorId).where('u.vendor_id', '=', scope.vendorId)
      : q
          .where('e.partner_id', '=', scope.partnerId)
          .where('u.partner_id', '=', scope.partnerId)
          .where('u.vendor_id', 'is', null);
  const before = page.before;
  if (before) {
    q = q.where((eb) =>
      eb.or([
        eb('e.at', '<', before.at),
        eb.and([eb('e.at', '=', before.at), eb('e.id', '<', before.id)]),
      ]),
    );
  }
  return q.orderBy('e.at', 'desc').orderBy('e.id', 'desc').limit(page.limit).execute();
}
