// Cell values as a partner's spreadsheet writes them, turned into the submission's types.
// Workbooks come from Excel in several locales, LibreOffice and older writers: numbers may be
// text, use a decimal comma or thousands separators, dates may be serial numbers or text.
// Amounts never pass through a binary float when they arrive as text; a numeric cell is
// already a float, and its shortest decimal form is what the partner typed.
import { Decimal } from 'decimal.js';

/** A cell's value as the reader keeps it: the text, or the number / date exceljs gave. */
export type CellValue = string | number | boolean | Date;

export type Converted<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Converted<T> => ({ ok: true, value });
const bad = <T>(message: string): Converted<T> => ({ ok: false, message });

/** The text of a cell (numbers in their shortest form, dates as ISO dates). */
export function textOf(value: CellValue): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return value.trim();
}

function numberText(n: number): string {
  // Avoid "1e-7"-style output: Decimal prints plain digits.
  return new Decimal(n).toFixed();
}

/**
 * A decimal amount from a numeric cell or text: "1234.5", "1,234.50", "1.234,50", "1 234,50",
 * "$ 99.00", "99,5". With both separators the last one is the decimal mark; a lone comma is a
 * decimal comma unless it groups thousands ("1,234", "12,345,678").
 */
export function toDecimal(value: CellValue): Converted<string> {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return bad('Not a number');
    return ok(numberText(value));
  }
  if (typeof value !== 'string') return bad('Expected an amount such as 1234.50');
  let s = value
    .trim()
    .replace(/[\s\u00a0\u202f']/g, '')
    .replace(/^[A-Z]{3}|[A-Z]{3}$/g, '')
    .replace(/^[$€£¥]|[$€£¥]$/g, '');
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1);
  }
  if (s.startsWith('-')) {
    negative = !negative;
    s = s.slice(1);
  }
  const lastComma = s.lastIndexOf(',');
  const lastDot = s.lastIndexOf('.');
  if (lastComma >= 0 && lastDot >= 0) {
    const decimalMark = lastComma > lastDot ? ',' : '.';
    const group = decimalMark === ',' ? '.' : ',';
    s = s.split(group).join('');
    if (decimalMark === ',') s = s.replace(',', '.');
  } else if (lastComma >= 0) {
    const groups = s.split(',');
    const head = groups[0] ?? '';
    // "1,234" and "12,345,678" group thousands; "99,5" and "0,125" have a decimal comma.
    const thousands =
      groups.length > 1 &&
      groups.slice(1).every((g) => g.length === 3) &&
      head !== '0' &&
      head.length >= 1 &&
      head.length <= 3;
    s = thousands ? groups.join('') : s.replace(',', '.');
    if (s.includes(',')) return bad(`"${value}" is not an amount`);
  } else if (lastDot >= 0 && s.indexOf('.') !== lastDot) {
    // "1.234.567": dots that group thousands.
    const groups = s.split('.');
    if (groups.slice(1).every((g) => g.length === 3)) s = groups.join('');
    else return bad(`"${value}" is not an amount`);
  }
  if (!/^\d+(\.\d+)?$/.test(s) && !/^\.\d+$/.test(s)) return bad(`"${value}" is not an amount`);
  const d = new Decimal(s);
  return ok((negative ? d.negated() : d).toFixed());
}

/** A whole number from a numeric cell or text ("3", "3.0", "3,0", "1,000"). */
export function toInteger(value: CellValue): Converted<number> {
  const decimal = toDecimal(value);
  if (!decimal.ok) return bad(`"${textOf(value)}" is not a whole number`);
  const d = new Decimal(decimal.value);
  if (!d.isInteger()) return bad(`"${textOf(value)}" is not a whole number`);
  if (d.abs().greaterThan(Number.MAX_SAFE_INTEGER)) return bad('Too large');
  return ok(d.toNumber());
}

// Excel's day 0 is 1899-12-30 (its 1900 leap-year bug folded in for dates after February 1900).
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;

/** An ISO date from a date cell, a serial number (numbers as text too) or text. */
export function toIsoDate(value: CellValue): Converted<string> {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return bad('Not a date');
    return ok(value.toISOString().slice(0, 10));
  }
  if (typeof value === 'number') return serialDate(value);
  if (typeof value !== 'string') return bad('Expected a date such as 2026-01-31');
  const s = value.trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(s);
  if (m) return ymd(Number(m[1]), Number(m[2]), Number(m[3]), value);
  m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(s);
  if (m) return ymd(Number(m[3]), Number(m[2]), Number(m[1]), value);
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    // Day and month can only be told apart when one of them is over 12.
    if (a > 12 && b <= 12) return ymd(Number(m[3]), b, a, value);
    if (b > 12 && a <= 12) return ymd(Number(m[3]), a, b, value);
    if (a === b) return ymd(Number(m[3]), a, b, value);
    return bad(`"${value}" could be day/month or month/day: write it as YYYY-MM-DD`);
  }
  if (/^\d+(\.\d+)?$/.test(s)) return serialDate(Number(s));
  return bad(`"${value}" is not a date: write it as YYYY-MM-DD`);
}

function serialDate(serial: number): Converted<string> {
  // 2000-01-01 … 2099-12-31: the dates an order may carry.
  if (!Number.isFinite(serial) || serial < 36_526 || serial > 73_050) {
    return bad(`${serial} is not a date between 2000 and 2099`);
  }
  return ok(new Date(EXCEL_EPOCH_MS + Math.floor(serial) * DAY_MS).toISOString().slice(0, 10));
}

function ymd(y: number, m: number, d: number, raw: string): Converted<string> {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return bad(`"${raw}" is not a date`);
  }
  return ok(date.toISOString().slice(0, 10));
}

const YES = new Set(['yes', 'y', 'true', '1', 'x', 'ja', 'oui', 'si', 'sí', 'confirmed']);
const NO = new Set(['no', 'n', 'false', '0', 'nein', 'non']);

/** Yes / No (and TRUE / FALSE, 1 / 0). */
export function toBoolean(value: CellValue): Converted<boolean> {
  if (typeof value === 'boolean') return ok(value);
  const s = textOf(value).toLowerCase();
  if (YES.has(s)) return ok(true);
  if (NO.has(s)) return ok(false);
  return bad(`"${textOf(value)}" is neither Yes nor No`);
}

/** Entries of a list cell: separated by ";", "," (when there is no ";") or line breaks. */
export function toList(value: CellValue): string[] {
  const s = textOf(value);
  const separator = /[;\n\r]/.test(s) ? /[;\n\r]+/ : /,/;
  return s
    .split(separator)
    .map((x) => x.trim())
    .filter((x) => x !== '');
}
