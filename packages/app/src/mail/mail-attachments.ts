// The files a notification carries, by the profile's `attach` keys (quote_pdf, invoice_pdf,
// sales_order_pdf, product_files). They are rendered when the worker sends the mail, from the
// records the outbox payload names, so the outbox holds ids, never file bytes. Kinds whose
// documents another part of the product owns (product files and license keys from fulfilment)
// plug in with registerAttachmentSource.
import type { Attachment } from '@orderdesk/core';
import {
  findCustomerById,
  findPartnerById,
  findQuoteInScope,
  listPartnerScopeIds,
  listQuoteLines,
  type Executor,
  type Message,
} from '@orderdesk/store';
import type { Actor } from '../auth/actor.ts';
import { renderQuotePdf } from '../documents/quote-pdf.ts';
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

/**
 * Plugs in the renderer of an attach kind (fulfilment registers `product_files` and
 * `sales_order_pdf`); the last registration wins.
 */
export function registerAttachmentSource(kind: Attachment, source: AttachmentSource): void {
  sources.set(kind, source);
}

/**
 * The files of a mail: each attach kind's renderer, in order. A kind nobody renders yet adds
 * nothing (the mail still goes out: its text says what follows).
 */
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
