import type { QuoteView } from '../quotes/quote-view.ts';

/** Renders a quote as a PDF (A4, one table of lines, totals, validity). */
export async function renderQuotePdf(input: {
  view: QuoteView;
  vendorName: string;
  partnerName: string;
  customerName: string;
}): Promise<Buffer> {
  const { view } = input;
  // Loaded on first use: most processes never render a PDF.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: `Quote ${view.number} rev. ${view.revision}` },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.fontSize(18).text(`${input.vendorName} — Quote ${view.number}`, { continued: false });
  doc.fontSize(10).moveDown(0.5);
  doc.text(`Revision ${view.revision} · Status: ${view.status} · Valid until ${view.validUntil}`);
  doc.text(`Partner: ${input.partnerName}`);
  doc.text(`Customer: ${input.customerName}`);
  doc.text(`Order type: ${view.orderType} · Currency: ${view.currency}`);
  doc.moveDown();
  const cols = [50, 150, 330, 370, 430, 490];
  const header = ['Part number', 'Product', 'Qty', 'List', 'Net', 'Amount'];
  const row = (cells: string[], bold = false): void => {
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica');
    cells.forEach((cell, i) => {
      const width = (cols[i + 1] ?? 550) - (cols[i] ?? 0) - 4;
      doc.text(cell, cols[i] ?? 50, y, { width, align: i >= 2 ? 'right' : 'left' });
    });
    doc.moveDown(0.3);
    doc.x = 50;
  };
  row(header, true);
  for (const l of view.lines) {
    if (doc.y > 760) doc.addPage();
    row([l.partNumber, l.name, String(l.quantity), l.listPrice ?? '—', l.netPrice, l.amount]);
  }
  doc.moveDown();
  doc
    .font('Helvetica-Bold')
    .text(`Total: ${view.total} ${view.currency}`, 50, doc.y, { align: 'right', width: 500 });
  if (view.notes) doc.font('Helvetica').moveDown().text(view.notes, 50);
  doc.end();
  return done;
}
