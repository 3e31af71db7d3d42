import { priceVisibility, type VendorProfile } from '@orderdesk/core';
import type { Partnership } from '@orderdesk/store';
import type { Actor } from '../auth/actor.ts';

/** What of a partnership's commercial terms a caller may see. */
export interface PartnershipVisibility {
  /** List prices (GET /prices, price lists). */
  listPrices: boolean;
  /** The multipliers: the partnership's default and its rules. */
  multipliers: boolean;
  /** The agreement: legal name, agreement date, invoicing contact. */
  agreement: boolean;
}

/**
 * What `actor` may see of `partnership` under the vendor's profile (core's `priceVisibility`),
 * with one decision of ours for tier-2 resellers: they place orders under their distributor's
 * partnership and their POs are checked against its net prices, so they see those net prices
 * (unlike core's default for them); they never see the distributor's multipliers, its
 * agreement, or the list prices (net beside list would give the multiplier away). Net prices are always shown: they are what the caller's PO must carry. Where
 * the profile hides list prices from partners (`pricing.partnerVisible: false`), partners see
 * net prices only.
 */
export function partnershipVisibility(
  profile: Pick<VendorProfile, 'pricing'>,
  actor: Actor,
  partnership: Pick<Partnership, 'partner_id'>,
): PartnershipVisibility {
  if (actor.side === 'vendor') {
    return { listPrices: true, multipliers: true, agreement: true };
  }
  const own = actor.partnerId === partnership.partner_id;
  const seen = priceVisibility(profile, { side: 'partner', ownPartnership: own });
  return {
    // A reseller seeing list and net prices side by side would read off the multiplier.
    listPrices: own && seen.listPrices,
    multipliers: seen.multipliers,
    agreement: own,
  };
}
