import type { Executor } from './executor.ts';
import { newId, nowIso } from './ids.ts';
import type { User } from './schema.ts';

export interface UserInput {
  email: string;
  name: string;
  passwordHash: string | null;
  roles: readonly string[];
  vendorId?: string | null;
  partnerId?: string | null;
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
    created_at: nowIso(),
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

export async function findUserById(db: Executor, id: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Vendor staff holding a role, e.g. the CAMs to pick from. */
export async function listVendorUsers(db: Executor, vendorId: string): Promise<User[]> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('vendor_id', '=', vendorId)
    .orderBy('email')
    .execute();
}

export async function insertSession(
  db: Executor,
  input: { idHash: string; userId: string; csrfToken: string; expiresAt: string },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id: input.idHash,
      user_id: input.userId,
      csrf_token: input.csrfToken,
      created_at: nowIso(),
      expires_at: input.expiresAt,
    })
    .execute();
}

/** A live session and its active user, or undefined. */
export async function findSessionUser(
  db: Executor,
  idHash: string,
  now: string,
): Promise<{ user: User; csrfToken: string } | undefined> {
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .selectAll('u')
    .select('s.csrf_token as csrf_token')
    .where('s.id', '=', idHash)
    .where('s.expires_at', '>', now)
    .where('u.active', '=', 1)
    .executeTakeFirst();
  if (!row) return undefined;
  const { csrf_token, ...user } = row;
  return { user, csrfToken: csrf_token };
}

export async function deleteSession(db: Executor, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', idHash).execute();
}

export async function insertApiToken(
  db: Executor,
  input: { userId: string; name: string; tokenHash: string },
): Promise<{ id: string }> {
  const id = newId('tok');
  await db
    .insertInto('api_tokens')
    .values({
      id,
      user_id: input.userId,
      name: input.name,
      token_hash: input.tokenHash,
      created_at: nowIso(),
      last_used_at: null,
    })
    .execute();
  return { id };
}

export async function findTokenUser(db: Executor, tokenHash: string): Promise<User | undefined> {
  return db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .selectAll('u')
    .where('t.token_hash', '=', tokenHash)
    .where('u.active', '=', 1)
    .executeTakeFirst();
}
