import type { QuoteScope, SubscriptionScope } from '@orderdesk/store';
import type { Actor } from '../auth/actor.ts';
import { contractingPartnerId } from '../vendors/vendor-scope.ts';

/**
 * What a partner user sees of its partnership: the contracting partnership's (the distributor's,
 * for a tier-2 reseller) quotes, requests and subscriptions, but only for the customers it can
 * see — a distributor those of itself and its tier-2s, a tier-2 reseller only its own.
 */
function partnerSide(actor: Actor): { partnerIds: string[]; customerPartnerIds: string[] } {
  const contracting = actor.side === 'partner' ? contractingPartnerId(actor) : null;
  return {
    partnerIds: contracting ? [contracting] : [],
    customerPartnerIds: actor.side === 'partner' ? actor.partnerScopeIds : [],
  };
}

/** Vendor staff: their vendor's quotes. Partners: see partnerSide, and never a draft. */
export function quoteScope(actor: Actor): QuoteScope {
  if (actor.side === 'vendor' && actor.vendorId) return { vendorId: actor.vendorId };
  return { ...partnerSide(actor), issuedOnly: true };
}

/** Vendor staff: their vendor's quote requests. Partners: see partnerSide. */
export function requestScope(actor: Actor): QuoteScope {
  if (actor.side === 'vendor' && actor.vendorId) return { vendorId: actor.vendorId };
  return partnerSide(actor);
}

/** Vendor staff: their vendor's subscriptions. Partners: see partnerSide. */
export function subscriptionScope(actor: Actor): SubscriptionScope {
  if (actor.side === 'vendor' && actor.vendorId) return { vendorId: actor.vendorId };
  return partnerSide(actor);
}
