// Text normalization and date spellings for matching a clause against what a partner wrote.
import { DateTime } from 'luxon';

/** Text reduced for comparison, with the position in the source of every character kept. */
export interface NormalizedText {
  /** Lower case, no whitespace at all, one quote character, one dash character. */
  readonly text: string;
  /** `origin[i]` is the index in `source` of `text[i]`; `origin[text.length]` is `source.length`. */
  readonly origin: Int32Array;
  /** The input after Unicode NFC composition; `origin` points into it. */
  readonly source: string;
}

// Whitespace is dropped entirely rather than collapsed: PDF text extraction and line wrapping
// add and lose spaces unpredictably ("Order ,signed", "Distri butor"), and a clause is long
// enough that spacing never changes its meaning.
const QUOTES = new Set([...`"'\`´“”„‟″‶〃‘’‚‛′‵«»‹›＂＇`]);
const DASHES = new Set([...'-‐‑‒–—―−﹘﹣－']);
const INVISIBLE = new Set([...'\u00AD\u200B\u200C\u200D\u2060']);

/** Normalize text for clause matching (case, whitespace, quote and dash styles). */
export function normalizeText(input: string): NormalizedText {
  const source = input.normalize('NFC');
  const out: string[] = [];
  const origin: number[] = [];
  for (let i = 0; i < source.length; i++) {
    const code = source.charCodeAt(i);
    if (code < 128) {
      // ASCII fast path.
      if (code === 32 || (code >= 9 && code <= 13)) continue;
      if (code >= 65 && code <= 90) out.push(String.fromCharCode(code + 32));
      else if (code === 39 || code === 96) out.push('"');
      else out.push(source[i] ?? '');
      origin.push(i);
      continue;
    }
    const ch = source[i] ?? '';
    if (/\s/.test(ch) || INVISIBLE.has(ch)) continue;
    const mapped = QUOTES.has(ch) ? '"' : DASHES.has(ch) ? '-' : ch.toLowerCase();
    // Push UTF-16 units one by one so that `origin` stays aligned with `text`.
    for (let j = 0; j < mapped.length; j++) {
      out.push(mapped[j] ?? '');
      origin.push(i);
    }
  }
  origin.push(source.length);
  return { text: out.join(''), origin: Int32Array.from(origin), source };
}

/** The source text behind `normalized.text.slice(start, end)`, whitespace collapsed. */
export function sourceSlice(normalized: NormalizedText, start: number, end: number): string {
  const from = normalized.origin[start] ?? normalized.source.length;
  const to = end > start ? (normalized.origin[end - 1] ?? from) + 1 : from;
  return collapseWhitespace(normalized.source.slice(from, to));
}

/** Trim and collapse every run of whitespace (NBSP and newlines included) to one space. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

// prettier-ignore
const MONTHS: Readonly<Record<string, number>> = {
  january: 1, jan: 1, february: 2, feb: 2, march: 3, mar: 3, april: 4, apr: 4, may: 5,
  june: 6, jun: 6, july: 7, jul: 7, august: 8, aug: 8, september: 9, sept: 9, sep: 9,
  october: 10, oct: 10, november: 11, nov: 11, december: 12, dec: 12,
};
const MONTH = Object.keys(MONTHS)
  .sort((a, b) => b.length - a.length)
  .join('|');
const WEEKDAY = '(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|mon|tue|wed|thu|fri|sat|sun),? ?';
const ORDINAL = '(?:st|nd|rd|th)?';

/** [year, month, day] from a match; the month may be a name. */
type DatePattern = readonly [RegExp, readonly [number, number, number]];

// Spellings of one date accepted on a PO. Spaces are optional throughout (see normalizeText).
// Numeric day/month order: slashes are US (month/day/year), dots are day.month.year, and a
// four-digit year first is ISO.
const DATE_PATTERNS: readonly DatePattern[] = [
  [/^(\d{4}) ?[-/.] ?(\d{1,2}) ?[-/.] ?(\d{1,2})$/, [1, 2, 3]],
  [/^(\d{1,2}) ?\/ ?(\d{1,2}) ?\/ ?(\d{4})$/, [3, 1, 2]],
  [/^(\d{1,2}) ?\. ?(\d{1,2}) ?\. ?(\d{4})$/, [3, 2, 1]],
  [new RegExp(`^(?:${WEEKDAY})?(${MONTH})\\.? ?(\\d{1,2})${ORDINAL} ?,? ?(\\d{4})$`), [3, 1, 2]],
  [
    new RegExp(
      `^(?:${WEEKDAY})?(?:the ?)?(\\d{1,2})${ORDINAL} ?(?:day ?)?(?:of ?)?(${MONTH})\\.? ?,? ?(\\d{4})$`,
    ),
    [3, 2, 1],
  ],
  [new RegExp(`^(\\d{1,2}) ?- ?(${MONTH})\\.? ?- ?(\\d{4})$`), [3, 2, 1]],
];

/**
 * Read a date written in one of the usual spellings ("March 3, 2021", "3rd March 2021",
 * "Mar 3 2021", "2021-03-03", "03/03/2021" US, "03.03.2021" day first) as an ISO date,
 * or null when it is not one.
 */
export function parseDateSpelling(text: string): string | null {
  const read = readDate(text);
  return read === 'invalid' ? null : read;
}

/** Like `parseDateSpelling`, but tells a date-shaped text naming no real day ("31/02/2021") apart. */
export function readDate(text: string): string | 'invalid' | null {
  if (text.length > 80) return null;
  const cleaned = collapseWhitespace(text)
    .toLowerCase()
    .replace(/[‐‑‒–—―−]/g, '-')
    .replace(/[.,;:]+$/, '');
  for (const [pattern, [y, m, d]] of DATE_PATTERNS) {
    const match = pattern.exec(cleaned);
    if (match === null) continue;
    const month = match[m] ?? '';
    const date = DateTime.fromObject(
      { year: Number(match[y]), month: MONTHS[month] ?? Number(month), day: Number(match[d]) },
      { zone: 'utc' },
    );
    return date.isValid ? date.toISODate() : 'invalid';
  }
  return null;
}
