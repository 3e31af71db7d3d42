// A vendor's special-terms clause is a template with two placeholders, filled per partnership
// (seed 000: "... the Distributor Agreement signed by the parties on DATE shall govern this
// Order as between NAME and <vendor> ...").
import { DateTime } from 'luxon';

/** The placeholders a clause may use. */
export const SPECIAL_TERMS_FIELDS = ['agreementDate', 'partnerLegalName'] as const;
export type SpecialTermsField = (typeof SPECIAL_TERMS_FIELDS)[number];

/** The values a clause is rendered with, from the partnership. */
export interface SpecialTermsValues {
  /** ISO date, YYYY-MM-DD. */
  readonly agreementDate: string;
  readonly partnerLegalName: string;
}

/** A template split into fixed text and placeholders. */
export type SpecialTermsPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'field'; readonly field: SpecialTermsField };

/** The default date format (luxon tokens), e.g. "March 3, 2021". */
export const DEFAULT_SPECIAL_TERMS_DATE_FORMAT = 'MMMM d, yyyy';

// `{{ name }}`: spaces inside the braces are tolerated; anything else between them is a name.
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Split a template into text and placeholders; throws on an unknown placeholder. */
export function parseSpecialTermsTemplate(template: string): SpecialTermsPart[] {
  const parts: SpecialTermsPart[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (!(SPECIAL_TERMS_FIELDS as readonly string[]).includes(name)) {
      throw new RangeError(
        `Unknown placeholder "{{${name}}}" in special terms; use ${SPECIAL_TERMS_FIELDS.map((f) => `{{${f}}}`).join(' or ')}`,
      );
    }
    if (match.index > last) parts.push({ kind: 'text', text: template.slice(last, match.index) });
    parts.push({ kind: 'field', field: name as SpecialTermsField });
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ kind: 'text', text: template.slice(last) });
  return parts;
}

/** Formatted dates and parsed templates, by their inputs: each partnership's repeat per order. */
const formattedDates = new Map<string, string>();
const parsedTemplates = new Map<string, readonly SpecialTermsPart[]>();
const MAX_REMEMBERED = 1000;

function remember<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    if (cache.size >= MAX_REMEMBERED) cache.delete(cache.keys().next().value as string);
    cache.set(key, value);
  }
  return value;
}

/** Format an ISO date (YYYY-MM-DD) with luxon tokens in US English; throws on an invalid date. */
export function formatAgreementDate(
  isoDate: string,
  dateFormat: string = DEFAULT_SPECIAL_TERMS_DATE_FORMAT,
): string {
  return remember(formattedDates, `${dateFormat}\u0000${isoDate}`, () =>
    formatDate(isoDate, dateFormat),
  );
}

function formatDate(isoDate: string, dateFormat: string): string {
  const date = ISO_DATE.test(isoDate)
    ? DateTime.fromISO(isoDate, { zone: 'utc', locale: 'en-US' })
    : null;
  if (date === null || !date.isValid) throw new RangeError(`"${isoDate}" is not an ISO date`);
  return date.toFormat(dateFormat);
}

/** Fill a clause template with a partnership's agreement date and legal name. */
export function renderSpecialTerms(
  template: string,
  values: SpecialTermsValues,
  dateFormat: string = DEFAULT_SPECIAL_TERMS_DATE_FORMAT,
): string {
  const date = formatAgreementDate(values.agreementDate, dateFormat);
  return remember(parsedTemplates, template, () => parseSpecialTermsTemplate(template))
    .map((part) => {
      if (part.kind === 'text') return part.text;
      return part.field === 'agreementDate' ? date : values.partnerLegalName;
    })
    .join('');
}
