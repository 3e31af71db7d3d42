// API tokens as their owners (and their tenant's admin) see them: never the secret nor its hash.
import {
  findUserById,
  listPartnerUsers,
  listTokens,
  listVendorUsers,
  revokeToken,
  type ApiTokenSummary,
  type Executor,
} from '@orderdesk/store';
import { z } from 'zod';
import { requireActor, type Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { eventActorOf, recordEvent } from '../events/record-event.ts';
import { notFound } from '../shared/errors.ts';
import { decodeCursor, pageOf, type Page, type PageQuery } from '../shared/paging.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { isInScope, requireTenantAdmin } from './admin-access.ts';
import type { TokenSummary } from './admin.schemas.ts';

function toTokenSummary(t: ApiTokenSummary): TokenSummary {
  return {
    id: t.id,
    name: t.name,
    createdAt: t.created_at,
    lastUsedAt: t.last_used_at,
    expiresAt: t.expires_at,
    revokedAt: t.revoked_at,
  };
}

/** Whether the caller administers users of its tenant (and so their tokens). */
function isAdmin(actor: Actor): boolean {
  return actor.roles.includes(actor.side === 'vendor' ? 'vendor_admin' : 'partner_admin');
}

const tokenCursorSchema = z.object({ id: z.string() });

/**
 * The caller's own tokens, newest first, revoked and expired ones included, a page at a time.
 * An admin may name a user of its own tenant (`userId`); anyone else's user is not found.
 */
export async function listUserTokens(
  ctx: AppContext,
  actor: Actor | null,
  query: { userId?: string | undefined } & PageQuery,
): Promise<Page<TokenSummary>> {
  const a = requireActor(actor);
  const db = ctx.store.db;
  let userId = a.userId;
  if (query.userId !== undefined && query.userId !== a.userId) {
    const scope = requireTenantAdmin(a);
    const user = await findUserById(db, query.userId);
    if (!user || !isInScope(scope, user)) throw notFound('User');
    userId = user.id;
  }
  const before = decodeCursor(query.cursor, tokenCursorSchema);
  const rows = await listTokens(db, userId, { limit: query.limit + 1, beforeId: before?.id });
  return pageOf(rows, query.limit, (last) => ({ id: last.id }), toTokenSummary);
}

/** The owner of a token the caller may revoke: its own, or (an admin) its tenant's users'. */
async function revocableTokenOwner(
  db: Executor,
  actor: Actor,
  tokenId: string,
): Promise<ApiTokenSummary | undefined> {
  const own = (await listTokens(db, actor.userId)).find((t) => t.id === tokenId);
  if (own || !isAdmin(actor)) return own;
  const scope = requireTenantAdmin(actor);
  const users =
    scope.side === 'vendor'
      ? await listVendorUsers(db, scope.vendorId)
      : await listPartnerUsers(db, scope.partnerId);
  for (const user of users) {
    if (!isInScope(scope, user)) continue;
    const found = (await listTokens(db, user.id)).find((t) => t.id === tokenId);
    if (found) return found;
  }
  return undefined;
}

/**
 * Revokes a token: the caller's own, or one of its tenant's users' for an admin. It stops
 * working at once (the next request with it is a 401). Already revoked: nothing changes.
 * Anyone else's token is not found.
 */
export async function revokeUserToken(
  ctx: AppContext,
  actor: Actor | null,
  tokenId: string,
  options: WriteOptions = {},
): Promise<void> {
  const a = requireActor(actor);
  await inTransaction(ctx, options, async (tx) => {
    const token = await revocableTokenOwner(tx, a, tokenId);
    if (!token) throw notFound('Token');
    const at = ctx.now().toISOString();
    if (!(await revokeToken(tx, token.id, token.user_id, at))) return;
    await recordEvent(tx, {
      type: 'token.revoked',
      entityId: token.id,
      vendorId: a.vendorId,
      partnerId: a.partnerId,
      actor: eventActorOf(a),
      at,
      data: { tokenId: token.id, userId: token.user_id },
    });
  });
}
