import {
  listMessages,
  type Executor,
  type Message,
  type MessageEntityType,
} from '@orderdesk/store';
import { z } from 'zod';

/** A thread message (API.md "Mail"). */
export const threadMessageSchema = z
  .object({
    id: z.string(),
    direction: z.enum(['out', 'in']),
    template: z.string().nullable(),
    /** The event that caused it (outgoing notifications). */
    eventId: z.string().nullable(),
    from: z.string(),
    to: z.array(z.string()),
    cc: z.array(z.string()),
    subject: z.string(),
    text: z.string(),
    attachments: z.array(z.object({ name: z.string(), contentType: z.string(), size: z.number() })),
    status: z.enum(['queued', 'sent', 'failed', 'not_sent', 'received']),
    messageId: z.string(),
    inReplyTo: z.string().nullable(),
    at: z.string(),
  })
  .meta({ id: 'ThreadMessage' });
export type ThreadMessage = z.infer<typeof threadMessageSchema>;

/**
 * The thread of an order or quote, oldest first. The caller has checked that the entity is
 * in the reader's scope.
 */
export async function threadOf(
  db: Executor,
  entityType: MessageEntityType,
  entityId: string,
): Promise<ThreadMessage[]> {
  return (await listMessages(db, { entityType, entityId })).map(threadMessageOf);
}

/** A stored message as its thread shows it. */
export function threadMessageOf(m: Message): ThreadMessage {
  return {
    id: m.id,
    direction: m.direction,
    template: m.template,
    eventId: m.event_id,
    from: m.from_addr,
    to: JSON.parse(m.to_addrs) as string[],
    cc: JSON.parse(m.cc_addrs) as string[],
    subject: m.subject,
    text: m.text,
    attachments: (
      JSON.parse(m.attachments) as { name: string; contentType: string; size: number }[]
    ).map((a) => ({ name: a.name, contentType: a.contentType, size: a.size })),
    status: m.status,
    messageId: m.message_id,
    inReplyTo: m.in_reply_to,
    at: m.created_at,
  };
}

/**
 * Marks the Message-IDs of an order's sales-order thread (`<event.n.so@vendor.orderdesk>`;
 * seed 002: "a Sales Order will be created and a new thread will be opened").
 */
export const SALES_ORDER_MARK = '.so';

/** An order's two mail threads: its own, and its sales order's (seed 002). */
export type OrderThread = 'order' | 'sales_order';

/** Whether a Message-ID is one of a sales-order thread's. */
export function onSalesOrderThread(messageId: string): boolean {
  return messageId.includes(`${SALES_ORDER_MARK}@`);
}

/**
 * The Message-IDs of one of an order's threads among its earlier mails, oldest first: what a
 * new mail on that thread answers (In-Reply-To, References), so that a mail client keeps the
 * two threads apart.
 */
export function threadIdsOf(
  earlier: readonly { message_id: string }[],
  thread: OrderThread,
): string[] {
  return earlier
    .map((m) => m.message_id)
    .filter((id) => onSalesOrderThread(id) === (thread === 'sales_order'));
}
