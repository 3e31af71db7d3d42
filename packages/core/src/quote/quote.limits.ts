// A quote is priced to be ordered: its total must be one an order may have. An order's total
// leaves room for the tax its invoice adds (order.limits.ts); a quote beyond that would be
// issued and approved, and then every PO against it refused. So it is refused when it is made,
// by the same limit.
import { decimalFromText, formatAmount } from '../money/index.ts';
import {
  EXACT_AT_ANY_TAX_RATE,
  highestTaxRate,
  largestOrderTotalMinor,
} from '../order/order.limits.ts';
import type { Problem } from '../problems/index.ts';
import type { VendorProfile } from '../profile/profile.schema.ts';

/**
 * The problem with a quote whose running total, with line `index` (of `quantity`) added, is
 * beyond the largest order total of the profile (`largestOrderTotalMinor`): `invalid` at
 * `lines[index].quantity`, naming that limit. Called line by line, it names the line that
 * takes the quote past it.
 *
 * @example
 * // Edgeworks taxes at 8.875%: 82729729090617.59 USD is the largest quote total it accepts.
 * quoteTotalProblem(8_272_972_909_061_760, { index: 2, quantity: 5 }, edgeworks, 'USD')?.path;
 * // 'lines[2].quantity'
 */
export function quoteTotalProblem(
  totalMinor: number,
  line: { readonly index: number; readonly quantity: number },
  profile: Pick<VendorProfile, 'invoicing'>,
  currency: string,
): Problem | undefined {
  if (Math.abs(totalMinor) <= EXACT_AT_ANY_TAX_RATE) return undefined;
  const largest = largestOrderTotalMinor(profile);
  if (Math.abs(totalMinor) <= largest) return undefined;
  const rate = decimalFromText(highestTaxRate(profile));
  const withTax = rate.isZero() ? '' : ` with ${rate.toFixed()}% tax`;
  return {
    path: `lines[${line.index}].quantity`,
    code: 'invalid',
    severity: 'error',
    message: `The quote total is too large to be ordered${withTax}: the largest order total accepted is ${formatAmount(largest, currency)} ${currency}; split the quote`,
    actual: String(line.quantity),
  };
}
