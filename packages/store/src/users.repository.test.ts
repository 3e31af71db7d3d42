import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDialects } from '../test/databases.ts';
import { AT, later } from '../test/fixtures.ts';
import type { Store } from './dialects.ts';
import {
  deactivateUser,
  findLoginUser,
  findSessionUser,
  findTokenUser,
  findUserById,
  insertApiToken,
  insertSession,
  insertUser,
  listTokens,
  revokeToken,
  setUserPassword,
  touchToken,
} from './users.repository.ts';

describe.each(testDialects())('users, sessions and tokens on %s', (dialect) => {
  let store: Store;
  beforeAll(async () => {
    store = await createTestStore(dialect);
  });
  afterAll(async () => {
    await store.close();
  });

  const user = (email: string) =>
    insertUser(store.db, {
      email,
      name: email,
      passwordHash: 'h',
      roles: ['partner_user'],
      at: AT,
    });

  it('deactivating a user ends its sessions and tokens at once', async () => {
    const u = await user('leaver@example.com');
    const keep = await user('stayer@example.com');
    const sessionExpiry = later(600);
    for (const [idHash, userId] of [
      ['s1', u.id],
      ['s2', u.id],
      ['s3', keep.id],
    ] as const) {
      await insertSession(store.db, {
        idHash,
        userId,
        csrfToken: 'c',
        expiresAt: sessionExpiry,
        at: AT,
      });
    }
    const token = await insertApiToken(store.db, {
      userId: u.id,
      name: 'ci',
      tokenHash: 'th-1',
      at: AT,
    });
    await insertApiToken(store.db, { userId: keep.id, name: 'ci', tokenHash: 'th-2', at: AT });
    const session = await findSessionUser(store.db, 's1', later(1));
    expect(session?.user.id).toBe(u.id);
    const found = await findTokenUser(store.db, 'th-1', later(1));
    expect(found).toMatchObject({
      user: { id: u.id, email: 'leaver@example.com', roles: '["partner_user"]', active: 1 },
      token: { id: token.id, name: 'ci', revoked_at: null, can_mint: 0 },
    });
    // Authentication never reads the password's hash: the token's read is kept in memory.
    expect(session?.user).not.toHaveProperty('password_hash');
    expect(found?.user).not.toHaveProperty('password_hash');

    expect(
      await store.db.transaction().execute((trx) => deactivateUser(trx, u.id, later(2))),
    ).toEqual({ sessionsEnded: 2, tokensRevoked: 1 });
    expect(await findUserById(store.db, u.id)).toMatchObject({
      active: 0,
      deactivated_at: later(2),
    });
    const sessions = await store.db.selectFrom('sessions').select('id').orderBy('id').execute();
    expect(sessions.map((s) => s.id)).toEqual(['s3']);
    expect(await findSessionUser(store.db, 's1', later(3))).toBeUndefined();
    expect(await findTokenUser(store.db, 'th-1', later(3))).toBeUndefined();
    expect((await listTokens(store.db, u.id)).map((t) => t.revoked_at)).toEqual([later(2)]);
    // Nobody else is touched.
    expect((await findSessionUser(store.db, 's3', later(3)))?.user.id).toBe(keep.id);
    expect((await findTokenUser(store.db, 'th-2', later(3)))?.user.id).toBe(keep.id);
    // Already inactive: nothing changes, and the password cannot be set any more.
    expect(await deactivateUser(store.db, u.id, later(4))).toBeNull();
    expect((await findUserById(store.db, u.id))?.deactivated_at).toBe(later(2));
    expect(await setUserPassword(store.db, u.id, 'new')).toBe(false);
    expect(await setUserPassword(store.db, keep.id, 'new')).toBe(true);
    expect(await findLoginUser(store.db, 'LEAVER@example.com')).toBeUndefined();
    expect((await findLoginUser(store.db, 'STAYER@example.com'))?.id).toBe(keep.id);
  });

  it('lets an invited user log in only once it has a password', async () => {
    const invited = await insertUser(store.db, {
      email: 'invited@example.com',
      name: 'I',
      passwordHash: null,
      roles: ['partner_user'],
      at: AT,
    });
    expect(await findLoginUser(store.db, 'invited@example.com')).toBeUndefined();
    expect(await setUserPassword(store.db, invited.id, 'h')).toBe(true);
    expect((await findLoginUser(store.db, 'invited@example.com'))?.id).toBe(invited.id);
  });

  it('refuses revoked and expired tokens; a user revokes only its own', async () => {
    const u = await user('owner@example.com');
    const intruder = await user('intruder@example.com');
    const a = await insertApiToken(store.db, { userId: u.id, name: 'a', tokenHash: 'ta', at: AT });
    const b = await insertApiToken(store.db, {
      userId: u.id,
      name: 'b',
      tokenHash: 'tb',
      expiresAt: later(30),
      canMint: true,
      at: later(1),
    });
    expect((await findTokenUser(store.db, 'tb', later(29)))?.token).toMatchObject({
      id: b.id,
      can_mint: 1,
      expires_at: later(30),
    });
    expect(await findTokenUser(store.db, 'tb', later(30))).toBeUndefined();

    expect(await revokeToken(store.db, a.id, intruder.id, later(5))).toBe(false);
    expect(await findTokenUser(store.db, 'ta', later(5))).toBeDefined();
    expect(await revokeToken(store.db, a.id, u.id, later(5))).toBe(true);
    expect(await revokeToken(store.db, a.id, u.id, later(6))).toBe(false);
    expect(await findTokenUser(store.db, 'ta', later(6))).toBeUndefined();

    const listed = await listTokens(store.db, u.id);
    expect(listed.map((t) => [t.id, t.revoked_at])).toEqual([
      [b.id, null],
      [a.id, later(5)],
    ]);
    expect(listed[0]).not.toHaveProperty('token_hash');
  });

  it('records a token’s use at most once a minute', async () => {
    const u = await user('busy@example.com');
    const t = await insertApiToken(store.db, { userId: u.id, name: 't', tokenHash: 'tt', at: AT });
    const lastUsed = async () => (await listTokens(store.db, u.id))[0]?.last_used_at;
    await touchToken(store.db, t.id, later(1));
    expect(await lastUsed()).toBe(later(1));
    await touchToken(store.db, t.id, new Date(Date.parse(later(1)) + 30_000).toISOString());
    expect(await lastUsed()).toBe(later(1));
    await touchToken(store.db, t.id, later(3));
    expect(await lastUsed()).toBe(later(3));
    // What authentication reads (kept by the process on SQLite) shows the recorded use, so the
    // next request does not record it again.
    expect((await findTokenUser(store.db, 'tt', later(3)))?.token.last_used_at).toBe(later(3));
  });
});
