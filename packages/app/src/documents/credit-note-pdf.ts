import { formatAmount } from '@orderdesk/core';
import type { CreditNoteDocument } from '../invoices/invoice-document.ts';
import { renderBillingPdf, taxTotalText } from './invoice-pdf.ts';

/**
 * Renders a credit note as a PDF, laid out as its invoice is: seller and buyer as invoiced,
 * the credited invoice's number and date, the reason, the invoice's lines with negated prices
 * and amounts, and the totals as stored (negative). The creation date is the note's
 * issue date, so the same credit note renders the same bytes.
 */
export async function renderCreditNotePdf(doc: CreditNoteDocument): Promise<Buffer> {
  const { invoice } = doc;
  const money = (minor: number): string => `${formatAmount(minor, doc.currency)} ${doc.currency}`;
  return renderBillingPdf({
    title: `Credit note ${doc.number}`,
    date: doc.issueDate,
    heading: [
      `Issue date: ${doc.issueDate}`,
      `Credits invoice ${invoice.number} of ${invoice.issueDate} in full`,
      `Order: ${invoice.orderNumber}${invoice.salesOrderNumber ? `    Sales order: ${invoice.salesOrderNumber}` : ''}${invoice.poNumber ? `    PO: ${invoice.poNumber}` : ''}`,
      `Reason: ${doc.reason}`,
    ],
    currency: doc.currency,
    seller: invoice.seller,
    buyer: invoice.buyer,
    lines: doc.lines,
    totals: [
      `Subtotal: ${money(doc.subtotalMinor)}`,
      taxTotalText(invoice.tax, doc.taxMinor, doc.currency),
      `Total: ${money(doc.totalMinor)}`,
    ],
  });
}
