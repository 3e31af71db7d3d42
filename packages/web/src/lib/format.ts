/** Dates and times in the user's locale. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso.length === 10 ? `${iso}T00:00:00` : iso);
  return Number.isNaN(date.getTime())
    ? iso
    : new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(date);
}

/**
 * A server's text with the ISO dates and timestamps in it written as dates in the user's locale
 * ("within 30 days of delivery (2026-12-05T08:36:38.855Z)" → "… (Dec 5, 2026)").
 */
export function formatDatesIn(text: string): string {
  return text.replace(
    /\b\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![\w-])/g,
    (iso) => formatDate(iso),
  );
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** "3 h", "2 d": how long ago, for queue ages. */
export function formatAge(iso: string, now: number = Date.now()): string {
  const minutes = Math.max(0, Math.round((now - new Date(iso).getTime()) / 60_000));
  const rtf = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
  if (minutes < 60) return `${rtf.format(minutes)} min`;
  if (minutes < 48 * 60) return `${rtf.format(Math.round(minutes / 60))} h`;
  return `${rtf.format(Math.round(minutes / 1440))} d`;
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat().format(value);
}

/** A user role in words: "order_desk" → "Order desk", and the acronym "cam" → "CAM". */
export function roleLabel(role: string): string {
  return role === 'cam' ? 'CAM' : humanize(role);
}

/** "on_hold" → "On hold". */
export function humanize(key: string): string {
  const text = key.replace(/[_.-]+/g, ' ').trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}
