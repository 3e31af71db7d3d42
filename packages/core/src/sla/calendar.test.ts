import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addBusinessDays,
  addBusinessHours,
  businessCalendar,
  isBusinessDate,
  isBusinessDay,
  nextBusinessInstant,
} from './calendar.ts';
import type { BusinessCalendar } from './calendar.ts';

// Time travel without a clock: instants are written as local wall-clock times of a zone and
// results are read back the same way, with the UTC offset, so DST shows.
const NEW_YORK = 'America/New_York';
const at = (local: string, zone: string): Date => {
  const dt = DateTime.fromISO(local, { zone });
  if (!dt.isValid) throw new Error(`bad test time ${local}`);
  return dt.toJSDate();
};
const local = (date: Date, zone: string): string =>
  DateTime.fromJSDate(date, { zone }).toISO({ suppressMilliseconds: true }) ?? '';

// Whole business days (no working hours), US public holidays: the edgeworks calendar.
const usDays = businessCalendar({ timeZone: NEW_YORK, holidays: { country: 'US' } });
// Working hours 09:00–17:00 in London, English bank holidays.
const londonHours = businessCalendar({
  timeZone: 'Europe/London',
  workingHours: { start: '09:00', end: '17:00' },
  holidays: { country: 'GB', region: 'ENG' },
});

describe('isBusinessDay', () => {
  it('knows weekends and public holidays', () => {
    expect(isBusinessDate(usDays, '2025-06-06')).toBe(true); // Friday
    expect(isBusinessDate(usDays, '2025-06-07')).toBe(false); // Saturday
    expect(isBusinessDate(usDays, '2025-05-26')).toBe(false); // Memorial Day
    expect(isBusinessDate(usDays, '2025-11-27')).toBe(false); // Thanksgiving
    // Independence Day 2026 falls on a Saturday; the Friday before is the day off.
    expect(isBusinessDate(usDays, '2026-07-03')).toBe(false);
  });

  it('ignores holidays that are not public (observances, bank holidays)', () => {
    // Valentine's Day is an observance; in Germany Christmas Eve is a bank holiday from 14:00.
    expect(isBusinessDate(usDays, '2025-02-14')).toBe(true);
    const germany = businessCalendar({ timeZone: 'Europe/Berlin', holidays: { country: 'DE' } });
    expect(isBusinessDate(germany, '2025-12-24')).toBe(true);
    expect(isBusinessDate(germany, '2025-12-25')).toBe(false);
  });

  it('decides in the calendar time zone, not in UTC', () => {
    // 03:00 UTC on Christmas Day is still Christmas Eve (a working day) in New York.
    const instant = new Date('2025-12-25T03:00:00Z');
    expect(isBusinessDay(usDays, instant)).toBe(true);
    const utc = businessCalendar({ timeZone: 'UTC', holidays: { country: 'US' } });
    expect(isBusinessDay(utc, instant)).toBe(false);
  });

  it('honours custom working days and extra days off', () => {
    const sundayToThursday = businessCalendar({
      timeZone: 'Asia/Dubai',
      workingDays: [7, 1, 2, 3, 4],
      holidays: { country: 'US', extraDates: ['2025-06-10'] },
    });
    expect(isBusinessDate(sundayToThursday, '2025-06-08')).toBe(true); // Sunday
    expect(isBusinessDate(sundayToThursday, '2025-06-06')).toBe(false); // Friday
    expect(isBusinessDate(sundayToThursday, '2025-06-10')).toBe(false); // shutdown day
  });

  it('works without holiday data', () => {
    const plain = businessCalendar({});
    expect(isBusinessDate(plain, '2025-12-25')).toBe(true);
    expect(isBusinessDate(plain, '2025-12-27')).toBe(false);
    expect(() => isBusinessDate(plain, 'Christmas')).toThrow(RangeError);
  });

  it('rejects an invalid configuration', () => {
    expect(() => businessCalendar({ timeZone: 'Nowhere/Atlantis' })).toThrow();
  });
});

describe('addBusinessHours', () => {
  it('Friday 16:00 + 24 business hours (whole days) → Monday 16:00', () => {
    const due = addBusinessHours(usDays, at('2025-06-06T16:00', NEW_YORK), 24);
    expect(local(due, NEW_YORK)).toBe('2025-06-09T16:00:00-04:00');
  });

  it('skips a public holiday Monday', () => {
    const due = addBusinessHours(usDays, at('2025-05-23T16:00', NEW_YORK), 24);
    expect(local(due, NEW_YORK)).toBe('2025-05-27T16:00:00-04:00');
  });

  it('keeps the wall clock across the spring-forward weekend', () => {
    // DST starts on Sunday 9 March 2025: Friday is UTC-5, Monday UTC-4.
    const due = addBusinessHours(usDays, at('2025-03-07T16:00', NEW_YORK), 24);
    expect(local(due, NEW_YORK)).toBe('2025-03-10T16:00:00-04:00');
  });

  it('counts only working hours', () => {
    const friday4pm = at('2025-06-06T16:00', 'Europe/London');
    expect(local(addBusinessHours(londonHours, friday4pm, 1), 'Europe/London')).toBe(
      '2025-06-06T17:00:00+01:00',
    );
    expect(local(addBusinessHours(londonHours, friday4pm, 8), 'Europe/London')).toBe(
      '2025-06-09T16:00:00+01:00',
    );
    expect(local(addBusinessHours(londonHours, friday4pm, 1.5), 'Europe/London')).toBe(
      '2025-06-09T09:30:00+01:00',
    );
  });

  it('starts the clock at the next working hour', () => {
    const saturday = at('2025-06-07T11:00', 'Europe/London');
    expect(local(nextBusinessInstant(londonHours, saturday), 'Europe/London')).toBe(
      '2025-06-09T09:00:00+01:00',
    );
    expect(local(addBusinessHours(londonHours, saturday, 2), 'Europe/London')).toBe(
      '2025-06-09T11:00:00+01:00',
    );
    const early = at('2025-06-06T07:30', 'Europe/London');
    expect(local(addBusinessHours(londonHours, early, 2), 'Europe/London')).toBe(
      '2025-06-06T11:00:00+01:00',
    );
  });

  it('keeps working hours across the UK clock change and Easter', () => {
    // Clocks go forward on Sunday 30 March 2025 (GMT → BST).
    const friday = at('2025-03-28T16:00', 'Europe/London');
    expect(local(addBusinessHours(londonHours, friday, 2), 'Europe/London')).toBe(
      '2025-03-31T10:00:00+01:00',
    );
    // Good Friday (18 April) and Easter Monday (21 April) are bank holidays in England.
    const thursday = at('2025-04-17T16:00', 'Europe/London');
    expect(local(addBusinessHours(londonHours, thursday, 2), 'Europe/London')).toBe(
      '2025-04-22T10:00:00+01:00',
    );
  });

  it('stops work early on a half-day public holiday', () => {
    // In Iceland, Christmas Eve is a public holiday from 13:00; the 25th and 26th are off.
    const iceland = businessCalendar({
      timeZone: 'Atlantic/Reykjavik',
      workingHours: { start: '09:00', end: '17:00' },
      holidays: { country: 'IS' },
    });
    expect(isBusinessDate(iceland, '2025-12-24')).toBe(true);
    const due = addBusinessHours(iceland, at('2025-12-24T12:00', 'Atlantic/Reykjavik'), 2);
    expect(local(due, 'Atlantic/Reykjavik')).toBe('2025-12-29T10:00:00+00:00');
  });

  it('returns the start for zero hours and refuses negative ones', () => {
    const from = at('2025-06-07T11:00', NEW_YORK);
    expect(addBusinessHours(usDays, from, 0)).toBe(from);
    expect(() => addBusinessHours(usDays, from, -1)).toThrow(RangeError);
  });
});

describe('addBusinessDays', () => {
  it('Friday 16:00 + 2 business days → Tuesday 16:00', () => {
    const due = addBusinessDays(usDays, at('2025-06-06T16:00', NEW_YORK), 2);
    expect(local(due, NEW_YORK)).toBe('2025-06-10T16:00:00-04:00');
  });

  it('skips Thanksgiving', () => {
    const due = addBusinessDays(usDays, at('2025-11-26T10:00', NEW_YORK), 1);
    expect(local(due, NEW_YORK)).toBe('2025-11-28T10:00:00-05:00');
  });

  it('skips an observed (substitute) holiday', () => {
    const due = addBusinessDays(usDays, at('2026-07-02T12:00', NEW_YORK), 1);
    expect(local(due, NEW_YORK)).toBe('2026-07-06T12:00:00-04:00');
  });

  it('keeps the wall clock across the fall-back weekend', () => {
    // DST ends on Sunday 2 November 2025.
    const due = addBusinessDays(usDays, at('2025-10-31T16:00', NEW_YORK), 1);
    expect(local(due, NEW_YORK)).toBe('2025-11-03T16:00:00-05:00');
    expect(due.toISOString()).toBe('2025-11-03T21:00:00.000Z');
  });

  it('counts from the next business day when submitted on a day off', () => {
    // Saturday: the clock starts Monday 00:00, one business day later is the end of Monday.
    const due = addBusinessDays(usDays, at('2025-06-07T10:00', NEW_YORK), 1);
    expect(local(due, NEW_YORK)).toBe('2025-06-10T00:00:00-04:00');
    const afterHours = addBusinessDays(londonHours, at('2025-06-06T18:00', 'Europe/London'), 1);
    expect(local(afterHours, 'Europe/London')).toBe('2025-06-10T09:00:00+01:00');
  });

  it('returns the clock start for zero days and refuses fractions', () => {
    const due = addBusinessDays(londonHours, at('2025-06-07T10:00', 'Europe/London'), 0);
    expect(local(due, 'Europe/London')).toBe('2025-06-09T09:00:00+01:00');
    expect(() => addBusinessDays(usDays, new Date(), 1.5)).toThrow(RangeError);
  });
});

describe('business time arithmetic (properties)', () => {
  const calendars: BusinessCalendar[] = [usDays, londonHours];
  // Instants over 2024–2026, on a minute grid.
  const instant = fc
    .integer({ min: 0, max: 3 * 365 * 24 * 60 })
    .map((minutes) => new Date(Date.UTC(2024, 0, 1) + minutes * 60_000));

  it('adding a then b equals adding a + b', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...calendars),
        instant,
        fc.integer({ min: 1, max: 40 * 60 }),
        fc.integer({ min: 1, max: 40 * 60 }),
        (calendar, from, a, b) => {
          const stepwise = addBusinessHours(
            calendar,
            addBusinessHours(calendar, from, a / 60),
            b / 60,
          );
          expect(stepwise.getTime()).toBe(addBusinessHours(calendar, from, (a + b) / 60).getTime());
        },
      ),
      { numRuns: 200 },
    );
  });

  it('lands on a business day, later than the start', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...calendars),
        instant,
        fc.integer({ min: 1, max: 10 }),
        (calendar, from, days) => {
          const due = addBusinessDays(calendar, from, days);
          expect(due.getTime()).toBeGreaterThan(from.getTime());
          // Same wall-clock time on the n-th business day after the clock starts.
          expect(isBusinessDay(calendar, due)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
