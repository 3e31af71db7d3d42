// The invoice's mail to the partnership's invoicing contact. The profile's `invoice.issued`
// rule writes it (notify-by-profile); here the invoice's documents are named on it, and when a
// profile has no such rule (or the partner asks for the invoice again) this writes the message
// and its outbox row itself. The outbox payload names the invoice, so the mail worker can
// attach the rendered PDF and UBL (renderInvoiceAttachments). A credit note is mailed the same
// way, by OrderDesk (profiles have no rule for it), with the credit note's PDF and UBL.
import {
  formatAmount,
  invoiceConfirmsCompletion,
  WELCOME_EMAIL_TEMPLATE,
  type OrderSubmission,
  type VendorProfile,
} from '@orderdesk/core';
import {
  findCreditNoteInScope,
  findInvoiceInScope,
  findPartnership,
  listInvoiceLines,
  listMessages,
  setEventMessageAttachments,
  type CreditNote,
  type Executor,
  type Invoice,
  type Order,
} from '@orderdesk/store';
import { renderCreditNotePdf } from '../documents/credit-note-pdf.ts';
import { renderCreditNoteUbl } from '../documents/credit-note-ubl.ts';
import { renderInvoicePdf } from '../documents/invoice-pdf.ts';
import { renderInvoiceUbl } from '../documents/invoice-ubl.ts';
import { senderOf } from '../events/notify-by-profile.ts';
import { writeOrderMail } from '../messages/order-mail.ts';
import { creditNoteDocumentOf, invoiceDocumentOf } from './invoice-document.ts';

export interface InvoiceAttachment {
  name: string;
  contentType: string;
  size: number;
}

/** The attachment names of an invoice's (or a credit note's) mail: its PDF and its UBL XML. */
export function invoiceAttachmentsOf(
  number: string,
  sizes: { pdf: number; ubl: number },
): InvoiceAttachment[] {
  return [
    { name: `${number}.pdf`, contentType: 'application/pdf', size: sizes.pdf },
    { name: `${number}.xml`, contentType: 'application/xml', size: sizes.ubl },
  ];
}

/**
 * The invoice's documents as mail attachments (for the mail worker, given the payload's invoice
 * id). A credit note's mail names the credit note's id there instead: the mail worker's
 * `invoice_pdf` kind passes on nothing else, and the id says which document it is.
 */
export async function renderInvoiceAttachments(
  db: Executor,
  input: { invoiceId: string; vendorId: string },
): Promise<{ filename: string; contentType: string; content: Buffer }[]> {
  const files = (number: string, pdf: Buffer, ubl: string) => [
    { filename: `${number}.pdf`, contentType: 'application/pdf', content: pdf },
    { filename: `${number}.xml`, contentType: 'application/xml', content: Buffer.from(ubl) },
  ];
  // A credit note's mail names the credit note (its documents credit the invoice).
  const note = await findCreditNoteInScope(db, input.invoiceId, { vendorId: input.vendorId });
  const invoiceId = note ? note.invoice_id : input.invoiceId;
  const invoice = await findInvoiceInScope(db, invoiceId, { vendorId: input.vendorId });
  if (!invoice) return [];
  const lines = await listInvoiceLines(db, invoice.id);
  if (note) {
    const doc = creditNoteDocumentOf(invoice, lines, note);
    return files(note.number, await renderCreditNotePdf(doc), renderCreditNoteUbl(doc));
  }
  const doc = invoiceDocumentOf(invoice, lines);
  return files(invoice.number, await renderInvoicePdf(doc), renderInvoiceUbl(doc));
}

/** The invoicing contact of an order: the one on the order, else the partnership's. */
export async function invoicingContactOf(tx: Executor, order: Order): Promise<string[]> {
  const body = JSON.parse(order.body) as Partial<OrderSubmission>;
  if (body.contacts?.invoicing?.email) return [body.contacts.invoicing.email];
  const partnership = await findPartnership(tx, order.vendor_id, order.partner_id);
  return partnership?.invoicing_contact_email ? [partnership.invoicing_contact_email] : [];
}

/** One mail on the order's thread to the invoicing contact, with its outbox row. */
async function writeBillingMail(
  tx: Executor,
  input: {
    order: Order;
    profile: VendorProfile;
    vendorSlug: string;
    eventId: string;
    at: string;
    to: string[];
    template: string;
    subject: string;
    text: string;
    /** Tells Message-IDs apart: `<event.mark@vendor.orderdesk>`. */
    mark: string;
    attachments: readonly InvoiceAttachment[];
    /** The id the mail worker renders the attachments from (renderInvoiceAttachments). */
    documentId: string;
  },
): Promise<void> {
  await writeOrderMail(tx, {
    order: input.order,
    vendorSlug: input.vendorSlug,
    from: senderOf(input.profile, input.vendorSlug),
    to: input.to,
    template: input.template,
    subject: input.subject,
    text: input.text,
    attachments: input.attachments,
    thread: 'order',
    mark: input.mark,
    eventId: input.eventId,
    at: input.at,
    payload: { attach: ['invoice_pdf'], invoiceId: input.documentId },
  });
}

/** The order's references as the mails' first sentence names them. */
function orderReferencesOf(order: Order): string {
  return `order ${order.number}${order.sales_order_number ? ` (sales order ${order.sales_order_number})` : ''}${order.po_number ? `, your PO ${order.po_number}` : ''}`;
}

/**
 * Writes the invoice mail on the order's thread (message + outbox row); returns the addresses
 * it went to (none: no invoicing contact known, nothing written).
 */
export async function writeInvoiceMail(
  tx: Executor,
  input: {
    invoice: Invoice;
    order: Order;
    profile: VendorProfile;
    vendorSlug: string;
    eventId: string;
    at: string;
    attachments: readonly InvoiceAttachment[];
    /** "again": the partner asked for it (resend). */
    again?: boolean;
  },
): Promise<string[]> {
  const { invoice, order } = input;
  const to = await invoicingContactOf(tx, order);
  if (to.length === 0) return [];
  const total = `${formatAmount(Number(invoice.total_minor), invoice.currency)} ${invoice.currency}`;
  const welcomed = (await listMessages(tx, { entityType: 'order', entityId: order.id })).some(
    (m) => m.template === WELCOME_EMAIL_TEMPLATE,
  );
  const confirms =
    !input.again && invoiceConfirmsCompletion(input.profile, order.type, welcomed)
      ? ['', `This invoice is your confirmation that order ${order.number} is complete.`]
      : [];
  await writeBillingMail(tx, {
    ...input,
    to,
    template: input.again ? 'invoice_resent' : 'invoice',
    subject: `${input.again ? 'Copy of invoice' : 'Invoice'} ${invoice.number} for order ${order.number}`,
    text: [
      `Invoice ${invoice.number} for ${orderReferencesOf(order)}.`,
      '',
      `Issued ${invoice.issue_date}, due ${invoice.due_date}. Total ${total}.`,
      '',
      'The invoice is attached as a PDF and as a UBL 2.1 (PEPPOL BIS Billing 3) XML file.',
      ...confirms,
    ].join('\n'),
    mark: 'invoice',
    documentId: invoice.id,
  });
  return to;
}

/**
 * Writes the credit note's mail on the order's thread to the invoicing contact, with its PDF
 * and UBL CreditNote named as attachments; returns the addresses it went to (none: no
 * invoicing contact known, or the profile delivers invoices through the portal).
 */
export async function writeCreditNoteMail(
  tx: Executor,
  input: {
    note: CreditNote;
    invoice: Invoice;
    order: Order;
    profile: VendorProfile;
    vendorSlug: string;
    eventId: string;
    sizes: { pdf: number; ubl: number };
  },
): Promise<string[]> {
  const { note, invoice, order } = input;
  // Like the invoice's: OrderDesk mails it unless the profile delivers through the portal.
  if (input.profile.invoicing.via !== 'email') return [];
  const to = await invoicingContactOf(tx, order);
  if (to.length === 0) return [];
  const total = `${formatAmount(Number(note.total_minor), note.currency)} ${note.currency}`;
  await writeBillingMail(tx, {
    ...input,
    at: note.issued_at,
    to,
    template: 'credit_note',
    subject: `Credit note ${note.number} for invoice ${invoice.number} (order ${order.number})`,
    text: [
      `Credit note ${note.number} credits invoice ${invoice.number} of ${invoice.issue_date} in full, for ${orderReferencesOf(order)}.`,
      '',
      `Issued ${note.issue_date}. Total ${total}.`,
      `Reason: ${note.reason}`,
      '',
      'The credit note is attached as a PDF and as a UBL 2.1 CreditNote (PEPPOL BIS Billing 3) XML file.',
    ].join('\n'),
    mark: 'credit-note',
    attachments: invoiceAttachmentsOf(note.number, input.sizes),
    documentId: note.id,
  });
  return to;
}

/**
 * After `invoice.issued` was recorded: names the documents on the mail the profile's rule
 * wrote, or writes the mail itself when no rule did (and the profile delivers by e-mail).
 */
export async function attachInvoiceToMail(
  tx: Executor,
  input: {
    eventId: string;
    invoice: Invoice;
    order: Order;
    profile: VendorProfile;
    vendorSlug: string;
    sizes: { pdf: number; ubl: number };
  },
): Promise<void> {
  const attachments = invoiceAttachmentsOf(input.invoice.number, input.sizes);
  const written = await setEventMessageAttachments(
    tx,
    { entityType: 'order', entityId: input.order.id },
    input.eventId,
    attachments,
  );
  if (written > 0 || input.profile.invoicing.via !== 'email') return;
  await writeInvoiceMail(tx, { ...input, at: input.invoice.issued_at, attachments });
}
