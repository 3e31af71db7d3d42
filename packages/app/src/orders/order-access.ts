import type { Role } from '@orderdesk/core';
import type { OrderScope } from '@orderdesk/store';
import { requireAccess, type Access, type PartnerAccess } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import { forbidden } from '../shared/errors.ts';

/** The order scope of a caller: vendor staff their vendor's orders, partners what they (and their tier-2s) placed. */
export function orderScope(actor: Actor): OrderScope {
  if (actor.side === 'vendor' && actor.vendorId) return { vendorId: actor.vendorId };
  return { partnerIds: actor.partnerScopeIds };
}

/** Vendor roles that may place an order on a partner's behalf (e-mail and file intake). */
export const ON_BEHALF_ROLES: readonly Role[] = ['order_desk', 'vendor_admin'];

/**
 * Orders are submitted (and validated) by partner users, or on a partner's behalf by the
 * vendor roles of ON_BEHALF_ROLES (orderingPartnerOf).
 */
export const SUBMIT_ORDER_ACCESS: Access = {
  partner: 'any',
  vendor: ON_BEHALF_ROLES,
  refusal: `Orders are placed by partners, or on their behalf by ${ON_BEHALF_ROLES.join(' or ')}`,
};

/** Orders are corrected (and resubmitted) by partner users. */
export const CORRECT_ORDER_ACCESS: PartnerAccess = {
  partner: 'any',
  refusal: 'Orders are corrected and resubmitted by partner users',
};

/** A partner user: partners correct and resubmit their own orders. */
export function requireOrderingPartner(actor: Actor): Actor & { partnerId: string } {
  return requireAccess(actor, CORRECT_ORDER_ACCESS);
}

/**
 * A distributor reads the orders its tier-2 resellers placed but acts only on the orders it
 * placed itself (correct, resubmit, cancel): the reseller owns its order. 403 otherwise.
 */
export function requirePlacedBy(actor: Actor, order: { ordering_partner_id: string }): void {
  if (actor.side === 'partner' && actor.partnerId !== order.ordering_partner_id) {
    throw forbidden('Only the partner that placed the order acts on it; a distributor reads it');
  }
}

/** Whether `actor` only reads `order` (a distributor and its reseller's order). */
export function readsOnly(actor: Actor, order: { ordering_partner_id: string }): boolean {
  return actor.side === 'partner' && actor.partnerId !== order.ordering_partner_id;
}
