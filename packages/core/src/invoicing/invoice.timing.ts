// When an invoice is issued and when it is due. Issue: `businessDays.min` business days after
// the profile's event (booking or completion), at the start of that business day in the
// vendor's calendar (so an order booked on a Friday before a Monday holiday is invoiced on
// Tuesday); 0 days means at once. Due: the issue date plus the payment terms, in calendar days.
import { DateTime } from 'luxon';
import type { InvoicingPolicy } from '../profile/profile.schema.ts';
import type { BusinessCalendar } from '../sla/calendar.ts';

// No calendar has a year without a working day; this only stops a runaway loop.
const MAX_DAYS_SCANNED = 3 * 366;

/** The instant an invoice for an event at `eventAt` falls due for issuing. */
export function invoiceIssueAt(
  calendar: BusinessCalendar,
  timing: InvoicingPolicy['timing'],
  eventAt: Date,
): Date {
  const days = timing.businessDays.min;
  if (days === 0) return eventAt;
  let day = DateTime.fromJSDate(eventAt, { zone: calendar.timeZone }).startOf('day');
  for (let counted = 0, scanned = 0; scanned < MAX_DAYS_SCANNED; scanned += 1) {
    day = day.plus({ days: 1 }).startOf('day');
    const window = calendar.windowOf(day);
    if (window === null) continue;
    counted += 1;
    if (counted === days) return window.start.toJSDate();
  }
  throw new RangeError(`No ${days} business days after ${eventAt.toISOString()}`);
}

/** The local issue date (YYYY-MM-DD in the calendar's zone) of an invoice issued at `at`. */
export function invoiceDateOf(timeZone: string, at: Date): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toISODate() ?? '';
}

/** The due date: the issue date plus the payment terms, in calendar days. */
export function invoiceDueDate(issueDate: string, paymentTermsDays: number): string {
  return (
    DateTime.fromISO(issueDate, { zone: 'UTC' }).plus({ days: paymentTermsDays }).toISODate() ?? ''
  );
}
