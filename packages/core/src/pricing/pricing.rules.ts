// Net price = list price × the partner's multiplier, rounded once per unit to the minor unit
// by the profile's `pricing.rounding` (THE rule of ../money, half-up, unless it says otherwise). A line's amount is that
// net unit price × quantity, exact: no second rounding, so a total is always the plain sum of
// the lines and the PO can be checked line by line.
import {
  decimalFromText,
  formatAmount,
  minorUnitDigits,
  multiplyMinor,
  parseMultiplier,
  sumMinor,
  toDecimal,
  toMinor,
} from '../money/index.ts';
import type { RoundingMode } from '../money/index.ts';

/** The inputs of one priced line. */
export interface PriceLineInput {
  readonly listPriceMinor: number;
  /** Exact decimal string, validated by `parseMultiplier`. */
  readonly multiplier: string;
  readonly quantity: number;
  /** How the net unit price is rounded; half-up when absent. */
  readonly rounding?: RoundingMode;
}

/** One priced line, in minor units (for storage) and decimal strings (for the API). */
export interface LinePricing {
  readonly listPriceMinor: number;
  readonly listPrice: string;
  readonly multiplier: string;
  readonly netPriceMinor: number;
  readonly netPrice: string;
  readonly quantity: number;
  readonly amountMinor: number;
  readonly amount: string;
}

/** The item shape of `GET /api/v1/prices` (API.md). */
export interface PriceExplanation {
  readonly partNumber: string;
  readonly listPrice: string;
  readonly multiplier: string;
  readonly netPrice: string;
}

/** Net unit price in minor units: list × multiplier, rounded to the minor unit (half-up by default). */
export function netUnitPrice(
  listPriceMinor: number,
  multiplier: string,
  currency: string,
  rounding: RoundingMode = 'half_up',
): number {
  const valid = parseMultiplier(multiplier);
  if (!valid.ok) throw new RangeError(`Invalid multiplier "${multiplier}": ${valid.message}`);
  return toMinor(
    toDecimal(listPriceMinor, currency).times(decimalFromText(multiplier)),
    currency,
    rounding,
  );
}

/** Price one line: net unit price by THE rule, amount = net × quantity exactly. */
export function priceLine(line: PriceLineInput & { readonly currency: string }): LinePricing {
  const { listPriceMinor, multiplier, quantity, currency, rounding } = line;
  const netPriceMinor = netUnitPrice(listPriceMinor, multiplier, currency, rounding);
  const amountMinor = multiplyMinor(netPriceMinor, quantity);
  return {
    listPriceMinor,
    listPrice: formatAmount(listPriceMinor, currency),
    multiplier,
    netPriceMinor,
    netPrice: formatAmount(netPriceMinor, currency),
    quantity,
    amountMinor,
    amount: formatAmount(amountMinor, currency),
  };
}

/** Price lines of one currency; the total is the exact sum of the line amounts. */
export function priceLines<L extends PriceLineInput>(
  lines: readonly L[],
  currency: string,
  rounding?: RoundingMode,
): {
  readonly currency: string;
  readonly lines: (LinePricing & Omit<L, keyof PriceLineInput>)[];
  readonly totalMinor: number;
  readonly total: string;
} {
  minorUnitDigits(currency); // validates the code even for an empty list
  const priced = lines.map((line) => ({
    ...line,
    ...priceLine({ ...line, currency, ...(rounding !== undefined ? { rounding } : {}) }),
  }));
  const totalMinor = sumMinor(priced.map((line) => line.amountMinor));
  return { currency, lines: priced, totalMinor, total: formatAmount(totalMinor, currency) };
}

/** The `GET /api/v1/prices` item for a part: list price, multiplier and net price. */
export function explainPrice(input: {
  readonly partNumber: string;
  readonly listPriceMinor: number;
  readonly multiplier: string;
  readonly currency: string;
  readonly rounding?: RoundingMode;
}): PriceExplanation {
  const { partNumber, listPriceMinor, multiplier, currency, rounding } = input;
  return {
    partNumber,
    listPrice: formatAmount(listPriceMinor, currency),
    multiplier,
    netPrice: formatAmount(netUnitPrice(listPriceMinor, multiplier, currency, rounding), currency),
  };
}

export type PriceComparison =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** `price.mismatch`: a readable amount that differs; `invalid`: not an amount at all. */
      readonly code: 'price.mismatch' | 'invalid';
      readonly expected: string;
      readonly actual: string;
      readonly message: string;
    };

const PLAIN_DECIMAL = /^-?\d{1,30}(?:\.\d{1,30})?$/;

/**
 * Compare an expected amount with the one written on a PO. Equal values pass whatever their
 * spelling ("75", "75.0", "75.0000"); a value with digits beyond the minor unit ("75.004")
 * is a mismatch, since it cannot be the expected amount; anything unreadable is `invalid`.
 */
export function comparePrice(
  expectedMinor: number,
  actualText: string,
  currency: string,
): PriceComparison {
  const expected = formatAmount(expectedMinor, currency);
  if (!PLAIN_DECIMAL.test(actualText)) {
    return {
      ok: false,
      code: 'invalid',
      expected,
      actual: actualText.slice(0, 80),
      message: `"${actualText.slice(0, 40)}" is not a decimal amount like "${expected}"`,
    };
  }
  if (decimalFromText(actualText).equals(toDecimal(expectedMinor, currency))) return { ok: true };
  return {
    ok: false,
    code: 'price.mismatch',
    expected,
    actual: actualText,
    message: `Expected ${expected} ${currency}, the PO says ${actualText}`,
  };
}
