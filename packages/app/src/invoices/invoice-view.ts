import { formatAmount, type InvoiceStatus, type TaxCategory } from '@orderdesk/core';
import type { CreditNote, Invoice, InvoiceLine } from '@orderdesk/store';
import type { InvoiceAddress, InvoiceBuyer, InvoiceSeller } from './invoice-document.ts';
import type { CreditNoteView, InvoiceSummaryView, InvoiceView } from './invoices.schemas.ts';

export function toInvoiceSummary(invoice: Invoice): InvoiceSummaryView {
  const money = (minor: number): string => formatAmount(Number(minor), invoice.currency);
  return {
    id: invoice.id,
    number: invoice.number,
    orderId: invoice.order_id,
    orderNumber: invoice.order_number,
    salesOrderNumber: invoice.sales_order_number,
    poNumber: invoice.po_number,
    status: invoice.status as InvoiceStatus,
    version: invoice.version,
    issuedAt: invoice.issued_at,
    issueDate: invoice.issue_date,
    dueAt: invoice.due_date,
    paymentTermsDays: invoice.payment_terms_days,
    currency: invoice.currency,
    subtotal: money(invoice.subtotal_minor),
    taxTotal: money(invoice.tax_minor),
    total: money(invoice.total_minor),
    tax: {
      category: invoice.tax_category as TaxCategory,
      rate: invoice.tax_rate,
      exemptionReason: invoice.tax_exemption_reason,
    },
    paidAt: invoice.paid_at,
    paidOn: invoice.paid_on,
    creditedAt: invoice.credited_at,
  };
}

export function toCreditNoteView(note: CreditNote, invoice: Invoice): CreditNoteView {
  const money = (minor: number): string => formatAmount(Number(minor), note.currency);
  return {
    id: note.id,
    number: note.number,
    invoiceId: invoice.id,
    invoiceNumber: invoice.number,
    issuedAt: note.issued_at,
    issueDate: note.issue_date,
    reason: note.reason,
    currency: note.currency,
    subtotal: money(note.subtotal_minor),
    taxTotal: money(note.tax_minor),
    total: money(note.total_minor),
  };
}

/** An address as the view shows it: no empty optional lines. */
function addressView(a: InvoiceAddress | null | undefined): InvoiceView['buyer']['address'] {
  if (!a) return null;
  return {
    line1: a.line1,
    ...(a.line2 ? { line2: a.line2 } : {}),
    city: a.city,
    ...(a.region ? { region: a.region } : {}),
    postalCode: a.postalCode,
    country: a.country,
  };
}

export function toInvoiceView(
  invoice: Invoice,
  lines: readonly InvoiceLine[],
  creditNote: CreditNote | undefined,
): InvoiceView {
  const seller = JSON.parse(invoice.seller) as InvoiceSeller;
  const buyer = JSON.parse(invoice.buyer) as InvoiceBuyer;
  return {
    ...toInvoiceSummary(invoice),
    seller: { name: seller.name, country: seller.country, taxId: seller.taxId },
    buyer: {
      name: buyer.name,
      country: buyer.country,
      taxId: buyer.taxId,
      address: addressView(buyer.address),
      contactEmail: buyer.contact.email,
    },
    endCustomer: { name: buyer.customerName, shipTo: addressView(buyer.shipTo) },
    lines: lines.map((l) => ({
      lineNo: l.line_no,
      partNumber: l.part_number,
      name: l.name,
      quantity: l.quantity,
      unitPrice: formatAmount(Number(l.unit_price_minor), invoice.currency),
      amount: formatAmount(Number(l.amount_minor), invoice.currency),
    })),
    creditNote: creditNote ? toCreditNoteView(creditNote, invoice) : null,
  };
}
