import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
//
// Word search on PostgreSQL at a million products (issue 12, point 3): a query of several
// words walks its rarest word's postings in score order (migration 0018) and checks each
// product it meets for the other words (an index probe each, migration 0019). Rare words that
// seldom meet make that walk long — "kajinlo silqua": a thousand probes for twenty products,
// 12 ms — although only a few dozen products have both. `search_documents` holds each
// product's term ids in one row with a GIN index on them: the products that have every word
// are then one bitmap intersection of the words' compressed posting lists (~1 ms), and the
// row says everything the ranking needs (which terms are in the name, the score's length
// part), so the few matches are ranked in the same statement without another probe.
// A search intersects a term's products only where few have every word; where many do, the
// walk's probes meet them soon (see search.repository.ts).
// - `search_documents` (product_key, terms, score_base): `terms` the id of every term of the
//   product, then the negated ids of those in its name (the postings scored below 1000), so the index finds "the products with this term in their name" as well;
//   `score_base` the part of its postings' score that is not name-or-description (score %
//   1000, the same for all its postings). Exactly the product's rows of search_postings,
//   grouped: a product without a term has no row.
// - Kept by the same statement-level triggers as the postings (the trigger function is
//   replaced by one that writes both), so every writer keeps it in step.
// - GIN without fastupdate: a search never scans a pending list; a write inserts its terms
//   straight into the index. Writing products through the triggers costs more for it: an
//   insert of 10,000 products ~1.2-1.5× the postings alone (measured on a busy host). The
//   trigger function runs without JIT (see syncFunction).
// SQLite keeps the walk alone (its probes are in-process B-tree reads): nothing changes there.

type Db = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * A product's `terms` from its postings (term_id, score), grouped by product. In no order: a
 * search asks only which terms it holds, and an ordered aggregate sorts every group apart
 * (a million products' backfill spent most of its time there).
 */
const DOCUMENT_TERMS = `array_cat(array_agg(term_id),
      coalesce(array_agg(-term_id) FILTER (WHERE score < 1000), '{}'))`;

/**
 * The trigger function of migration 0018 (search_postings_sync), with or without the upkeep
 * of search_documents. Without it, it is 0018's function exactly (for down).
 */
function syncFunction(documents: boolean): string {
  const changed = (keep: 'o' | 'n') => `(
      SELECT ${keep}.* FROM old_rows o JOIN new_rows n ON n.search_key = o.search_key
      WHERE (n.vendor_id, n.name, n.description)
        IS DISTINCT FROM (o.vendor_id, o.name, o.description))`;
  const add = (rows: string) =>
    documents
      ? `
      WITH added AS MATERIALIZED (
        SELECT r.vendor_id, r.search_key, x.term, x.score FROM ${rows} r
        CROSS JOIN LATERAL search_terms_of(r.name, r.description) x),
      terms AS (
        INSERT INTO search_terms AS t (vendor_id, term, products)
          SELECT vendor_id, term, count(*) FROM added
          GROUP BY vendor_id, term ORDER BY vendor_id, term
        ON CONFLICT (vendor_id, term) DO UPDATE SET products = t.products + excluded.products
        RETURNING t.id, t.vendor_id, t.term),
      postings AS MATERIALIZED (
        SELECT terms.id AS term_id, a.score, a.search_key FROM added a
        JOIN terms ON terms.vendor_id = a.vendor_id AND terms.term = a.term),
      posted AS (
        INSERT INTO search_postings (term_id, score, product_key)
          SELECT term_id, score, search_key FROM postings
        ON CONFLICT DO NOTHING)
      INSERT INTO search_documents (product_key, terms, score_base)
        SELECT search_key, ${DOCUMENT_TERMS}, min(score % 1000)
        FROM postings GROUP BY search_key
      ON CONFLICT (product_key) DO UPDATE SET terms = excluded.terms,
        score_base = excluded.score_base;`
      : `
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
        WHERE t.id = g.term_id;${
          documents
            ? `
      DELETE FROM search_documents d USING ${rows} r WHERE d.product_key = r.search_key;`
            : ''
        }`;
  // Without JIT: a transition table is planned at 1,000 rows and search_terms_of at 1,000
  // terms a row, so the statements are priced in the hundreds of thousands whatever they
  // write, and the documents' upkeep priced them past jit_optimize_above_cost: an update of
  // 1,000 products' names spent 1.1 s of its 2.2 s compiling (~0.55 s without, as before).
  return `CREATE OR REPLACE FUNCTION search_postings_sync() RETURNS trigger LANGUAGE plpgsql
    ${documents ? 'SET jit = off' : ''} AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN ${add('new_rows')}
        ELSIF TG_OP = 'DELETE' THEN ${remove('old_rows')}
        ELSE ${remove(changed('o'))} ${add(changed('n'))}
        END IF;
        RETURN NULL;
      END
    $$`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`CREATE TABLE search_documents (
      product_key bigint PRIMARY KEY,
      terms integer[] NOT NULL,
      score_base smallint NOT NULL)`.execute(db);
  // The backfill: the postings grouped by product, then one sorted build of the GIN index.
  await sql`INSERT INTO search_documents (product_key, terms, score_base)
      SELECT product_key, ${sql.raw(DOCUMENT_TERMS)}, min(score % 1000)
      FROM search_postings GROUP BY product_key`.execute(db);
  await sql`CREATE INDEX search_documents_terms ON search_documents
      USING gin (terms) WITH (fastupdate = off)`.execute(db);
  await sql.raw(syncFunction(true)).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql.raw(syncFunction(false)).execute(db);
  await sql`DROP TABLE IF EXISTS search_documents`.execute(db);
}
