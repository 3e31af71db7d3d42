// The files a notification carries, by the profile's `attach` keys (quote_pdf, invoice_pdf,
// sales_order_pdf, product_files). They are rendered when the worker sends the mail, from the
// records the outbox payload names, so the outbox holds ids, never file bytes; stored files
// (product files) are read from the document storage then.
import {
  findCustomerById,
  findDocumentsByIds,
  findOrderInScope,
  findPartnerById,
  findQuoteInScope,
  listOrderDocuments,
  listOrderLines,
  listPartnerScopeIds,
  listQuoteLines,
  type Executor,
  type Message,
} from '@orderdesk/store';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { renderQuotePdf } from '../documents/quote-pdf.ts';
import { renderSalesOrderPdf } from '../documents/sales-order-pdf.ts';
import { documentStorageOf } from '../documents/storage/document-storage.ts';
import { renderInvoiceAttachments } from '../invoices/invoice-mail.ts';
import { supersedingRevision, toQuoteView, vendorInfo } from '../quotes/quote-view.ts';
import { todayIn } from '../shared/time.ts';

/** One file on an outgoing mail. */
export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** What an outbox row of topic `mail` carries besides the message: the records to attach. */
export interface MailPayload {
  messageId: string;
  attach?: readonly string[];
  quoteId?: string;
  invoiceId?: string;
  orderId?: string;
  /** Stored documents to attach (product files), for the fulfilment's source. */
  documentIds?: readonly string[];
}

export interface AttachmentRequest {
  /** The settings and the document storage stored files are read from. */
  ctx: AppContext;
  db: Executor;
  message: Message;
  payload: MailPayload;
  /** When the mail is rendered (quotes show expired by this date). */
  at: Date;
}

/** Renders the files of one attach kind; none when the payload names nothing to attach. */
export type AttachmentSource = (request: AttachmentRequest) => Promise<MailAttachment[]>;

/**
 * The quote as its partner sees it (list prices and multipliers only where the profile shows
 * them), rendered as the quote's PDF.
 */
export async function renderQuoteAttachment(
  db: Executor,
  input: { quoteId: string; vendorId: string; at: Date },
): Promise<MailAttachment | null> {
  const quote = await findQuoteInScope(db, input.quoteId, { vendorId: input.vendorId });
  if (!quote) return null;
  const { slug, name, profile } = await vendorInfo(db, quote.vendor_id);
  // The partner's own view: the PDF goes to the partner.
  const reader: Actor = {
    userId: 'orderdesk-mail',
    email: '',
    name: 'OrderDesk mail',
    roles: ['partner_user'],
    side: 'partner',
    vendorId: null,
    partnerId: quote.partner_id,
    parentPartnerId: null,
    partnerScopeIds: await listPartnerScopeIds(db, quote.partner_id),
    via: 'token',
  };
  const view = toQuoteView(quote, await listQuoteLines(db, quote.id), {
    vendorSlug: slug,
    profile,
    today: todayIn(profile.sla.calendar.timeZone, input.at),
    actor: reader,
    supersededBy: await supersedingRevision(db, quote),
  });
  const customer = await findCustomerById(db, quote.customer_id);
  const partner = await findPartnerById(db, quote.partner_id);
  const content = await renderQuotePdf({
    view,
    vendorName: name,
    partnerName: partner?.name ?? '',
    customerName: customer?.name ?? '',
  });
  return {
    filename: `${view.number}-rev${view.revision}.pdf`,
    contentType: 'application/pdf',
    content,
  };
}

const sources = new Map<string, AttachmentSource>([
  [
    'quote_pdf',
    async ({ db, message, payload, at }) => {
      const quoteId =
        payload.quoteId ?? (message.entity_type === 'quote' ? message.entity_id : null);
      if (!quoteId || !message.vendor_id) return [];
      const pdf = await renderQuoteAttachment(db, { quoteId, vendorId: message.vendor_id, at });
      return pdf ? [pdf] : [];
    },
  ],
  [
    'sales_order_pdf',
    async ({ db, message, payload }) => {
      const orderId = orderIdOf(message, payload);
      if (!orderId || !message.vendor_id) return [];
      const pdf = await renderSalesOrderAttachment(db, { orderId, vendorId: message.vendor_id });
      return pdf ? [pdf] : [];
    },
  ],
  ['product_files', (request) => renderProductFiles(request)],
  [
    'invoice_pdf',
    async ({ db, message, payload }) =>
      payload.invoiceId && message.vendor_id
        ? renderInvoiceAttachments(db, {
            invoiceId: payload.invoiceId,
            vendorId: message.vendor_id,
          })
        : [],
  ],
]);

/** The order a mail is about: the one its payload names, else the thread's. */
function orderIdOf(message: Message, payload: MailPayload): string | null {
  return payload.orderId ?? (message.entity_type === 'order' ? message.entity_id : null);
}

/**
 * The sales order of an order as a PDF (seed 002: the order information on the sales order's
 * thread), as the order stands now: the worker renders it when it sends the mail, and the
 * thread message lists it (name, type, size) when the mail is written.
 */
export async function renderSalesOrderAttachment(
  db: Executor,
  input: { orderId: string; vendorId: string },
): Promise<MailAttachment | null> {
  const order = await findOrderInScope(db, input.orderId, { vendorId: input.vendorId });
  if (!order) return null;
  const { name } = await vendorInfo(db, order.vendor_id);
  const content = await renderSalesOrderPdf({
    order,
    lines: await listOrderLines(db, order.id),
    vendorName: name,
    partnerName: (await findPartnerById(db, order.ordering_partner_id))?.name ?? '',
    customerName: (await findCustomerById(db, order.customer_id))?.name ?? '',
  });
  const number = order.sales_order_number ?? order.number;
  return { filename: `${number}.pdf`, contentType: 'application/pdf', content };
}

/**
 * The order's product files (seed 002: "product files are issued by email on the … Sales
 * Order email thread"): those the payload names (a fulfilment's), else every product file and
 * license file stored on the order. A file whose bytes are missing fails the mail (retried,
 * then a dead letter naming it): a delivery must not go out without what it delivers.
 */
async function renderProductFiles({
  ctx,
  db,
  message,
  payload,
}: AttachmentRequest): Promise<MailAttachment[]> {
  if (!message.vendor_id) return [];
  const orderId = orderIdOf(message, payload);
  let rows;
  if (payload.documentIds?.length) {
    const found = await findDocumentsByIds(db, message.vendor_id, payload.documentIds);
    const byId = new Map(found.map((d) => [d.id, d]));
    rows = payload.documentIds.flatMap((id) => byId.get(id) ?? []);
  } else if (orderId) {
    rows = (await listOrderDocuments(db, message.vendor_id, orderId)).filter(
      (d) => d.kind === 'product_file' || d.kind === 'license',
    );
  } else {
    return [];
  }
  const storage = documentStorageOf(ctx);
  const files: MailAttachment[] = [];
  for (const row of rows) {
    const bytes = await storage.get(row.storage_key);
    if (!bytes) throw new Error(`The content of document ${row.id} (${row.name}) is missing`);
    files.push({ filename: row.name, contentType: row.content_type, content: Buffer.from(bytes) });
  }
  return files;
}

/** The files of a mail: each attach kind's renderer, in order. */
export async function renderMailAttachments(request: AttachmentRequest): Promise<MailAttachment[]> {
  const out: MailAttachment[] = [];
  for (const kind of request.payload.attach ?? []) {
    const source = sources.get(kind);
    if (source) out.push(...(await source(request)));
  }
  return out;
}

/** The `{ name, contentType, size }` a thread message lists for its files. */
export function attachmentSummaries(
  files: readonly MailAttachment[],
): { name: string; contentType: string; size: number }[] {
  return files.map((f) => ({
    name: f.filename,
    contentType: f.contentType,
    size: f.content.length,
  }));
}
