import type { Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
//
// A staging area for imports (issue 13): a price list is written here in chunks, each in a
// short transaction of its own, while the file is still being read and checked; only a
// complete, valid file is then made visible in one short final transaction that copies the
// rows into products and price_list_items. Readers never look here, so a failed import leaves
// nothing visible, and SQLite's write lock is never held for the whole file. `import_runs`
// dates each staging so rows an interrupted process left behind can be swept.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('import_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('import_runs_created_idx')
    .on('import_runs')
    .column('created_at')
    .execute();

  // One row of a price list being imported; null in description, billing_term or ships means
  // "the file has no such column: keep the product's value" (ships_new is the value for a new
  // product). product_id is the id a new product gets.
  await db.schema
    .createTable('import_price_rows')
    .addColumn('import_id', 'text', (c) => c.notNull())
    .addColumn('row_number', 'integer', (c) => c.notNull())
    .addColumn('part_number', 'text', (c) => c.notNull())
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('category_key', 'text')
    .addColumn('description', 'text')
    .addColumn('billing_term', 'text')
    .addColumn('ships', 'integer')
    .addColumn('ships_new', 'integer', (c) => c.notNull())
    .addColumn('list_price_minor', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_price_rows_pk', ['import_id', 'row_number'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('import_price_rows').execute();
  await db.schema.dropTable('import_runs').execute();
}
