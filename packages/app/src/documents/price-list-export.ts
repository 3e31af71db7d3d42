import { once } from 'node:events';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { PriceListFormat } from './price-list-import.ts';

// Writes a price list as CSV or XLSX into a stream, row by row (exceljs's streaming
// WorkbookWriter for XLSX), with the columns the importer reads: an export re-imports as is.

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

/** One CSV field, quoted when it holds a delimiter, quote or line break (RFC 4180). */
export function csvField(value: string): string {
  return /[",;\r\n\t]/.test(value) || /^\s|\s$/.test(value)
    ? `"${value.replace(/"/g, '""')}"`
    : value;
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
  // Inline strings, no shared-string table: a streaming reader then never has to wait for it.
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
