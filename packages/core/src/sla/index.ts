export {
  DEFAULT_ESCALATION_WINDOW,
  WEEKDAYS,
  businessCalendarConfigSchema,
  holidaySourceSchema,
  slaDurationSchema,
  slaPolicySchema,
} from './sla.schema.ts';
export type {
  BusinessCalendarConfig,
  BusinessCalendarConfigInput,
  SlaDuration,
  SlaPolicy,
  SlaPolicyInput,
  Weekday,
} from './sla.schema.ts';
export {
  addBusinessDays,
  addBusinessHours,
  businessCalendar,
  isBusinessDate,
  isBusinessDay,
  nextBusinessInstant,
} from './calendar.ts';
export type { BusinessCalendar } from './calendar.ts';
export { addSlaDuration, calendarOfSla, computeSlaDueDates } from './sla.due-dates.ts';
export type { SlaDueDates } from './sla.due-dates.ts';
