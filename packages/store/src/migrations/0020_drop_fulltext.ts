import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
//
// The word index of migrations 0018 and 0019 answers every catalog search; nothing reads the
// full-text indexes of 0002 and 0016 any more, yet every product written still fed them: on
// SQLite the FTS5 table `products_fts` (three triggers, ~3 s of a 100,000-row price-list
// import), on PostgreSQL the generated `search_vector` column and its GIN index. Both go.
// Dropping is quick on both databases (PostgreSQL marks the column dropped without a rewrite).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`DROP INDEX IF EXISTS products_search_idx`.execute(db);
    await sql`ALTER TABLE products DROP COLUMN IF EXISTS search_vector`.execute(db);
    return;
  }
  for (const trigger of ['products_fts_ai', 'products_fts_ad', 'products_fts_au']) {
    await sql`DROP TRIGGER IF EXISTS ${sql.id(trigger)}`.execute(db);
  }
  await sql`DROP TABLE IF EXISTS products_fts`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`ALTER TABLE products ADD COLUMN search_vector tsvector
      GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', part_number), 'A') ||
        setweight(to_tsvector('simple', name), 'A') ||
        setweight(to_tsvector('simple', description), 'C')
      ) STORED`.execute(db);
    await sql`CREATE INDEX products_search_idx ON products USING gin (search_vector)`.execute(db);
    return;
  }
  // As migration 0016 left it: prefix indexes, kept in step by the triggers of 0002.
  await sql`CREATE VIRTUAL TABLE products_fts USING fts5(
      part_number, name, description,
      content='products', content_rowid='rowid',
      tokenize='unicode61 remove_diacritics 2',
      prefix='2 3 4 5 6 7 8 9 10 11 12 13 14 15 16'
    )`.execute(db);
  await sql`INSERT INTO products_fts(products_fts) VALUES ('rebuild')`.execute(db);
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
