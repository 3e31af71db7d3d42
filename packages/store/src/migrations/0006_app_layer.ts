import { PostgresAdapter, sql, type CreateTableBuilder, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
// The application layer's tables and columns:
// - `messages`: a thread's mail (outgoing now, incoming later), kept apart from the outbox, which
//   stays the queue of work to do (a mail outbox row names its message in its payload).
// - `vendor_profiles`: what the vendor wrote (source text), one row per published version.
//   `vendors.profile_version` names the current one; `vendors.profile` stays as the parsed JSON
//   of that version, a copy written with it, so readers need not parse the source.
// - `orders.profile_version`: the version an order was submitted under.
// - quotes: `revision` is what `version` used to mean (the n-th issue of a quote number); from
//   here on `version` is the row's concurrency counter, bumped by every change.
// - users.deactivated_at; api_tokens revoked_at, expires_at, can_mint; `invitations`.
//
// SQLite cannot drop the (vendor, number, version) unique constraint of quotes in place, so
// its quotes table is rebuilt. Kysely does not run SQLite migrations in a transaction, and the
// rebuild needs foreign keys off (which SQLite ignores inside one), so this migration turns them
// off, runs every step in one transaction that ends with a foreign-key check, and turns them
// back on.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

async function inSqliteRebuild(db: Db, steps: (trx: Db) => Promise<void>): Promise<void> {
  await sql`PRAGMA foreign_keys = OFF`.execute(db);
  try {
    await db.transaction().execute(async (trx) => {
      await steps(trx);
      const broken = await sql`PRAGMA foreign_key_check`.execute(trx);
      if (broken.rows.length > 0) {
        throw new Error(`foreign key check failed: ${JSON.stringify(broken.rows.slice(0, 5))}`);
      }
    });
  } finally {
    await sql`PRAGMA foreign_keys = ON`.execute(db);
  }
}

/** Rebuilds SQLite's quotes table with `unique (vendor_id, number, <uniqueOn>)`. */
async function rebuildSqliteQuotes(
  db: Db,
  uniqueOn: 'version' | 'revision',
  withRevision: boolean,
): Promise<void> {
  let table: CreateTableBuilder<'quotes_rebuilt', string> = db.schema
    .createTable('quotes_rebuilt')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull());
  if (withRevision) table = table.addColumn('revision', 'integer', (c) => c.notNull());
  await table
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('order_type', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('valid_until', 'text', (c) => c.notNull())
    .addColumn('quote_request_id', 'text', (c) => c.references('quote_requests.id'))
    .addColumn('subscription_id', 'text')
    .addColumn('previous_id', 'text')
    .addColumn('price_list_id', 'text')
    .addColumn('total_minor', 'bigint', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint(`quotes_vendor_number_${uniqueOn}_uq`, ['vendor_id', 'number', uniqueOn])
    .execute();
  const columns = [
    'id',
    'vendor_id',
    'partner_id',
    'customer_id',
    'number',
    'version',
    ...(withRevision ? ['revision'] : []),
    'status',
    'order_type',
    'currency',
    'valid_until',
    'quote_request_id',
    'subscription_id',
    'previous_id',
    'price_list_id',
    'total_minor',
    'notes',
    'created_by',
    'created_at',
    'updated_at',
  ];
  const list = sql.join(columns.map((c) => sql.ref(c)));
  await sql`insert into quotes_rebuilt (${list}) select ${list} from quotes`.execute(db);
  await db.schema.dropTable('quotes').execute();
  await sql`alter table quotes_rebuilt rename to quotes`.execute(db);
  await db.schema
    .createIndex('quotes_vendor_idx')
    .on('quotes')
    .columns(['vendor_id', 'id'])
    .execute();
  await db.schema
    .createIndex('quotes_partner_idx')
    .on('quotes')
    .columns(['partner_id', 'id'])
    .execute();
}

async function upSteps(db: Db, postgres: boolean): Promise<void> {
  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // Null for mail outside any vendor (a partner admin inviting its own user).
    .addColumn('vendor_id', 'text', (c) => c.references('vendors.id'))
    .addColumn('partner_id', 'text', (c) => c.references('partners.id'))
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('template', 'text')
    .addColumn('from_addr', 'text', (c) => c.notNull())
    .addColumn('to_addrs', 'text', (c) => c.notNull())
    .addColumn('cc_addrs', 'text', (c) => c.notNull())
    .addColumn('reply_to', 'text')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('html', 'text')
    .addColumn('attachments', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull().unique())
    .addColumn('in_reply_to', 'text')
    .addColumn('references_ids', 'text')
    .addColumn('event_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema
    .createIndex('messages_entity_idx')
    .on('messages')
    .columns(['entity_type', 'entity_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('vendor_profiles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('schema_version', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('vendor_profiles_vendor_version_uq', ['vendor_id', 'version'])
    .execute();
  await db.schema
    .alterTable('vendors')
    .addColumn('profile_version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  // Each vendor's profile as it is today becomes its version 1; the id reuses the vendor id's
  // time-ordered suffix, so it is unique without application code.
  await sql`
    insert into vendor_profiles
      (id, vendor_id, version, schema_version, source, format, created_by, created_at)
    select 'vpr_' || substr(id, 5), id, 1, 1, profile, 'json', null, updated_at from vendors
  `.execute(db);

  await db.schema.alterTable('orders').addColumn('profile_version', 'integer').execute();

  if (postgres) {
    await db.schema
      .alterTable('quotes')
      .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await sql`update quotes set revision = version`.execute(db);
    await db.schema
      .alterTable('quotes')
      .dropConstraint('quotes_vendor_number_version_uq')
      .execute();
    await db.schema
      .alterTable('quotes')
      .addUniqueConstraint('quotes_vendor_number_revision_uq', ['vendor_id', 'number', 'revision'])
      .execute();
  } else {
    await db.schema
      .alterTable('quotes')
      .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await sql`update quotes set revision = version`.execute(db);
    await rebuildSqliteQuotes(db, 'revision', true);
  }
  // Existing quotes keep their `version` value (equal to the revision), so an If-Match a client
  // already holds still matches; new rows start at 1.

  await db.schema.alterTable('users').addColumn('deactivated_at', 'text').execute();
  await db.schema.alterTable('api_tokens').addColumn('revoked_at', 'text').execute();
  await db.schema.alterTable('api_tokens').addColumn('expires_at', 'text').execute();
  await db.schema
    .alterTable('api_tokens')
    .addColumn('can_mint', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Deactivating a user deletes its sessions and revokes its tokens; listing tokens is per user.
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();
  await db.schema.createIndex('api_tokens_user_idx').on('api_tokens').column('user_id').execute();

  await db.schema
    .createTable('invitations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('invitations_user_idx').on('invitations').column('user_id').execute();
}

async function downSteps(db: Db, postgres: boolean): Promise<void> {
  await db.schema.dropTable('invitations').execute();
  await db.schema.dropIndex('api_tokens_user_idx').execute();
  await db.schema.dropIndex('sessions_user_idx').execute();
  await db.schema.alterTable('api_tokens').dropColumn('can_mint').execute();
  await db.schema.alterTable('api_tokens').dropColumn('expires_at').execute();
  await db.schema.alterTable('api_tokens').dropColumn('revoked_at').execute();
  await db.schema.alterTable('users').dropColumn('deactivated_at').execute();
  // Back to one row per (number, version): the revision was the version.
  await sql`update quotes set version = revision`.execute(db);
  if (postgres) {
    await db.schema
      .alterTable('quotes')
      .dropConstraint('quotes_vendor_number_revision_uq')
      .execute();
    await db.schema.alterTable('quotes').dropColumn('revision').execute();
    await db.schema
      .alterTable('quotes')
      .addUniqueConstraint('quotes_vendor_number_version_uq', ['vendor_id', 'number', 'version'])
      .execute();
  } else {
    await rebuildSqliteQuotes(db, 'version', false);
  }
  await db.schema.alterTable('orders').dropColumn('profile_version').execute();
  await db.schema.alterTable('vendors').dropColumn('profile_version').execute();
  await db.schema.dropTable('vendor_profiles').execute();
  await db.schema.dropTable('messages').execute();
}

export async function up(db: Db): Promise<void> {
  if (isPostgres(db)) await upSteps(db, true);
  else await inSqliteRebuild(db, (trx) => upSteps(trx, false));
}

export async function down(db: Db): Promise<void> {
  if (isPostgres(db)) await downSteps(db, true);
  else await inSqliteRebuild(db, (trx) => downSteps(trx, false));
}
