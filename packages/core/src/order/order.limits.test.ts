import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeInvoiceTotals, taxOf } from '../invoicing/index.ts';
import { formatAmount, MAX_MINOR, ROUNDING_MODES } from '../money/index.ts';
import type { VendorProfile } from '../profile/profile.schema.ts';
import { EXACT_AT_ANY_TAX_RATE, highestTaxRate, largestOrderTotalMinor } from './order.limits.ts';

const taxed = (...rates: string[]): Pick<VendorProfile, 'invoicing'> =>
  ({
    invoicing: {
      tax: {
        rates: rates.map((rate, i) => ({ country: i === 0 ? '*' : `C${i}`, rate })),
        reverseChargeWhenTaxId: false,
      },
    },
  }) as unknown as Pick<VendorProfile, 'invoicing'>;

// Rates as a profile may write them: 0 to 100 percent, up to four decimals.
const rate = fc
  .tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 9999 }))
  .map(([whole, fraction]) => (fraction === 0 ? String(whole) : `${whole}.${fraction}`))
  .chain((r) => fc.constantFrom(r, '0', '100'));

describe('largestOrderTotalMinor', () => {
  it('is the whole safe range without tax, and leaves room for the highest rate', () => {
    expect(largestOrderTotalMinor(taxed())).toBe(MAX_MINOR);
    expect(largestOrderTotalMinor(taxed('0'))).toBe(MAX_MINOR);
    expect(largestOrderTotalMinor(taxed('100'))).toBe(Math.floor(MAX_MINOR / 2));
    // Edgeworks' New York sales tax.
    expect(formatAmount(largestOrderTotalMinor(taxed('8.875')), 'USD')).toBe('82729729090617.59');
    expect(highestTaxRate(taxed('5', '20', '8.875'))).toBe('20');
    expect(largestOrderTotalMinor(taxed('5', '20', '8.875'))).toBe(
      largestOrderTotalMinor(taxed('20')),
    );
  });

  it('is the largest total whose invoice stays exact whatever the rounding', () => {
    fc.assert(
      fc.property(rate, fc.constantFrom(...ROUNDING_MODES), (r, rounding) => {
        const largest = largestOrderTotalMinor(taxed(r));
        expect(largest + taxOf(largest, r, 'USD', rounding)).toBeLessThanOrEqual(MAX_MINOR);
        expect(largest).toBeGreaterThanOrEqual(EXACT_AT_ANY_TAX_RATE);
        // One more and rounding the tax up would leave the range (at 0%, one more is beyond it).
        if (largest === MAX_MINOR) return;
        expect(largest + 1 + taxOf(largest + 1, r, 'USD', 'up')).toBeGreaterThan(MAX_MINOR);
      }),
    );
  });

  it('is a total the invoice can be computed for', () => {
    const largest = largestOrderTotalMinor(taxed('8.875'));
    const totals = computeInvoiceTotals({
      currency: 'USD',
      lines: [{ lineNo: 1, partNumber: 'A', name: 'A', quantity: 1, unitPriceMinor: largest }],
      tax: { category: 'S', rate: '8.875', exemptionReason: null },
    });
    expect(totals.totalMinor).toBeLessThanOrEqual(MAX_MINOR);
  });
});
