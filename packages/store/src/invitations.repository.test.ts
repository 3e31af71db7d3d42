import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDialects } from '../test/databases.ts';
import { AT, later } from '../test/fixtures.ts';
import type { Store } from './dialects.ts';
import { isUniqueViolation } from './executor.ts';
import {
  findInvitationByHash,
  insertInvitation,
  markInvitationUsed,
} from './invitations.repository.ts';
import { deactivateUser, insertUser } from './users.repository.ts';

describe.each(testDialects())('invitations on %s', (dialect) => {
  let store: Store;
  beforeAll(async () => {
    store = await createTestStore(dialect);
  });
  afterAll(async () => {
    await store.close();
  });

  const invite = async (email: string, tokenHash: string) => {
    const user = await insertUser(store.db, {
      email,
      name: email,
      passwordHash: null,
      roles: ['partner_admin'],
      at: AT,
    });
    const invitation = await insertInvitation(store.db, {
      userId: user.id,
      tokenHash,
      expiresAt: later(60),
      createdBy: 'usr_admin',
      at: AT,
    });
    return { user, invitation };
  };

  it('works once, even when two uses race', async () => {
    const { invitation } = await invite('new@example.com', 'h-1');
    expect(await findInvitationByHash(store.db, 'h-1')).toEqual(invitation);
    const uses = await Promise.all(
      [1, 2, 3].map((i) =>
        store.db.transaction().execute((trx) => markInvitationUsed(trx, invitation.id, later(i))),
      ),
    );
    expect(uses.filter(Boolean)).toHaveLength(1);
    expect(await markInvitationUsed(store.db, invitation.id, later(10))).toBe(false);
    // Still found, so the caller can say it was already used.
    expect((await findInvitationByHash(store.db, 'h-1'))?.used_at).not.toBeNull();
    await expect(
      insertInvitation(store.db, {
        userId: invitation.user_id,
        tokenHash: 'h-1',
        expiresAt: later(60),
        createdBy: null,
        at: AT,
      }),
    ).rejects.toSatisfy(isUniqueViolation);
  });

  it('does not work once expired, or for a deactivated user', async () => {
    const expired = await invite('late@example.com', 'h-2');
    expect(await markInvitationUsed(store.db, expired.invitation.id, later(60))).toBe(false);
    const gone = await invite('gone@example.com', 'h-3');
    await deactivateUser(store.db, gone.user.id, later(1));
    expect(await markInvitationUsed(store.db, gone.invitation.id, later(2))).toBe(false);
    expect(await findInvitationByHash(store.db, 'h-missing')).toBeUndefined();
  });
});
