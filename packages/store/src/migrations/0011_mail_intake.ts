import { PostgresAdapter, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
// Mail intake (issue 10, point 3):
// - `inbound_mails`: every message read from an IMAP mailbox, raw (up to a bound; `truncated`
//   says when the rest stayed on the mail server), and what became of it. Written in the same
//   transaction that advances the mailbox's checkpoint, so a message is stored exactly once.
// - `mailbox_checkpoints`: per mailbox, its UIDVALIDITY and the last UID stored.
// - `intake_items`: a message that is not a reply to a thread: what was extracted from it,
//   how it validated, and the desk's decision. One per vendor and Message-ID.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export async function up(db: Db): Promise<void> {
  const bytes = isPostgres(db) ? 'bytea' : 'blob';
  await db.schema
    .createTable('mailbox_checkpoints')
    .addColumn('mailbox', 'text', (c) => c.primaryKey())
    .addColumn('uid_validity', 'bigint', (c) => c.notNull())
    .addColumn('last_uid', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('inbound_mails')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vendor_id', 'text', (c) => c.references('vendors.id'))
    .addColumn('mailbox', 'text', (c) => c.notNull())
    .addColumn('uid_validity', 'bigint')
    .addColumn('uid', 'bigint')
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('raw', bytes, (c) => c.notNull())
    .addColumn('truncated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text')
    .addColumn('entity_id', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('inbound_mails_vendor_msg_idx')
    .on('inbound_mails')
    .columns(['vendor_id', 'message_id'])
    .execute();

  await db.schema
    .createTable('intake_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
    .addColumn('partner_id', 'text', (c) => c.references('partners.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('inbound_mail_id', 'text')
    .addColumn('from_addr', 'text', (c) => c.notNull())
    .addColumn('to_addrs', 'text', (c) => c.notNull())
    .addColumn('cc_addrs', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body_text', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('flags', 'text', (c) => c.notNull())
    .addColumn('extracted', 'text', (c) => c.notNull())
    .addColumn('draft', 'text', (c) => c.notNull())
    .addColumn('validation', 'text', (c) => c.notNull())
    .addColumn('attachments', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.references('orders.id'))
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('intake_items_vendor_message_uq', ['vendor_id', 'message_id'])
    .execute();
  await db.schema
    .createIndex('intake_items_vendor_status_idx')
    .on('intake_items')
    .columns(['vendor_id', 'status', 'id'])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable('intake_items').execute();
  await db.schema.dropTable('inbound_mails').execute();
  await db.schema.dropTable('mailbox_checkpoints').execute();
}
