// Reads an order workbook: the vendor's template as OrderDesk wrote it, or as a partner saved
// it again in Excel or LibreOffice. Fields are found by the template's keys (the header
// sheet's "Key" column, the lines sheet's key row) and, when a writer dropped those, by their
// labels. What comes out keeps each value's cell, so every problem points at `Sheet!Cell`.
import type { Workbook, Worksheet } from 'exceljs';
import { inspectXlsx } from '../../shared/uploads/xlsx-inspect.ts';
import { emptyExtraction, type ExtractedPurchaseOrder } from '../extracted-order.ts';
import { textOf, toDecimal, toIsoDate, type CellValue } from './cell-values.ts';
import {
  guardOrderWorkbook,
  ORDER_WORKBOOK_LIMITS,
  type OrderWorkbookLimits,
} from './xlsx-guard.ts';
import { COMPUTED_LINE_KEYS, LINE_FIELD_LABELS, ORDER_FIELD_LABELS } from './template-fields.ts';

export const ORDER_SHEET = 'Order';
export const LINES_SHEET = 'Lines';
/** The first data row of the lines sheet in OrderDesk's template (row 1 labels, row 2 keys). */
export const FIRST_LINE_ROW = 3;

/** One value read from a cell. */
export interface CellRead {
  /** `Order!B4`. */
  cell: string;
  value: CellValue;
}

export interface WorkbookLine {
  /** The sheet row (1-based). */
  row: number;
  /** By field key (`partNumber`, `attributes.hostId`, or `label:<header>` when unknown). */
  cells: Map<string, CellRead>;
}

/** A workbook's order as read, before anything is judged. */
export interface ParsedOrderWorkbook {
  /** By field key (`purchaseOrder.number`, `vendor`, …, or `label:<label>` when unknown). */
  fields: Map<string, CellRead>;
  /** Where each header field's value cell is, filled or not (problems point there). */
  fieldCells: Map<string, string>;
  lines: WorkbookLine[];
  /** The cell of each line column in the first data row, by key (for a missing line's problem). */
  lineColumns: Map<string, string>;
  /** The row a new line would take (where "no lines" points). */
  firstLineRow: number;
  /** Every non-empty cell as "Sheet!A1: text", for clause and phrase searches. */
  text: string;
}

export type WorkbookRead =
  { ok: true; workbook: ParsedOrderWorkbook } | { ok: false; reason: string };

// Labels the reader accepts for the fixed line columns, besides the template's own.
const LINE_SYNONYMS: readonly [RegExp, string][] = [
  [/^(part\s*(number|no\.?|#)|sku|item\s*(number|no\.?|code)|article)$/i, 'partNumber'],
  [/^(quantity|qty\.?|units|seats)$/i, 'quantity'],
  [/^(unit\s*price|price|net\s*unit\s*price|price\s*per\s*unit)$/i, 'unitPrice'],
  [/^(product|description|name)$/i, 'product'],
  [/^(your\s*net\s*price|net\s*price)$/i, 'netPrice'],
  [/^(amount|line\s*total|total|extended\s*price)$/i, 'amount'],
];

const norm = (s: string): string => s.trim().replace(/\s+/g, ' ').toLowerCase();
const ORDER_LABELS = new Map(Object.entries(ORDER_FIELD_LABELS).map(([k, l]) => [norm(l), k]));
const LINE_LABELS = new Map(Object.entries(LINE_FIELD_LABELS).map(([k, l]) => [norm(l), k]));

/** A cell's raw exceljs value as text, number, boolean or date; null when empty. */
function valueOf(raw: unknown): CellValue | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'string') return raw.trim() === '' ? null : raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return raw;
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? null : raw;
  if (typeof raw === 'object') {
    const v = raw as { richText?: { text: string }[]; text?: unknown; result?: unknown };
    if (Array.isArray(v.richText)) return valueOf(v.richText.map((r) => r.text).join(''));
    if ('result' in v) return valueOf(v.result);
    if ('formula' in v || 'sharedFormula' in v) return null; // never calculated
    if (v.text !== undefined) return valueOf(v.text);
  }
  return null;
}

function sheetNamed(workbook: Workbook, name: string): Worksheet | undefined {
  return workbook.worksheets.find((s) => norm(s.name) === norm(name));
}

const address = (sheet: Worksheet, col: number, row: number): string =>
  `${sheet.name}!${columnLetter(col)}${row}`;

export function columnLetter(col: number): string {
  let s = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) {
    s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  }
  return s;
}

function readHeaderSheet(sheet: Worksheet, out: ParsedOrderWorkbook): void {
  // Columns: A label, B value, E key (the template's); a writer that lost column E still has
  // the labels. The first row naming "Field"/"Value" is a heading, not a field.
  let keyCol = 0;
  sheet.getRow(1).eachCell((cell, col) => {
    if (norm(textOf(valueOf(cell.value) ?? '')) === 'key') keyCol = col;
  });
  sheet.eachRow((row, r) => {
    const label = valueOf(row.getCell(1).value);
    const keyText = keyCol > 0 ? valueOf(row.getCell(keyCol).value) : null;
    const labelText = label === null ? '' : textOf(label);
    if (r === 1 && norm(labelText) === 'field') return;
    const key =
      keyText !== null && typeof keyText === 'string' && /^[a-zA-Z][\w.]*$/.test(keyText.trim())
        ? keyText.trim()
        : (ORDER_LABELS.get(norm(labelText)) ??
          (labelText === '' ? null : `label:${labelText.trim()}`));
    if (key === null) return;
    const at = address(sheet, 2, r);
    if (!out.fieldCells.has(key)) out.fieldCells.set(key, at);
    const value = valueOf(row.getCell(2).value);
    if (value !== null && !out.fields.has(key)) out.fields.set(key, { cell: at, value });
  });
}

function lineKeyOf(header: string): string | undefined {
  const n = norm(header);
  const own = LINE_LABELS.get(n);
  if (own) return own;
  for (const [pattern, key] of LINE_SYNONYMS) if (pattern.test(header.trim())) return key;
  return undefined;
}

function readLinesSheet(sheet: Worksheet, out: ParsedOrderWorkbook): void {
  // The header row: the first of the first ten rows naming a part-number column.
  let headerRow = 0;
  for (let r = 1; r <= Math.min(10, sheet.rowCount) && headerRow === 0; r++) {
    sheet.getRow(r).eachCell((cell) => {
      if (lineKeyOf(textOf(valueOf(cell.value) ?? '')) === 'partNumber') headerRow = r;
    });
  }
  if (headerRow === 0) return;
  const keys = new Map<number, string>();
  sheet.getRow(headerRow).eachCell((cell, col) => {
    const header = textOf(valueOf(cell.value) ?? '');
    if (header === '') return;
    keys.set(col, lineKeyOf(header) ?? `label:${header.trim()}`);
  });
  // OrderDesk's template carries the keys in the next row; take them when they are there.
  let first = headerRow + 1;
  const keyRow = sheet.getRow(headerRow + 1);
  let keyed = false;
  keyRow.eachCell((cell) => {
    const v = valueOf(cell.value);
    if (typeof v === 'string' && v.trim() === 'partNumber') keyed = true;
  });
  if (keyed) {
    keyRow.eachCell((cell, col) => {
      const v = valueOf(cell.value);
      if (typeof v === 'string' && /^[a-zA-Z][\w.]*$/.test(v.trim())) keys.set(col, v.trim());
    });
    first = headerRow + 2;
  }
  out.firstLineRow = first;
  for (const [col, key] of keys) out.lineColumns.set(key, address(sheet, col, first));
  sheet.eachRow((row, r) => {
    if (r < first) return;
    const cells = new Map<string, CellRead>();
    for (const [col, key] of keys) {
      const value = valueOf(row.getCell(col).value);
      if (value !== null) cells.set(key, { cell: address(sheet, col, r), value });
    }
    // A row with only computed cells (a formula left over from the template) is no line.
    const entered = [...cells.keys()].some((k) => !COMPUTED_LINE_KEYS.has(k));
    if (entered) out.lines.push({ row: r, cells });
  });
}

function sheetText(workbook: Workbook): string {
  const lines: string[] = [];
  for (const sheet of workbook.worksheets) {
    if (sheet.state !== 'visible' || ['prices', 'customers', 'quotes'].includes(norm(sheet.name)))
      continue;
    sheet.eachRow((row, r) => {
      row.eachCell((cell, col) => {
        const v = valueOf(cell.value);
        if (v !== null) lines.push(`${address(sheet, col, r)}: ${textOf(v)}`);
      });
    });
  }
  return lines.join('\n');
}

/**
 * Parses an order workbook. A file that is not a workbook, is encrypted or broken, exceeds the
 * limits, or has no order sheet gives `ok: false` with the reason — never an exception.
 */
export async function parseOrderWorkbook(
  bytes: Uint8Array,
  limits: OrderWorkbookLimits = ORDER_WORKBOOK_LIMITS,
): Promise<WorkbookRead> {
  // The upload limits every reader of a partner's file shares (parts, declared sizes, shared
  // strings), then this reader's own: the file's size and each part inflated against its
  // declared size.
  const check = guardOrderWorkbook(bytes, limits);
  if (!check.ok) return check;
  const inspected = await inspectXlsx(bytes);
  if (!inspected.ok) return { ok: false, reason: inspected.reason };
  // Loaded on first use: exceljs costs a third of a second, and most processes never read XLSX.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as never,
    );
  } catch (error) {
    return {
      ok: false,
      reason: `The workbook cannot be read (${error instanceof Error ? error.message : String(error)})`,
    };
  }
  const header = sheetNamed(workbook, ORDER_SHEET);
  const lines = sheetNamed(workbook, LINES_SHEET);
  if (!header && !lines) {
    return {
      ok: false,
      reason: `Not an order template: no "${ORDER_SHEET}" or "${LINES_SHEET}" sheet (sheets: ${workbook.worksheets.map((s) => s.name).join(', ')})`,
    };
  }
  const out: ParsedOrderWorkbook = {
    fields: new Map(),
    fieldCells: new Map(),
    lines: [],
    lineColumns: new Map(),
    firstLineRow: FIRST_LINE_ROW,
    text: sheetText(workbook),
  };
  if (header) readHeaderSheet(header, out);
  if (lines) readLinesSheet(lines, out);
  if (!out.lineColumns.has('partNumber')) {
    out.lineColumns.set('partNumber', `${LINES_SHEET}!A${out.firstLineRow}`);
  }
  return { ok: true, workbook: out };
}

const CONTACT_ROLES: readonly [string, string][] = [
  ['contacts.siteAdmin', 'site_admin'],
  ['contacts.invoicing', 'billing'],
  ['tier2Reseller', 'tier2_reseller'],
];

/** The workbook as an extraction (mail intake reads a workbook attached to a PO mail this way). */
export function extractionOf(parsed: ParsedOrderWorkbook): ExtractedPurchaseOrder {
  const extracted = emptyExtraction();
  const text = (key: string): string | undefined => {
    const v = parsed.fields.get(key);
    return v === undefined ? undefined : textOf(v.value);
  };
  const po = extracted.purchaseOrder;
  const number = text('purchaseOrder.number');
  if (number) po.number = number;
  const date = parsed.fields.get('purchaseOrder.date');
  if (date) {
    const d = toIsoDate(date.value);
    if (d.ok) po.date = d.value;
    else extracted.notes.push(`${date.cell}: ${d.message}`);
  }
  const currency = text('purchaseOrder.currency');
  if (currency) po.currency = currency.toUpperCase();
  const total = parsed.fields.get('purchaseOrder.total');
  if (total) {
    const t = toDecimal(total.value);
    if (t.ok) po.total = t.value;
    else extracted.notes.push(`${total.cell}: ${t.message}`);
  }
  const quote = text('quoteId');
  if (quote) extracted.quoteNumber = quote;
  const terms = text('purchaseOrder.specialTerms');
  if (terms) extracted.specialTermsText = terms;
  const contacts = CONTACT_ROLES.flatMap(([prefix, role]) => {
    const name = text(`${prefix}.name`);
    const email = text(`${prefix}.email`);
    const phone = text(`${prefix}.phone`);
    if (!name && !email && !phone) return [];
    return [
      { role, ...(name ? { name } : {}), ...(email ? { email } : {}), ...(phone ? { phone } : {}) },
    ];
  });
  const cc = text('contacts.provisioningCc');
  if (cc) contacts.push({ role: 'provisioning_cc', email: cc });
  if (contacts.length > 0) extracted.contacts = contacts;
  const attributes: Record<string, string> = {};
  const taken = new Set([
    'purchaseOrder.number',
    'purchaseOrder.date',
    'purchaseOrder.currency',
    'purchaseOrder.total',
    'purchaseOrder.specialTerms',
    'quoteId',
  ]);
  for (const [key, read] of parsed.fields) {
    if (taken.has(key) || CONTACT_ROLES.some(([p]) => key.startsWith(`${p}.`))) continue;
    if (key === 'contacts.provisioningCc') continue;
    // Order attributes by their key; other fields (vendor, type, customer, shipping) by path.
    attributes[key.startsWith('attributes.') ? key.slice('attributes.'.length) : key] = textOf(
      read.value,
    );
  }
  if (Object.keys(attributes).length > 0) extracted.attributes = attributes;
  for (const line of parsed.lines) {
    const get = (k: string): CellValue | undefined => line.cells.get(k)?.value;
    const partNumber = get('partNumber');
    const quantity = get('quantity');
    const unitPrice = get('unitPrice');
    const description = get('product');
    const amount = get('amount');
    const price = unitPrice === undefined ? undefined : toDecimal(unitPrice);
    const qty = quantity === undefined ? undefined : toDecimal(quantity);
    const lineTotal = amount === undefined ? undefined : toDecimal(amount);
    extracted.lines.push({
      ...(partNumber !== undefined ? { partNumber: textOf(partNumber) } : {}),
      ...(description !== undefined ? { description: textOf(description) } : {}),
      ...(qty?.ok ? { quantity: qty.value } : {}),
      ...(price?.ok ? { unitPrice: price.value } : {}),
      ...(lineTotal?.ok ? { lineTotal: lineTotal.value } : {}),
    });
    if (price && !price.ok) extracted.notes.push(`Lines row ${line.row}: ${price.message}`);
    if (qty && !qty.ok) extracted.notes.push(`Lines row ${line.row}: ${qty.message}`);
  }
  const vendor = text('vendor');
  const type = text('type');
  extracted.notes.unshift(
    `Read from an Excel order template${vendor ? ` of ${vendor}` : ''}${type ? `, order type ${type}` : ''}: ${parsed.fields.size} header field(s), ${parsed.lines.length} line(s).`,
  );
  return extracted;
}

/**
 * Reads an order workbook (mail intake calls this for an XLSX attachment): the extracted PO
 * and the workbook's text, or why it cannot be read (password-protected, broken, not an order
 * template, too large).
 */
export async function readOrderWorkbook(
  bytes: Uint8Array,
): Promise<
  { ok: true; extracted: ExtractedPurchaseOrder; text: string } | { ok: false; reason: string }
> {
  const read = await parseOrderWorkbook(bytes);
  if (!read.ok) return read;
  return { ok: true, extracted: extractionOf(read.workbook), text: read.workbook.text };
}
