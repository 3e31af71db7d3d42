import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
//
// Catalog search at a million products (issue 12, point 3): a word index both dialects read the
// same way, so a search reads a word's best matches first and stops at the page instead of
// collecting every match (a GIN bitmap of 100,000 row ids for `lic:*` on PostgreSQL, an FTS5
// doclist on SQLite) and ranking a capped subset of them.
// - `search_terms`: each vendor's vocabulary (vendor, term) with a small integer id and the
//   number of products that have the term (to pick the rarest word of a query). A prefix
//   ("licen") is a range of it; a tenant's terms are its own, so another vendor's catalog
//   never lengthens a search.
// - `search_postings` (term_id, score, product_key): one row per product and distinct term of
//   its name and description (the words API.md promises; part numbers have their own prefix
//   index), in score order within a term, so "the best 20 products with this term" is one
//   index range read. score = 1000 × (0 when the term is in the name, 1 when only in the
//   description) + the product's number of distinct terms (up to 999): name matches first,
//   then shorter, more specific texts. So score % 1000 is the same for all of a product's
//   postings. product_key is the products rowid on SQLite and a new identity column
//   `products.search_key` on PostgreSQL (an integer keeps the ~18 rows a product has small).
// - Kept by triggers on products, so every writer (the API, the bulk price-list import, a
//   manual SQL fix) keeps it in step. A product's rows are found again by recomputing them
//   from its old text (the score is a function of the text): the key needs no second index.
//   A later migration that changes the terms or the score must rebuild both tables.
// - Tokenizing: SQLite uses FTS5's own tokenizer (unicode61, diacritics removed — as
//   products_fts) through a contentless scratch table that holds the one row a trigger is
//   indexing, read back with fts5vocab; PostgreSQL lower-cases and splits at ASCII characters
//   other than letters and digits (what indexWords does with a query).
// If a SQLite VACUUM ever renumbers rowids, rebuild both tables with the backfill below (as for
// products_fts).

type Db = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Products tokenized per batch while backfilling SQLite. */
const SQLITE_BATCH = 20_000;

async function upSqlite(db: Db): Promise<void> {
  await sql`CREATE TABLE search_terms (
      id INTEGER PRIMARY KEY,
      vendor_id TEXT NOT NULL,
      term TEXT NOT NULL,
      products INTEGER NOT NULL DEFAULT 0,
      UNIQUE (vendor_id, term))`.execute(db);
  await sql`CREATE TABLE search_postings (
      term_id INTEGER NOT NULL,
      score INTEGER NOT NULL,
      product_key INTEGER NOT NULL,
      PRIMARY KEY (term_id, score, product_key)) WITHOUT ROWID`.execute(db);
  await sql`CREATE VIRTUAL TABLE search_scratch USING fts5(
      name, description, content='', tokenize='unicode61 remove_diacritics 2')`.execute(db);
  await sql`CREATE VIRTUAL TABLE search_scratch_terms
      USING fts5vocab(search_scratch, 'instance')`.execute(db);
  // The postings of whatever the scratch table holds (one product in a trigger, a batch while
  // backfilling): doc is the product's rowid.
  await sql`CREATE VIEW search_scratch_postings AS
      WITH per AS (
        SELECT doc, term, min(col = 'description') AS described
        FROM search_scratch_terms GROUP BY doc, term),
      len AS (SELECT doc, count(*) AS n FROM per GROUP BY doc)
      SELECT per.doc AS product_key, per.term AS term,
             per.described * 1000 + min(999, len.n) AS score
      FROM per JOIN len ON len.doc = per.doc`.execute(db);

  const index = (row: 'new' | 'old') => sql`
      INSERT INTO search_scratch(rowid, name, description)
        VALUES (${sql.raw(row)}.rowid, ${sql.raw(row)}.name, ${sql.raw(row)}.description);`;
  const add = sql`
      INSERT OR IGNORE INTO search_terms(vendor_id, term)
        SELECT new.vendor_id, term FROM search_scratch_postings;
      INSERT OR IGNORE INTO search_postings(term_id, score, product_key)
        SELECT t.id, s.score, s.product_key FROM search_scratch_postings s
        JOIN search_terms t ON t.vendor_id = new.vendor_id AND t.term = s.term;
      UPDATE search_terms SET products = products + 1
        WHERE vendor_id = new.vendor_id AND term IN (SELECT term FROM search_scratch_postings);`;
  const remove = sql`
      DELETE FROM search_postings WHERE (term_id, score, product_key) IN (
        SELECT t.id, s.score, s.product_key FROM search_scratch_postings s
        JOIN search_terms t ON t.vendor_id = old.vendor_id AND t.term = s.term);
      UPDATE search_terms SET products = max(0, products - 1)
        WHERE vendor_id = old.vendor_id AND term IN (SELECT term FROM search_scratch_postings);`;
  const clear = sql`INSERT INTO search_scratch(search_scratch) VALUES ('delete-all');`;
  // A bulk insert (the price-list import's publish) puts a row here for the length of its
  // statement, inside its transaction, and indexes the new products set-based afterwards
  // (indexProductsAfterBulkInsert): row by row, 100,000 products cost minutes under the write
  // lock. No other connection ever sees the row: it is gone before the transaction commits.
  await sql`CREATE TABLE search_index_deferred (
      id INTEGER PRIMARY KEY CHECK (id = 1))`.execute(db);
  await sql`CREATE TRIGGER search_postings_ai AFTER INSERT ON products
      WHEN NOT EXISTS (SELECT 1 FROM search_index_deferred)
      BEGIN
      ${index('new')} ${add} ${clear}
    END`.execute(db);
  await sql`CREATE TRIGGER search_postings_ad AFTER DELETE ON products BEGIN
      ${index('old')} ${remove} ${clear}
    END`.execute(db);
  await sql`CREATE TRIGGER search_postings_au AFTER UPDATE OF vendor_id, name, description
      ON products
      WHEN old.vendor_id IS NOT new.vendor_id OR old.name IS NOT new.name
        OR old.description IS NOT new.description
      BEGIN
      ${index('old')} ${remove} ${clear} ${index('new')} ${add} ${clear}
    END`.execute(db);

  // Backfill in rowid batches: tokenize a batch in the scratch table, add its terms and
  // postings in set-based statements, empty the scratch table; count products per term last.
  const bounds = await sql<{
    lo: number | null;
    hi: number | null;
  }>`SELECT min(rowid) AS lo, max(rowid) AS hi FROM products`.execute(db);
  const { lo, hi } = bounds.rows[0] ?? { lo: null, hi: null };
  if (lo === null || hi === null) return;
  for (let from = lo; from <= hi; from += SQLITE_BATCH) {
    const to = from + SQLITE_BATCH;
    await sql`INSERT INTO search_scratch(rowid, name, description)
        SELECT rowid, name, description FROM products
        WHERE rowid >= ${from} AND rowid < ${to}`.execute(db);
    await sql`CREATE TEMP TABLE search_batch AS
        SELECT p.vendor_id, s.term, s.score, s.product_key FROM search_scratch_postings s
        JOIN products p ON p.rowid = s.product_key`.execute(db);
    await sql`INSERT OR IGNORE INTO search_terms(vendor_id, term)
        SELECT DISTINCT vendor_id, term FROM search_batch`.execute(db);
    await sql`INSERT OR IGNORE INTO search_postings(term_id, score, product_key)
        SELECT t.id, b.score, b.product_key FROM search_batch b
        JOIN search_terms t ON t.vendor_id = b.vendor_id AND t.term = b.term`.execute(db);
    await sql`DROP TABLE search_batch`.execute(db);
    await sql`INSERT INTO search_scratch(search_scratch) VALUES ('delete-all')`.execute(db);
  }
  await sql`UPDATE search_terms SET products = (
      SELECT count(*) FROM search_postings WHERE term_id = search_terms.id)`.execute(db);
}

async function upPostgres(db: Db): Promise<void> {
  // The terms of a product's text and their scores (see the header). Splitting at ASCII
  // non-alphanumerics keeps other scripts' letters in words whatever the collation.
  await sql`CREATE FUNCTION search_terms_of(name text, description text)
      RETURNS TABLE (term text, score integer)
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        WITH words AS (
          SELECT w, 0 AS described
          FROM regexp_split_to_table(lower(coalesce($1, '')), '[\x01-\x2f\x3a-\x60\x7b-\x7f]+') AS w
          UNION ALL
          SELECT w, 1
          FROM regexp_split_to_table(lower(coalesce($2, '')), '[\x01-\x2f\x3a-\x60\x7b-\x7f]+') AS w),
        per AS (SELECT w, min(described) AS described FROM words WHERE w <> '' GROUP BY w)
        SELECT w, described * 1000 + least(999, (SELECT count(*) FROM per))::integer FROM per
      $$`.execute(db);
  // An integer key for the postings (the text id would triple their size). Rewrites products
  // once.
  await sql`ALTER TABLE products
      ADD COLUMN search_key bigint GENERATED BY DEFAULT AS IDENTITY`.execute(db);
  await sql`CREATE UNIQUE INDEX products_search_key_uq ON products (search_key)`.execute(db);
  await sql`CREATE TABLE search_terms (
      id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      vendor_id text NOT NULL,
      term text COLLATE "C" NOT NULL,
      products integer NOT NULL DEFAULT 0,
      CONSTRAINT search_terms_vendor_term_uq UNIQUE (vendor_id, term))`.execute(db);
  await sql`CREATE TABLE search_postings (
      term_id integer NOT NULL,
      score integer NOT NULL,
      product_key bigint NOT NULL)`.execute(db);

  // Backfill before the primary key exists (one sorted build instead of millions of inserts).
  await sql`CREATE TEMP TABLE search_backfill ON COMMIT DROP AS
      SELECT p.vendor_id, p.search_key, x.term, x.score
      FROM products p CROSS JOIN LATERAL search_terms_of(p.name, p.description) x`.execute(db);
  await sql`INSERT INTO search_terms (vendor_id, term, products)
      SELECT vendor_id, term, count(*) FROM search_backfill GROUP BY vendor_id, term`.execute(db);
  await sql`INSERT INTO search_postings (term_id, score, product_key)
      SELECT t.id, b.score, b.search_key FROM search_backfill b
      JOIN search_terms t ON t.vendor_id = b.vendor_id AND t.term = b.term`.execute(db);
  await sql`DROP TABLE search_backfill`.execute(db);
  await sql`ALTER TABLE search_postings
      ADD CONSTRAINT search_postings_pk PRIMARY KEY (term_id, score, product_key)`.execute(db);

  // Statement-level triggers with transition tables: a bulk import of 100,000 products
  // indexes them in a few set-based statements, not 100,000 trigger calls. A statement may
  // only name the transition tables its trigger has, hence one branch per operation. An update
  // re-indexes only the rows whose vendor, name or description changed.
  const changed = (keep: 'o' | 'n') => `(
      SELECT ${keep}.* FROM old_rows o JOIN new_rows n ON n.search_key = o.search_key
      WHERE (n.vendor_id, n.name, n.description)
        IS DISTINCT FROM (o.vendor_id, o.name, o.description))`;
  // Terms are upserted in (vendor, term) order, so concurrent writers lock them in one order.
  const add = (rows: string) => `
      WITH added AS MATERIALIZED (
        SELECT r.vendor_id, r.search_key, x.term, x.score FROM ${rows} r
        CROSS JOIN LATERAL search_terms_of(r.name, r.description) x),
      terms AS (
        INSERT INTO search_terms AS t (vendor_id, term, products)
          SELECT vendor_id, term, count(*) FROM added
          GROUP BY vendor_id, term ORDER BY vendor_id, term
        ON CONFLICT (vendor_id, term) DO UPDATE SET products = t.products + excluded.products
        RETURNING t.id, t.vendor_id, t.term)
      INSERT INTO search_postings (term_id, score, product_key)
        SELECT terms.id, a.score, a.search_key FROM added a
        JOIN terms ON terms.vendor_id = a.vendor_id AND terms.term = a.term
      ON CONFLICT DO NOTHING;`;
  const remove = (rows: string) => `
      WITH removed AS MATERIALIZED (
        SELECT r.vendor_id, r.search_key, x.term, x.score FROM ${rows} r
        CROSS JOIN LATERAL search_terms_of(r.name, r.description) x),
      gone AS (
        DELETE FROM search_postings sp USING removed r, search_terms t
        WHERE t.vendor_id = r.vendor_id AND t.term = r.term
          AND sp.term_id = t.id AND sp.score = r.score AND sp.product_key = r.search_key
        RETURNING sp.term_id)
      UPDATE search_terms t SET products = greatest(0, t.products - g.n)
        FROM (SELECT term_id, count(*) AS n FROM gone GROUP BY term_id ORDER BY term_id) g
        WHERE t.id = g.term_id;`;
  await sql`CREATE FUNCTION search_postings_sync() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN ${sql.raw(add('new_rows'))}
        ELSIF TG_OP = 'DELETE' THEN ${sql.raw(remove('old_rows'))}
        ELSE ${sql.raw(remove(changed('o')))} ${sql.raw(add(changed('n')))}
        END IF;
        RETURN NULL;
      END
    $$`.execute(db);
  await sql`CREATE TRIGGER search_postings_ai AFTER INSERT ON products
      REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION search_postings_sync()`.execute(db);
  await sql`CREATE TRIGGER search_postings_au AFTER UPDATE ON products
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION search_postings_sync()`.execute(db);
  await sql`CREATE TRIGGER search_postings_ad AFTER DELETE ON products
      REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION search_postings_sync()`.execute(db);
}

export async function up(db: Db): Promise<void> {
  if (isPostgres(db)) await upPostgres(db);
  else await upSqlite(db);
}

export async function down(db: Db): Promise<void> {
  for (const trigger of ['search_postings_ai', 'search_postings_au', 'search_postings_ad']) {
    if (isPostgres(db))
      await sql`DROP TRIGGER IF EXISTS ${sql.id(trigger)} ON products`.execute(db);
    else await sql`DROP TRIGGER IF EXISTS ${sql.id(trigger)}`.execute(db);
  }
  if (isPostgres(db)) {
    await sql`DROP FUNCTION IF EXISTS search_postings_sync()`.execute(db);
    await sql`DROP TABLE IF EXISTS search_postings`.execute(db);
    await sql`DROP TABLE IF EXISTS search_terms`.execute(db);
    await sql`ALTER TABLE products DROP COLUMN IF EXISTS search_key`.execute(db);
    await sql`DROP FUNCTION IF EXISTS search_terms_of(text, text)`.execute(db);
  } else {
    await sql`DROP TABLE IF EXISTS search_index_deferred`.execute(db);
    await sql`DROP VIEW IF EXISTS search_scratch_postings`.execute(db);
    await sql`DROP TABLE IF EXISTS search_scratch_terms`.execute(db);
    await sql`DROP TABLE IF EXISTS search_scratch`.execute(db);
    await sql`DROP TABLE IF EXISTS search_postings`.execute(db);
    await sql`DROP TABLE IF EXISTS search_terms`.execute(db);
  }
}
