import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
//
// Issue 12, SQLite: an order submission read the same reference rows every time — the vendor
// and partnership, the customer and its contacts, the prices in force, the partnership's
// multipliers, the customer's subscription — seven of its seventeen statements. The process
// now keeps what it read (read-versions.ts), and one statement tells whether any of it may be
// stale: `read_versions`, one row with a stamp per table, which a trigger on each of those
// tables sets to a new random value on every insert, update and delete, whoever writes (the
// server, `orderdesk import-pricelist` in another process, SQL by hand). A kept read is used
// only while the stamps of every table it read are the ones it was read under.
//
// A random stamp, not a counter: a write rolled back puts the old stamp back, and a later
// write must not be able to give the stamp a kept read was made under (a counter would, and
// the read might hold the rolled-back row). Stamps are below 2^53, exact in JavaScript.
//
// PostgreSQL has no such table: there a submission's reads go to the server in one round trip
// (batched-reads.ts), which a cache would not save. Safe to run again (SQLite runs migrations
// outside a transaction): IF NOT EXISTS everywhere and the row inserted only when missing.

/** The tables whose rows a submission keeps, in migration order (each a column of read_versions). */
const TABLES = [
  'vendors',
  'partners',
  'partnerships',
  'customers',
  'customer_contacts',
  'products',
  'categories',
  'price_lists',
  'price_list_items',
  'partnership_multipliers',
  'subscriptions',
] as const;

const STAMP = sql`abs(random() % 9007199254740991)`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return;
  await sql`CREATE TABLE IF NOT EXISTS read_versions (
    id integer PRIMARY KEY CHECK (id = 1),
    ${sql.join(
      TABLES.map((t) => sql`${sql.id(t)} integer NOT NULL DEFAULT 0`),
      sql`, `,
    )})`.execute(db);
  // Stamps of their own from the start: two databases (or one migrated down and up again)
  // never share them, so a process that opens both keeps their reads apart.
  await sql`INSERT OR IGNORE INTO read_versions (id, ${sql.join(TABLES.map((t) => sql.id(t)))})
    VALUES (1, ${sql.join(TABLES.map(() => STAMP))})`.execute(db);
  for (const table of TABLES) {
    for (const event of ['insert', 'update', 'delete'] as const) {
      await sql`CREATE TRIGGER IF NOT EXISTS ${sql.id(`${table}_rv_${event}`)}
        AFTER ${sql.raw(event.toUpperCase())} ON ${sql.table(table)}
        BEGIN
          UPDATE read_versions SET ${sql.id(table)} = ${STAMP} WHERE id = 1;
        END`.execute(db);
    }
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return;
  for (const table of TABLES) {
    for (const event of ['insert', 'update', 'delete']) {
      await sql`DROP TRIGGER IF EXISTS ${sql.id(`${table}_rv_${event}`)}`.execute(db);
    }
  }
  await sql`DROP TABLE IF EXISTS read_versions`.execute(db);
}
