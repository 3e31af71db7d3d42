// Cell values as partners' spreadsheets write them: amounts with either decimal mark, dates
// as serials or text, whole numbers as text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toBoolean, toDecimal, toInteger, toIsoDate, toList } from './cell-values.ts';

const value = <T>(r: { ok: true; value: T } | { ok: false; message: string }): T | string =>
  r.ok ? r.value : `error: ${r.message}`;

describe('amounts', () => {
  it('reads either decimal mark, thousands groups, currency signs and numbers', () => {
    const cases: [string | number, string][] = [
      ['1234.50', '1234.5'],
      ['1,234.50', '1234.5'],
      ['1.234,50', '1234.5'],
      ['1 234,50', '1234.5'],
      ['99,5', '99.5'],
      ['0,125', '0.125'],
      ['1,234', '1234'],
      ['12,345,678', '12345678'],
      ['1.234.567', '1234567'],
      ['$ 99.00', '99'],
      ['EUR 12,00', '12'],
      ['(5.00)', '-5'],
      [1234.5, '1234.5'],
      [0.1, '0.1'],
    ];
    for (const [input, expected] of cases)
      expect(value(toDecimal(input)), String(input)).toBe(expected);
    for (const bad of ['abc', '1,2,3', '1.2.3', '', '--1']) {
      expect(toDecimal(bad).ok, bad).toBe(false);
    }
  });

  it('gives back any two-decimal amount written with a dot, a comma or as a number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999 }), (cents) => {
        const units = Math.floor(cents / 100);
        const frac = String(cents % 100).padStart(2, '0');
        const expected = (cents / 100).toFixed(2).replace(/\.?0+$/, '') || '0';
        const normalised = (s: string) => value(toDecimal(s));
        expect(normalised(`${units}.${frac}`)).toBe(expected);
        expect(normalised(`${units},${frac}`)).toBe(expected);
        expect(value(toDecimal(cents / 100))).toBe(expected);
      }),
    );
  });

  it('reads whole numbers', () => {
    expect(value(toInteger('3'))).toBe(3);
    expect(value(toInteger(3))).toBe(3);
    expect(value(toInteger('3,0'))).toBe(3);
    expect(value(toInteger('1,000'))).toBe(1000);
    expect(toInteger('2.5').ok).toBe(false);
    expect(toInteger('three').ok).toBe(false);
  });
});

describe('dates', () => {
  it('reads date cells, serials, ISO, dotted and unambiguous slashed dates', () => {
    expect(value(toIsoDate(new Date(Date.UTC(2026, 10, 20))))).toBe('2026-11-20');
    expect(value(toIsoDate(46_346))).toBe('2026-11-20');
    expect(value(toIsoDate('46346'))).toBe('2026-11-20');
    expect(value(toIsoDate('2026-11-20'))).toBe('2026-11-20');
    expect(value(toIsoDate('20.11.2026'))).toBe('2026-11-20');
    expect(value(toIsoDate('20/11/2026'))).toBe('2026-11-20');
    expect(value(toIsoDate('11/20/2026'))).toBe('2026-11-20');
    expect(value(toIsoDate('05/05/2026'))).toBe('2026-05-05');
    expect(value(toIsoDate('03/04/2026'))).toMatch(/day\/month or month\/day/);
    expect(toIsoDate('2026-02-30').ok).toBe(false);
    expect(toIsoDate(12).ok).toBe(false); // 1900: not an order's date
  });
});

describe('yes/no and lists', () => {
  it('reads both', () => {
    expect(value(toBoolean('Yes'))).toBe(true);
    expect(value(toBoolean(true))).toBe(true);
    expect(value(toBoolean('no'))).toBe(false);
    expect(toBoolean('maybe').ok).toBe(false);
    expect(toList('Ann; Bob ;;Cy')).toEqual(['Ann', 'Bob', 'Cy']);
    expect(toList('L-1, L-2')).toEqual(['L-1', 'L-2']);
    expect(toList('Ann\nBob')).toEqual(['Ann', 'Bob']);
  });
});
