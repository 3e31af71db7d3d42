import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { PriceListFormat } from './price-list-import.ts';

// Writes a price list as CSV or XLSX into a stream, row by row (exceljs's streaming
// WorkbookWriter for XLSX), with the columns the importer reads: an export re-imports as is.
// XLSX cells are plain strings (never formulas), so only CSV needs neutralising.

export const EXPORT_COLUMNS = [
  'partNumber',
  'name',
  'type',
  'category',
  'listPrice',
  'effectiveFrom',
  'description',
  'billingTerm',
  'ships',
] as const;

export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string>;

/**
 * Cells a spreadsheet would run as a formula (OWASP "CSV injection"): `=`, `+`, `-`, `@`, tab
 * or CR first. Leading apostrophes are looked through so that neutralising stays reversible:
 * "'=x" gets a second apostrophe, and stripping one on import gives "'=x" back.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;
const NEUTRALISED = /^'+[=+\-@\t\r]/;

/** A cell made inert for spreadsheets: an apostrophe before a formula-like start. */
export function neutraliseCsvCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/**
 * The inverse of neutraliseCsvCell, for the CSV importer: drops exactly the apostrophe the
 * export added, so an exported price list (a product named "-Foo") re-imports unchanged.
 */
export function restoreCsvCell(value: string): string {
  return NEUTRALISED.test(value) ? value.slice(1) : value;
}

/**
 * One CSV field: neutralised against formula injection, then quoted when it holds a
 * delimiter, quote or line break (RFC 4180). Every CSV the product writes goes through here.
 */
export function csvField(value: string): string {
  const safe = neutraliseCsvCell(value);
  return /[",;\r\n\t]/.test(safe) || /^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/** Writes the rows to `out` in the format and ends it. */
export async function writePriceList(
  out: Writable,
  format: PriceListFormat,
  rows: AsyncIterable<ExportRow>,
): Promise<void> {
  if (format === 'csv') {
    await write(out, `${EXPORT_COLUMNS.join(',')}\r\n`);
    for await (const row of rows) {
      await write(out, `${EXPORT_COLUMNS.map((c) => csvField(row[c])).join(',')}\r\n`);
    }
    out.end();
    return;
  }
  // Loaded on first use (a third of a second); inline strings, no shared-string table: a
  // streaming reader then never has to wait for it.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useSharedStrings: false,
    useStyles: false,
  });
  const sheet = workbook.addWorksheet('Price list');
  sheet.addRow([...EXPORT_COLUMNS]).commit();
  for await (const row of rows) {
    // Prices stay text: a decimal string is exact, a spreadsheet number is a binary float.
    sheet.addRow(EXPORT_COLUMNS.map((c) => row[c])).commit();
  }
  sheet.commit();
  await workbook.commit();
}
