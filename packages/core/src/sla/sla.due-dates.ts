// SLA due dates of an order, counted on the vendor's business calendar from submission.
import { addBusinessDays, addBusinessHours, businessCalendar } from './calendar.ts';
import type { BusinessCalendar } from './calendar.ts';
import type { BusinessCalendarConfig, SlaDuration, SlaPolicy } from './sla.schema.ts';

export interface SlaDueDates {
  readonly acknowledgeBy?: Date;
  readonly fulfilBy?: Date;
}

// Building a calendar loads the country's holiday rules: do it once per parsed profile.
const calendars = new WeakMap<BusinessCalendarConfig, BusinessCalendar>();

/** The business calendar of an SLA policy, built once per policy object. */
export function calendarOfSla(sla: SlaPolicy): BusinessCalendar {
  let calendar = calendars.get(sla.calendar);
  if (calendar === undefined) {
    calendar = businessCalendar(sla.calendar);
    calendars.set(sla.calendar, calendar);
  }
  return calendar;
}

/** Adds an SLA duration to an instant on a business calendar. */
export function addSlaDuration(
  calendar: BusinessCalendar,
  from: Date,
  duration: SlaDuration,
): Date {
  if (duration.businessHours !== undefined) {
    return addBusinessHours(calendar, from, duration.businessHours);
  }
  if (duration.businessDays !== undefined) {
    return addBusinessDays(calendar, from, duration.businessDays);
  }
  if (duration.hours !== undefined) return new Date(from.getTime() + duration.hours * 3_600_000);
  throw new RangeError('Empty SLA duration');
}

/** When an order submitted at `submittedAt` must be acknowledged and fulfilled. */
export function computeSlaDueDates(sla: SlaPolicy, submittedAt: Date): SlaDueDates {
  const calendar = calendarOfSla(sla);
  return {
    ...(sla.acknowledgeWithin && {
      acknowledgeBy: addSlaDuration(calendar, submittedAt, sla.acknowledgeWithin),
    }),
    ...(sla.fulfilWithin && { fulfilBy: addSlaDuration(calendar, submittedAt, sla.fulfilWithin) }),
  };
}
