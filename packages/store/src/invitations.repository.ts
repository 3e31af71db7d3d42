import type { Executor } from './executor.ts';
import { newId } from './ids.ts';
import type { Invitation } from './schema.ts';

// Single-use links to set a new user's password. Only the hash of the link's secret is stored.

export async function insertInvitation(
  db: Executor,
  input: {
    userId: string;
    tokenHash: string;
    expiresAt: string;
    createdBy: string | null;
    at: string;
  },
): Promise<Invitation> {
  const row: Invitation = {
    id: newId('inv'),
    user_id: input.userId,
    token_hash: input.tokenHash,
    expires_at: input.expiresAt,
    used_at: null,
    created_by: input.createdBy,
    created_at: input.at,
  };
  await db.insertInto('invitations').values(row).execute();
  return row;
}

/**
 * The invitation with a link's hash, used or expired alike (so the caller can say which);
 * whether it still works is decided by `markInvitationUsed`.
 */
export async function findInvitationByHash(
  db: Executor,
  tokenHash: string,
): Promise<Invitation | undefined> {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/**
 * Uses an invitation at `at` if it is unused, unexpired and its user still active: a
 * conditional update, so of two concurrent uses of one link exactly one wins. Returns whether
 * this call used it.
 */
export async function markInvitationUsed(db: Executor, id: string, at: string): Promise<boolean> {
  const r = await db
    .updateTable('invitations')
    .set({ used_at: at })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', at)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('users')
          .select('users.id')
          .whereRef('users.id', '=', 'invitations.user_id')
          .where('users.active', '=', 1),
      ),
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
