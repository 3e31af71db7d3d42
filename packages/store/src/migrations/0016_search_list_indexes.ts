import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
// Performance (issue 12, points 3 and 6), no change in behaviour:
// - orders (ordering_partner_id, status, id): a partner's order list filtered by status reads
//   its newest rows straight from the index instead of sorting every order of the partner
//   that has the status (the list runs one such range per partner id and merges them).
// - SQLite: `products_fts` again, with FTS5 prefix indexes for 2 to 16 characters. Without
//   them every word query ("licen"*, and a whole word too: words match as prefixes) merges
//   the whole doclist of every term it begins, even under a LIMIT (~20 ms for a word in 20%
//   of a million products); with them it is one doclist read lazily. Longer words fall back
//   to the merge. The index grows by ~7% at 1M products. The prefix option cannot be
//   altered, so the table is dropped, created and rebuilt from products (the triggers of
//   0002 refer to it by name and keep working).

const FTS_COLUMNS = sql`part_number, name, description,
      content='products', content_rowid='rowid',
      tokenize='unicode61 remove_diacritics 2'`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function recreateFts(db: Kysely<any>, prefix: string | null): Promise<void> {
  await sql`DROP TABLE IF EXISTS products_fts`.execute(db);
  await sql`CREATE VIRTUAL TABLE products_fts USING fts5(
      ${FTS_COLUMNS}${prefix === null ? sql`` : sql`, prefix=${sql.lit(prefix)}`}
    )`.execute(db);
  await sql`INSERT INTO products_fts(products_fts) VALUES ('rebuild')`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('orders_partner_status_idx')
    .on('orders')
    .columns(['ordering_partner_id', 'status', 'id'])
    .execute();
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
    await recreateFts(db, '2 3 4 5 6 7 8 9 10 11 12 13 14 15 16');
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) await recreateFts(db, null);
  await db.schema.dropIndex('orders_partner_status_idx').execute();
}
