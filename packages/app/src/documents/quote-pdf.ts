import type { QuoteView } from '../quotes/quote-view.ts';
import { openPdf, tableRow } from './pdf-kit.ts';

/** Renders a quote as a PDF (A4, one table of lines, totals, validity). */
export async function renderQuotePdf(input: {
  view: QuoteView;
  vendorName: string;
  partnerName: string;
  customerName: string;
}): Promise<Buffer> {
  const { view } = input;
  const { doc, done } = await openPdf({ Title: `Quote ${view.number} rev. ${view.revision}` });
  doc.fontSize(18).text(`${input.vendorName} — Quote ${view.number}`, { continued: false });
  doc.fontSize(10).moveDown(0.5);
  doc.text(`Revision ${view.revision} · Status: ${view.status} · Valid until ${view.validUntil}`);
  doc.text(`Partner: ${input.partnerName}`);
  doc.text(`Customer: ${input.customerName}`);
  doc.text(`Order type: ${view.orderType} · Currency: ${view.currency}`);
  doc.moveDown();
  const cols = [50, 150, 330, 370, 430, 490];
  const header = ['Part number', 'Product', 'Qty', 'List', 'Net', 'Amount'];
  const row = tableRow(doc, cols, 550);
  row(header, true);
  for (const l of view.lines) {
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
