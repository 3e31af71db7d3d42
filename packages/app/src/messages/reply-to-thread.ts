// Writing on the e-mail thread of an order or a quote from OrderDesk (POST /orders/{id}/messages,
// POST /quotes/{id}/messages): vendor staff answer the partner, the partner writes to the
// vendor. The message is one more outgoing mail of the thread, like the notifications: kept on
// the thread (`queued`), sent by the outbox worker after commit (`not_sent` without SMTP), with
// its own Message-ID and In-Reply-To / References naming the thread's latest message, so the
// partner's mail client keeps it in the conversation and a mailed answer joins the thread again
// (mail intake). Every such message is between the vendor and the partner, so it answers only
// what the partner sees of the thread (thread-visibility.ts): the vendor's internal mail (to the
// CAM, to sales, an internal sales-order note) is never answered, referred to or quoted, whoever
// writes.
import {
  findOrderInScope,
  findPartnerById,
  findQuoteInScope,
  findQuoteRequestInScope,
  insertMessageWithOutbox,
  listMessages,
  newId,
  type Executor,
  type Message,
  type Order,
  type Quote,
} from '@orderdesk/store';
import { requireAccess, type Access } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { senderOf } from '../events/notify-by-profile.ts';
import { eventActorOf, recordEvent } from '../events/record-event.ts';
import type { MailPayload } from '../mail/mail-attachments.ts';
import { orderScope, readsOnly } from '../orders/order-access.ts';
import { quoteScope } from '../quotes/quote-access.ts';
import { vendorInfo } from '../quotes/quote-view.ts';
import { conflict, forbidden, invalidInput, notFound, unprocessable } from '../shared/errors.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import {
  messagesPartnerSees,
  orderThreadParties,
  type ThreadParties,
} from './thread-visibility.ts';
import { threadMessageBodySchema, type ThreadMessageBody } from './thread-message.schemas.ts';
import {
  bareAddress,
  orderDeskRecipients,
  partnerRecipients,
  quoteDeskRecipients,
  uniqueAddresses,
} from './thread-recipients.ts';
import {
  onSalesOrderThread,
  SALES_ORDER_MARK,
  threadMessageOf,
  type ThreadMessage,
} from './thread.ts';

/**
 * Who writes on a thread: the vendor's staff (every role: each one acts on orders) and the
 * partner's users — every user of a tenant, so the HTTP routes declare no access of their own.
 * What depends on the record (a distributor only reads its tier-2 reseller's order; a draft
 * quote has no partner to write to) is checked by the use case.
 */
export const REPLY_TO_THREAD_ACCESS: Access = {
  vendor: 'any',
  partner: 'any',
  refusal: "Only the vendor's staff and the partner write on a thread",
};

/** The templates of the messages written here: who wrote (the thread shows it; replies find the writer). */
export const VENDOR_MESSAGE_TEMPLATE = 'vendor_message';
export const PARTNER_MESSAGE_TEMPLATE = 'partner_message';

/** The body, checked as every caller's input (the HTTP adapter has checked it already). */
export function parseThreadMessageBody(body: unknown): ThreadMessageBody {
  const parsed = threadMessageBodySchema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw invalidInput(
    'The message is invalid',
    parsed.error.issues.map((issue) => ({
      path: issue.path
        .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
        .join(''),
      code: issue.code === 'invalid_type' && issue.input === undefined ? 'required' : 'invalid',
      message:
        issue.code === 'invalid_type' && issue.input === undefined ? 'Required' : issue.message,
    })),
  );
}

/** The vendor of a thread, as the mail needs it (its current profile: its addresses now). */
type ThreadVendor = Awaited<ReturnType<typeof vendorInfo>>;

/** What one thread is, for writing on it. */
interface ThreadTarget {
  vendor: ThreadVendor;
  entityType: 'order' | 'quote';
  entityId: string;
  vendorId: string;
  /** The contracting partner (the messages' tenant). */
  partnerId: string;
  parties: ThreadParties;
  /** The whole thread, oldest first (a quote's request's messages first). */
  messages: readonly Message[];
  /** Orders have two threads (their own, their sales order's): a message stays on one. */
  salesOrderThreads: boolean;
  /** The subject of a thread with nothing the partner sees yet. */
  subject: string;
  /** The notifications' `partner` of the record. */
  partner: { partnerUserId: string | null; orderingPartnerId: string };
  /** Where the partner's mail goes. */
  desk: () => Promise<string[]>;
  /** The event on the record's timeline. */
  record: (
    tx: Executor,
    input: { messageId: string; to: string[]; actor: Actor; at: string },
  ) => Promise<{ id: string }>;
}

/** A message of the sales-order thread: one of its mails, or a partner's answer to one. */
function onSalesOrderThreadOf(m: Message): boolean {
  if (onSalesOrderThread(m.message_id)) return true;
  if (m.direction !== 'in') return false;
  const references = m.references_ids ? (JSON.parse(m.references_ids) as string[]) : [];
  return [m.in_reply_to, ...references].some((id) => id !== null && onSalesOrderThread(id));
}

/** `Re: <subject>`, once. */
function replySubject(subject: string): string {
  return `Re: ${subject.replace(/^(\s*(re|aw|sv|fw|fwd)\s*:\s*)+/i, '').trim()}`;
}

/** A display name safe in a From header: no quotes, brackets or line breaks. */
function displayName(text: string): string {
  return text
    .replace(/["\\<>\r\n]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 120);
}

/** Who wrote a message on the partner's side, when it was the partner. */
function partnerAuthorOf(m: Message): string | null {
  if (m.direction === 'in') return m.from_addr;
  if (m.template === PARTNER_MESSAGE_TEMPLATE) return m.reply_to;
  return null;
}

async function postOnThread(
  tx: Executor,
  ctx: AppContext,
  actor: Actor,
  target: ThreadTarget,
  body: ThreadMessageBody,
): Promise<ThreadMessage> {
  const { slug, name: vendorName, profile } = target.vendor;
  // What the message answers: the latest message the partner sees, on its thread.
  const seen = await messagesPartnerSees(tx, target.parties, target.messages);
  const answered = seen.at(-1);
  const salesOrder =
    target.salesOrderThreads && answered !== undefined && onSalesOrderThreadOf(answered);
  const references = seen
    .filter((m) => !target.salesOrderThreads || onSalesOrderThreadOf(m) === salesOrder)
    .map((m) => m.message_id);

  const cc = body.cc ?? [];
  let to: string[];
  let copies: string[];
  let replyTo: string | null;
  let writer: string;
  if (actor.side === 'vendor') {
    const author = answered ? partnerAuthorOf(answered) : null;
    to = uniqueAddresses([
      ...(await partnerRecipients(tx, target.partner)),
      ...(author ? [bareAddress(author)] : []),
    ]);
    copies = cc;
    // The partner's answer by mail comes back to the thread (mail intake reads the mailbox).
    replyTo = profile.mail?.replyTo ?? null;
    writer = `${actor.name || actor.email}, ${vendorName}`;
  } else {
    to = uniqueAddresses(await target.desk());
    // The writer's copy: the partner has its own message (the thread shows the partner what
    // was sent to its addresses), and the vendor's answer from a mail client reaches it.
    copies = [actor.email, ...cc];
    replyTo = actor.email;
    const partner = actor.partnerId ? await findPartnerById(tx, actor.partnerId) : undefined;
    writer = `${actor.name || actor.email}, ${partner?.name ?? 'partner'}`;
  }
  if (to.length === 0) {
    throw unprocessable('There is nobody to write to on this thread', [
      {
        path: '',
        code: 'recipient.none',
        message:
          actor.side === 'vendor'
            ? 'The partner has no active user to write to'
            : 'The vendor names no address to write to',
      },
    ]);
  }
  const recipients = new Set(to.map(bareAddress));
  const ccList = uniqueAddresses(copies).filter((a) => !recipients.has(bareAddress(a)));

  const at = ctx.now().toISOString();
  const side = actor.side === 'vendor' ? 'vendor' : 'partner';
  const messageId = `<${newId('mail')}.${side}${salesOrder ? SALES_ORDER_MARK : ''}@${slug}.orderdesk>`;
  const event = await target.record(tx, { messageId, to, actor, at });
  const message = await insertMessageWithOutbox(
    tx,
    {
      vendorId: target.vendorId,
      partnerId: target.partnerId,
      entityType: target.entityType,
      entityId: target.entityId,
      direction: 'out',
      template: side === 'vendor' ? VENDOR_MESSAGE_TEMPLATE : PARTNER_MESSAGE_TEMPLATE,
      from: `"${displayName(writer)}" <${senderOf(profile, slug)}>`,
      to,
      cc: ccList,
      replyTo,
      subject: answered ? replySubject(answered.subject) : target.subject,
      text: body.text,
      status: 'queued',
      messageId,
      inReplyTo: answered?.message_id ?? null,
      references: references.length > 0 ? references : null,
      eventId: event.id,
      at,
    },
    (m) => ({
      vendorId: target.vendorId,
      topic: 'mail',
      entityType: target.entityType,
      entityId: target.entityId,
      payload: { messageId: m.id } satisfies MailPayload,
      at,
    }),
  );
  return threadMessageOf(message);
}

/** The thread of an order, for writing on it. */
async function orderTarget(tx: Executor, order: Order): Promise<ThreadTarget> {
  const vendor = await vendorInfo(tx, order.vendor_id);
  const { name, profile } = vendor;
  const number = order.sales_order_number
    ? `${order.number} / ${order.sales_order_number}`
    : order.number;
  return {
    vendor,
    entityType: 'order',
    entityId: order.id,
    vendorId: order.vendor_id,
    partnerId: order.partner_id,
    parties: await orderThreadParties(tx, order),
    messages: await listMessages(tx, { entityType: 'order', entityId: order.id }),
    salesOrderThreads: true,
    // The order number in the subject: a mailed answer joins the thread by it too.
    subject: `${name} order ${number}`,
    partner: { partnerUserId: order.submitted_by, orderingPartnerId: order.ordering_partner_id },
    desk: () => orderDeskRecipients(tx, order.vendor_id, profile),
    record: (db, input) =>
      recordEvent(db, {
        type: 'order.message_posted',
        entityId: order.id,
        vendorId: order.vendor_id,
        partnerId: order.partner_id,
        actor: eventActorOf(input.actor),
        at: input.at,
        data: {
          orderId: order.id,
          number: order.number,
          orderType: order.type,
          messageId: input.messageId,
          to: input.to,
        },
      }),
  };
}

/**
 * POST /orders/{id}/messages: a message on the order's thread, mailed to the partner (written
 * by the vendor's staff) or to the vendor's order desk (written by the partner that placed
 * the order). 404 for an order out of the caller's scope; 403 for a distributor on its tier-2
 * reseller's order (it reads it, the reseller owns it); 422 when there is nobody to write to.
 */
export async function replyToOrderThread(
  ctx: AppContext,
  actorIn: Actor,
  input: { orderId: string; body: ThreadMessageBody },
  options: WriteOptions = {},
): Promise<ThreadMessage> {
  const actor = requireAccess(actorIn, REPLY_TO_THREAD_ACCESS);
  const body = parseThreadMessageBody(input.body);
  return inTransaction(ctx, options, async (tx) => {
    const order = await findOrderInScope(tx, input.orderId, orderScope(actor));
    if (!order) throw notFound('Order');
    if (readsOnly(actor, order)) {
      throw forbidden(
        'Only the partner that placed the order writes on its thread; a distributor reads it',
      );
    }
    return postOnThread(tx, ctx, actor, await orderTarget(tx, order), body);
  });
}

/** The thread of a quote (its request's messages first, as GET /quotes/{id}/messages shows it). */
async function quoteTarget(tx: Executor, quote: Quote): Promise<ThreadTarget> {
  const vendor = await vendorInfo(tx, quote.vendor_id);
  const { name, profile } = vendor;
  const request = quote.quote_request_id
    ? await findQuoteRequestInScope(tx, quote.quote_request_id, { vendorId: quote.vendor_id })
    : undefined;
  const messages = [
    ...(request ? await listMessages(tx, { entityType: 'quote', entityId: request.id }) : []),
    ...(await listMessages(tx, { entityType: 'quote', entityId: quote.id })),
  ];
  return {
    vendor,
    entityType: 'quote',
    entityId: quote.id,
    vendorId: quote.vendor_id,
    partnerId: quote.partner_id,
    parties: {
      vendorId: quote.vendor_id,
      profile,
      partnerIds: [quote.partner_id, ...(request ? [request.requested_by_partner_id] : [])],
      customerId: quote.customer_id,
      given: [],
    },
    messages,
    salesOrderThreads: false,
    subject: `${name} quote ${quote.number} rev. ${quote.revision}`,
    partner: {
      partnerUserId: request?.created_by ?? null,
      orderingPartnerId: request?.requested_by_partner_id ?? quote.partner_id,
    },
    desk: () =>
      quoteDeskRecipients(tx, { vendorId: quote.vendor_id, partnerId: quote.partner_id, profile }),
    record: (db, input) =>
      recordEvent(db, {
        type: 'quote.message_posted',
        entityId: quote.id,
        vendorId: quote.vendor_id,
        partnerId: quote.partner_id,
        actor: eventActorOf(input.actor),
        at: input.at,
        data: {
          quoteId: quote.id,
          number: quote.number,
          revision: quote.revision,
          orderType: quote.order_type,
          messageId: input.messageId,
          to: input.to,
        },
      }),
  };
}

/**
 * POST /quotes/{id}/messages: a message on the quote's thread, mailed to the partner (written
 * by the vendor's staff) or to those a quote request goes to (the CAM, sales). 404 for a quote
 * out of the caller's scope (a partner never sees a draft); 409 for the vendor on a draft: the
 * partner has not been shown it.
 */
export async function replyToQuoteThread(
  ctx: AppContext,
  actorIn: Actor,
  input: { quoteId: string; body: ThreadMessageBody },
  options: WriteOptions = {},
): Promise<ThreadMessage> {
  const actor = requireAccess(actorIn, REPLY_TO_THREAD_ACCESS);
  const body = parseThreadMessageBody(input.body);
  return inTransaction(ctx, options, async (tx) => {
    const quote = await findQuoteInScope(tx, input.quoteId, quoteScope(actor));
    if (!quote) throw notFound('Quote');
    if (quote.status === 'draft') {
      throw conflict(`Quote ${quote.number} is a draft: the partner has not been shown it`, [
        {
          path: 'status',
          code: 'action.not_allowed',
          message: 'Approve the quote before writing to the partner about it',
          actual: 'draft',
        },
      ]);
    }
    return postOnThread(tx, ctx, actor, await quoteTarget(tx, quote), body);
  });
}
