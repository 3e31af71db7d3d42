// Writes the Excel order template of one vendor's order type: an "Order" sheet with the type's
// fields, whether each is required and its help; a "Lines" sheet whose part-number cells offer
// the catalog as a list and whose formulas show the product and the partner's net price; and
// the lists they draw on ("Prices", "Customers", "Quotes"). The keys the reader goes by sit in
// the Order sheet's hidden column E and the Lines sheet's (hidden) second row.
import type { DataValidation, Worksheet } from 'exceljs';
import { columnLetter, FIRST_LINE_ROW, LINES_SHEET, ORDER_SHEET } from './read-order-workbook.ts';
import type { TemplateField } from './template-fields.ts';

export interface TemplatePrice {
  partNumber: string;
  name: string;
  category: string | null;
  netPrice: string;
  /** Null when the partner may not see list prices and multipliers. */
  listPrice: string | null;
  multiplier: string | null;
}

export interface OrderTemplateInput {
  vendor: { slug: string; name: string };
  orderType: { key: string; label: string };
  currency: string;
  orderFields: readonly TemplateField[];
  lineFields: readonly TemplateField[];
  prices: readonly TemplatePrice[];
  customers: readonly { id: string; name: string }[];
  quotes: readonly { id: string; number: string; validUntil: string }[];
  /** Who the prices are for (a partner's name), shown on the Prices sheet. */
  pricedFor: string;
  /** The terms version to accept, offered as the only choice. */
  termsVersion?: string;
  /** Rows of the lines sheet prepared with lists and formulas. */
  lineRows?: number;
}

const HEADER_FILL = {
  type: 'pattern' as const,
  pattern: 'solid' as const,
  fgColor: { argb: 'FFDCE6F1' },
};
const REQUIRED_FILL = {
  type: 'pattern' as const,
  pattern: 'solid' as const,
  fgColor: { argb: 'FFFFF2CC' },
};

function heading(sheet: Worksheet, row: number): void {
  const r = sheet.getRow(row);
  r.font = { bold: true };
  r.eachCell((c) => {
    c.fill = HEADER_FILL;
  });
}

/**
 * Validation of a whole range at once: exceljs has it (`dataValidations.add`) but does not
 * declare it, and one range is far smaller than a validation per cell.
 */
function validate(sheet: Worksheet, range: string, validation: DataValidation): void {
  (
    sheet as Worksheet & { dataValidations: { add(r: string, v: DataValidation): void } }
  ).dataValidations.add(range, validation);
}

/** A list validation over a column range of another sheet (quoted sheet name). */
const listOf = (sheet: string, column: string, rows: number): string =>
  `'${sheet}'!$${column}$2:$${column}$${rows + 1}`;

/** The template as XLSX bytes. */
export async function writeOrderTemplate(input: OrderTemplateInput): Promise<Buffer> {
  // Loaded on first use: exceljs costs a third of a second, and most processes never write XLSX.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'OrderDesk';
  workbook.title = `${input.vendor.name} order template: ${input.orderType.label}`;
  workbook.created = new Date(0);
  workbook.modified = new Date(0);

  const order = workbook.addWorksheet(ORDER_SHEET);
  const lines = workbook.addWorksheet(LINES_SHEET);
  const prices = workbook.addWorksheet('Prices');
  const customers = workbook.addWorksheet('Customers');
  const quotes = workbook.addWorksheet('Quotes');

  // --- Order: one row per field.
  order.columns = [
    { header: 'Field', width: 34 },
    { header: 'Value', width: 40 },
    { header: 'Required', width: 24 },
    { header: 'Help', width: 80 },
    { header: 'Key', width: 28, hidden: true },
  ];
  heading(order, 1);
  input.orderFields.forEach((field, i) => {
    const r = i + 2;
    const row = order.getRow(r);
    row.getCell(1).value = field.label;
    row.getCell(3).value = field.requirement;
    row.getCell(4).value = field.help;
    row.getCell(4).alignment = { wrapText: true, vertical: 'top' };
    row.getCell(5).value = field.key;
    const value = row.getCell(2);
    if (field.requirement === 'required') value.fill = REQUIRED_FILL;
    if (field.key === 'vendor') value.value = input.vendor.slug;
    if (field.key === 'type') value.value = input.orderType.key;
    if (field.key === 'purchaseOrder.currency') value.value = input.currency;
    const prompt = field.help.slice(0, 255);
    const common = {
      allowBlank: field.requirement !== 'required',
      showInputMessage: prompt !== '',
      prompt,
      showErrorMessage: true,
    };
    if (field.key === 'customerId' && input.customers.length > 0) {
      value.dataValidation = {
        ...common,
        type: 'list',
        formulae: [listOf('Customers', 'A', input.customers.length)],
        errorStyle: 'warning',
        error: 'Pick one of your customers from the list',
      };
    } else if (field.key === 'quoteId' && input.quotes.length > 0) {
      value.dataValidation = {
        ...common,
        type: 'list',
        formulae: [listOf('Quotes', 'A', input.quotes.length)],
        errorStyle: 'warning',
        error: 'Pick one of your approved quotes',
      };
    } else if (field.kind === 'boolean') {
      value.dataValidation = { ...common, type: 'list', formulae: ['"Yes,No"'] };
    } else if (field.key === 'termsAccepted.version' && input.termsVersion) {
      value.dataValidation = {
        ...common,
        type: 'list',
        formulae: [`"${input.termsVersion.replace(/"/g, '')}"`],
      };
    } else if (field.kind === 'date') {
      value.numFmt = 'yyyy-mm-dd';
      value.dataValidation = {
        ...common,
        type: 'date',
        operator: 'between',
        formulae: [new Date(Date.UTC(2000, 0, 1)), new Date(Date.UTC(2099, 11, 31))],
        error: 'A date between 2000-01-01 and 2099-12-31',
      };
    } else if (field.kind === 'decimal') {
      value.numFmt = '#,##0.00';
      value.dataValidation = {
        ...common,
        type: 'decimal',
        operator: 'greaterThanOrEqual',
        formulae: [0],
        error: 'An amount such as 1234.50',
      };
    } else if (prompt !== '') {
      value.dataValidation = { ...common, type: 'any' } as never;
    }
  });
  order.views = [{ state: 'frozen', ySplit: 1 }];

  // --- Lines: labels in row 1, keys in (hidden) row 2, data from row 3.
  const lineRows = input.lineRows ?? 200;
  const last = FIRST_LINE_ROW + lineRows - 1;
  const col = new Map(input.lineFields.map((f, i) => [f.key, columnLetter(i + 1)]));
  input.lineFields.forEach((field, i) => {
    const c = i + 1;
    lines.getRow(1).getCell(c).value = field.label;
    lines.getRow(2).getCell(c).value = field.key;
    lines.getColumn(c).width = field.key === 'product' ? 40 : Math.max(14, field.label.length + 4);
  });
  heading(lines, 1);
  lines.getRow(2).hidden = true;
  lines.views = [{ state: 'frozen', ySplit: 2 }];
  const part = col.get('partNumber') ?? 'A';
  const qty = col.get('quantity') ?? 'B';
  const price = col.get('unitPrice') ?? 'C';
  const range = (key: string): string => `${col.get(key)}${FIRST_LINE_ROW}:${col.get(key)}${last}`;
  if (input.prices.length > 0) {
    validate(lines, range('partNumber'), {
      type: 'list',
      allowBlank: true,
      formulae: [listOf('Prices', 'A', input.prices.length)],
      showErrorMessage: true,
      errorStyle: 'warning',
      errorTitle: 'Unknown part number',
      error: 'This part number is not in the price list (sheet "Prices")',
    });
  }
  validate(lines, range('quantity'), {
    type: 'whole',
    operator: 'greaterThanOrEqual',
    allowBlank: true,
    formulae: [1],
    showErrorMessage: true,
    error: 'A whole number of at least 1',
  });
  validate(lines, range('unitPrice'), {
    type: 'decimal',
    operator: 'greaterThanOrEqual',
    allowBlank: true,
    formulae: [0],
    showErrorMessage: true,
    error: 'An amount such as 1234.50',
  });
  const lookup = `'Prices'!$A$2:$D$${input.prices.length + 1}`;
  for (let r = FIRST_LINE_ROW; r <= last; r++) {
    const row = lines.getRow(r);
    const cell = (key: string) => row.getCell(col.get(key) ?? 'A');
    if (input.prices.length > 0) {
      cell('product').value = {
        formula: `IF(${part}${r}="","",IFERROR(VLOOKUP(${part}${r},${lookup},2,FALSE),"unknown part number"))`,
      };
      cell('netPrice').value = {
        formula: `IF(${part}${r}="","",IFERROR(VLOOKUP(${part}${r},${lookup},4,FALSE),""))`,
      };
    }
    cell('amount').value = {
      formula: `IF(OR(${qty}${r}="",${price}${r}=""),"",${qty}${r}*${price}${r})`,
    };
    cell('unitPrice').numFmt = '#,##0.00';
    cell('netPrice').numFmt = '#,##0.00';
    cell('amount').numFmt = '#,##0.00';
  }
  for (const field of input.lineFields) {
    if (!field.key.startsWith('attributes.')) continue;
    const c = lines.getColumn(col.get(field.key) ?? 'A');
    c.alignment = { wrapText: true, vertical: 'top' };
    if (field.kind === 'date') {
      validate(lines, range(field.key), {
        type: 'date',
        operator: 'between',
        allowBlank: true,
        formulae: [new Date(Date.UTC(2000, 0, 1)), new Date(Date.UTC(2099, 11, 31))],
        showInputMessage: true,
        prompt: `${field.requirement}. ${field.help}`.slice(0, 255),
      });
      for (let r = FIRST_LINE_ROW; r <= last; r++) {
        lines.getRow(r).getCell(col.get(field.key) ?? 'A').numFmt = 'yyyy-mm-dd';
      }
    } else {
      validate(lines, range(field.key), {
        type: 'any',
        allowBlank: true,
        showInputMessage: true,
        prompt: `${field.requirement}. ${field.help}`.slice(0, 255),
      } as never);
    }
  }

  // --- Prices: the partner's net prices (the list the part numbers are picked from).
  const withList = input.prices.some((p) => p.listPrice !== null);
  prices.columns = [
    { header: 'Part number', width: 22 },
    { header: 'Product', width: 44 },
    { header: 'Category', width: 22 },
    { header: `Net price (${input.currency})`, width: 16 },
    ...(withList
      ? [
          { header: `List price (${input.currency})`, width: 16 },
          { header: 'Multiplier', width: 12 },
        ]
      : []),
  ];
  heading(prices, 1);
  for (const p of input.prices) {
    // Numbers for the sheet's formulas; the import compares the PO's unit price as text.
    prices.addRow([
      p.partNumber,
      p.name,
      p.category ?? '',
      Number(p.netPrice),
      ...(withList
        ? [
            p.listPrice === null ? '' : Number(p.listPrice),
            p.multiplier === null ? '' : Number(p.multiplier),
          ]
        : []),
    ]);
  }
  prices.getColumn(4).numFmt = '#,##0.00';
  if (withList) prices.getColumn(5).numFmt = '#,##0.00';
  prices.views = [{ state: 'frozen', ySplit: 1 }];
  const note = prices.getCell(`${withList ? 'H' : 'F'}1`);
  note.value = `Prices for ${input.pricedFor}`;
  note.font = { italic: true };

  customers.columns = [
    { header: 'Customer', width: 40 },
    { header: 'ID', width: 30 },
  ];
  heading(customers, 1);
  for (const c of input.customers) customers.addRow([c.name, c.id]);

  quotes.columns = [
    { header: 'Quote number', width: 24 },
    { header: 'ID', width: 30 },
    { header: 'Valid until', width: 14 },
  ];
  heading(quotes, 1);
  for (const q of input.quotes) quotes.addRow([q.number, q.id, q.validUntil]);

  return Buffer.from(await workbook.xlsx.writeBuffer());
}
