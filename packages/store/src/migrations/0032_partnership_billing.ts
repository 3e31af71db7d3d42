import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
//
// A vendor invoices the partner (two-tier channel; seed 002: the invoice goes "to the
// designated invoicing contact provided by your company"), so the invoice's buyer, its country
// and tax ID are the partner's, as billed under its partnership with the vendor — beside the
// legal name and invoicing contact the partnership already carries:
// - `billing_address`: JSON text { line1, line2?, city, region?, postalCode, country };
// - `billing_country`: ISO 3166-1 alpha-2, what the invoice's tax follows (also set without an
//   address, which a vendor may not know);
// - `tax_id`: the partner's VAT / sales-tax registration.
// Nullable: partnerships made before have none (their invoices assume the seller's country).
// Safe to run again (SQLite runs migrations outside a transaction): a column is added only
// when missing.

const COLUMNS = ['billing_address', 'billing_country', 'tax_id'] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    for (const column of COLUMNS) {
      await sql`ALTER TABLE partnerships ADD COLUMN IF NOT EXISTS ${sql.id(column)} text`.execute(
        db,
      );
    }
    return;
  }
  const existing = await sql<{ name: string }>`PRAGMA table_info(partnerships)`.execute(db);
  for (const column of COLUMNS) {
    if (!existing.rows.some((c) => c.name === column)) {
      await sql`ALTER TABLE partnerships ADD COLUMN ${sql.id(column)} text`.execute(db);
    }
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const column of [...COLUMNS].reverse()) {
    await db.schema.alterTable('partnerships').dropColumn(column).execute();
  }
}
