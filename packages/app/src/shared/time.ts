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
