import type { Executor } from './executor.ts';
import { newId } from './ids.ts';
import { outboxRowOf, type OutboxInput } from './outbox.repository.ts';
import type { Message } from './schema.ts';
import { isPostgres } from './search.repository.ts';

// Thread messages (mail): what was said about an order, quote, intake item, user or
// partnership, outgoing or incoming. The outbox stays the queue of work to do: the outbox row
// that sends a message carries the message id in its payload and updates its status here.

export const MESSAGE_ENTITY_TYPES = ['order', 'quote', 'intake', 'user', 'partnership'] as const;
export type MessageEntityType = (typeof MESSAGE_ENTITY_TYPES)[number];

export const MESSAGE_DIRECTIONS = ['out', 'in'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];

/** `not_sent`: rendered and kept on its thread, no SMTP configured. */
export const MESSAGE_STATUSES = ['queued', 'sent', 'failed', 'not_sent', 'received'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export interface MessageAttachment {
  name: string;
  contentType: string;
  size: number;
  /** Where the bytes are (a document id), when stored. */
  documentId?: string;
}

export interface MessageInput {
  vendorId: string | null;
  partnerId?: string | null;
  entityType: MessageEntityType;
  entityId: string;
  direction: MessageDirection;
  template?: string | null;
  from: string;
  to: readonly string[];
  cc?: readonly string[];
  replyTo?: string | null;
  subject: string;
  text: string;
  html?: string | null;
  attachments?: readonly MessageAttachment[];
  status: MessageStatus;
  /** The RFC 5322 Message-ID (unique). */
  messageId: string;
  inReplyTo?: string | null;
  references?: readonly string[] | null;
  eventId?: string | null;
  /** When it was written (outgoing) or received (incoming). */
  at: string;
  sentAt?: string | null;
}

/** Records a message on its thread; a duplicate Message-ID violates the unique key. */
export async function insertMessage(db: Executor, input: MessageInput): Promise<Message> {
  const row = messageRowOf(input);
  await db.insertInto('messages').values(row).execute();
  return row;
}

/**
 * Records a message and queues the outbox row that sends it (`outbox` gets the message, whose
 * id its payload names): one statement on PostgreSQL, one round trip.
 */
export async function insertMessageWithOutbox(
  db: Executor,
  input: MessageInput,
  outbox: (message: Message) => OutboxInput,
): Promise<Message> {
  const row = messageRowOf(input);
  const queued = outboxRowOf(outbox(row));
  if (isPostgres(db)) {
    await db
      .with('m', (qb) => qb.insertInto('messages').values(row).returning('id'))
      .insertInto('outbox')
      .values(queued)
      .execute();
  } else {
    await db.insertInto('messages').values(row).execute();
    await db.insertInto('outbox').values(queued).execute();
  }
  return row;
}

function messageRowOf(input: MessageInput): Message {
  return {
    id: newId('msg'),
    vendor_id: input.vendorId,
    partner_id: input.partnerId ?? null,
    entity_type: input.entityType,
    entity_id: input.entityId,
    direction: input.direction,
    template: input.template ?? null,
    from_addr: input.from,
    to_addrs: JSON.stringify(input.to),
    cc_addrs: JSON.stringify(input.cc ?? []),
    reply_to: input.replyTo ?? null,
    subject: input.subject,
    text: input.text,
    html: input.html ?? null,
    attachments: JSON.stringify(input.attachments ?? []),
    status: input.status,
    message_id: input.messageId,
    in_reply_to: input.inReplyTo ?? null,
    references_ids:
      input.references === undefined || input.references === null
        ? null
        : JSON.stringify(input.references),
    event_id: input.eventId ?? null,
    created_at: input.at,
    sent_at: input.sentAt ?? null,
  };
}

/**
 * The thread of an entity, oldest first. The caller has already checked that the entity is in
 * the reader's scope.
 */
export async function listMessages(
  db: Executor,
  thread: { entityType: MessageEntityType; entityId: string },
  page?: { limit: number; after?: { at: string; id: string } | undefined },
): Promise<Message[]> {
  let q = db
    .selectFrom('messages')
    .selectAll()
    .where('entity_type', '=', thread.entityType)
    .where('entity_id', '=', thread.entityId)
    .orderBy('created_at')
    .orderBy('id');
  if (page) {
    q = q.limit(page.limit);
    const after = page.after;
    if (after) {
      q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(after.at, after.id)));
    }
  }
  return q.execute();
}

export async function findMessageById(db: Executor, id: string): Promise<Message | undefined> {
  return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The messages with these ids, by id (the mail worker reads those of its claimed rows at once). */
export async function findMessagesByIds(
  db: Executor,
  ids: readonly string[],
): Promise<Map<string, Message>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('messages').selectAll().where('id', 'in', ids).execute();
  return new Map(rows.map((m) => [m.id, m]));
}

/** The message with an RFC 5322 Message-ID (an incoming reply's In-Reply-To finds its thread). */
export async function findMessageByMessageId(
  db: Executor,
  messageId: string,
): Promise<Message | undefined> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('message_id', '=', messageId)
    .executeTakeFirst();
}

/**
 * Records what became of a message (the outbox worker after a send attempt). `sent` stamps
 * `sent_at` with `at`. With `from`, only a message still in one of those statuses changes, so a
 * late retry cannot turn `sent` back into `failed`. Returns whether the message changed.
 */
export async function updateMessageStatus(
  db: Executor,
  id: string,
  change: MessageStatusChange,
): Promise<boolean> {
  return (await updateMessageStatuses(db, [id], change)) === 1;
}

interface MessageStatusChange {
  status: MessageStatus;
  at: string;
  from?: readonly MessageStatus[];
  /** The files the mail went out with (JSON `{ name, contentType, size }[]`), when rendered. */
  attachments?: string;
}

/**
 * updateMessageStatus for several messages at once, with the same change (one statement); how
 * many changed.
 */
export async function updateMessageStatuses(
  db: Executor,
  ids: readonly string[],
  change: MessageStatusChange,
): Promise<number> {
  if (ids.length === 0 || change.from?.length === 0) return 0;
  let q = db
    .updateTable('messages')
    .set({
      status: change.status,
      ...(change.status === 'sent' ? { sent_at: change.at } : {}),
      ...(change.attachments !== undefined ? { attachments: change.attachments } : {}),
    })
    .where('id', 'in', ids);
  if (change.from !== undefined) q = q.where('status', 'in', change.from);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * The first of the vendor's order, quote or intake thread messages whose Message-ID is among
 * `messageIds` (an incoming reply's In-Reply-To and References), most recent reference first.
 */
export async function findThreadMessageOfVendor(
  db: Executor,
  vendorId: string,
  messageIds: readonly string[],
): Promise<Message | undefined> {
  if (messageIds.length === 0) return undefined;
  const rows = await db
    .selectFrom('messages')
    .selectAll()
    .where('vendor_id', '=', vendorId)
    .where('entity_type', 'in', ['order', 'quote', 'intake'])
    .where('message_id', 'in', [...new Set(messageIds)].slice(0, 200))
    .execute();
  for (const id of messageIds) {
    const found = rows.find((m) => m.message_id === id);
    if (found) return found;
  }
  return undefined;
}

/**
 * Moves every message of one thread onto another (an intake item's mail and acknowledgment
 * onto the order it became), so replies to either find the order. Returns how many moved.
 */
export async function moveThread(
  db: Executor,
  from: { entityType: MessageEntityType; entityId: string },
  to: { entityType: MessageEntityType; entityId: string; partnerId?: string | null },
): Promise<number> {
  const r = await db
    .updateTable('messages')
    .set({
      entity_type: to.entityType,
      entity_id: to.entityId,
      ...(to.partnerId !== undefined ? { partner_id: to.partnerId } : {}),
    })
    .where('entity_type', '=', from.entityType)
    .where('entity_id', '=', from.entityId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
