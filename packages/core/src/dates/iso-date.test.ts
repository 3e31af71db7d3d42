import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, addMonths, addYears, daysInMonth, isIsoDate, laterDate } from './iso-date.ts';

const isoDate = fc
  .date({
    min: new Date('1970-01-01T00:00:00Z'),
    max: new Date('2400-12-31T00:00:00Z'),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString().slice(0, 10));
const months = fc.integer({ min: -1200, max: 1200 });

describe('addMonths / addYears', () => {
  it('keep 29 February on the last day of February', () => {
    expect(addMonths('2028-02-29', 12)).toBe('2029-02-28');
    expect(addYears('2028-02-29', 1)).toBe('2029-02-28');
    expect(addYears('2028-02-29', 4)).toBe('2032-02-29');
    expect(addMonths('2028-02-29', -12)).toBe('2027-02-28');
    expect(addYears('2100-02-28', 0)).toBe('2100-02-28');
    expect(addYears('2096-02-29', 4)).toBe('2100-02-28'); // 2100 is not a leap year
  });

  it('clamp to the end of a shorter month', () => {
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2025-03-31', -1)).toBe('2025-02-28');
    expect(addMonths('2025-08-31', 1)).toBe('2025-09-30');
    expect(addMonths('2025-12-15', 1)).toBe('2026-01-15');
    expect(addMonths('2025-01-15', -1)).toBe('2024-12-15');
  });

  it('refuse what is not a date or a whole number', () => {
    expect(() => addMonths('2025-02-30', 1)).toThrow(RangeError);
    expect(() => addMonths('2025-13-01', 1)).toThrow(RangeError);
    expect(() => addMonths('2025-01-01', 1.5)).toThrow(RangeError);
    expect(() => addYears('soon', 1)).toThrow(RangeError);
  });

  it('move by exactly n months, on the same day or the last day of a shorter month', () => {
    fc.assert(
      fc.property(isoDate, months, (date, n) => {
        const result = addMonths(date, n);
        expect(isIsoDate(result)).toBe(true);
        const [y, m, d] = date.split('-').map(Number) as [number, number, number];
        const [ry, rm, rd] = result.split('-').map(Number) as [number, number, number];
        expect(ry * 12 + rm - (y * 12 + m)).toBe(n);
        expect(rd).toBe(Math.min(d, daysInMonth(ry, rm)));
      }),
    );
  });

  it('add up for days every month has', () => {
    fc.assert(
      fc.property(isoDate, months, months, (date, a, b) => {
        const early = `${date.slice(0, 8)}${String(Math.min(Number(date.slice(8)), 28)).padStart(2, '0')}`;
        expect(addMonths(addMonths(early, a), b)).toBe(addMonths(early, a + b));
      }),
    );
  });

  it('addYears(d, n) is addMonths(d, 12n), and a year from a day is never more than a year', () => {
    fc.assert(
      fc.property(isoDate, fc.integer({ min: -100, max: 100 }), (date, n) => {
        expect(addYears(date, n)).toBe(addMonths(date, 12 * n));
        if (n === 1) {
          const days = (Date.parse(addYears(date, 1)) - Date.parse(date)) / 86_400_000;
          expect(days === 365 || days === 366).toBe(true);
        }
      }),
    );
  });
});

describe('addDays and laterDate', () => {
  it('cross months and years', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2028-02-29', 1)).toBe('2028-03-01');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
    expect(laterDate('2025-01-01', '2024-12-31')).toBe('2025-01-01');
    expect(laterDate('2024-01-01', '2024-12-31')).toBe('2024-12-31');
  });
});
