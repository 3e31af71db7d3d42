import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
//
// Every order submission looks up the customer's current subscription with the vendor:
// `… where vendor_id = ? and customer_id = ? and status = 'active' order by id desc limit 1`.
// The index on (vendor_id, customer_id) found the customer's rows but left the status filter
// and the sort to a temporary b-tree on each call; with status and id in the index the newest
// active row is read directly. The new index starts with the old one's columns, so it replaces it.
// Both steps may run again (IF [NOT] EXISTS): on SQLite, where migrations run outside a
// transaction, a crash between them leaves the migration unrecorded, to be run again.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS subscriptions_current_idx
    ON subscriptions (vendor_id, customer_id, status, id)`.execute(db);
  await sql`DROP INDEX IF EXISTS subscriptions_customer_idx`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS subscriptions_customer_idx ON subscriptions (vendor_id, customer_id)`.execute(
    db,
  );
  await sql`DROP INDEX IF EXISTS subscriptions_current_idx`.execute(db);
}
