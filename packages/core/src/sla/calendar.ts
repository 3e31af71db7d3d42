// A business calendar: working days, optional working hours and public holidays in one time
// zone. All arithmetic happens on the calendar's local wall clock (luxon), so a due time stays
// at 16:00 across a DST change.
import { DateTime } from 'luxon';
import { holidaysClass } from './holidays.ts';
import { businessCalendarConfigSchema } from './sla.schema.ts';
import type { BusinessCalendarConfig, BusinessCalendarConfigInput } from './sla.schema.ts';

// No calendar has a year without a working day; this only stops a runaway loop.
const MAX_DAYS_SCANNED = 3 * 366;

interface DayWindow {
  readonly start: DateTime;
  readonly end: DateTime;
}

export interface BusinessCalendar {
  readonly config: BusinessCalendarConfig;
  readonly timeZone: string;
  /** The working window of a local day (its start of day in the calendar's zone), or null. */
  readonly windowOf: (day: DateTime) => DayWindow | null;
}

/** Builds a business calendar from its profile configuration (validated here). */
export function businessCalendar(
  input: BusinessCalendarConfigInput | BusinessCalendarConfig,
): BusinessCalendar {
  const config = businessCalendarConfigSchema.parse(input);
  const zone = config.timeZone;
  const source = config.holidays;
  const holidays =
    source === undefined
      ? undefined
      : source.region === undefined
        ? new (holidaysClass())(source.country, { types: ['public'] })
        : new (holidaysClass())(source.country, source.region, { types: ['public'] });
  const extra = new Set(source?.extraDates ?? []);

  // date -> null for a whole day off, or the local "HH:mm" at which a half-day holiday
  // starts. date-holidays gives local date strings ("2025-12-24 14:00:00"): compare those,
  // not instants, and keep public holidays only (bank and observance days are worked).
  const years = new Map<number, Map<string, string | null>>();
  const holidaysOfYear = (year: number): Map<string, string | null> => {
    let days = years.get(year);
    if (days === undefined) {
      days = new Map();
      for (const holiday of holidays?.getHolidays(year) ?? []) {
        if (holiday.type !== 'public') continue;
        const date = holiday.date.slice(0, 10);
        const time = holiday.date.slice(11, 16);
        if (days.get(date) === null) continue;
        days.set(date, time === '00:00' ? null : time);
      }
      years.set(year, days);
    }
    return days;
  };

  const atTime = (day: DateTime, hhmm: string): DateTime =>
    day.set({ hour: Number(hhmm.slice(0, 2)), minute: Number(hhmm.slice(3, 5)) });

  const windowOf = (day: DateTime): DayWindow | null => {
    const local = day.setZone(zone).startOf('day');
    if (!(config.workingDays as readonly number[]).includes(local.weekday)) return null;
    const date = local.toISODate() ?? '';
    if (extra.has(date)) return null;
    const holiday = holidaysOfYear(local.year).get(date);
    if (holiday === null) return null;
    const hours = config.workingHours;
    const start = hours === undefined ? local : atTime(local, hours.start);
    let end =
      hours === undefined ? local.plus({ days: 1 }).startOf('day') : atTime(local, hours.end);
    // Half-day holidays (some countries stop at 12:00 or 14:00): the morning is worked.
    if (holiday !== undefined) {
      const stop = atTime(local, holiday);
      if (stop < end) end = stop;
    }
    return end > start ? { start, end } : null;
  };

  return { config, timeZone: zone, windowOf };
}

const toLocal = (calendar: BusinessCalendar, at: Date): DateTime =>
  DateTime.fromJSDate(at, { zone: calendar.timeZone });

/** Whether the local day containing `at` has working time. */
export function isBusinessDay(calendar: BusinessCalendar, at: Date): boolean {
  return calendar.windowOf(toLocal(calendar, at)) !== null;
}

/** Whether an ISO date (YYYY-MM-DD, in the calendar's zone) is a business day. */
export function isBusinessDate(calendar: BusinessCalendar, isoDate: string): boolean {
  const day = DateTime.fromISO(isoDate, { zone: calendar.timeZone });
  if (!day.isValid) throw new RangeError(`Not an ISO date: ${isoDate}`);
  return calendar.windowOf(day) !== null;
}

// The first working instant at or after `from`, with the window it falls in.
function firstWorkingInstant(
  calendar: BusinessCalendar,
  from: DateTime,
): { at: DateTime; window: DayWindow } {
  let day = from.startOf('day');
  for (let scanned = 0; scanned < MAX_DAYS_SCANNED; scanned += 1) {
    const window = calendar.windowOf(day);
    if (window !== null && from < window.end) {
      return { at: from > window.start ? from : window.start, window };
    }
    day = day.plus({ days: 1 }).startOf('day');
  }
  throw new RangeError(`No business day within ${MAX_DAYS_SCANNED} days of ${from.toISO()}`);
}

/** The first working instant at or after `from` (the moment an SLA clock starts running). */
export function nextBusinessInstant(calendar: BusinessCalendar, from: Date): Date {
  return firstWorkingInstant(calendar, toLocal(calendar, from)).at.toJSDate();
}

/** Adds working time: only hours inside working windows count (real elapsed time). */
export function addBusinessHours(calendar: BusinessCalendar, from: Date, hours: number): Date {
  if (!Number.isFinite(hours) || hours < 0) throw new RangeError(`Invalid hours: ${hours}`);
  let remaining = Math.round(hours * 3_600_000);
  if (remaining === 0) return from;
  let cursor = toLocal(calendar, from);
  for (;;) {
    const { at, window } = firstWorkingInstant(calendar, cursor);
    const available = window.end.toMillis() - at.toMillis();
    if (remaining <= available) return at.plus({ milliseconds: remaining }).toJSDate();
    remaining -= available;
    cursor = window.end;
  }
}

/**
 * Adds whole business days: the clock starts at the first working instant at or after `from`
 * and the result is the same local time `days` business days later (within that day's window).
 */
export function addBusinessDays(calendar: BusinessCalendar, from: Date, days: number): Date {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`Invalid days: ${days}`);
  const { at, window } = firstWorkingInstant(calendar, toLocal(calendar, from));
  if (days === 0) return at.toJSDate();
  let day = window.start.startOf('day');
  let target: DayWindow | null = null;
  for (let counted = 0, scanned = 0; counted < days; scanned += 1) {
    if (scanned > MAX_DAYS_SCANNED) {
      throw new RangeError(`Not enough business days after ${at.toISO()}`);
    }
    day = day.plus({ days: 1 }).startOf('day');
    target = calendar.windowOf(day);
    if (target !== null) counted += 1;
  }
  if (target === null) throw new RangeError('Unreachable: no target window');
  // Same wall-clock time (16:00 stays 16:00 over a DST change); a half day ends it early.
  const due = target.start.startOf('day').set({
    hour: at.hour,
    minute: at.minute,
    second: at.second,
    millisecond: at.millisecond,
  });
  if (due < target.start) return target.start.toJSDate();
  return (due > target.end ? target.end : due).toJSDate();
}
