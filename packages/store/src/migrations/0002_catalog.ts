import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
//
// The catalog (categories, products), versioned price lists and per-partnership price
// multipliers. Search needs a structure each dialect does differently, so this migration
// branches on the dialect (the adapter of the executor):
// - SQLite: an FTS5 table `products_fts` with external content (the products table, keyed by
//   its rowid) kept in step by triggers, and an expression index on upper(part_number) for
//   part-number prefix ranges. If a VACUUM ever renumbers rowids, rebuild the index with
//   `INSERT INTO products_fts(products_fts) VALUES ('rebuild')`.
// - PostgreSQL: a stored generated `search_vector` tsvector column with a GIN index, and an
//   index on upper(part_number) with text_pattern_ops so `LIKE 'F2%'` is an index range
//   whatever the database collation. pg_trgm is deliberately not used: CREATE EXTENSION needs
//   a privilege managed databases often withhold, and prefix + word search needs no trigrams.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;

  await db.schema
    .createTable('categories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
    // A path of slugs, e.g. `hardware.gateways`: a category's descendants share its prefix.
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'text', (c) => c.references('categories.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('categories_vendor_key_uq', ['vendor_id', 'key'])
    .execute();

  await db.schema
    .createTable('products')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
    .addColumn('part_number', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('category_id', 'text', (c) => c.references('categories.id'))
    .addColumn('billing_term', 'text')
    .addColumn('ships', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('products_vendor_part_number_uq', ['vendor_id', 'part_number'])
    .execute();
  await db.schema
    .createIndex('products_vendor_category_idx')
    .on('products')
    .columns(['vendor_id', 'category_id'])
    .execute();

  await db.schema
    .createTable('price_lists')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('effective_from', 'text', (c) => c.notNull())
    .addColumn('row_count', 'integer', (c) => c.notNull())
    .addColumn('source_name', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('price_lists_vendor_currency_version_uq', [
      'vendor_id',
      'currency',
      'version',
    ])
    .execute();
  await db.schema
    .createIndex('price_lists_in_force_idx')
    .on('price_lists')
    .columns(['vendor_id', 'currency', 'effective_from', 'version'])
    .execute();

  // Items are never updated: an order that recorded a price_list_id keeps its prices.
  await db.schema
    .createTable('price_list_items')
    .addColumn('price_list_id', 'text', (c) => c.notNull().references('price_lists.id'))
    .addColumn('part_number', 'text', (c) => c.notNull())
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
    .addColumn('list_price_minor', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('price_list_items_pk', ['price_list_id', 'part_number'])
    .execute();

  await db.schema
    .createTable('partnership_multipliers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('partnership_id', 'text', (c) => c.notNull().references('partnerships.id'))
    .addColumn('category_id', 'text', (c) => c.references('categories.id'))
    .addColumn('multiplier', 'text', (c) => c.notNull())
    .addColumn('effective_from', 'text', (c) => c.notNull())
    // Inclusive: the last day the multiplier applies; null = open-ended.
    .addColumn('effective_to', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('partnership_multipliers_partnership_idx')
    .on('partnership_multipliers')
    .columns(['partnership_id', 'effective_from'])
    .execute();

  if (postgres) {
    await sql`CREATE INDEX products_part_number_prefix_idx
      ON products (vendor_id, upper(part_number) text_pattern_ops)`.execute(db);
    await sql`ALTER TABLE products ADD COLUMN search_vector tsvector
      GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', part_number), 'A') ||
        setweight(to_tsvector('simple', name), 'A') ||
        setweight(to_tsvector('simple', description), 'C')
      ) STORED`.execute(db);
    await sql`CREATE INDEX products_search_idx ON products USING gin (search_vector)`.execute(db);
  } else {
    await sql`CREATE INDEX products_part_number_prefix_idx
      ON products (vendor_id, upper(part_number))`.execute(db);
    await sql`CREATE VIRTUAL TABLE products_fts USING fts5(
      part_number, name, description,
      content='products', content_rowid='rowid',
      tokenize='unicode61 remove_diacritics 2'
    )`.execute(db);
    await sql`CREATE TRIGGER products_fts_ai AFTER INSERT ON products BEGIN
      INSERT INTO products_fts(rowid, part_number, name, description)
        VALUES (new.rowid, new.part_number, new.name, new.description);
    END`.execute(db);
    await sql`CREATE TRIGGER products_fts_ad AFTER DELETE ON products BEGIN
      INSERT INTO products_fts(products_fts, rowid, part_number, name, description)
        VALUES ('delete', old.rowid, old.part_number, old.name, old.description);
    END`.execute(db);
    await sql`CREATE TRIGGER products_fts_au AFTER UPDATE OF part_number, name, description
      ON products BEGIN
      INSERT INTO products_fts(products_fts, rowid, part_number, name, description)
        VALUES ('delete', old.rowid, old.part_number, old.name, old.description);
      INSERT INTO products_fts(rowid, part_number, name, description)
        VALUES (new.rowid, new.part_number, new.name, new.description);
    END`.execute(db);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
    for (const trigger of ['products_fts_ai', 'products_fts_ad', 'products_fts_au']) {
      await sql`DROP TRIGGER IF EXISTS ${sql.id(trigger)}`.execute(db);
    }
    await sql`DROP TABLE IF EXISTS products_fts`.execute(db);
  }
  for (const table of [
    'partnership_multipliers',
    'price_list_items',
    'price_lists',
    'products',
    'categories',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
