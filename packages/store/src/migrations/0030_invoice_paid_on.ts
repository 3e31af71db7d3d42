import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
//
// An invoice marked paid keeps the day the payment was made (`paidOn`, which finance gives
// with mark-paid; the day it was recorded, in the vendor's calendar, when not given) beside the
// instant it was recorded (`paid_at`). Invoices paid before (credited since, some) take it from their
// `invoice.settled` event, where mark-paid has always written it. Safe to run again (SQLite
// runs migrations outside a transaction): the column is added only when missing, and the
// backfill only fills empty ones.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`ALTER TABLE invoices ADD COLUMN IF NOT EXISTS paid_on text`.execute(db);
  } else {
    const columns = await sql<{ name: string }>`PRAGMA table_info(invoices)`.execute(db);
    if (!columns.rows.some((c) => c.name === 'paid_on')) {
      await sql`ALTER TABLE invoices ADD COLUMN paid_on text`.execute(db);
    }
  }
  const paidOn = isPostgres(db)
    ? sql`(e.data::json ->> 'paidOn')`
    : sql`json_extract(e.data, '$.paidOn')`;
  await sql`UPDATE invoices SET paid_on = (
      SELECT ${paidOn} FROM audit_events e
      WHERE e.entity_type = 'invoice' AND e.entity_id = invoices.id AND e.type = 'invoice.settled'
      ORDER BY e.at DESC LIMIT 1)
    WHERE paid_at IS NOT NULL AND paid_on IS NULL`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invoices').dropColumn('paid_on').execute();
}
