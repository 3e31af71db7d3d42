import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { slaPolicySchema } from './sla.schema.ts';
import type { SlaPolicyInput } from './sla.schema.ts';
import { calendarOfSla, computeSlaDueDates } from './sla.due-dates.ts';

const NEW_YORK = 'America/New_York';
const at = (local: string): Date => DateTime.fromISO(local, { zone: NEW_YORK }).toJSDate();
const local = (date: Date | undefined): string | undefined =>
  date &&
  (DateTime.fromJSDate(date, { zone: NEW_YORK }).toISO({ suppressMilliseconds: true }) ?? '');
const policy = (input: SlaPolicyInput) => slaPolicySchema.parse(input);

// The edgeworks targets: acknowledge within 24 h, fulfil within 2 (business) days.
const edgeworks = policy({
  calendar: { timeZone: NEW_YORK, holidays: { country: 'US' } },
  acknowledgeWithin: { businessHours: 24 },
  fulfilWithin: { businessDays: 2 },
});

describe('computeSlaDueDates', () => {
  it('Friday 16:00 → acknowledge Monday 16:00, fulfil Tuesday 16:00', () => {
    const due = computeSlaDueDates(edgeworks, at('2025-06-06T16:00'));
    expect(local(due.acknowledgeBy)).toBe('2025-06-09T16:00:00-04:00');
    expect(local(due.fulfilBy)).toBe('2025-06-10T16:00:00-04:00');
  });

  it('over a public holiday (Memorial Day)', () => {
    const due = computeSlaDueDates(edgeworks, at('2025-05-23T16:00'));
    expect(local(due.acknowledgeBy)).toBe('2025-05-27T16:00:00-04:00');
    expect(local(due.fulfilBy)).toBe('2025-05-28T16:00:00-04:00');
  });

  it('across a DST change', () => {
    const due = computeSlaDueDates(edgeworks, at('2025-03-07T16:00'));
    expect(local(due.acknowledgeBy)).toBe('2025-03-10T16:00:00-04:00');
    expect(local(due.fulfilBy)).toBe('2025-03-11T16:00:00-04:00');
    // 72 real hours minus the hour lost on Sunday.
    expect(due.acknowledgeBy!.getTime() - at('2025-03-07T16:00').getTime()).toBe(71 * 3_600_000);
  });

  it('submitted on a Saturday: the clocks start on Monday', () => {
    const due = computeSlaDueDates(edgeworks, at('2025-06-07T09:30'));
    expect(local(due.acknowledgeBy)).toBe('2025-06-10T00:00:00-04:00');
    expect(local(due.fulfilBy)).toBe('2025-06-11T00:00:00-04:00');
  });

  it('counts working hours when the calendar has them', () => {
    const officeHours = policy({
      calendar: {
        timeZone: NEW_YORK,
        workingHours: { start: '09:00', end: '17:00' },
        holidays: { country: 'US' },
      },
      acknowledgeWithin: { businessHours: 4 },
      fulfilWithin: { businessDays: 1 },
    });
    const due = computeSlaDueDates(officeHours, at('2025-06-06T16:00'));
    expect(local(due.acknowledgeBy)).toBe('2025-06-09T12:00:00-04:00');
    expect(local(due.fulfilBy)).toBe('2025-06-09T16:00:00-04:00');
  });

  it('wall-clock hours ignore the calendar', () => {
    const due = computeSlaDueDates(
      policy({ acknowledgeWithin: { hours: 24 } }),
      new Date('2025-06-07T10:00:00Z'),
    );
    expect(due).toEqual({ acknowledgeBy: new Date('2025-06-08T10:00:00Z') });
  });

  it('has no due dates without targets', () => {
    expect(computeSlaDueDates(policy({}), new Date('2025-06-06T16:00:00Z'))).toEqual({});
  });

  it('builds the calendar once per policy', () => {
    expect(calendarOfSla(edgeworks)).toBe(calendarOfSla(edgeworks));
  });
});
