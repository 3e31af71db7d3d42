import type { Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
// Login throttling (issue 13, point 6) lives in the database so that every server process (and
// a restarted one) sees the same counts: one row per throttled key — an (account, client
// address) pair, a client address, an account, a known device — with its failures, the start of
// its counting window and the instant it is blocked until. Known devices are the hashes of the
// long-lived device cookies handed out on a successful login.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('login_throttle')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('blocked_until', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('login_throttle_updated_idx')
    .on('login_throttle')
    .column('updated_at')
    .execute();
  await db.schema
    .createTable('login_devices')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('login_devices_user_idx')
    .on('login_devices')
    .column('user_id')
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('login_devices').execute();
  await db.schema.dropTable('login_throttle').execute();
}
