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
