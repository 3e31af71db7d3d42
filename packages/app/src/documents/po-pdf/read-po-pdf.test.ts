import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { PoPdfTruth } from './po-accuracy.ts';
import { scorePoPdfExtraction, sumPoPdfScores } from './po-accuracy.ts';
import { readPurchaseOrderPdf } from './read-po-pdf.ts';

const FIXTURES = new URL('../../../../../bench/fixtures/po-pdf/', import.meta.url);
const truths = (
  JSON.parse(readFileSync(new URL('expected.json', FIXTURES), 'utf8')) as { samples: PoPdfTruth[] }
).samples;

function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, FIXTURES)));
}

/** Draws a PDF with pdfkit: `draw` places text at absolute positions. */
async function drawPdf(
  draw: (doc: PDFKit.PDFDocument) => void,
  options: PDFKit.PDFDocumentOptions = {},
): Promise<Uint8Array> {
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', margin: 40, ...options });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  draw(doc);
  doc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

/** A minimal PDF assembled by hand, with a correct cross-reference table. */
function handmadePdf(objects: (string | Buffer)[]): Uint8Array {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n')];
  const offsets: number[] = [];
  let length = parts[0]!.length;
  objects.forEach((body, index) => {
    offsets.push(length);
    const chunk = Buffer.concat([
      Buffer.from(`${index + 1} 0 obj\n`),
      typeof body === 'string' ? Buffer.from(body) : body,
      Buffer.from('\nendobj\n'),
    ]);
    parts.push(chunk);
    length += chunk.length;
  });
  const xref = [
    'xref',
    `0 ${objects.length + 1}`,
    '0000000000 65535 f ',
    ...offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n `),
    'trailer',
    `<< /Size ${objects.length + 1} /Root 1 0 R >>`,
    'startxref',
    String(length),
    '%%EOF',
  ].join('\n');
  parts.push(Buffer.from(xref));
  return new Uint8Array(Buffer.concat(parts));
}

describe('readPurchaseOrderPdf on the sample POs', () => {
  it('reads at least 98% of the header fields and of the line fields right', async () => {
    const scores = [];
    for (const truth of truths) {
      const result = await readPurchaseOrderPdf(fixture(truth.file));
      scores.push(scorePoPdfExtraction(truth, result));
    }
    const total = sumPoPdfScores(scores);
    const header = total.header.right / total.header.total;
    const lines = total.lines.right / total.lines.total;
    // The misses, if any, are in the failure message; the floor is what the reader reaches.
    expect({ header, lines, wrong: [...total.header.wrong, ...total.lines.wrong] }).toMatchObject({
      header: expect.toSatisfy((n: number) => n >= 0.98),
      lines: expect.toSatisfy((n: number) => n >= 0.98),
    });
    expect(total.header.total).toBeGreaterThan(100);
    expect(total.lines.total).toBeGreaterThan(130);
  });

  it('returns the layout text and what it was unsure of', async () => {
    const result = await readPurchaseOrderPdf(fixture('Contoso-PO-Adatum-Adel.pdf'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.text).toMatch(/PO #\s+190122/);
    expect(result.text).toMatch(/MM4-4010\s+Micro-Motor #4\s+89\s+62\.00\s+5,518\.00/);
    expect(result.extracted.notes).toContain('currency USD read from the symbol of the total');
  });

  it('refuses a trade confirmation: it is not a purchase order', async () => {
    const result = await readPurchaseOrderPdf(fixture('TradeConfirmation114400.pdf'));
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/not a purchase order/) });
  });
});

describe('readPurchaseOrderPdf on layouts it has never seen', () => {
  it('reads a European PO: inline labels, day-first dates, euro amounts, other column order', async () => {
    const pdf = await drawPdf((doc) => {
      doc.font('Helvetica-Bold').fontSize(16).text('Globex GmbH', 40, 40, { lineBreak: false });
      doc.fontSize(14).text('Purchase Order', 400, 40, { lineBreak: false });
      doc.font('Helvetica').fontSize(10);
      doc.text('Purchase Order No.: 4500012345', 350, 80, { lineBreak: false });
      doc.text('Order Date: 03.04.2026', 350, 95, { lineBreak: false });
      doc.text('Currency: EUR', 350, 110, { lineBreak: false });
      doc.text('Quote Ref: Q-2026-0042', 350, 125, { lineBreak: false });
      doc.text('Supplier', 40, 80, { lineBreak: false });
      doc.text('Northwind Software AG', 40, 95, { lineBreak: false });
      const y = 200;
      doc.font('Helvetica-Bold');
      doc.text('Pos', 40, y, { lineBreak: false });
      doc.text('Qty', 70, y, { lineBreak: false });
      doc.text('Article No.', 110, y, { lineBreak: false });
      doc.text('Description', 200, y, { lineBreak: false });
      doc.text('Price', 400, y, { lineBreak: false });
      doc.text('Amount', 480, y, { lineBreak: false });
      doc.font('Helvetica');
      const rows = [
        ['1', '2', 'NW-LIC-100', 'Northwind Server licence', '1.200,00', '2.400,00'],
        ['2', '10', 'NW-SUP-001', 'Support, first year, per', '45,50', '455,00'],
      ];
      rows.forEach((row, i) => {
        const ry = y + 20 + i * 30;
        doc.text(row[0]!, 40, ry, { lineBreak: false });
        doc.text(row[1]!, 70, ry, { lineBreak: false });
        doc.text(row[2]!, 110, ry, { lineBreak: false });
        doc.text(row[3]!, 200, ry, { lineBreak: false });
        doc.text(row[4]!, 400, ry, { lineBreak: false });
        doc.text(row[5]!, 480, ry, { lineBreak: false });
      });
      // A wrapped description: its second line has no numbers.
      doc.text('named user', 200, y + 20 + 30 + 12, { lineBreak: false });
      doc.text('Grand Total', 400, 330, { lineBreak: false });
      doc.text('2.855,00 EUR', 480, 330, { lineBreak: false });
      doc.text('Special terms:', 40, 380, { lineBreak: false });
      doc.text('Prices valid with quote Q-2026-0042 only.', 40, 395, { lineBreak: false });
      doc.text('Buyer contact: Hans Muster, +49 30 1234567, hans.muster@globex.example', 40, 450, {
        lineBreak: false,
      });
    });
    const result = await readPurchaseOrderPdf(pdf);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { extracted } = result;
    expect(extracted.purchaseOrder).toEqual({
      number: '4500012345',
      date: '2026-04-03',
      currency: 'EUR',
      total: '2855.00',
      buyer: 'Globex GmbH',
    });
    expect(extracted.quoteNumber).toBe('Q-2026-0042');
    expect(extracted.lines).toEqual([
      {
        partNumber: 'NW-LIC-100',
        description: 'Northwind Server licence',
        quantity: '2',
        unitPrice: '1200.00',
        lineTotal: '2400.00',
      },
      {
        partNumber: 'NW-SUP-001',
        description: 'Support, first year, per named user',
        quantity: '10',
        unitPrice: '45.50',
        lineTotal: '455.00',
      },
    ]);
    expect(extracted.specialTermsText).toBe('Prices valid with quote Q-2026-0042 only.');
    expect(extracted.contacts).toContainEqual({
      role: 'buyer_contact',
      name: 'Hans Muster',
      phone: '+49 30 1234567',
      email: 'hans.muster@globex.example',
    });
    expect(extracted.attributes?.vendor).toBe('Northwind Software AG');
  });

  it('reads values printed under their labels and a total in a labelled box', async () => {
    const pdf = await drawPdf((doc) => {
      doc.font('Helvetica').fontSize(10);
      doc.fontSize(18).text('PURCHASE ORDER', 40, 40, { lineBreak: false });
      doc.fontSize(10);
      doc.text('Buyer', 40, 90, { lineBreak: false });
      doc.text('Initech LLC', 40, 104, { lineBreak: false });
      doc.text('PO Number', 250, 90, { lineBreak: false });
      doc.text('PO-77812', 250, 104, { lineBreak: false });
      doc.text('Date', 400, 90, { lineBreak: false });
      doc.text('March 9, 2026', 400, 104, { lineBreak: false });
      doc.text('Item', 40, 160, { lineBreak: false });
      doc.text('Quantity', 250, 160, { lineBreak: false });
      doc.text('Unit Price', 350, 160, { lineBreak: false });
      doc.text('Line Total', 460, 160, { lineBreak: false });
      doc.text('TPS-REPORT-1', 40, 178, { lineBreak: false });
      doc.text('3', 250, 178, { lineBreak: false });
      doc.text('£19.99', 350, 178, { lineBreak: false });
      doc.text('£59.97', 460, 178, { lineBreak: false });
      doc.text('Total Due', 350, 230, { lineBreak: false });
      doc.text('£59.97', 460, 230, { lineBreak: false });
    });
    const result = await readPurchaseOrderPdf(pdf);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.extracted.purchaseOrder).toEqual({
      number: 'PO-77812',
      date: '2026-03-09',
      currency: 'GBP',
      total: '59.97',
      buyer: 'Initech LLC',
    });
    expect(result.extracted.lines).toEqual([
      { partNumber: 'TPS-REPORT-1', quantity: '3', unitPrice: '19.99', lineTotal: '59.97' },
    ]);
  });
});

describe('readPurchaseOrderPdf on labels and values in one run of text', () => {
  it('reads "PO Number 4711-A" and "Total EUR 1.234,50" written as single strings', async () => {
    const pdf = await drawPdf((doc) => {
      doc.font('Helvetica').fontSize(11);
      doc.text('Umbrella Corp.', 40, 40, { lineBreak: false });
      doc.text('Purchase Order', 40, 60, { lineBreak: false });
      doc.text('PO Number 4711-A', 40, 90, { lineBreak: false });
      doc.text('Order Date 2026-03-01', 40, 105, { lineBreak: false });
      doc.text('Currency EUR', 40, 120, { lineBreak: false });
      doc.text('Part No.', 40, 160, { lineBreak: false });
      doc.text('Description', 130, 160, { lineBreak: false });
      doc.text('Quantity', 330, 160, { lineBreak: false });
      doc.text('Unit Price', 400, 160, { lineBreak: false });
      doc.text('Total', 490, 160, { lineBreak: false });
      doc.text('UC-T-VIRUS', 40, 178, { lineBreak: false });
      doc.text('Antidote kit', 130, 178, { lineBreak: false });
      doc.text('5', 330, 178, { lineBreak: false });
      doc.text('246,90', 400, 178, { lineBreak: false });
      doc.text('1.234,50', 490, 178, { lineBreak: false });
      doc.text('Total EUR 1.234,50', 400, 220, { lineBreak: false });
      doc.text('Totally discreet delivery, please', 40, 260, { lineBreak: false });
    });
    const result = await readPurchaseOrderPdf(pdf);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.extracted.purchaseOrder).toEqual({
      number: '4711-A',
      date: '2026-03-01',
      currency: 'EUR',
      total: '1234.50',
      buyer: 'Umbrella Corp.',
    });
    expect(result.extracted.lines).toEqual([
      {
        partNumber: 'UC-T-VIRUS',
        description: 'Antidote kit',
        quantity: '5',
        unitPrice: '246.90',
        lineTotal: '1234.50',
      },
    ]);
  });
});

describe('readPurchaseOrderPdf on what is not a readable PO', () => {
  it('refuses empty, non-PDF, oversized and truncated input with a reason', async () => {
    expect(await readPurchaseOrderPdf(new Uint8Array())).toEqual({
      ok: false,
      reason: 'the PDF is empty',
    });
    expect(await readPurchaseOrderPdf(new TextEncoder().encode('PO 123, 2 x widget'))).toEqual({
      ok: false,
      reason: 'not a PDF (no %PDF- header)',
    });
    const sample = fixture('Contoso-PO-Adatum-Adel.pdf');
    expect(await readPurchaseOrderPdf(sample, { maxBytes: 1000 })).toEqual({
      ok: false,
      reason: expect.stringMatching(/at most 1000 are read/),
    });
    const truncated = await readPurchaseOrderPdf(sample.subarray(0, 2000));
    expect(truncated.ok).toBe(false);
  });

  it('refuses an encrypted PDF', async () => {
    const pdf = await drawPdf(
      (doc) => {
        doc.text('PURCHASE ORDER  PO # 1', 40, 40);
      },
      { userPassword: 'secret', pdfVersion: '1.7' },
    );
    expect(await readPurchaseOrderPdf(pdf)).toEqual({
      ok: false,
      reason: 'the PDF is encrypted (password-protected)',
    });
  });

  it('refuses a scanned PDF without text', async () => {
    const pdf = await drawPdf((doc) => {
      doc.rect(40, 40, 200, 100).fill('#333');
    });
    expect(await readPurchaseOrderPdf(pdf)).toEqual({
      ok: false,
      reason: 'the PDF has no text layer (a scanned image?)',
    });
  });

  it('refuses a decompression bomb without expanding it', async () => {
    // 200 MB of spaces compress to about 200 KB.
    const bomb = deflateSync(Buffer.alloc(200 * 1024 * 1024, 0x20), { level: 9 });
    const pdf = handmadePdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>',
      Buffer.concat([
        Buffer.from(`<< /Length ${bomb.length} /Filter /FlateDecode >>\nstream\n`),
        bomb,
        Buffer.from('\nendstream'),
      ]),
    ]);
    const before = process.memoryUsage().rss;
    const result = await readPurchaseOrderPdf(pdf);
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/decompression bomb/) });
    // The bomb was never expanded in this process (the worker's inflate stops at 64 MB).
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
  });

  it('refuses a page tree that refers to itself', async () => {
    const pdf = handmadePdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>',
      '<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>',
    ]);
    const result = await readPurchaseOrderPdf(pdf, { timeoutMs: 5000 });
    expect(result.ok).toBe(false);
  });

  it('stops a read that runs out of time, and reads the next PDF normally', async () => {
    const sample = fixture('Contoso-PO-Relecloud-Miriam.pdf');
    expect(await readPurchaseOrderPdf(sample, { timeoutMs: 1 })).toEqual({
      ok: false,
      reason: 'reading the PDF took longer than 1 ms (an endless object graph?)',
    });
    const next = await readPurchaseOrderPdf(sample);
    expect(next.ok && next.extracted.purchaseOrder.number).toBe('190311');
  });

  it('refuses a PDF with more pages than allowed', async () => {
    const pdf = await drawPdf((doc) => {
      doc.text('PURCHASE ORDER', 40, 40);
      doc.addPage().text('page 2', 40, 40);
      doc.addPage().text('page 3', 40, 40);
    });
    expect(await readPurchaseOrderPdf(pdf, { maxPages: 2 })).toEqual({
      ok: false,
      reason: 'the PDF has 3 pages; at most 2 are read',
    });
  });
});
