import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyCodes, isCurrencyCode, minorUnitDigits } from './currency.ts';
import {
  AmountOutOfRangeError,
  MAX_MINOR,
  formatAmount,
  formatMoney,
  multiplyMinor,
  parseAmount,
  sumMinor,
  toDecimal,
  toMinor,
} from './money.ts';
import { isMultiplier, parseMultiplier } from './multiplier.ts';

const safeMinor = fc.integer({ min: -MAX_MINOR, max: MAX_MINOR });
const currency = fc.constantFrom('USD', 'EUR', 'GBP', 'JPY', 'KWD', 'BHD', 'CLF');

describe('currencies', () => {
  it('knows ISO 4217 minor units', () => {
    expect(minorUnitDigits('USD')).toBe(2);
    expect(minorUnitDigits('EUR')).toBe(2);
    expect(minorUnitDigits('GBP')).toBe(2);
    expect(minorUnitDigits('JPY')).toBe(0);
    expect(minorUnitDigits('KWD')).toBe(3);
    expect(minorUnitDigits('BHD')).toBe(3);
    expect(minorUnitDigits('CLF')).toBe(4);
  });

  it('validates codes', () => {
    expect(isCurrencyCode('USD')).toBe(true);
    expect(isCurrencyCode('usd')).toBe(false);
    expect(isCurrencyCode('XAU')).toBe(false);
    expect(isCurrencyCode('ABC')).toBe(false);
    expect(() => minorUnitDigits('ABC')).toThrow(RangeError);
    expect(currencyCodes()).toContain('CHF');
  });
});

describe('parseAmount', () => {
  it.each([
    ['1234.50', 'USD', 123450],
    ['1234.5', 'USD', 123450],
    ['1234', 'USD', 123400],
    ['-3', 'USD', -300],
    ['0.01', 'EUR', 1],
    ['1500', 'JPY', 1500],
    ['1.234', 'KWD', 1234],
    ['007.10', 'USD', 710],
  ])('parses %s %s', (text, cur, minor) => {
    expect(parseAmount(text, cur)).toEqual({ ok: true, minor });
  });

  it('refuses a signed zero ("-0", "-0.00"): no amount is written that way', () => {
    for (const text of ['-0', '-0.00', '-000', '-0.0']) {
      expect(parseAmount(text, 'USD'), text).toEqual({
        ok: false,
        reason: 'syntax',
        message: `"${text}" is not a decimal amount (a zero has no sign)`,
      });
    }
    // Zeros beyond the minor unit do not make it a zero of another kind.
    expect(parseAmount('-0.0000', 'USD', { allowExtraZeros: true })).toMatchObject({
      ok: false,
      reason: 'syntax',
    });
    expect(parseAmount('0', 'USD')).toEqual({ ok: true, minor: 0 });
    expect(parseAmount('-0.01', 'USD')).toEqual({ ok: true, minor: -1 });
  });

  it('refuses a signed zero however many zeros it is written with (property)', () => {
    fc.assert(
      fc.property(fc.nat(6), fc.nat(3), currency, (whole, decimals, cur) => {
        const text = `-${'0'.repeat(whole + 1)}${decimals > 0 ? `.${'0'.repeat(decimals)}` : ''}`;
        const result = parseAmount(text, cur, { allowExtraZeros: true });
        return !result.ok && result.reason === 'syntax';
      }),
    );
  });

  it.each([
    ['', 'empty'],
    ['1e3', 'syntax'],
    [' 12', 'syntax'],
    ['12 ', 'syntax'],
    ['12,50', 'syntax'],
    ['NaN', 'syntax'],
    ['Infinity', 'syntax'],
    ['+3', 'syntax'],
    ['.5', 'syntax'],
    ['5.', 'syntax'],
    ['0x10', 'syntax'],
    ['1.234', 'precision'],
    ['9007199254740992', 'range'],
    ['1'.repeat(100), 'syntax'],
  ])('refuses %j (%s)', (text, reason) => {
    expect(parseAmount(text, 'USD')).toMatchObject({ ok: false, reason });
  });

  it('refuses decimals on a zero-decimal currency', () => {
    expect(parseAmount('1500.5', 'JPY')).toMatchObject({ ok: false, reason: 'precision' });
    expect(parseAmount('1500.0', 'JPY')).toMatchObject({ ok: false, reason: 'precision' });
  });

  it('accepts zeros beyond the minor unit only when asked', () => {
    expect(parseAmount('75.0000', 'USD')).toMatchObject({ ok: false, reason: 'precision' });
    expect(parseAmount('75.0000', 'USD', { allowExtraZeros: true })).toEqual({
      ok: true,
      minor: 7500,
    });
    expect(parseAmount('75.0001', 'USD', { allowExtraZeros: true })).toMatchObject({
      ok: false,
      reason: 'precision',
    });
  });

  it('refuses unknown currencies', () => {
    expect(parseAmount('1', 'XYZ')).toMatchObject({ ok: false, reason: 'currency' });
  });

  it('accepts the largest safe amount and nothing beyond', () => {
    expect(parseAmount('90071992547409.91', 'USD')).toEqual({ ok: true, minor: MAX_MINOR });
    expect(parseAmount('90071992547409.92', 'USD')).toMatchObject({ ok: false, reason: 'range' });
  });
});

describe('formatAmount', () => {
  it.each([
    [123450, 'USD', '1234.50'],
    [5, 'USD', '0.05'],
    [-5, 'USD', '-0.05'],
    [0, 'USD', '0.00'],
    [1500, 'JPY', '1500'],
    [-1500, 'JPY', '-1500'],
    [1, 'KWD', '0.001'],
    [MAX_MINOR, 'USD', '90071992547409.91'],
  ])('formats %d %s as %s', (minor, cur, text) => {
    expect(formatAmount(minor, cur)).toBe(text);
  });

  it('refuses non-integers and unsafe integers', () => {
    expect(() => formatAmount(1.5, 'USD')).toThrow(AmountOutOfRangeError);
    expect(() => formatAmount(MAX_MINOR + 1, 'USD')).toThrow(AmountOutOfRangeError);
    expect(() => formatAmount(Number.NaN, 'USD')).toThrow(AmountOutOfRangeError);
  });

  it('formats money with its currency', () => {
    expect(formatMoney({ minor: 7500, currency: 'EUR' })).toBe('75.00 EUR');
  });

  it('parse ∘ format is the identity (property)', () => {
    fc.assert(
      fc.property(safeMinor, currency, (minor, cur) => {
        expect(parseAmount(formatAmount(minor, cur), cur)).toEqual({ ok: true, minor });
      }),
    );
  });

  it('never produces exponent notation and always has exactly the minor digits (property)', () => {
    fc.assert(
      fc.property(safeMinor, currency, (minor, cur) => {
        const text = formatAmount(minor, cur);
        const digits = minorUnitDigits(cur);
        expect(text).toMatch(digits === 0 ? /^-?\d+$/ : new RegExp(`^-?\\d+\\.\\d{${digits}}$`));
      }),
    );
  });
});

describe('toMinor: THE rounding rule (half-up, ties away from zero)', () => {
  it.each([
    ['1.005', 'USD', 101],
    ['1.0049999', 'USD', 100],
    ['-1.005', 'USD', -101],
    ['-1.0049', 'USD', -100],
    ['0.5', 'JPY', 1],
    ['-0.5', 'JPY', -1],
    ['1.4999', 'JPY', 1],
    ['0.0005', 'KWD', 1],
    ['-0.004', 'USD', 0],
  ])('rounds %s %s to %d', (value, cur, minor) => {
    expect(toMinor(value, cur)).toBe(minor);
  });

  it('never returns a negative zero', () => {
    expect(Object.is(toMinor('-0.001', 'USD'), 0)).toBe(true);
  });

  it('refuses exponent text and out-of-range values', () => {
    expect(() => toMinor('1e3', 'USD')).toThrow(RangeError);
    expect(() => toMinor('NaN', 'USD')).toThrow(RangeError);
    expect(() => toMinor('90071992547409.92', 'USD')).toThrow(AmountOutOfRangeError);
  });

  it('round-trips exact amounts through toDecimal (property)', () => {
    fc.assert(
      fc.property(safeMinor, currency, (minor, cur) => {
        expect(toMinor(toDecimal(minor, cur), cur)).toBe(minor);
      }),
    );
  });

  it('rounding error is at most half a minor unit, ties away from zero (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
        fc.integer({ min: 0, max: 999 }),
        (whole, thousandths) => {
          // value = whole.thousandths cents, i.e. a USD amount with five decimals.
          const sign = whole < 0 ? '-' : '';
          const text = `${sign}${Math.abs(whole)}.${String(thousandths).padStart(3, '0')}`;
          const cents = toDecimal(0, 'USD').plus(text);
          const rounded = toMinor(cents.dividedBy(100), 'USD');
          const error = cents.minus(rounded).abs();
          expect(error.lessThanOrEqualTo(0.5)).toBe(true);
          if (error.equals(0.5)) {
            expect(Math.abs(rounded)).toBeGreaterThan(cents.abs().toNumber());
          }
        },
      ),
    );
  });
});

describe('sumMinor and multiplyMinor', () => {
  it('sums exactly', () => {
    expect(sumMinor([])).toBe(0);
    expect(sumMinor([1, 2, -3, 100])).toBe(100);
  });

  it('refuses a sum beyond the safe range', () => {
    expect(() => sumMinor([MAX_MINOR, 1])).toThrow(AmountOutOfRangeError);
    expect(() => sumMinor([-MAX_MINOR, -1])).toThrow(AmountOutOfRangeError);
    expect(() => sumMinor([0.5])).toThrow(AmountOutOfRangeError);
  });

  it('multiplies exactly', () => {
    expect(multiplyMinor(7500, 3)).toBe(22500);
    expect(multiplyMinor(-1, 5)).toBe(-5);
    expect(Object.is(multiplyMinor(-5, 0), 0)).toBe(true);
  });

  it('refuses overflow and fractional quantities', () => {
    expect(() => multiplyMinor(MAX_MINOR, 2)).toThrow(AmountOutOfRangeError);
    expect(() => multiplyMinor(2 ** 30, 2 ** 30)).toThrow(AmountOutOfRangeError);
    expect(() => multiplyMinor(100, 1.5)).toThrow(RangeError);
  });

  it('agrees with bigint arithmetic or refuses (property)', () => {
    fc.assert(
      fc.property(safeMinor, fc.integer({ min: 0, max: 10_000_000 }), (unit, quantity) => {
        const exact = BigInt(unit) * BigInt(quantity);
        if (exact > BigInt(MAX_MINOR) || exact < -BigInt(MAX_MINOR)) {
          expect(() => multiplyMinor(unit, quantity)).toThrow(AmountOutOfRangeError);
        } else {
          expect(BigInt(multiplyMinor(unit, quantity))).toBe(exact);
        }
      }),
    );
  });
});

describe('parseMultiplier', () => {
  it.each(['0.75', '0.6250', '1', '10', '10.000000', '0.000001', '2.5'])('accepts %s', (text) => {
    expect(parseMultiplier(text)).toEqual({ ok: true, value: text });
  });

  it.each([
    ['', 'empty'],
    ['0', 'range'],
    ['0.000000', 'range'],
    ['10.000001', 'range'],
    ['11', 'range'],
    ['0.1234567', 'precision'],
    ['-0.5', 'syntax'],
    ['7.5e-1', 'syntax'],
    ['.75', 'syntax'],
    ['0,75', 'syntax'],
    [' 0.75', 'syntax'],
    ['75%', 'syntax'],
  ])('refuses %j (%s)', (text, reason) => {
    expect(parseMultiplier(text)).toMatchObject({ ok: false, reason });
    expect(isMultiplier(text)).toBe(false);
  });
});
