// An issued invoice as its documents (PDF, UBL) and its API view read it: the stored row with
// its parties parsed. Everything is copied at issue time, so the documents of an invoice are
// the same however often they are rendered.
import type { InvoiceStatus, TaxCategory } from '@orderdesk/core';
import type { BillingAddress, CreditNote, Invoice, InvoiceLine } from '@orderdesk/store';

/** A postal address with its country: the store's, as a partnership is billed at. */
export type InvoiceAddress = BillingAddress;

/** The seller as issued: the profile's `invoicing.seller`, else the vendor's name. */
export interface InvoiceSeller {
  name: string;
  country: string;
  taxId: string | null;
  /** PEPPOL electronic address (EAS scheme and id). */
  endpoint: { scheme: string; id: string };
  address: InvoiceAddress | null;
}

/**
 * The buyer as issued: the partner, as its partnership with the vendor bills it (legal name,
 * billing address, country, tax ID), with its invoicing contact; and the end customer the order
 * was for, who is not the buyer.
 */
export interface InvoiceBuyer {
  name: string;
  partnerId: string;
  /** The partnership's billing country; the seller's when it has none. */
  country: string;
  /** The partner's tax ID (the partnership's); never the end customer's. */
  taxId: string | null;
  /**
   * The partner's billing address (on invoices issued before partnerships had one: the end
   * customer's).
   */
  address: InvoiceAddress | null;
  contact: { name: string | null; email: string | null };
  endpoint: { scheme: string; id: string };
  /** The end customer the order was for. */
  customerName: string | null;
  /** The end customer's ship-to (the order's shipping address); absent on older invoices. */
  shipTo?: InvoiceAddress | null;
}

export interface InvoiceDocument {
  id: string;
  number: string;
  status: InvoiceStatus;
  currency: string;
  issueDate: string;
  dueDate: string;
  paymentTermsDays: number;
  orderId: string;
  orderNumber: string;
  salesOrderNumber: string | null;
  poNumber: string | null;
  seller: InvoiceSeller;
  buyer: InvoiceBuyer;
  lines: {
    lineNo: number;
    partNumber: string;
    name: string;
    quantity: number;
    unitPriceMinor: number;
    amountMinor: number;
  }[];
  subtotalMinor: number;
  taxMinor: number;
  totalMinor: number;
  tax: { category: TaxCategory; rate: string; exemptionReason: string | null };
  creditNote: { number: string; issueDate: string; reason: string; totalMinor: number } | null;
}

/** The document model of a stored invoice. */
export function invoiceDocumentOf(
  invoice: Invoice,
  lines: readonly InvoiceLine[],
  creditNote?: CreditNote,
): InvoiceDocument {
  return {
    id: invoice.id,
    number: invoice.number,
    status: invoice.status as InvoiceStatus,
    currency: invoice.currency,
    issueDate: invoice.issue_date,
    dueDate: invoice.due_date,
    paymentTermsDays: invoice.payment_terms_days,
    orderId: invoice.order_id,
    orderNumber: invoice.order_number,
    salesOrderNumber: invoice.sales_order_number,
    poNumber: invoice.po_number,
    seller: JSON.parse(invoice.seller) as InvoiceSeller,
    buyer: JSON.parse(invoice.buyer) as InvoiceBuyer,
    lines: lines.map((l) => ({
      lineNo: l.line_no,
      partNumber: l.part_number,
      name: l.name,
      quantity: l.quantity,
      unitPriceMinor: Number(l.unit_price_minor),
      amountMinor: Number(l.amount_minor),
    })),
    subtotalMinor: Number(invoice.subtotal_minor),
    taxMinor: Number(invoice.tax_minor),
    totalMinor: Number(invoice.total_minor),
    tax: {
      category: invoice.tax_category as TaxCategory,
      rate: invoice.tax_rate,
      exemptionReason: invoice.tax_exemption_reason,
    },
    creditNote: creditNote
      ? {
          number: creditNote.number,
          issueDate: creditNote.issue_date,
          reason: creditNote.reason,
          totalMinor: Number(creditNote.total_minor),
        }
      : null,
  };
}

/**
 * A credit note as its documents read it: the credited invoice (parties, references, lines as
 * issued) and the note's own number, date, reason and stored totals. It reverses the invoice
 * in full, so its lines are the invoice's with unit prices and amounts negated, the way
 * `creditNoteTotals` computed the stored totals.
 */
export interface CreditNoteDocument {
  id: string;
  number: string;
  issueDate: string;
  reason: string;
  currency: string;
  /** The credited invoice, as issued. */
  invoice: InvoiceDocument;
  lines: InvoiceDocument['lines'];
  /** Negative, as stored: the exact negation of the invoice's. */
  subtotalMinor: number;
  taxMinor: number;
  totalMinor: number;
}

const negated = (minor: number): number => (minor === 0 ? 0 : -minor);

/** The document model of a stored credit note and the invoice it credits. */
export function creditNoteDocumentOf(
  invoice: Invoice,
  lines: readonly InvoiceLine[],
  creditNote: CreditNote,
): CreditNoteDocument {
  const credited = invoiceDocumentOf(invoice, lines, creditNote);
  return {
    id: creditNote.id,
    number: creditNote.number,
    issueDate: creditNote.issue_date,
    reason: creditNote.reason,
    currency: creditNote.currency,
    invoice: credited,
    lines: credited.lines.map((l) => ({
      ...l,
      unitPriceMinor: negated(l.unitPriceMinor),
      amountMinor: negated(l.amountMinor),
    })),
    subtotalMinor: Number(creditNote.subtotal_minor),
    taxMinor: Number(creditNote.tax_minor),
    totalMinor: Number(creditNote.total_minor),
  };
}
