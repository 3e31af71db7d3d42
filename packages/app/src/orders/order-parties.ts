import {
  findPartnerById,
  findPartnership,
  findVendorBySlug,
  listPartnerScopeIds,
  type Executor,
} from '@orderdesk/store';
import { requireAccess } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import { unprocessable } from '../shared/errors.ts';
import { SUBMIT_ORDER_ACCESS } from './order-access.ts';

/**
 * The partner an order is placed as. A partner user places its own; vendor staff (order desk,
 * vendor admin) place one on a partner's behalf — an order that came by e-mail or file — by
 * naming `partnerId`: the order is then checked exactly as if that partner had submitted it,
 * and recorded as submitted by the staff member.
 */
export async function orderingPartnerOf(
  db: Executor,
  actor: Actor,
  input: { vendor: string; partnerId?: string | undefined; emailBody?: string | undefined },
): Promise<Actor & { partnerId: string }> {
  // A partner user of a partner, or vendor staff of an ON_BEHALF_ROLES role; 403 otherwise.
  requireAccess(actor, SUBMIT_ORDER_ACCESS);
  if (actor.side === 'partner') {
    if (input.emailBody !== undefined) {
      throw unprocessable('The mail text comes with orders the desk places from a mail', [
        { path: 'emailBody', code: 'invalid', message: 'Only for orders placed on your behalf' },
      ]);
    }
    if (input.partnerId !== undefined && input.partnerId !== actor.partnerId) {
      throw unprocessable('Partners place orders as themselves', [
        { path: 'partnerId', code: 'invalid', message: 'Leave partnerId out, or give your own' },
      ]);
    }
    return actor as Actor & { partnerId: string };
  }
  if (input.partnerId === undefined) {
    throw unprocessable('Name the partner the order is placed for', [
      { path: 'partnerId', code: 'required', message: 'Required when vendor staff place an order' },
    ]);
  }
  const vendor = await findVendorBySlug(db, input.vendor);
  if (!vendor || vendor.id !== actor.vendorId) {
    throw unprocessable('The order names another vendor', [
      { path: 'vendor', code: 'invalid', message: 'Orders are placed with your own vendor' },
    ]);
  }
  // Unknown, or a partner of another vendor: the same answer (never reveal other tenants).
  const partner = await findPartnerById(db, input.partnerId);
  const contracting = partner ? (partner.parent_partner_id ?? partner.id) : null;
  if (!partner || !contracting || !(await findPartnership(db, vendor.id, contracting))) {
    throw unprocessable('Not a partner of yours', [
      { path: 'partnerId', code: 'invalid', message: 'Not a partner of your vendor' },
    ]);
  }
  return {
    ...actor,
    side: 'partner',
    partnerId: partner.id,
    parentPartnerId: partner.parent_partner_id,
    partnerScopeIds: await listPartnerScopeIds(db, partner.id),
  };
}
