import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_MINOR } from '../money/index.ts';
import { largestOrderTotalMinor } from '../order/order.limits.ts';
import type { VendorProfile } from '../profile/profile.schema.ts';
import { quoteTotalProblem } from './quote.limits.ts';

const taxed = (...rates: string[]): Pick<VendorProfile, 'invoicing'> =>
  ({
    invoicing: {
      tax: {
        rates: rates.map((rate, i) => ({ country: i === 0 ? '*' : `C${i}`, rate })),
        reverseChargeWhenTaxId: false,
      },
    },
  }) as unknown as Pick<VendorProfile, 'invoicing'>;

const line = { index: 3, quantity: 7 };

describe('quoteTotalProblem', () => {
  it('names the line that takes the total past the largest order total, and that total', () => {
    const edgeworks = taxed('8.875');
    const largest = largestOrderTotalMinor(edgeworks);
    expect(quoteTotalProblem(largest, line, edgeworks, 'USD')).toBeUndefined();
    expect(quoteTotalProblem(largest + 1, line, edgeworks, 'USD')).toEqual({
      path: 'lines[3].quantity',
      code: 'invalid',
      severity: 'error',
      message:
        'The quote total is too large to be ordered with 8.875% tax: the largest order total accepted is 82729729090617.59 USD; split the quote',
      actual: '7',
    });
    // Without tax the whole range of exact amounts is there.
    expect(quoteTotalProblem(MAX_MINOR, line, taxed('0'), 'USD')).toBeUndefined();
  });

  it('refuses exactly the totals an order of the profile may not have', () => {
    const rate = fc
      .tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 9999 }))
      .map(([whole, fraction]) =>
        whole === 100 || fraction === 0 ? String(whole) : `${whole}.${fraction}`,
      );
    fc.assert(
      fc.property(rate, fc.integer({ min: -MAX_MINOR, max: MAX_MINOR }), (r, total) => {
        const profile = taxed(r);
        const refused = quoteTotalProblem(total, line, profile, 'USD') !== undefined;
        expect(refused).toBe(Math.abs(total) > largestOrderTotalMinor(profile));
      }),
    );
  });
});
