import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
// Issue 12: orders of one partnership no longer wait for each other on a lock of the
// partnership row. The rule "a PO number is used once per partnership by a live order" is
// now kept by the database: at most one order per (vendor, partner, PO number) among those
// that are neither rejected nor cancelled (their numbers are free again) nor on hold (an order
// on hold may be corrected to any number; it must pass the check, and this index, when it is
// resubmitted). A submission still reports the duplicate with every other problem (the
// check before writing); the index decides the race between two that check at once.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('orders_live_po_number_uq')
    .on('orders')
    .columns(['vendor_id', 'partner_id', 'po_number'])
    .unique()
    .where(
      sql<boolean>`po_number is not null and status not in ('rejected', 'cancelled', 'on_hold')`,
    )
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('orders_live_po_number_uq').execute();
}
