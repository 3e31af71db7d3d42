import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AmountOutOfRangeError, MAX_MINOR, formatAmount, parseAmount } from '../money/index.ts';
import {
  decimalFromText,
  toDecimal,
  toMinor,
  ROUNDING_MODES,
  type RoundingMode,
} from '../money/money.ts';
import { resolveMultiplier } from './multiplier.rules.ts';
import {
  comparePrice,
  explainPrice,
  netUnitPrice,
  priceLine,
  priceLines,
} from './pricing.rules.ts';

/** Multipliers as the price lists write them: up to 6 decimals, 0 < m ≤ 10. */
const multiplier = fc
  .integer({ min: 1, max: 10_000_000 })
  .map((millionths) => toDecimal(millionths, 'USD').dividedBy(10_000).toFixed());
const listPrice = fc.integer({ min: 0, max: 100_000_000_00 });

describe('netUnitPrice', () => {
  it('is list × multiplier', () => {
    expect(netUnitPrice(10000, '0.75', 'USD')).toBe(7500);
    expect(netUnitPrice(10000, '0.6250', 'USD')).toBe(6250);
    expect(netUnitPrice(99999, '1', 'USD')).toBe(99999);
    expect(netUnitPrice(1500, '0.8', 'JPY')).toBe(1200);
    expect(netUnitPrice(1000, '0.3333', 'KWD')).toBe(333);
  });

  it('rounds half-up at the .5 boundary', () => {
    expect(netUnitPrice(1, '0.5', 'USD')).toBe(1); // 0.005 → 0.01
    expect(netUnitPrice(3, '0.5', 'USD')).toBe(2); // 0.015 → 0.02
    expect(netUnitPrice(1999, '0.75', 'USD')).toBe(1499); // 14.9925 → 14.99
    expect(netUnitPrice(1998, '0.75', 'USD')).toBe(1499); // 14.985 → 14.99
    expect(netUnitPrice(-3, '0.5', 'USD')).toBe(-2); // credits mirror: -0.015 → -0.02
    expect(netUnitPrice(101, '0.5', 'JPY')).toBe(51);
  });

  it('refuses an invalid multiplier', () => {
    expect(() => netUnitPrice(100, '0', 'USD')).toThrow(RangeError);
    expect(() => netUnitPrice(100, '7.5e-1', 'USD')).toThrow(RangeError);
  });

  it('is exact when no rounding is needed (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), multiplier, (units, m) => {
        // A list price that is a multiple of 10^6 minor units makes list × m an integer.
        const list = units * 1_000_000;
        fc.pre(list <= MAX_MINOR / 10);
        const exact = toDecimal(list, 'USD').times(m).times(100);
        expect(exact.isInteger()).toBe(true);
        expect(netUnitPrice(list, m, 'USD')).toBe(exact.toNumber());
      }),
    );
  });

  it('errs by at most half a minor unit, ties away from zero (property)', () => {
    fc.assert(
      fc.property(listPrice, multiplier, (list, m) => {
        const exactMinor = toDecimal(list, 'USD').times(m).times(100);
        const net = netUnitPrice(list, m, 'USD');
        const error = exactMinor.minus(net);
        expect(error.abs().lessThanOrEqualTo(0.5)).toBe(true);
        // At the boundary the rounding goes up (list prices here are non-negative).
        if (error.abs().equals(0.5)) expect(error.toNumber()).toBe(-0.5);
      }),
    );
  });

  it('rounds exact .5 ties upward (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (k) => {
        // (2k + 1) × 0.5 = k + 0.5 exactly.
        expect(netUnitPrice(2 * k + 1, '0.5', 'USD')).toBe(k + 1);
        expect(netUnitPrice(-(2 * k + 1), '0.5', 'USD')).toBe(-(k + 1));
      }),
    );
  });
});

describe('netUnitPrice against decimal.js', () => {
  /** The reference: list (major units) × multiplier in decimal.js, brought to minor units. */
  const reference = (list: number, m: string, currency: string, rounding: RoundingMode) =>
    toMinor(toDecimal(list, currency).times(decimalFromText(m)), currency, rounding);
  /** Any valid multiplier text: 1–4 integer digits, 0–6 decimals (trailing zeros kept). */
  const anyMultiplier = fc
    .tuple(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 0, max: 6 }))
    .map(([units, scale]) => {
      const text = toDecimal(units, 'USD').dividedBy(1_000_000).toFixed(scale);
      return text;
    })
    .filter((text) => {
      const v = Number(text);
      return v > 0 && v <= 10;
    });
  const anyList = fc.oneof(
    fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
    fc.integer({ min: -MAX_MINOR, max: MAX_MINOR }),
    fc.integer({ min: 2 ** 40, max: 2 ** 46 }),
  );

  it('gives the same minor units in every rounding mode and currency (property)', () => {
    fc.assert(
      fc.property(
        anyList,
        anyMultiplier,
        fc.constantFrom(...ROUNDING_MODES),
        fc.constantFrom('USD', 'JPY', 'KWD'),
        (list, m, rounding, currency) => {
          let expected: number | string;
          try {
            expected = reference(list, m, currency, rounding);
          } catch (error) {
            expected = (error as Error).name;
          }
          let actual: number | string;
          try {
            actual = netUnitPrice(list, m, currency, rounding);
          } catch (error) {
            actual = (error as Error).name;
          }
          expect(actual).toBe(expected);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('gives the same minor units next to every rounding boundary and the float edge', () => {
    const cases: [number, string][] = [];
    for (const m of [
      '0.5',
      '0.25',
      '0.125',
      '0.000001',
      '0.999999',
      '1.000001',
      '9.999999',
      '10',
    ]) {
      for (const base of [0, 1, 7, 2 ** 30, 2 ** 45, 2 ** 52 / 10, 2 ** 52 / 7, MAX_MINOR / 10]) {
        for (let k = -3; k <= 3; k++) cases.push([Math.trunc(base) + k, m]);
      }
    }
    for (const [list, m] of cases) {
      for (const rounding of ROUNDING_MODES) {
        for (const sign of [1, -1]) {
          const l = sign * list;
          let expected: number | string;
          try {
            expected = reference(l, m, 'USD', rounding);
          } catch (error) {
            expected = (error as Error).name;
          }
          let actual: number | string;
          try {
            actual = netUnitPrice(l, m, 'USD', rounding);
          } catch (error) {
            actual = (error as Error).name;
          }
          expect(actual, `${l} × ${m} ${rounding}`).toBe(expected);
        }
      }
    }
  });
});

describe('priceLine and priceLines', () => {
  it('prices a line in minor units and decimal strings', () => {
    expect(
      priceLine({ listPriceMinor: 10000, multiplier: '0.75', quantity: 3, currency: 'USD' }),
    ).toEqual({
      listPriceMinor: 10000,
      listPrice: '100.00',
      multiplier: '0.75',
      netPriceMinor: 7500,
      netPrice: '75.00',
      quantity: 3,
      amountMinor: 22500,
      amount: '225.00',
    });
  });

  it('multiplies the rounded net price, with no second rounding', () => {
    const line = priceLine({
      listPriceMinor: 1999,
      multiplier: '0.75',
      quantity: 1000,
      currency: 'USD',
    });
    expect(line.netPrice).toBe('14.99');
    expect(line.amount).toBe('14990.00'); // not 14992.50
  });

  it('totals the lines and keeps caller fields', () => {
    const result = priceLines(
      [
        { partNumber: 'A-1', listPriceMinor: 10000, multiplier: '0.75', quantity: 2 },
        { partNumber: 'B-2', listPriceMinor: 4999, multiplier: '0.5', quantity: 1 },
      ],
      'USD',
    );
    expect(result.lines.map((line) => [line.partNumber, line.amount])).toEqual([
      ['A-1', '150.00'],
      ['B-2', '25.00'],
    ]);
    expect(result.totalMinor).toBe(17500);
    expect(result.total).toBe('175.00');
    expect(priceLines([], 'EUR')).toEqual({
      currency: 'EUR',
      lines: [],
      totalMinor: 0,
      total: '0.00',
    });
  });

  it('refuses an unknown currency', () => {
    expect(() => priceLines([], 'XYZ')).toThrow(RangeError);
  });

  it('refuses amounts beyond safe integers', () => {
    expect(() =>
      priceLine({ listPriceMinor: MAX_MINOR, multiplier: '2', quantity: 1, currency: 'USD' }),
    ).toThrow(AmountOutOfRangeError);
    expect(() =>
      priceLine({
        listPriceMinor: 10 ** 12,
        multiplier: '1',
        quantity: 10_000_000,
        currency: 'USD',
      }),
    ).toThrow(AmountOutOfRangeError);
    expect(() =>
      priceLines(
        [
          { listPriceMinor: 2 ** 52, multiplier: '1', quantity: 1 },
          { listPriceMinor: 2 ** 52, multiplier: '1', quantity: 1 },
        ],
        'USD',
      ),
    ).toThrow(AmountOutOfRangeError);
  });

  it('sum of line amounts equals the total (property)', () => {
    const line = fc.record({
      listPriceMinor: fc.integer({ min: 0, max: 10_000_000 }),
      multiplier,
      quantity: fc.integer({ min: 1, max: 1000 }),
    });
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 30 }),
        fc.constantFrom('USD', 'JPY', 'KWD'),
        (lines, cur) => {
          const result = priceLines(lines, cur);
          const sum = result.lines.reduce((acc, l) => acc + BigInt(l.amountMinor), 0n);
          expect(BigInt(result.totalMinor)).toBe(sum);
          for (const l of result.lines) {
            expect(l.amountMinor).toBe(l.netPriceMinor * l.quantity);
            expect(parseAmount(l.amount, cur)).toEqual({ ok: true, minor: l.amountMinor });
          }
          expect(parseAmount(result.total, cur)).toEqual({ ok: true, minor: result.totalMinor });
        },
      ),
    );
  });
});

describe('explainPrice', () => {
  it('produces the GET /api/v1/prices item', () => {
    expect(
      explainPrice({
        partNumber: 'NW-ENT-1Y',
        listPriceMinor: 10000,
        multiplier: '0.75',
        currency: 'USD',
      }),
    ).toEqual({
      partNumber: 'NW-ENT-1Y',
      listPrice: '100.00',
      multiplier: '0.75',
      netPrice: '75.00',
    });
  });
});

describe('comparePrice', () => {
  it('accepts equal values in any spelling', () => {
    expect(comparePrice(7500, '75.00', 'USD')).toEqual({ ok: true });
    expect(comparePrice(7500, '75', 'USD')).toEqual({ ok: true });
    expect(comparePrice(7500, '75.0000', 'USD')).toEqual({ ok: true });
    expect(comparePrice(1500, '1500', 'JPY')).toEqual({ ok: true });
  });

  it('reports a mismatch with expected and actual', () => {
    expect(comparePrice(7500, '80.00', 'USD')).toMatchObject({
      ok: false,
      code: 'price.mismatch',
      expected: '75.00',
      actual: '80.00',
    });
    expect(comparePrice(7500, '75.004', 'USD')).toMatchObject({
      ok: false,
      code: 'price.mismatch',
      expected: '75.00',
      actual: '75.004',
    });
  });

  it('reports unreadable values as invalid', () => {
    for (const text of ['', '75,00', '$75', '7.5e1', ' 75', 'NaN', '9'.repeat(200)]) {
      expect(comparePrice(7500, text, 'USD')).toMatchObject({ ok: false, code: 'invalid' });
    }
  });

  it('agrees with formatAmount (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -MAX_MINOR, max: MAX_MINOR }),
        fc.integer({ min: -MAX_MINOR, max: MAX_MINOR }),
        (a, b) => {
          const result = comparePrice(a, formatAmount(b, 'USD'), 'USD');
          expect(result.ok).toBe(a === b);
        },
      ),
    );
  });
});

describe('resolveMultiplier', () => {
  const rules = [
    { categoryId: null, multiplier: '0.80', effectiveFrom: '2020-01-01' },
    { categoryId: null, multiplier: '0.75', effectiveFrom: '2024-01-01' },
    { categoryId: 'software', multiplier: '0.70', effectiveFrom: '2023-01-01' },
    {
      categoryId: 'licenses',
      multiplier: '0.60',
      effectiveFrom: '2024-01-01',
      effectiveTo: '2024-12-31',
    },
    { categoryId: 'devices', multiplier: '0.90', effectiveFrom: '2030-01-01' },
  ];

  it('prefers the product category, then ancestors, then the default rule', () => {
    const q = { categoryAncestorIds: ['software'], on: '2024-06-01' };
    expect(resolveMultiplier(rules, { ...q, categoryId: 'licenses' })).toBe('0.60');
    expect(resolveMultiplier(rules, { ...q, categoryId: 'maintenance' })).toBe('0.70');
    expect(resolveMultiplier(rules, { categoryId: 'training', on: '2024-06-01' })).toBe('0.75');
    expect(resolveMultiplier(rules, { categoryId: null, on: '2024-06-01' })).toBe('0.75');
  });

  it('honours effective dates, effectiveTo inclusive', () => {
    const q = { categoryId: 'licenses', categoryAncestorIds: ['software'] };
    expect(resolveMultiplier(rules, { ...q, on: '2024-12-31' })).toBe('0.60');
    expect(resolveMultiplier(rules, { ...q, on: '2025-01-01' })).toBe('0.70');
    expect(resolveMultiplier(rules, { ...q, on: '2022-06-01' })).toBe('0.80');
    expect(resolveMultiplier(rules, { categoryId: 'devices', on: '2029-12-31' })).toBe('0.75');
    expect(resolveMultiplier(rules, { categoryId: 'devices', on: '2030-01-01' })).toBe('0.90');
  });

  it('falls back to the partnership default, else null', () => {
    expect(resolveMultiplier([], { on: '2024-01-01', defaultMultiplier: '0.85' })).toBe('0.85');
    expect(resolveMultiplier(rules, { on: '2019-01-01', defaultMultiplier: '0.85' })).toBe('0.85');
    expect(resolveMultiplier([], { on: '2024-01-01' })).toBeNull();
  });

  it('refuses a non-ISO date', () => {
    expect(() => resolveMultiplier(rules, { on: '01/02/2024' })).toThrow(RangeError);
  });
});
