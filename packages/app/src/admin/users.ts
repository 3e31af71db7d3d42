// The users of a tenant, managed by its admin: a vendor_admin its vendor's staff, a
// partner_admin its partner's users. An admin never creates or touches users of the other side
// or of another tenant (another tenant's user ids are "not found").
import {
  deactivateUser,
  findPartnerById,
  findUserById,
  listPartnerUsers,
  listVendorUsers,
} from '@orderdesk/store';
import { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { eventActorOf, recordEvent } from '../events/record-event.ts';
import { senderOf } from '../events/notify-by-profile.ts';
import { conflict, forbidden, notFound } from '../shared/errors.ts';
import { decodeCursor, pageOf, type Page, type PageQuery } from '../shared/paging.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { profileOfVendor } from '../vendors/profile-cache.ts';
import { createUserWithInvitation } from './invitations.ts';
import { isInScope, ownVendor, requireTenantAdmin, toUserView } from './admin-access.ts';
import {
  ROLES_OF_SIDE,
  type InvitedUser,
  type UserCreateBody,
  type UserView,
} from './admin.schemas.ts';

/** Sender of mails that come from a partner rather than a vendor, unless MAIL_FROM is set. */
export const ORDERDESK_SENDER = 'no-reply@orderdesk.invalid';

/**
 * Creates a user of the caller's tenant and invites it by mail (vendor_admin: staff roles;
 * partner_admin: partner roles). A role of the other side is a 403; a taken e-mail a 409.
 */
export async function inviteUser(
  ctx: AppContext,
  actor: Actor | null,
  body: UserCreateBody,
  options: WriteOptions = {},
): Promise<InvitedUser> {
  const scope = requireTenantAdmin(actor);
  const a = scope.actor;
  const allowed: readonly string[] = ROLES_OF_SIDE[scope.side];
  const foreign = body.roles.filter((r) => !allowed.includes(r));
  if (foreign.length > 0) {
    throw forbidden(
      `A ${scope.side === 'vendor' ? 'vendor' : 'partner'} admin hands out only ${allowed.join(', ')}; not ${foreign.join(', ')}`,
    );
  }
  return inTransaction(ctx, options, async (tx) => {
    let tenantName: string;
    let from = ctx.config.MAIL_FROM ?? ORDERDESK_SENDER;
    if (scope.side === 'vendor') {
      const vendor = await ownVendor(tx, scope.vendorId);
      tenantName = vendor.name;
      from = senderOf(await profileOfVendor(tx, vendor), vendor.slug);
    } else {
      const partner = await findPartnerById(tx, scope.partnerId);
      if (!partner) throw notFound('Partner');
      tenantName = partner.name;
    }
    const created = await createUserWithInvitation(ctx, tx, {
      email: body.email,
      name: body.name,
      roles: body.roles,
      vendorId: scope.vendorId,
      partnerId: scope.partnerId,
      tenantName,
      from,
      by: eventActorOf(a),
      eventVendorId: scope.vendorId,
    });
    return { user: toUserView(created.user), invitation: created.invitation };
  });
}

const userCursorSchema = z.object({ email: z.string() });

/** The users of the caller's tenant (its admin), by e-mail, a page at a time. */
export async function listUsers(
  ctx: AppContext,
  actor: Actor | null,
  query: PageQuery,
): Promise<Page<UserView>> {
  const scope = requireTenantAdmin(actor);
  const page = {
    limit: query.limit + 1,
    afterEmail: decodeCursor(query.cursor, userCursorSchema)?.email,
  };
  const rows =
    scope.side === 'vendor'
      ? await listVendorUsers(ctx.store.db, scope.vendorId, page)
      : await listPartnerUsers(ctx.store.db, scope.partnerId, page);
  return pageOf(rows, query.limit, (last) => ({ email: last.email }), toUserView);
}

/**
 * Deactivates a user of the caller's tenant: in the same transaction its sessions end and its
 * tokens are revoked, so its next request is a 401. Already deactivated: nothing changes.
 * Another tenant's (or side's) user is not found; an admin cannot deactivate itself (409).
 */
export async function deactivateUserAccount(
  ctx: AppContext,
  actor: Actor | null,
  userId: string,
  options: WriteOptions = {},
): Promise<void> {
  const scope = requireTenantAdmin(actor);
  const a = scope.actor;
  await inTransaction(ctx, options, async (tx) => {
    const user = await findUserById(tx, userId);
    if (!user || !isInScope(scope, user)) throw notFound('User');
    // Its sessions and tokens would end at once, and no one but another admin could let it back
    // in: a conflict with who is asking, not a bad value (409, the route's documented answer).
    if (user.id === a.userId) {
      throw conflict(
        'You cannot deactivate your own account: you would be locked out. Another admin of your organization can deactivate it.',
        [
          {
            path: 'params.id',
            code: 'user.self',
            message: 'This is your own account',
            actual: userId,
          },
        ],
      );
    }
    const at = ctx.now().toISOString();
    const ended = await deactivateUser(tx, user.id, at);
    if (!ended) return;
    await recordEvent(tx, {
      type: 'user.deactivated',
      entityId: user.id,
      vendorId: user.vendor_id,
      partnerId: user.partner_id,
      actor: eventActorOf(a),
      at,
      data: { userId: user.id, ...ended },
    });
  });
}
