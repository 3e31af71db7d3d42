// Calendar arithmetic on ISO dates ("2028-02-29"), with no time zone and no clock: a date is
// a day on the vendor's calendar, already resolved by the caller.

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

interface CalendarDay {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** Days in `month` (1–12) of `year`, Gregorian. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function parseIsoDate(text: string): CalendarDay {
  const match = ISO_DATE.exec(text.slice(0, 10));
  const year = Number(match?.[1]);
  const month = Number(match?.[2]);
  const day = Number(match?.[3]);
  if (match === null || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(`"${text}" is not an ISO date`);
  }
  return { year, month, day };
}

function formatIsoDate({ year, month, day }: CalendarDay): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Whether `text` is a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(text: string): boolean {
  if (text.length !== 10) return false;
  try {
    parseIsoDate(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * `isoDate` plus `months` calendar months (negative goes back). A day the target month does
 * not have becomes its last day, so a term never spills into the next month:
 * 2028-02-29 + 12 months = 2029-02-28, 2025-01-31 + 1 month = 2025-02-28.
 */
export function addMonths(isoDate: string, months: number): string {
  if (!Number.isInteger(months)) throw new RangeError(`${months} is not a whole number of months`);
  const { year, month, day } = parseIsoDate(isoDate);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12 + 1;
  if (targetYear < 0 || targetYear > 9999) throw new RangeError('Date out of range');
  return formatIsoDate({
    year: targetYear,
    month: targetMonth,
    day: Math.min(day, daysInMonth(targetYear, targetMonth)),
  });
}

/** `isoDate` plus `years` calendar years; 29 February becomes 28 February in a common year. */
export function addYears(isoDate: string, years: number): string {
  if (!Number.isInteger(years)) throw new RangeError(`${years} is not a whole number of years`);
  return addMonths(isoDate, years * 12);
}

/** `isoDate` plus `days` days (negative goes back). */
export function addDays(isoDate: string, days: number): string {
  if (!Number.isInteger(days)) throw new RangeError(`${days} is not a whole number of days`);
  const { year, month, day } = parseIsoDate(isoDate);
  const date = new Date(Date.UTC(year, month - 1, day + days));
  return formatIsoDate({
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
  });
}

/** The later of two ISO dates. */
export function laterDate(a: string, b: string): string {
  parseIsoDate(a);
  parseIsoDate(b);
  return a >= b ? a : b;
}
