// The `sla` block of a vendor profile: a business calendar and the SLA targets counted on it.
import type Holidays from 'date-holidays';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { holidaysClass } from './holidays.ts';

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

// Built once: the list of countries and states date-holidays knows.
let holidayDirectory: Holidays | undefined;
const directory = (): Holidays => (holidayDirectory ??= new (holidaysClass())());

// Whether a holiday source's country and region are looked up in date-holidays' data. Loading
// that data takes ~100 ms, and a stored profile was checked against it when it was published:
// re-reading a stored one (the profile cache of a server or of a CLI import) skips the look-up.
let checkHolidayDirectory = true;

/**
 * Runs `parse` (synchronous: a schema's safeParse) without looking holiday countries and
 * regions up in date-holidays' data; for profiles read back from storage, checked when saved.
 */
export function withoutHolidayDirectory<T>(parse: () => T): T {
  const before = checkHolidayDirectory;
  checkHolidayDirectory = false;
  try {
    return parse();
  } finally {
    checkHolidayDirectory = before;
  }
}

/** ISO weekday numbers, Monday = 1 … Sunday = 7 (luxon's numbering). */
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const holidaySourceSchema = z
  .strictObject({
    /** ISO 3166-1 alpha-2 country whose public holidays are days off, e.g. "US". */
    country: z.string().regex(/^[A-Z]{2}$/, 'Expected an ISO 3166-1 alpha-2 code such as "US"'),
    /** State or province (date-holidays' "state"), e.g. "CA" or "BY". */
    region: z.string().min(1).optional(),
    /** Further days off (company shutdowns), ISO dates. */
    extraDates: z.array(z.iso.date()).default([]),
  })
  .superRefine((source, ctx) => {
    if (!checkHolidayDirectory) return;
    const countries = directory().getCountries();
    if (!(source.country in countries)) {
      ctx.addIssue({
        code: 'custom',
        path: ['country'],
        message: `No holiday data for country "${source.country}"`,
      });
    } else if (source.region !== undefined) {
      const states = directory().getStates(source.country) ?? {};
      if (!(source.region in states)) {
        ctx.addIssue({
          code: 'custom',
          path: ['region'],
          message: `Unknown region "${source.region}" of ${source.country}; known: ${Object.keys(states).join(', ') || 'none'}`,
        });
      }
    }
  });

export const businessCalendarConfigSchema = z.strictObject({
  /** IANA time zone the calendar's days and hours are counted in. */
  timeZone: z
    .string()
    .refine(
      (zone) => IANAZone.isValidZone(zone),
      'Expected an IANA time zone such as "Europe/Berlin"',
    )
    .default('UTC'),
  workingDays: z
    .array(z.literal(WEEKDAYS))
    .min(1)
    .refine((days) => new Set(days).size === days.length, 'Working days must not repeat')
    .default([1, 2, 3, 4, 5]),
  /** Without working hours a business day counts in full (midnight to midnight). */
  workingHours: z
    .strictObject({
      start: z.string().regex(HH_MM, 'Expected a time as HH:mm'),
      end: z.string().regex(HH_MM, 'Expected a time as HH:mm'),
    })
    .refine((hours) => hours.start < hours.end, {
      message: 'Working hours must end after they start',
      path: ['end'],
    })
    .optional(),
  holidays: holidaySourceSchema.optional(),
});
export type BusinessCalendarConfig = z.output<typeof businessCalendarConfigSchema>;
export type BusinessCalendarConfigInput = z.input<typeof businessCalendarConfigSchema>;

/**
 * An SLA duration: exactly one of `businessHours` (working time only; whole business days
 * count 24 h when the calendar has no working hours), `businessDays`, or `hours` (wall clock).
 */
export const slaDurationSchema = z
  .strictObject({
    businessHours: z.number().positive().optional(),
    businessDays: z.number().int().positive().optional(),
    hours: z.number().positive().optional(),
  })
  .refine(
    (duration) => Object.values(duration).filter((value) => value !== undefined).length === 1,
    'Give exactly one of businessHours, businessDays or hours',
  );
export type SlaDuration = z.output<typeof slaDurationSchema>;

export const slaPolicySchema = z.strictObject({
  calendar: businessCalendarConfigSchema.prefault({}),
  /** Time to the vendor's first action on a submitted order (approve, hold or reject). */
  acknowledgeWithin: slaDurationSchema.optional(),
  /** Time from submission to completion. */
  fulfilWithin: slaDurationSchema.optional(),
  /**
   * How long the CAM has to act on an escalated order before it goes on to the profile's
   * escalation contact (DEFAULT_ESCALATION_WINDOW when absent).
   */
  escalationWindow: slaDurationSchema.optional(),
});
export type SlaPolicy = z.output<typeof slaPolicySchema>;

/** The CAM's window on an escalation when the profile names none: one business day's hours. */
export const DEFAULT_ESCALATION_WINDOW: SlaDuration = { businessHours: 8 };
export type SlaPolicyInput = z.input<typeof slaPolicySchema>;
