import type { ExtractedOrderLine } from '../extracted-order.ts';
import type { ReadPurchaseOrderPdfResult } from './read-po-pdf.ts';

/** The true fields of one sample PDF, as written by hand in a fixture (expected.json). */
export interface PoPdfTruth {
  file: string;
  isPurchaseOrder: boolean;
  purchaseOrder?: {
    number?: string;
    date?: string;
    currency?: string;
    total?: string;
    buyer?: string;
  };
  quoteNumber?: string | null;
  specialTermsText?: string | null;
  contact?: { name?: string; email?: string; phone?: string };
  vendor?: string;
  lines?: ExtractedOrderLine[];
}

export interface FieldScore {
  right: number;
  total: number;
  /** "file: field (expected → got)" for each miss. */
  wrong: string[];
}

export interface PoPdfScore {
  header: FieldScore;
  lines: FieldScore;
}

const LINE_FIELDS = ['partNumber', 'description', 'quantity', 'unitPrice', 'lineTotal'] as const;
const NUMERIC = new Set<string>(['quantity', 'unitPrice', 'lineTotal', 'total']);

function canonical(field: string, value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = value.replace(/\s+/g, ' ').trim();
  if (NUMERIC.has(field) && /^-?\d+(\.\d+)?$/.test(text)) {
    // "22" and "22.00" are the same amount; compared as exact decimal strings.
    return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
  }
  return field === 'email' ? text.toLowerCase() : text;
}

function check(
  score: FieldScore,
  file: string,
  field: string,
  expected: string | null | undefined,
  actual: string | null | undefined,
): void {
  score.total += 1;
  const key = field.split('.').pop()!;
  if (canonical(key, expected) === canonical(key, actual)) score.right += 1;
  else
    score.wrong.push(
      `${file}: ${field} (${JSON.stringify(expected ?? null)} → ${JSON.stringify(actual ?? null)})`,
    );
}

/**
 * Scores what the reader made of one sample against its true fields: each header field
 * (PO number, date, currency, total, buyer, quote number, special terms, the contact's name,
 * e-mail and phone, the vendor) and each cell of each line is one field; a line the reader
 * invented counts five wrong fields. A document that is not a PO scores one header field:
 * whether it was refused.
 */
export function scorePoPdfExtraction(
  truth: PoPdfTruth,
  result: ReadPurchaseOrderPdfResult,
): PoPdfScore {
  const header: FieldScore = { right: 0, total: 0, wrong: [] };
  const lines: FieldScore = { right: 0, total: 0, wrong: [] };
  const file = truth.file;
  if (!truth.isPurchaseOrder) {
    check(header, file, 'refused', 'true', String(!result.ok));
    return { header, lines };
  }
  if (!result.ok) {
    header.total += 11;
    header.wrong.push(`${file}: not read (${result.reason})`);
    const count = truth.lines?.length ?? 0;
    lines.total += count * LINE_FIELDS.length;
    return { header, lines };
  }
  const got = result.extracted;
  const po = truth.purchaseOrder ?? {};
  check(header, file, 'purchaseOrder.number', po.number, got.purchaseOrder.number);
  check(header, file, 'purchaseOrder.date', po.date, got.purchaseOrder.date);
  check(header, file, 'purchaseOrder.currency', po.currency, got.purchaseOrder.currency);
  check(header, file, 'purchaseOrder.total', po.total, got.purchaseOrder.total);
  check(header, file, 'purchaseOrder.buyer', po.buyer, got.purchaseOrder.buyer);
  check(header, file, 'quoteNumber', truth.quoteNumber, got.quoteNumber);
  check(header, file, 'specialTermsText', truth.specialTermsText, got.specialTermsText);
  const contacts = got.contacts ?? [];
  const contact =
    contacts.find((c) => c.name === truth.contact?.name) ??
    contacts.find((c) => c.email !== undefined);
  check(header, file, 'contact.name', truth.contact?.name, contact?.name);
  check(header, file, 'contact.email', truth.contact?.email, contact?.email);
  check(header, file, 'contact.phone', truth.contact?.phone, contact?.phone);
  check(header, file, 'vendor', truth.vendor, got.attributes?.vendor);

  const expectedLines = truth.lines ?? [];
  expectedLines.forEach((line, index) => {
    const actual = got.lines[index];
    for (const field of LINE_FIELDS) {
      check(lines, file, `lines[${index}].${field}`, line[field], actual?.[field]);
    }
  });
  for (let index = expectedLines.length; index < got.lines.length; index += 1) {
    lines.total += LINE_FIELDS.length;
    lines.wrong.push(`${file}: lines[${index}] is not on the PO`);
  }
  return { header, lines };
}

/** Adds up the scores of several samples. */
export function sumPoPdfScores(scores: PoPdfScore[]): PoPdfScore {
  const sum = (part: 'header' | 'lines'): FieldScore => ({
    right: scores.reduce((n, s) => n + s[part].right, 0),
    total: scores.reduce((n, s) => n + s[part].total, 0),
    wrong: scores.flatMap((s) => s[part].wrong),
  });
  return { header: sum('header'), lines: sum('lines') };
}
