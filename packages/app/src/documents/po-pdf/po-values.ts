/** Reading amounts, quantities and dates as printed on purchase orders. */

const CURRENCY_SYMBOLS: Record<string, string> = {
  $: 'USD',
  US$: 'USD',
  '€': 'EUR',
  '£': 'GBP',
  '¥': 'JPY',
  CHF: 'CHF',
  C$: 'CAD',
  A$: 'AUD',
};

const ISO_CURRENCIES = [
  'USD',
  'EUR',
  'GBP',
  'CHF',
  'JPY',
  'CAD',
  'AUD',
  'NZD',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'HUF',
  'INR',
  'CNY',
  'SGD',
  'HKD',
  'ZAR',
  'BRL',
  'MXN',
] as const;

export interface Amount {
  /** A plain decimal string: "1234.50", "-12", "17". */
  value: string;
  currency?: string;
  /** The currency came from a symbol ("$") rather than a code. */
  currencyFromSymbol?: boolean;
}

const AMOUNT_PATTERN =
  /^(?<pre>[A-Z]{3}|US\$|C\$|A\$|[$€£¥])?\s*(?<sign>[-−])?\s*(?<pre2>[$€£¥])?\s*(?<num>\d{1,3}(?:[,.' \u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)\s*(?<post>[A-Z]{3}|[$€£¥])?$/u;

/** "$6,547.55" → { value: "6547.55", currency: "USD" }; "1.234,50 €" → "1234.50" EUR. */
export function parseAmount(text: string): Amount | undefined {
  const match = AMOUNT_PATTERN.exec(text.trim().replace(/^\((.*)\)$/, '-$1'));
  if (!match?.groups) return undefined;
  const { pre, sign, pre2, num, post } = match.groups;
  const marker = pre ?? pre2 ?? post;
  if (
    marker &&
    /^[A-Z]{3}$/.test(marker) &&
    !(ISO_CURRENCIES as readonly string[]).includes(marker)
  ) {
    return undefined;
  }
  const value = normalizeNumber(num!);
  if (value === undefined) return undefined;
  const amount: Amount = { value: sign ? `-${value}` : value };
  if (marker) {
    const symbol = CURRENCY_SYMBOLS[marker];
    amount.currency = symbol ?? marker;
    if (symbol && marker !== 'CHF') amount.currencyFromSymbol = true;
  }
  return amount;
}

/** "1,234.50" → "1234.50", "1.234,50" → "1234.50", "1 234" → "1234", "12,5" → "12.5". */
export function normalizeNumber(text: string): string | undefined {
  const compact = text.replace(/[\s\u00a0\u202f']/g, '');
  const lastDot = compact.lastIndexOf('.');
  const lastComma = compact.lastIndexOf(',');
  let integer: string;
  let fraction = '';
  if (lastDot >= 0 && lastComma >= 0) {
    const decimal = lastDot > lastComma ? '.' : ',';
    const at = Math.max(lastDot, lastComma);
    integer = compact.slice(0, at).replace(/[.,]/g, '');
    fraction = compact.slice(at + 1);
    if (decimal === ',' && fraction.includes('.')) return undefined;
  } else if (lastDot >= 0 || lastComma >= 0) {
    const separator = lastDot >= 0 ? '.' : ',';
    const parts = compact.split(separator);
    // Repeated separators or exactly three digits after a comma are thousands groups.
    const grouped =
      parts.length > 2 || (separator === ',' && parts[1]!.length === 3 && parts[0] !== '0');
    if (grouped) {
      if (!parts.slice(1).every((part) => part.length === 3)) return undefined;
      integer = parts.join('');
    } else {
      integer = parts[0]!;
      fraction = parts[1]!;
    }
  } else {
    integer = compact;
  }
  if (!/^\d+$/.test(integer) || !/^\d*$/.test(fraction)) return undefined;
  integer = integer.replace(/^0+(?=\d)/, '');
  return fraction ? `${integer}.${fraction}` : integer;
}

/** An ISO 4217 code standing alone or next to an amount ("EUR", "Currency: CHF"). */
export function findCurrencyCode(text: string): string | undefined {
  const match = /\b([A-Z]{3})\b/.exec(text);
  const code = match?.[1];
  return code && (ISO_CURRENCIES as readonly string[]).includes(code) ? code : undefined;
}

const MONTHS = [
  'jan',
  'feb',
  'mar',
  'apr',
  'may',
  'jun',
  'jul',
  'aug',
  'sep',
  'oct',
  'nov',
  'dec',
] as const;

export interface ParsedDate {
  iso: string;
  /** Day and month could be either way round (4/5/2019) and the order was guessed. */
  ambiguous: boolean;
}

function isoDate(year: number, month: number, day: number): string | undefined {
  if (year < 100) year += 2000;
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1900 || year > 2199) {
    return undefined;
  }
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCDate() !== day) return undefined;
  return date.toISOString().slice(0, 10);
}

function monthOf(name: string): number | undefined {
  const index = MONTHS.indexOf(name.slice(0, 3).toLowerCase() as (typeof MONTHS)[number]);
  return index < 0 ? undefined : index + 1;
}

/**
 * A date as printed: ISO, numeric with `/`, `.` or `-` (dots mean day first; slashes are read
 * month first, as on US forms, unless `dayFirst` or the numbers say otherwise), or with a
 * month name ("15 Oct 2014", "October 15, 2014").
 */
export function parseDate(
  text: string,
  options: { dayFirst?: boolean } = {},
): ParsedDate | undefined {
  const trimmed = text.trim().replace(/\s+\d{1,2}:\d{2}(:\d{2})?(\s*[AP]M)?$/i, '');
  let match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(trimmed);
  if (match) {
    const iso = isoDate(Number(match[1]), Number(match[2]), Number(match[3]));
    return iso ? { iso, ambiguous: false } : undefined;
  }
  match = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})$/.exec(trimmed);
  if (match) {
    const first = Number(match[1]);
    const second = Number(match[3]);
    const year = Number(match[4]);
    let dayFirst = match[2] === '.' || options.dayFirst === true;
    if (first > 12) dayFirst = true;
    else if (second > 12) dayFirst = false;
    const iso = dayFirst ? isoDate(year, second, first) : isoDate(year, first, second);
    return iso ? { iso, ambiguous: first <= 12 && second <= 12 && first !== second } : undefined;
  }
  match = /^(\d{1,2})\.?\s+([A-Za-zä]+)\.?,?\s+(\d{4})$/.exec(trimmed);
  if (match) {
    const month = monthOf(match[2]!);
    const iso = month ? isoDate(Number(match[3]), month, Number(match[1])) : undefined;
    return iso ? { iso, ambiguous: false } : undefined;
  }
  match = /^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/.exec(trimmed);
  if (match) {
    const month = monthOf(match[1]!);
    const iso = month ? isoDate(Number(match[3]), month, Number(match[2])) : undefined;
    return iso ? { iso, ambiguous: false } : undefined;
  }
  return undefined;
}
