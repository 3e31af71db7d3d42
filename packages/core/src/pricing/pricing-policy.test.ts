import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROUNDING_MODES } from '../money/index.ts';
import { vendorProfileSchema } from '../profile/profile.schema.ts';
import type { VendorProfile } from '../profile/profile.schema.ts';
import {
  checkCategoryMultiplier,
  partnerSeesPriceList,
  priceVisibility,
} from './pricing-policy.rules.ts';
import { explainPrice, netUnitPrice, priceLines } from './pricing.rules.ts';

const base = {
  slug: 'acme',
  name: 'Acme',
  currency: 'USD',
  orderNumberPrefix: 'A-',
  salesOrderNumberPrefix: 'AS-',
  orderTypes: [{ key: 'new', label: 'New', quote: 'optional' }],
};
const withPricing = (pricing: object): VendorProfile =>
  vendorProfileSchema.parse({ ...base, pricing });

describe('pricing.rounding', () => {
  // 899.99 × 0.65 = 584.9935, not a tie; 0.25 × 0.06 = 0.015, a tie between 1 and 2 cents.
  it.each([
    ['half_up', 58499, 2],
    ['half_even', 58499, 2],
    ['down', 58499, 1],
    ['up', 58500, 2],
  ] as const)('%s rounds the net unit price', (mode, net, tie) => {
    expect(netUnitPrice(89999, '0.65', 'USD', mode)).toBe(net);
    expect(netUnitPrice(25, '0.06', 'USD', mode)).toBe(tie);
  });

  it('sends ties to the even cent only under half_even', () => {
    // 0.25 × 0.1 = 0.025: half_up → 3, half_even → 2.
    expect(netUnitPrice(25, '0.1', 'USD', 'half_up')).toBe(3);
    expect(netUnitPrice(25, '0.1', 'USD', 'half_even')).toBe(2);
    expect(netUnitPrice(25, '0.1', 'USD')).toBe(3);
  });

  it('orders the modes: down ≤ half_even, half_up ≤ up, within one minor unit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 20_000 }),
        (list, m) => {
          const multiplier = (m / 10_000).toFixed(4);
          const [half, even, down, up] = (['half_up', 'half_even', 'down', 'up'] as const).map(
            (mode) => netUnitPrice(list, multiplier, 'USD', mode),
          ) as [number, number, number, number];
          expect(down).toBeLessThanOrEqual(Math.min(half, even));
          expect(up).toBeGreaterThanOrEqual(Math.max(half, even));
          expect(up - down).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it('is applied by priceLines and explainPrice', () => {
    const lines = [{ listPriceMinor: 89999, multiplier: '0.65', quantity: 2 }];
    expect(priceLines(lines, 'USD', 'up').totalMinor).toBe(117000);
    expect(priceLines(lines, 'USD').totalMinor).toBe(116998);
    expect(
      explainPrice({
        partNumber: 'F',
        listPriceMinor: 89999,
        multiplier: '0.65',
        currency: 'USD',
        rounding: 'down',
      }).netPrice,
    ).toBe('584.99');
  });

  it('accepts every mode in a profile, and no roundAt', () => {
    for (const rounding of ROUNDING_MODES) {
      expect(withPricing({ rounding }).pricing.rounding).toBe(rounding);
    }
    const result = vendorProfileSchema.safeParse({ ...base, pricing: { roundAt: 'line' } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['roundAt'] });
  });
});

describe('pricing.multipliersPerCategory', () => {
  it('refuses a category multiplier when the profile says one per partner', () => {
    const off = withPricing({ multipliersPerCategory: false });
    expect(checkCategoryMultiplier(off, { categoryId: 'cat_1' })).toEqual({
      path: 'categoryId',
      code: 'invalid',
      severity: 'error',
      message: expect.stringContaining('multipliersPerCategory'),
      actual: 'cat_1',
    });
    expect(checkCategoryMultiplier(off, { categoryId: null })).toBeNull();
    const on = withPricing({ multipliersPerCategory: true });
    expect(checkCategoryMultiplier(on, { categoryId: 'cat_1' })).toBeNull();
  });
});

describe('pricing.partnerVisible', () => {
  it('shows everything to the vendor and the system', () => {
    const hidden = withPricing({ partnerVisible: false });
    const all = { listPrices: true, multipliers: true, netPrices: true };
    expect(priceVisibility(hidden, { side: 'vendor' })).toEqual(all);
    expect(priceVisibility(hidden, { side: 'system' })).toEqual(all);
  });

  it('hides list prices and multipliers from partners when the profile says so', () => {
    const hidden = withPricing({ partnerVisible: false });
    expect(partnerSeesPriceList(hidden)).toBe(false);
    expect(priceVisibility(hidden, { side: 'partner', ownPartnership: true })).toEqual({
      listPrices: false,
      multipliers: false,
      netPrices: true,
    });
    const shown = withPricing({ partnerVisible: true });
    expect(partnerSeesPriceList(shown)).toBe(true);
    expect(priceVisibility(shown, { side: 'partner' })).toEqual({
      listPrices: true,
      multipliers: true,
      netPrices: true,
    });
  });

  it("never shows a tier-2 reseller its distributor's multipliers or buy prices", () => {
    const shown = withPricing({ partnerVisible: true });
    expect(priceVisibility(shown, { side: 'partner', ownPartnership: false })).toEqual({
      listPrices: true,
      multipliers: false,
      netPrices: false,
    });
  });
});
