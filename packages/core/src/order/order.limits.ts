// The largest order total OrderDesk accepts. Amounts are safe integers of minor units (see
// money.ts), and an order's invoice adds tax to its total: a total just under the safe limit
// would be accepted, booked, and then never invoiced (the invoice's total overflows). So an
// order's total leaves room for tax at the highest rate its profile's invoices may charge.
import { decimalFromText, MAX_MINOR } from '../money/index.ts';
import type { VendorProfile } from '../profile/profile.schema.ts';

type InvoicingOfProfile = Pick<VendorProfile, 'invoicing'>;

/**
 * The highest tax rate (percent, as written in the profile: "8.875") the profile's invoices may
 * charge, whatever the buyer's country; "0" when the profile charges no tax.
 */
export function highestTaxRate(profile: InvoicingOfProfile): string {
  let highest = '0';
  for (const { rate } of profile.invoicing.tax?.rates ?? []) {
    if (decimalFromText(rate).greaterThan(decimalFromText(highest))) highest = rate;
  }
  return highest;
}

// Profiles are shared, immutable objects (the profile cache): the limit is worked out once each.
const largest = new WeakMap<InvoicingOfProfile['invoicing'], number>();

/**
 * The largest order total, in minor units, whose invoice stays exact: the total plus its tax at
 * `highestTaxRate`, rounded up whatever the profile's rounding mode, is at most `MAX_MINOR`.
 * Without tax it is `MAX_MINOR` itself.
 *
 * @example
 * // Edgeworks taxes US buyers at 8.875%: 82729729090617.59 USD at most, not 90071992547409.91.
 * largestOrderTotalMinor(edgeworks); // 8272972909061759
 */
export function largestOrderTotalMinor(profile: InvoicingOfProfile): number {
  const known = largest.get(profile.invoicing);
  if (known !== undefined) return known;
  const result = largestTotalAt(highestTaxRate(profile));
  largest.set(profile.invoicing, result);
  return result;
}

/**
 * A total up to this stays exact with tax at any rate a profile may set (the schema allows at
 * most 100%): half of MAX_MINOR. Below it no profile's limit needs working out.
 */
export const EXACT_AT_ANY_TAX_RATE = largestTotalAt('100');

/** The largest total T with T + ⌈T × rate / 100⌉ ≤ MAX_MINOR, in exact integer arithmetic. */
function largestTotalAt(rate: string): number {
  const [whole = '0', fraction = ''] = decimalFromText(rate).toFixed().split('.');
  // rate / 100 = numerator / denominator
  const numerator = BigInt(whole + fraction);
  const denominator = 100n * 10n ** BigInt(fraction.length);
  const max = BigInt(MAX_MINOR);
  const withTax = (total: bigint): bigint =>
    total + (total * numerator + denominator - 1n) / denominator;
  // max / (1 + rate / 100), then the rounding of the tax settled by a step or two.
  let total = (max * denominator) / (denominator + numerator);
  while (total > 0n && withTax(total) > max) total -= 1n;
  while (withTax(total + 1n) <= max) total += 1n;
  return Number(total);
}
