// Exact money: integer minor units, decimal.js for everything that is not an integer.
//
// Storage and interchange is `number` holding a *safe integer* of minor units (cents, yen,
// fils). The store's columns are integer minor units and every driver (better-sqlite3, pg
// with int8 parsing, JSON) round-trips safe integers as plain numbers, whereas bigint would leak
// into JSON serialization and every caller. Safe integers reach 9,007,199,254,740,991 minor
// units (90 trillion dollars), far beyond any order; anything larger is refused, never wrapped.
//
// THE rounding rule, used everywhere a value is brought to minor units: half-up to the
// currency's minor unit, once per line. Ties go away from zero, so negatives mirror positives
// (-0.125 USD → -0.13): a credit line is exactly the negation of the line it reverses.
// A vendor profile may pick another mode for its net prices (`pricing.rounding`); every mode
// is symmetric around zero for the same reason.
import Decimal from 'decimal.js';
import { isCurrencyCode, minorUnitDigits } from './currency.ts';

/** Private decimal.js configuration: never mutate the global `Decimal`. */
const D = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -9e15,
  toExpPos: 9e15,
});
export type DecimalValue = InstanceType<typeof D>;

/** An amount of money: a safe integer of minor units and an ISO 4217 code. */
export interface Money {
  readonly currency: string;
  readonly minor: number;
}

/** The largest magnitude, in minor units, an amount may have. */
export const MAX_MINOR = Number.MAX_SAFE_INTEGER;
const MAX_MINOR_BIG = BigInt(MAX_MINOR);

/** Thrown when an amount would leave the safe-integer range (a caller bug or absurd input). */
export class AmountOutOfRangeError extends RangeError {
  override readonly name = 'AmountOutOfRangeError';
}

/** Why an amount string was refused. */
export const AMOUNT_PARSE_ERRORS = ['empty', 'syntax', 'precision', 'range', 'currency'] as const;
export type AmountParseError = (typeof AMOUNT_PARSE_ERRORS)[number];

export type ParseAmountResult =
  | { readonly ok: true; readonly minor: number }
  | { readonly ok: false; readonly reason: AmountParseError; readonly message: string };

export interface ParseAmountOptions {
  /** Accept zeros beyond the minor unit ("75.0000" for USD), as ERPs often write unit prices. */
  readonly allowExtraZeros?: boolean;
}

// Plain decimal notation only: optional minus, digits, optional fraction. No exponent, no
// grouping, no surrounding space, no leading "+" or ".", no signed zero.
const DECIMAL_SYNTAX = /^(-?)(\d+)(?:\.(\d+))?$/;
const MAX_TEXT_LENGTH = 64;

/** Parse an API decimal string ("1234.50", "-3") into minor units of `currency`. */
export function parseAmount(
  text: string,
  currency: string,
  options: ParseAmountOptions = {},
): ParseAmountResult {
  if (!isCurrencyCode(currency)) {
    return { ok: false, reason: 'currency', message: `Unknown currency code "${currency}"` };
  }
  if (text === '') return { ok: false, reason: 'empty', message: 'An amount is required' };
  const match = text.length <= MAX_TEXT_LENGTH ? DECIMAL_SYNTAX.exec(text) : null;
  if (match === null) {
    return { ok: false, reason: 'syntax', message: `"${clip(text)}" is not a decimal amount` };
  }
  const [, sign = '', whole = '', fractionText = ''] = match;
  const digits = minorUnitDigits(currency);
  let fraction = fractionText;
  if (fraction.length > digits) {
    const extra = fraction.slice(digits);
    if (!(options.allowExtraZeros === true && /^0+$/.test(extra))) {
      return {
        ok: false,
        reason: 'precision',
        message: `${currency} amounts have at most ${digits} decimal${digits === 1 ? '' : 's'}`,
      };
    }
    fraction = fraction.slice(0, digits);
  }
  const magnitude = BigInt(whole + fraction.padEnd(digits, '0'));
  if (magnitude > MAX_MINOR_BIG) {
    return { ok: false, reason: 'range', message: `"${clip(text)}" is too large an amount` };
  }
  const minor = Number(magnitude);
  if (sign === '-' && minor === 0) {
    // "-0", "-0.00": no amount is written so (formatAmount never does); most likely digits
    // went missing after the sign, so it is refused as malformed rather than read as 0.
    return {
      ok: false,
      reason: 'syntax',
      message: `"${clip(text)}" is not a decimal amount (a zero has no sign)`,
    };
  }
  return { ok: true, minor: sign === '-' ? -minor : minor };
}

/** Format minor units as the API's decimal string with exactly the minor unit's digits ("1234.50"). */
export function formatAmount(minor: number, currency: string): string {
  assertSafeMinor(minor);
  const digits = minorUnitDigits(currency);
  const sign = minor < 0 ? '-' : '';
  // BigInt's decimal rendering never switches to exponent notation.
  const abs = BigInt(Math.abs(minor))
    .toString()
    .padStart(digits + 1, '0');
  if (digits === 0) return sign + abs;
  return `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}

/** Format an amount of money as "1234.50 USD". */
export function formatMoney(money: Money): string {
  return `${formatAmount(money.minor, money.currency)} ${money.currency}`;
}

/** Exact decimal value, in major units, of `minor` minor units of `currency`. */
export function toDecimal(minor: number, currency: string): DecimalValue {
  assertSafeMinor(minor);
  return new D(minor).dividedBy(new D(10).pow(minorUnitDigits(currency)));
}

/**
 * How a value is brought to minor units: `half_up` (ties away from zero, THE rule),
 * `half_even` (ties to the even digit, "banker's"), `down` (toward zero, truncate), `up`
 * (away from zero).
 */
export const ROUNDING_MODES = ['half_up', 'half_even', 'down', 'up'] as const;
export type RoundingMode = (typeof ROUNDING_MODES)[number];

const DECIMAL_ROUNDING: Readonly<Record<RoundingMode, Decimal.Rounding>> = {
  half_up: Decimal.ROUND_HALF_UP,
  half_even: Decimal.ROUND_HALF_EVEN,
  down: Decimal.ROUND_DOWN,
  up: Decimal.ROUND_UP,
};

/** Round a major-unit decimal to minor units of `currency` (half-up by default, THE rule). */
export function toMinor(
  value: DecimalValue | string,
  currency: string,
  rounding: RoundingMode = 'half_up',
): number {
  const decimal = typeof value === 'string' ? decimalFromText(value) : new D(value);
  if (!decimal.isFinite()) throw new RangeError('Cannot bring a non-finite value to minor units');
  const minor = decimal
    .times(new D(10).pow(minorUnitDigits(currency)))
    .toDecimalPlaces(0, DECIMAL_ROUNDING[rounding]);
  if (minor.abs().greaterThan(MAX_MINOR)) {
    throw new AmountOutOfRangeError(`${decimal.toFixed()} ${currency} is beyond the safe range`);
  }
  const result = minor.toNumber();
  return result === 0 ? 0 : result;
}

/** Sum minor-unit amounts, refusing a total beyond the safe-integer range. */
export function sumMinor(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) {
    assertSafeMinor(value);
    total += value;
    // Both operands are safe, so |total| ≤ 2^54 and the check on the float is exact enough:
    // anything outside the safe range is refused before it could lose precision further.
    if (!Number.isSafeInteger(total)) throw new AmountOutOfRangeError('Sum beyond the safe range');
  }
  return total;
}

/** Multiply a unit amount in minor units by an integer quantity, exactly; refuses overflow. */
export function multiplyMinor(unitMinor: number, quantity: number): number {
  assertSafeMinor(unitMinor);
  if (!Number.isSafeInteger(quantity)) {
    throw new RangeError(`Quantity must be an integer, got ${quantity}`);
  }
  const product = BigInt(unitMinor) * BigInt(quantity);
  if (product > MAX_MINOR_BIG || product < -MAX_MINOR_BIG) {
    throw new AmountOutOfRangeError(`${unitMinor} × ${quantity} is beyond the safe range`);
  }
  const result = Number(product);
  return result === 0 ? 0 : result;
}

/** Throw unless `minor` is a safe integer (the only valid minor-unit amount). */
export function assertSafeMinor(minor: number): void {
  if (!Number.isSafeInteger(minor)) {
    throw new AmountOutOfRangeError(`${minor} is not a safe integer of minor units`);
  }
}

/** A decimal.js value from plain decimal text; throws on anything else (exponents, NaN). */
export function decimalFromText(text: string): DecimalValue {
  if (text.length > MAX_TEXT_LENGTH || !DECIMAL_SYNTAX.test(text)) {
    throw new RangeError(`"${clip(text)}" is not a plain decimal number`);
  }
  return new D(text);
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
