// What a vendor profile's `pricing` block allows: per-category multipliers, and which prices a
// viewer may see. Pure predicates the app layer calls; they read only the profile.
import type { Problem } from '../problems/problem.ts';
import type { VendorProfile } from '../profile/profile.schema.ts';

/**
 * The problem with setting a multiplier for `categoryId` under this profile, or null when it
 * is allowed: a category multiplier needs `pricing.multipliersPerCategory: true`; a
 * partnership-wide multiplier (no category) is always allowed.
 */
export function checkCategoryMultiplier(
  profile: Pick<VendorProfile, 'name' | 'pricing'>,
  input: { readonly categoryId: string | null | undefined },
  path = 'categoryId',
): Problem | null {
  if (input.categoryId == null || profile.pricing.multipliersPerCategory) return null;
  return {
    path,
    code: 'invalid',
    severity: 'error',
    message: `${profile.name} sets one multiplier per partner: its profile does not allow multipliers per category (pricing.multipliersPerCategory)`,
    actual: input.categoryId,
  };
}

/** Whether category multipliers count under this profile (rules with a category are ignored otherwise). */
export function categoryMultipliersApply(profile: Pick<VendorProfile, 'pricing'>): boolean {
  return profile.pricing.multipliersPerCategory;
}

/** Who looks at a partnership's prices. */
export interface PriceViewer {
  readonly side: 'vendor' | 'partner' | 'system';
  /**
   * For a partner: whether the partnership is its own. A tier-2 reseller looking at its
   * distributor's partnership (to order for its customers) is not the partnership's partner.
   */
  readonly ownPartnership?: boolean;
}

/** Which prices of a partnership a viewer may see. */
export interface PriceVisibility {
  /** The vendor's list prices. */
  readonly listPrices: boolean;
  /** The partnership's multipliers (default and per category) and agreement terms. */
  readonly multipliers: boolean;
  /** Net prices: list × multiplier, what the partnership pays (its buy price). */
  readonly netPrices: boolean;
}

/**
 * What `viewer` may see of a partnership's prices. The vendor sees everything. A partner sees
 * list prices and its multipliers only when `pricing.partnerVisible` (else just the net prices
 * it pays). A tier-2 reseller never sees its distributor's multipliers or buy prices.
 */
export function priceVisibility(
  profile: Pick<VendorProfile, 'pricing'>,
  viewer: PriceViewer,
): PriceVisibility {
  if (viewer.side !== 'partner') return { listPrices: true, multipliers: true, netPrices: true };
  const visible = profile.pricing.partnerVisible;
  if (viewer.ownPartnership === false) {
    return { listPrices: visible, multipliers: false, netPrices: false };
  }
  return { listPrices: visible, multipliers: visible, netPrices: true };
}

/** Whether partners may see list prices and their multipliers (`pricing.partnerVisible`). */
export function partnerSeesPriceList(profile: Pick<VendorProfile, 'pricing'>): boolean {
  return profile.pricing.partnerVisible;
}
