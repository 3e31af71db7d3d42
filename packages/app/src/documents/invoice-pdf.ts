import { formatAmount, formatRate } from '@orderdesk/core';
import type { InvoiceDocument } from '../invoices/invoice-document.ts';
import { openPdf, tableRow } from './pdf-kit.ts';

const TAX_LABEL = { S: 'Tax', Z: 'Zero-rated', AE: 'Reverse charge' } as const;

/** What a billing document (an invoice, a credit note) prints: the same layout for both. */
export interface BillingPdfLayout {
  /** The heading and the PDF's title, e.g. `Invoice EW-INV-000042`. */
  title: string;
  /** The document's date (ISO): the PDF's creation date, so a document renders the same bytes. */
  date: string;
  /** The lines under the heading: status, dates, references. */
  heading: readonly string[];
  currency: string;
  seller: InvoiceDocument['seller'];
  buyer: InvoiceDocument['buyer'];
  lines: InvoiceDocument['lines'];
  /** The totals under the lines, right-aligned; the last is bold. */
  totals: readonly string[];
}

/**
 * Renders a billing document as a PDF (A4): the heading, seller and buyer (the partner billed,
 * and the end customer served), one row per line and the totals. Text is drawn as text (standard fonts), so it can be extracted (the tests read it
 * back).
 */
export async function renderBillingPdf(layout: BillingPdfLayout): Promise<Buffer> {
  const { doc: pdf, done } = await openPdf({
    Title: layout.title,
    Author: layout.seller.name,
    CreationDate: new Date(`${layout.date}T00:00:00Z`),
  });
  const money = (minor: number): string => formatAmount(minor, layout.currency);
  pdf.fontSize(18).font('Helvetica-Bold').text(layout.title);
  pdf.fontSize(10).font('Helvetica').moveDown(0.5);
  for (const line of layout.heading) pdf.text(line);
  pdf.moveDown();
  const top = pdf.y;
  const party = (
    title: string,
    p: {
      name: string;
      taxId: string | null;
      address: InvoiceDocument['seller']['address'];
      country: string;
    },
    x: number,
  ): void => {
    pdf.font('Helvetica-Bold').text(title, x, top, { width: 240 });
    pdf.font('Helvetica').text(p.name, x, pdf.y, { width: 240 });
    if (p.address) {
      pdf.text(p.address.line1, x, pdf.y, { width: 240 });
      pdf.text(
        `${p.address.postalCode} ${p.address.city}${p.address.region ? `, ${p.address.region}` : ''}`,
        x,
        pdf.y,
        { width: 240 },
      );
    }
    pdf.text(p.address?.country ?? p.country, x, pdf.y, { width: 240 });
    if (p.taxId) pdf.text(`Tax ID: ${p.taxId}`, x, pdf.y, { width: 240 });
  };
  party('From', layout.seller, 50);
  const afterSeller = pdf.y;
  party('Bill to', layout.buyer, 300);
  if (layout.buyer.contact.email)
    pdf.text(`Attn: ${layout.buyer.contact.email}`, 300, pdf.y, { width: 240 });
  // The end customer is served, not billed: named under the partner that is.
  const { customerName, shipTo } = layout.buyer;
  if (customerName) pdf.text(`End customer: ${customerName}`, 300, pdf.y, { width: 240 });
  if (shipTo) {
    pdf.text(
      `Ship to: ${shipTo.line1}, ${shipTo.postalCode} ${shipTo.city}${shipTo.region ? `, ${shipTo.region}` : ''}, ${shipTo.country}`,
      300,
      pdf.y,
      { width: 240 },
    );
  }
  pdf.y = Math.max(afterSeller, pdf.y);
  pdf.x = 50;
  pdf.moveDown();
  const cols = [50, 140, 330, 380, 460, 545];
  const row = tableRow(pdf, cols, 545);
  row(['Part number', 'Description', 'Qty', 'Unit price', 'Amount'], true);
  for (const l of layout.lines) {
    row([l.partNumber, l.name, String(l.quantity), money(l.unitPriceMinor), money(l.amountMinor)]);
  }
  pdf.moveDown();
  layout.totals.forEach((text, i) => {
    pdf
      .font(i === layout.totals.length - 1 ? 'Helvetica-Bold' : 'Helvetica')
      .text(text, 50, pdf.y, { align: 'right', width: 495 });
  });
  pdf.end();
  return done;
}

/** The tax line of a billing document's totals: the rate, or why there is none. */
export function taxTotalText(
  tax: InvoiceDocument['tax'],
  taxMinor: number,
  currency: string,
): string {
  const label = TAX_LABEL[tax.category];
  const amount = `${formatAmount(taxMinor, currency)} ${currency}`;
  return tax.category === 'S'
    ? `${label} ${formatRate(tax.rate)}%: ${amount}`
    : `${label} (${tax.exemptionReason ?? ''}): ${amount}`;
}

/**
 * Renders an invoice as a PDF (A4): seller and buyer, number and dates, one row per line, the
 * tax and the total; the creation date is the issue date, so the same invoice renders the same
 * bytes.
 */
export async function renderInvoicePdf(doc: InvoiceDocument): Promise<Buffer> {
  const money = (minor: number): string => `${formatAmount(minor, doc.currency)} ${doc.currency}`;
  return renderBillingPdf({
    title: `Invoice ${doc.number}`,
    date: doc.issueDate,
    heading: [
      ...(doc.status === 'credited' && doc.creditNote
        ? [`Credited by credit note ${doc.creditNote.number} on ${doc.creditNote.issueDate}`]
        : []),
      `Issue date: ${doc.issueDate}    Due date: ${doc.dueDate} (net ${doc.paymentTermsDays} days)`,
      `Order: ${doc.orderNumber}${doc.salesOrderNumber ? `    Sales order: ${doc.salesOrderNumber}` : ''}${doc.poNumber ? `    PO: ${doc.poNumber}` : ''}`,
    ],
    currency: doc.currency,
    seller: doc.seller,
    buyer: doc.buyer,
    lines: doc.lines,
    totals: [
      `Subtotal: ${money(doc.subtotalMinor)}`,
      taxTotalText(doc.tax, doc.taxMinor, doc.currency),
      `Total: ${money(doc.totalMinor)}`,
    ],
  });
}
