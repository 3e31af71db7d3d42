import type { Selectable } from 'kysely';
import type { Executor } from './executor.ts';
import { newId } from './ids.ts';

// Mail intake: the raw messages read from IMAP mailboxes, each mailbox's UID checkpoint, and
// the intake items (a purchase order that came by mail and waits for the desk).

/** A message that is not a reply to a thread: the desk converts it to an order or rejects it. */
export const INTAKE_STATUSES = ['new', 'converted', 'rejected', 'unreadable'] as const;
export type IntakeStatus = (typeof INTAKE_STATUSES)[number];

/** What became of a message read from a mailbox. */
export const INBOUND_OUTCOMES = ['intake', 'reply', 'unrouted'] as const;
export type InboundOutcome = (typeof INBOUND_OUTCOMES)[number];

export interface MailboxCheckpointTable {
  /** The mailbox's key (`user@host:port/INBOX`), never its password. */
  mailbox: string;
  uid_validity: number;
  /** The highest UID stored; the next pass reads from last_uid + 1. */
  last_uid: number;
  updated_at: string;
}

export interface InboundMailTable {
  id: string;
  /** Null: addressed to no vendor's intake mailbox (kept, so nothing is lost). */
  vendor_id: string | null;
  mailbox: string;
  uid_validity: number | null;
  uid: number | null;
  message_id: string;
  /** The message's size on the server (bytes), even when `raw` holds less. */
  size: number;
  raw: Uint8Array;
  /** 1 when `raw` is only the start of the message (it stays whole on the mail server). */
  truncated: number;
  outcome: InboundOutcome;
  entity_type: string | null;
  entity_id: string | null;
  received_at: string;
  created_at: string;
}

export interface IntakeItemTable {
  id: string;
  vendor_id: string;
  /** The partner found from the sender (or the document); null when none was. */
  partner_id: string | null;
  channel: string;
  message_id: string;
  inbound_mail_id: string | null;
  from_addr: string;
  /** JSON array. */
  to_addrs: string;
  /** JSON array. */
  cc_addrs: string;
  subject: string;
  /** The mail's text body, bounded (where the special-terms clause may be). */
  body_text: string;
  received_at: string;
  status: IntakeStatus;
  reason: string | null;
  /** JSON array of `{ code, message }` (e.g. a sender outside the partner's domains). */
  flags: string;
  /** JSON: the ExtractedPurchaseOrder. */
  extracted: string;
  /** JSON: the order submission built from the extraction (what convert starts from). */
  draft: string;
  /** JSON: `{ valid, problems }`. */
  validation: string;
  /** JSON array of `{ name, contentType, size, sha256, documentId? }`. */
  attachments: string;
  order_id: string | null;
  decided_by: string | null;
  decided_at: string | null;
  created_at: string;
  updated_at: string;
}

export type MailboxCheckpoint = Selectable<MailboxCheckpointTable>;
export type InboundMail = Selectable<InboundMailTable>;
export type IntakeItem = Selectable<IntakeItemTable>;

export async function findMailboxCheckpoint(
  db: Executor,
  mailbox: string,
): Promise<MailboxCheckpoint | undefined> {
  return db
    .selectFrom('mailbox_checkpoints')
    .selectAll()
    .where('mailbox', '=', mailbox)
    .executeTakeFirst();
}

/**
 * Records that every UID up to `lastUid` of the mailbox (at `uidValidity`) is stored. Written
 * in the transaction that stores the message, so a crash before commit re-reads it. A new
 * UIDVALIDITY replaces the old checkpoint; within one, the checkpoint never moves back.
 */
export async function saveMailboxCheckpoint(
  db: Executor,
  input: { mailbox: string; uidValidity: number; lastUid: number; at: string },
): Promise<void> {
  const current = await findMailboxCheckpoint(db, input.mailbox);
  if (!current) {
    await db
      .insertInto('mailbox_checkpoints')
      .values({
        mailbox: input.mailbox,
        uid_validity: input.uidValidity,
        last_uid: input.lastUid,
        updated_at: input.at,
      })
      .execute();
    return;
  }
  if (current.uid_validity === input.uidValidity && current.last_uid >= input.lastUid) return;
  await db
    .updateTable('mailbox_checkpoints')
    .set({ uid_validity: input.uidValidity, last_uid: input.lastUid, updated_at: input.at })
    .where('mailbox', '=', input.mailbox)
    .execute();
}

export type NewInboundMail = Omit<InboundMail, 'id'>;

export async function insertInboundMail(db: Executor, input: NewInboundMail): Promise<InboundMail> {
  const row: InboundMail = { id: newId('inm'), ...input };
  await db.insertInto('inbound_mails').values(row).execute();
  return row;
}

/** The stored raw message (for the desk, or to read it again). */
export async function findInboundMail(
  db: Executor,
  id: string,
  scope: { vendorId: string },
): Promise<InboundMail | undefined> {
  return db
    .selectFrom('inbound_mails')
    .selectAll()
    .where('id', '=', id)
    .where('vendor_id', '=', scope.vendorId)
    .executeTakeFirst();
}

/** Whether a message with this Message-ID was already stored for the vendor (or for no vendor). */
export async function hasInboundMail(
  db: Executor,
  vendorId: string | null,
  messageId: string,
): Promise<boolean> {
  let q = db.selectFrom('inbound_mails').select('id').where('message_id', '=', messageId).limit(1);
  q = vendorId === null ? q.where('vendor_id', 'is', null) : q.where('vendor_id', '=', vendorId);
  return (await q.executeTakeFirst()) !== undefined;
}

export type NewIntakeItem = Omit<IntakeItem, 'id'> & { id?: string };

export async function insertIntakeItem(db: Executor, input: NewIntakeItem): Promise<IntakeItem> {
  const row: IntakeItem = { ...input, id: input.id ?? newId('itk') };
  await db.insertInto('intake_items').values(row).execute();
  return row;
}

export async function findIntakeItemByMessageId(
  db: Executor,
  vendorId: string,
  messageId: string,
): Promise<IntakeItem | undefined> {
  return db
    .selectFrom('intake_items')
    .selectAll()
    .where('vendor_id', '=', vendorId)
    .where('message_id', '=', messageId)
    .executeTakeFirst();
}

/** One intake item of the vendor; another vendor's is not found. */
export async function findIntakeItemInScope(
  db: Executor,
  id: string,
  scope: { vendorId: string },
): Promise<IntakeItem | undefined> {
  return db
    .selectFrom('intake_items')
    .selectAll()
    .where('id', '=', id)
    .where('vendor_id', '=', scope.vendorId)
    .executeTakeFirst();
}

/** The vendor's intake items, newest first, optionally of one status; keyset after `before`. */
export async function listIntakeItems(
  db: Executor,
  input: { vendorId: string; status?: IntakeStatus | undefined; limit: number; before?: string },
): Promise<IntakeItem[]> {
  let q = db
    .selectFrom('intake_items')
    .selectAll()
    .where('vendor_id', '=', input.vendorId)
    .orderBy('id', 'desc')
    .limit(input.limit);
  if (input.status !== undefined) q = q.where('status', '=', input.status);
  if (input.before !== undefined) q = q.where('id', '<', input.before);
  return q.execute();
}

/**
 * Records the desk's decision on an item still in one of `from` (conversion or rejection).
 * Returns whether it changed: a concurrent decision leaves the later one unapplied.
 */
export async function decideIntakeItem(
  db: Executor,
  id: string,
  change: {
    vendorId: string;
    from: readonly IntakeStatus[];
    status: IntakeStatus;
    reason?: string | null;
    orderId?: string | null;
    decidedBy: string;
    at: string;
  },
): Promise<boolean> {
  const r = await db
    .updateTable('intake_items')
    .set({
      status: change.status,
      ...(change.reason !== undefined ? { reason: change.reason } : {}),
      ...(change.orderId !== undefined ? { order_id: change.orderId } : {}),
      decided_by: change.decidedBy,
      decided_at: change.at,
      updated_at: change.at,
    })
    .where('id', '=', id)
    .where('vendor_id', '=', change.vendorId)
    .where('status', 'in', change.from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The vendor's order of a number (a reply naming it in its subject joins its thread). */
export async function findOrderIdByNumber(
  db: Executor,
  vendorId: string,
  number: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('orders')
    .select('id')
    .where('vendor_id', '=', vendorId)
    .where('number', '=', number)
    .executeTakeFirst();
  return row?.id;
}

/** The vendor's latest revision of a quote number (a reply naming it joins its thread). */
export async function findQuoteIdByNumber(
  db: Executor,
  vendorId: string,
  number: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('quotes')
    .select('id')
    .where('vendor_id', '=', vendorId)
    .where('number', '=', number)
    .orderBy('revision', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}
