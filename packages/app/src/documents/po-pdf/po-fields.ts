import type {
  ExtractedContact,
  ExtractedOrderLine,
  ExtractedPurchaseOrder,
} from '../extracted-order.ts';
import { emptyExtraction } from '../extracted-order.ts';
import type { Line, Segment } from './po-layout.ts';
import { overlap } from './po-layout.ts';
import type { ColumnRole, HeaderField } from './po-labels.ts';
import { TITLE_PATTERN, columnRoleOf, headerFieldOf, splitInlineLabel } from './po-labels.ts';
import type { Amount } from './po-values.ts';
import { findCurrencyCode, normalizeNumber, parseAmount, parseDate } from './po-values.ts';

export type PurchaseOrderAnalysis =
  | { isPurchaseOrder: true; extracted: ExtractedPurchaseOrder }
  | { isPurchaseOrder: false; reason: string; extracted: ExtractedPurchaseOrder };

interface Label {
  field: HeaderField;
  segment: Segment;
  /** The value printed in the label's own segment ("PO #: 190122"). */
  inline?: string;
}

interface Column {
  role: ColumnRole | 'other';
  x0: number;
  x1: number;
}

interface Table {
  header: Line;
  columns: Column[];
  lines: ExtractedOrderLine[];
  /** Lines of the document the table used, so that the header finder leaves them alone. */
  used: Set<number>;
}

const EMAIL = /([A-Za-z0-9._%+-]+)\s?@\s?([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/;
const PHONE = /\+?\d[\d\s().\-/]{6,}\d/;

/**
 * Finds the purchase order in the document's lines: header fields by their labels and the
 * value right of or under each label, and the line table from a row of column headings whose
 * x-ranges sort the rows' cells into columns. Works for any layout that labels its fields.
 */
export function analyzePurchaseOrder(lines: Line[]): PurchaseOrderAnalysis {
  const extracted = emptyExtraction();
  const notes = extracted.notes;
  const tables = findTables(lines, notes);
  const tableLines = new Set<number>();
  for (const table of tables) {
    tableLines.add(table.header.index);
    for (const index of table.used) tableLines.add(index);
  }
  const labels = findLabels(lines, tableLines);
  const isLabel = new Set(labels.map((label) => label.segment));
  const context: FinderContext = { lines, isLabel };

  const orderLines = tables.flatMap((table) => table.lines);
  extracted.lines = orderLines;

  // PO number: the first labelled value that looks like an identifier.
  for (const label of labels.filter((l) => l.field === 'poNumber')) {
    const value = firstValue(context, label, 'right');
    if (value && /\d/.test(value) && value.length <= 40) {
      extracted.purchaseOrder.number = value.replace(/^[#:\s]+/, '');
      break;
    }
  }

  // Total: the lowest "total" on the page with an amount beside it (grand totals come last).
  let totalAmount: Amount | undefined;
  for (const label of labels.filter((l) => l.field === 'total').reverse()) {
    const amount = parseAmountValue(context, label);
    if (amount) {
      totalAmount = amount;
      extracted.purchaseOrder.total = amount.value;
      break;
    }
  }

  // Currency: a labelled code, else the total's (or any amount's) code or symbol.
  const currencyLabel = labels.find((l) => l.field === 'currency');
  const labelledCurrency = currencyLabel
    ? findCurrencyCode(firstValue(context, currencyLabel, 'right') ?? '')
    : undefined;
  const currency = labelledCurrency ?? totalAmount?.currency ?? currencyInDocument(lines);
  if (currency) {
    extracted.purchaseOrder.currency = currency;
    if (!labelledCurrency && totalAmount?.currencyFromSymbol) {
      notes.push(`currency ${currency} read from the symbol of the total`);
    }
  }

  // Date: the first date label whose value parses; day-first outside the dollar world.
  const dayFirst = currency !== undefined && currency !== 'USD';
  for (const label of labels.filter((l) => l.field === 'date')) {
    const value = firstValue(context, label, 'right');
    const parsed = value ? parseDate(value, { dayFirst }) : undefined;
    if (parsed) {
      extracted.purchaseOrder.date = parsed.iso;
      if (parsed.ambiguous) {
        notes.push(`date "${value}" read as ${parsed.iso} (${dayFirst ? 'day' : 'month'} first)`);
      }
      break;
    }
  }

  const buyer = findBuyer(context, labels);
  if (buyer) extracted.purchaseOrder.buyer = buyer;

  for (const label of labels.filter((l) => l.field === 'quoteNumber')) {
    const value = firstValue(context, label, 'right');
    if (value && /\d/.test(value)) {
      extracted.quoteNumber = value;
      break;
    }
  }

  const terms = findBlock(
    context,
    labels.find((l) => l.field === 'specialTerms'),
  );
  if (terms) extracted.specialTermsText = terms;

  const contacts = findContacts(context, labels);
  if (contacts.length > 0) extracted.contacts = contacts;

  const attributes: Record<string, string> = {};
  for (const field of [
    'vendor',
    'shipTo',
    'shipVia',
    'fob',
    'shippingTerms',
    'paymentTerms',
  ] as const) {
    const label = labels.find((l) => l.field === field);
    if (!label) continue;
    const value =
      field === 'vendor' || field === 'shipTo'
        ? firstValue(context, label, 'below')
        : (findBlock(context, label, { around: true })?.replace(/\n/g, ' ') ?? undefined);
    if (value) attributes[field] = value;
  }
  if (Object.keys(attributes).length > 0) extracted.attributes = attributes;

  const hasTitle = lines.some((line) => line.segments.some((s) => TITLE_PATTERN.test(s.text)));
  if (!(extracted.purchaseOrder.number || hasTitle)) {
    return {
      isPurchaseOrder: false,
      extracted,
      reason: 'not a purchase order: no "purchase order" title and no PO number label',
    };
  }
  if (orderLines.length === 0 && !extracted.purchaseOrder.total) {
    return {
      isPurchaseOrder: false,
      extracted,
      reason: 'not a purchase order: no line table and no total found',
    };
  }
  if (orderLines.length === 0) notes.push('no line table found');
  return { isPurchaseOrder: true, extracted };
}

interface FinderContext {
  lines: Line[];
  isLabel: Set<Segment>;
}

function findLabels(lines: Line[], tableLines: Set<number>): Label[] {
  const labels: Label[] = [];
  for (const line of lines) {
    if (tableLines.has(line.index)) continue;
    for (const segment of line.segments) {
      const field = headerFieldOf(segment.text);
      if (field) {
        labels.push({ field, segment });
        continue;
      }
      const inline = splitInlineLabel(segment.text);
      if (inline) labels.push({ field: inline.field, segment, inline: inline.value });
    }
  }
  return labels;
}

/** The segment right of the label on its line, else the one under it; labels are skipped. */
function firstValue(
  context: FinderContext,
  label: Label,
  prefer: 'right' | 'below',
): string | undefined {
  if (label.inline) return label.inline;
  const right = () => valueRight(context, label.segment)?.text;
  const below = () => valuesBelow(context, label.segment, 1)[0]?.text;
  return prefer === 'right' ? (right() ?? below()) : (below() ?? right());
}

function valueRight(context: FinderContext, label: Segment): Segment | undefined {
  const line = context.lines[label.line]!;
  const next = line.segments.find((s) => s.x0 >= label.x1 - 1);
  if (!next || context.isLabel.has(next)) return undefined;
  return next;
}

/** Segments under the label, in its column, on the next `maxLines` lines with content there. */
function valuesBelow(context: FinderContext, label: Segment, maxLines: number): Segment[] {
  const found: Segment[] = [];
  let lastY = label.y;
  for (let index = label.line + 1; index < context.lines.length; index += 1) {
    const line = context.lines[index]!;
    if (lastY - line.y > label.size * 3.2) break;
    const inColumn = line.segments.filter(
      (s) => overlap(s, label) > 0 || Math.abs(s.x0 - label.x0) < label.size,
    );
    if (inColumn.some((s) => context.isLabel.has(s))) break;
    if (inColumn.length === 0) continue;
    found.push(...inColumn);
    lastY = line.y;
    if (found.length >= maxLines) break;
  }
  return found;
}

function parseAmountValue(context: FinderContext, label: Label): Amount | undefined {
  if (label.inline) return parseAmount(label.inline);
  const right = valueRight(context, label.segment);
  const fromRight = right ? parseAmount(right.text) : undefined;
  if (fromRight) return fromRight;
  const below = valuesBelow(context, label.segment, 1)[0];
  return below ? parseAmount(below.text) : undefined;
}

function currencyInDocument(lines: Line[]): string | undefined {
  for (const line of lines) {
    for (const segment of line.segments) {
      const amount = parseAmount(segment.text);
      if (amount?.currency) return amount.currency;
    }
  }
  return undefined;
}

/**
 * A labelled block: the lines under the label (and its inline value) in the label's column,
 * until a gap of more than two lines. `around` also takes a line just above the label's value
 * row, for table-like headers whose cells wrap around their baseline ("Freight Prepaid, &").
 */
function findBlock(
  context: FinderContext,
  label: Label | undefined,
  options: { around?: boolean } = {},
): string | undefined {
  if (!label) return undefined;
  const parts: string[] = label.inline ? [label.inline] : [];
  const { segment } = label;
  const line = context.lines[segment.line]!;
  const nextLabelX = line.segments.find((s) => s.x0 > segment.x1)?.x0 ?? Infinity;
  const inColumn = (s: Segment) =>
    options.around
      ? overlap(s, segment) > 0 || (s.x0 >= segment.x0 - segment.size && s.x1 <= nextLabelX)
      : s.x0 >= segment.x0 - segment.size * 2 && s.x0 < Math.min(segment.x1, nextLabelX);
  let lastY = segment.y;
  for (let index = segment.line + 1; index < context.lines.length; index += 1) {
    const current = context.lines[index]!;
    const gap = lastY - current.y;
    if (gap > segment.size * 2.6) break;
    const taken = current.segments.filter(inColumn);
    if (taken.some((s) => context.isLabel.has(s))) break;
    if (taken.length === 0) continue;
    parts.push(taken.map((s) => s.text).join(' '));
    lastY = current.y;
    if (options.around && parts.length >= 3) break;
  }
  const text = parts.join('\n').trim();
  return text === '' ? undefined : text;
}

function findBuyer(context: FinderContext, labels: Label[]): string | undefined {
  const label = labels.find((l) => l.field === 'buyer');
  if (label) {
    const value = firstValue(context, label, 'below');
    if (value) return value;
  }
  // No buyer label: the letterhead, i.e. the first text of the page that is not a title.
  for (const line of context.lines.slice(0, 3)) {
    for (const segment of line.segments) {
      const text = segment.text;
      if (TITLE_PATTERN.test(text) || context.isLabel.has(segment)) continue;
      if (/@|\d{3}/.test(text) || !/[A-Za-z]{2}/.test(text)) continue;
      return text;
    }
  }
  return undefined;
}

function findContacts(context: FinderContext, labels: Label[]): ExtractedContact[] {
  const contacts: ExtractedContact[] = [];
  for (const label of labels.filter((l) => l.field === 'contact')) {
    const name = firstValue(context, label, 'below');
    if (name && !/\d/.test(name)) {
      contacts.push({ role: normalizeRole(label.segment.text), name });
    }
  }
  for (const line of context.lines) {
    for (const segment of line.segments) {
      const email = EMAIL.exec(segment.text);
      if (!email) continue;
      const contact: ExtractedContact = { email: `${email[1]}@${email[2]}` };
      let rest = segment.text.replace(email[0], '');
      // "Buyer contact: Hans Muster, +49 …": the label names the role, the rest the person.
      const labelled = /^([^:,]{1,40}):\s*/.exec(rest);
      if (labelled) {
        if (headerFieldOf(labelled[1]!) === 'contact') contact.role = normalizeRole(labelled[1]!);
        rest = rest.slice(labelled[0].length);
      }
      const phone = PHONE.exec(rest);
      if (phone) contact.phone = phone[0].trim();
      const name = rest
        .split(/[,;|]/)
        .map((part) => part.trim())
        .find((part) => /^[A-Za-z][A-Za-z.'\- ]{1,60}$/.test(part) && part.includes(' '));
      if (name) contact.name = name;
      const same = contacts.find(
        (c) => c.name !== undefined && c.name.toLowerCase() === contact.name?.toLowerCase(),
      );
      if (same) {
        same.email ??= contact.email;
        if (contact.phone) same.phone ??= contact.phone;
      } else {
        contacts.push(contact);
      }
    }
  }
  return contacts;
}

function normalizeRole(text: string): string {
  return text.toLowerCase().replace(/[:.]/g, '').trim().replace(/\s+/g, '_');
}

// ——— the line table ———

function findTables(lines: Line[], notes: string[]): Table[] {
  const tables: Table[] = [];
  for (const line of lines) {
    const roles = line.segments.map((s) => columnRoleOf(s.text));
    const known = new Set(roles.filter((role) => role !== undefined));
    const isHeader =
      known.size >= 3 &&
      known.has('quantity') &&
      (known.has('unitPrice') || known.has('lineTotal')) &&
      (known.has('partNumber') || known.has('description'));
    if (!isHeader) continue;
    if (tables.some((table) => table.used.has(line.index))) continue;
    const columns: Column[] = line.segments.map((s, i) => ({
      role: roles[i] ?? 'other',
      x0: s.x0,
      x1: s.x1,
    }));
    tables.push(readTable(lines, line, columns, notes));
  }
  return tables;
}

function columnOf(columns: Column[], segment: Segment): Column | undefined {
  let best: Column | undefined;
  let bestScore = -Infinity;
  for (const column of columns) {
    // Overlap when positive; otherwise minus the distance to the column's span.
    const score = overlap(column, segment);
    if (score > bestScore) {
      bestScore = score;
      best = column;
    }
  }
  return best;
}

function readTable(lines: Line[], header: Line, columns: Column[], notes: string[]): Table {
  const table: Table = { header, columns, lines: [], used: new Set() };
  const documentTexts = new Map<string, number>();
  for (const line of lines) {
    for (const segment of line.segments) {
      documentTexts.set(segment.text, (documentTexts.get(segment.text) ?? 0) + 1);
    }
  }
  let lastY = header.y;
  let pitch = header.size * 1.6;
  for (let index = header.index + 1; index < lines.length; index += 1) {
    const line = lines[index]!;
    const gap = lastY - line.y;
    if (gap > Math.max(pitch * 2.2, header.size * 3.5)) break;
    if (
      line.segments.some(
        (s) => headerFieldOf(s.text) === 'summary' || headerFieldOf(s.text) === 'total',
      )
    ) {
      break;
    }
    const cells = new Map<ColumnRole | 'other', string[]>();
    for (const segment of line.segments) {
      const column = columnOf(columns, segment);
      if (!column) continue;
      const list = cells.get(column.role) ?? [];
      list.push(segment.text);
      cells.set(column.role, list);
    }
    const cell = (role: ColumnRole) => cells.get(role)?.join(' ');
    const quantity = cell('quantity');
    const unitPrice = cell('unitPrice');
    const lineTotal = cell('lineTotal');
    const quantityValue = quantity !== undefined ? normalizeNumber(quantity) : undefined;
    const unitPriceValue = unitPrice !== undefined ? parseAmount(unitPrice) : undefined;
    const lineTotalValue = lineTotal !== undefined ? parseAmount(lineTotal) : undefined;
    const isRow = quantityValue !== undefined || (unitPriceValue && lineTotalValue);
    if (isRow) {
      const row: ExtractedOrderLine = {};
      const partNumber = cell('partNumber');
      const description = cell('description');
      if (partNumber) row.partNumber = partNumber;
      if (description) row.description = description;
      if (quantityValue !== undefined) row.quantity = quantityValue;
      else if (quantity)
        notes.push(`line ${table.lines.length + 1}: quantity "${quantity}" unreadable`);
      if (unitPriceValue) row.unitPrice = unitPriceValue.value;
      else if (unitPrice)
        notes.push(`line ${table.lines.length + 1}: unit price "${unitPrice}" unreadable`);
      if (lineTotalValue) row.lineTotal = lineTotalValue.value;
      else if (lineTotal)
        notes.push(`line ${table.lines.length + 1}: line total "${lineTotal}" unreadable`);
      if (table.lines.length > 0) pitch = Math.max(header.size * 1.2, Math.min(pitch, gap));
      table.lines.push(row);
      table.used.add(index);
      lastY = line.y;
      continue;
    }
    // A line with text only: a wrapped description, unless the same text stands elsewhere in
    // the document (a name repeated under the table is a reference, not part of a line).
    const text = line.segments.map((s) => s.text).join(' ');
    const previous = table.lines[table.lines.length - 1];
    if (!previous) {
      lastY = line.y;
      continue;
    }
    if (line.segments.every((s) => (documentTexts.get(s.text) ?? 0) > 1)) {
      notes.push(`"${text}" under the line table was not taken as part of a line`);
      table.used.add(index);
      lastY = line.y;
      continue;
    }
    const more = cell('description') ?? cell('partNumber');
    if (!more) break;
    previous.description = previous.description ? `${previous.description} ${more}` : more;
    table.used.add(index);
    lastY = line.y;
  }
  return table;
}
