const formatters = new Map<string, Intl.DateTimeFormat>();

/** The last answer per time zone, for the minute it was asked in (dates change on the minute). */
const lastAnswers = new Map<string, { minute: number; today: string }>();

/** Today's date (ISO YYYY-MM-DD) in an IANA time zone. */
export function todayIn(timeZone: string, now: Date): string {
  const minute = Math.floor(now.getTime() / 60_000);
  const last = lastAnswers.get(timeZone);
  if (last?.minute === minute) return last.today;
  const today = formatToday(timeZone, now);
  lastAnswers.set(timeZone, { minute, today });
  return today;
}

function formatToday(timeZone: string, now: Date): string {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  const parts = format.formatToParts(now);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/**
 * An instant as a person reads it in a mail, in a time zone: `Friday 5 December 2026, 09:16
 * (America/New_York)`; `UTC` when none is given. Mails are read by people, not parsed.
 */
export function formatInstantForMail(iso: string, timeZone = 'UTC'): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const text = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
  return `${text.replace(' at ', ', ')} (${timeZone})`;
}
