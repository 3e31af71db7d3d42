// One mail OrderDesk writes on an order's thread outside the profile's notification rules
// (invoices, credit notes, escalations, fulfilment receipts): the thread message, answering
// the earlier mails of its thread, and the outbox row the mail worker sends it from.
import {
  enqueueOutbox,
  insertMessage,
  listMessages,
  type Executor,
  type Order,
} from '@orderdesk/store';
import type { MailPayload } from '../mail/mail-attachments.ts';
import { onSalesOrderThread, SALES_ORDER_MARK, threadIdsOf, type OrderThread } from './thread.ts';

export interface OrderMail {
  order: Order;
  vendorSlug: string;
  /** The sending address (senderOf the vendor's profile). */
  from: string;
  to: readonly string[];
  template: string;
  subject: string;
  text: string;
  /** The files it lists (rendered again by the worker from `payload`). */
  attachments?: readonly { name: string; contentType: string; size: number }[];
  /** Which thread: the order's own, or the sales order's where the order has one. */
  thread: 'order' | 'sales_order_if_any';
  /** Tells Message-IDs apart: `<event.mark[.so]@vendor.orderdesk>`. */
  mark: string;
  eventId: string;
  at: string;
  /** What the worker attaches, besides the message's id. */
  payload?: Omit<MailPayload, 'messageId'>;
}

export async function writeOrderMail(tx: Executor, input: OrderMail): Promise<void> {
  const { order } = input;
  const earlier = await listMessages(tx, { entityType: 'order', entityId: order.id });
  const thread: OrderThread =
    input.thread === 'sales_order_if_any' && earlier.some((m) => onSalesOrderThread(m.message_id))
      ? 'sales_order'
      : 'order';
  const references = threadIdsOf(earlier, thread);
  const mark = thread === 'sales_order' ? SALES_ORDER_MARK : '';
  const message = await insertMessage(tx, {
    vendorId: order.vendor_id,
    partnerId: order.partner_id,
    entityType: 'order',
    entityId: order.id,
    direction: 'out',
    template: input.template,
    from: input.from,
    to: [...input.to],
    subject: input.subject,
    text: input.text,
    ...(input.attachments ? { attachments: input.attachments } : {}),
    status: 'queued',
    messageId: `<${input.eventId}.${input.mark}${mark}@${input.vendorSlug}.orderdesk>`,
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
    payload: { messageId: message.id, ...input.payload } satisfies MailPayload,
    at: input.at,
  });
}
