import type { Role } from '@orderdesk/core';
import type { OrderScope } from '@orderdesk/store';
import type { Actor } from '../auth/actor.ts';
import { forbidden } from '../shared/errors.ts';

/** The order scope of a caller: vendor staff their vendor's orders, partners what they (and their tier-2s) placed. */
export function orderScope(actor: Actor): OrderScope {
  if (actor.side === 'vendor' && actor.vendorId) return { vendorId: actor.vendorId };
  return { partnerIds: actor.partnerScopeIds };
}

/** Vendor roles that may place an order on a partner's behalf (e-mail and file intake). */
export const ON_BEHALF_ROLES: readonly Role[] = ['order_desk', 'vendor_admin'];

/** A partner user: partners correct and resubmit their own orders. */
export function requireOrderingPartner(actor: Actor): Actor & { partnerId: string } {
  if (actor.side !== 'partner' || !actor.partnerId)
    throw forbidden('Orders are corrected and resubmitted by partner users');
  return actor as Actor & { partnerId: string };
}
