// The invoice's mail to the partnership's invoicing contact. The profile's `invoice.issued`
// rule writes it (notify-by-profile); here the invoice's documents are named on it, and when a
// profile has no such rule (or the partner asks for the invoice again) this writes the message
// and its outbox row itself. The outbox payload names the invoice, so the mail worker can
// attach the rendered PDF and UBL (renderInvoiceAttachments).
import { formatAmount, type OrderSubmission, type VendorProfile } from '@orderdesk/core';
import {
  enqueueOutbox,
  findInvoiceInScope,
  findPartnership,
  insertMessage,
  listInvoiceLines,
  listMessages,
  setEventMessageAttachments,
  type Executor,
  type Invoice,
  type Order,
} from '@orderdesk/store';
import { renderInvoicePdf } from '../documents/invoice-pdf.ts';
import { renderInvoiceUbl } from '../documents/invoice-ubl.ts';
import { senderOf } from '../events/notify-by-profile.ts';
import { invoiceDocumentOf } from './invoice-document.ts';

export interface InvoiceAttachment {
  name: string;
  contentType: string;
  size: number;
}

/** The attachment names of an invoice mail: its PDF and its UBL XML. */
export function invoiceAttachmentsOf(
  number: string,
  sizes: { pdf: number; ubl: number },
): InvoiceAttachment[] {
  return [
    { name: `${number}.pdf`, contentType: 'application/pdf', size: sizes.pdf },
    { name: `${number}.xml`, contentType: 'application/xml', size: sizes.ubl },
  ];
}

/** The invoice's documents as mail attachments (for the mail worker, given the payload's invoice id). */
export async function renderInvoiceAttachments(
  db: Executor,
  input: { invoiceId: string; vendorId: string },
): Promise<{ filename: string; contentType: string; content: Buffer }[]> {
  const invoice = await findInvoiceInScope(db, input.invoiceId, { vendorId: input.vendorId });
  if (!invoice) return [];
  const doc = invoiceDocumentOf(invoice, await listInvoiceLines(db, invoice.id));
  const pdf = await renderInvoicePdf(doc);
  const ubl = renderInvoiceUbl(doc);
  return [
    { filename: `${invoice.number}.pdf`, contentType: 'application/pdf', content: pdf },
    {
      filename: `${invoice.number}.xml`,
      contentType: 'application/xml',
      content: Buffer.from(ubl),
    },
  ];
}

/** The invoicing contact of an order: the one on the order, else the partnership's. */
export async function invoicingContactOf(tx: Executor, order: Order): Promise<string[]> {
  const body = JSON.parse(order.body) as Partial<OrderSubmission>;
  if (body.contacts?.invoicing?.email) return [body.contacts.invoicing.email];
  const partnership = await findPartnership(tx, order.vendor_id, order.partner_id);
  return partnership?.invoicing_contact_email ? [partnership.invoicing_contact_email] : [];
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
  const earlier = await listMessages(tx, { entityType: 'order', entityId: order.id });
  const references = earlier.map((m) => m.message_id);
  const total = `${formatAmount(Number(invoice.total_minor), invoice.currency)} ${invoice.currency}`;
  const message = await insertMessage(tx, {
    vendorId: order.vendor_id,
    partnerId: order.partner_id,
    entityType: 'order',
    entityId: order.id,
    direction: 'out',
    template: input.again ? 'invoice_resent' : 'invoice',
    from: senderOf(input.profile, input.vendorSlug),
    to,
    subject: `${input.again ? 'Copy of invoice' : 'Invoice'} ${invoice.number} for order ${order.number}`,
    text: [
      `Invoice ${invoice.number} for order ${order.number}${order.sales_order_number ? ` (sales order ${order.sales_order_number})` : ''}${order.po_number ? `, your PO ${order.po_number}` : ''}.`,
      '',
      `Issued ${invoice.issue_date}, due ${invoice.due_date}. Total ${total}.`,
      '',
      'The invoice is attached as a PDF and as a UBL 2.1 (PEPPOL BIS Billing 3) XML file.',
    ].join('\n'),
    attachments: input.attachments,
    status: 'queued',
    messageId: `<${input.eventId}.invoice@${input.vendorSlug}.orderdesk>`,
    inReplyTo: references.at(-1) ?? null,
    references: references.length > 0 ? references : null,
    eventId: input.eventId,
    at: input.at,
  });
  await enqueueOutbox(tx, {
    vendorId: order.vendor_id,
    topic: 'mail',
    entityType: 'order',
    entityId: order.id,
    payload: { messageId: message.id, attach: ['invoice_pdf'], invoiceId: invoice.id },
    at: input.at,
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
