// Net price = list price × the partner's multiplier, rounded once per unit to the minor unit
// by the profile's `pricing.rounding` (THE rule of ../money, half-up, unless it says otherwise). A line's amount is that
// net unit price × quantity, exact: no second rounding, so a total is always the plain sum of
// the lines and the PO can be checked line by line.
import {
  AmountOutOfRangeError,
  assertSafeMinor,
  decimalFromText,
  formatAmount,
  MAX_MINOR,
  minorUnitDigits,
  multiplyMinor,
  parseMultiplier,
  sumMinor,
  toDecimal,
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

/** A valid multiplier as an integer over a power of ten ("0.6250" → 6250 / 10^4). */
interface ScaledMultiplier {
  readonly units: number;
  readonly scale: number;
}

/** Parsed multipliers (price lists use a handful of distinct ones). */
const scaledMultipliers = new Map<string, ScaledMultiplier>();

function scaledMultiplier(multiplier: string): ScaledMultiplier {
  const known = scaledMultipliers.get(multiplier);
  if (known) return known;
  const valid = parseMultiplier(multiplier);
  if (!valid.ok) throw new RangeError(`Invalid multiplier "${multiplier}": ${valid.message}`);
  // parseMultiplier allows at most 4 integer digits and 6 decimals: units < 10^10, exact.
  const [whole = '', fraction = ''] = multiplier.split('.');
  const scaled = { units: Number(whole + fraction), scale: fraction.length };
  if (scaledMultipliers.size >= 1000) scaledMultipliers.clear();
  scaledMultipliers.set(multiplier, scaled);
  return scaled;
}

/**
 * Net unit price in minor units: list × multiplier, rounded to the minor unit (half-up by
 * default). With m = units / 10^scale, list × m in minor units is (list × units) / 10^scale —
 * an integer division of integers, done exactly (in BigInt when the product leaves the safe
 * range) and rounded as `rounding` says; the same value decimal.js gives, without its objects
 * (the validation of a 10,000-line PO priced every line through five of them).
 */
export function netUnitPrice(
  listPriceMinor: number,
  multiplier: string,
  currency: string,
  rounding: RoundingMode = 'half_up',
): number {
  const { units, scale } = scaledMultiplier(multiplier);
  assertSafeMinor(listPriceMinor);
  minorUnitDigits(currency); // an unknown currency is refused as before
  const product = listPriceMinor * units;
  const net =
    Math.abs(product) <= 2 ** 52
      ? roundedQuotient(product, 10 ** scale, rounding)
      : Number(
          roundedQuotientBig(
            BigInt(listPriceMinor) * BigInt(units),
            10n ** BigInt(scale),
            rounding,
          ),
        );
  if (Math.abs(net) > MAX_MINOR) {
    throw new AmountOutOfRangeError(
      `${listPriceMinor} × ${multiplier} ${currency} minor units is beyond the safe range`,
    );
  }
  return net === 0 ? 0 : net;
}

/** n / d (|n| ≤ 2^52, d a power of ten ≤ 10^6) rounded to an integer. */
function roundedQuotient(n: number, d: number, rounding: RoundingMode): number {
  // Within these bounds the float quotient truncates right (1/d exceeds half its ulp); the
  // exact remainder (every product here stays below 2^53) guards it anyway.
  let q = Math.trunc(n / d);
  let r = n - q * d;
  if (n >= 0 ? r < 0 : r > 0) {
    q -= Math.sign(n);
    r += Math.sign(n) * d;
  } else if (Math.abs(r) >= d) {
    q += Math.sign(n);
    r -= Math.sign(n) * d;
  }
  if (r === 0) return q;
  const away = q + Math.sign(n);
  switch (rounding) {
    case 'down':
      return q;
    case 'up':
      return away;
    case 'half_even': {
      const twice = 2 * Math.abs(r);
      return twice > d || (twice === d && q % 2 !== 0) ? away : q;
    }
    case 'half_up':
      return 2 * Math.abs(r) >= d ? away : q;
  }
}

/** roundedQuotient in BigInt, for products beyond the safe range. */
function roundedQuotientBig(n: bigint, d: bigint, rounding: RoundingMode): bigint {
  const q = n / d; // truncates toward zero
  const r = n - q * d;
  if (r === 0n) return q;
  const away = q + (n < 0n ? -1n : 1n);
  const twice = 2n * (r < 0n ? -r : r);
  switch (rounding) {
    case 'down':
      return q;
    case 'up':
      return away;
    case 'half_even':
      return twice > d || (twice === d && q % 2n !== 0n) ? away : q;
    case 'half_up':
      return twice >= d ? away : q;
  }
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
