// Keeping the word index of migration 0018 (search_terms, search_postings) in step with a bulk
// insert of products. On PostgreSQL its statement-level triggers index a whole INSERT … SELECT
// at once, so there is nothing to do. On SQLite the triggers run per row, each tokenizing one
// product through the scratch FTS table: fine for the API's single products, minutes for an
// import's 100,000 under the write lock. So the import's insert runs with the INSERT trigger
// deferred (a row in search_index_deferred, inside the caller's transaction, gone before it
// commits) and the new products are then indexed here in rowid batches, set-based, the way the
// migration's backfill does it.
import { sql } from 'kysely';
import type { Executor } from './executor.ts';
import { isPostgres } from './search.repository.ts';

/** Products tokenized per statement while indexing a bulk insert. */
const BATCH = 20_000;

/**
 * Runs `insert` (one set-based INSERT INTO products) and indexes the products it created for
 * word search. Call inside a transaction: on SQLite the deferral and the indexing must commit
 * with the insert, or not at all.
 */
export async function insertProductsIndexedInBulk<T>(
  tx: Executor,
  insert: () => Promise<T>,
): Promise<T> {
  if (isPostgres(tx)) return insert();
  const from = (await maxProductRowid(tx)) + 1;
  await sql`insert into search_index_deferred (id) values (1)`.execute(tx);
  let result: T;
  try {
    result = await insert();
  } finally {
    await sql`delete from search_index_deferred`.execute(tx);
  }
  await indexProductsAfterRowid(tx, from - 1);
  return result;
}

/**
 * Indexes for word search the products after rowid `after` on SQLite (nothing to do on
 * PostgreSQL), as a bulk insert's are: for a loader that inserted products with the word
 * index's triggers off (the bench's synthetic catalog). Call inside a transaction.
 */
export async function indexProductsAfterRowid(tx: Executor, after: number): Promise<void> {
  if (isPostgres(tx)) return;
  const to = await maxProductRowid(tx);
  for (let lo = after + 1; lo <= to; lo += BATCH) await indexRowids(tx, lo, lo + BATCH);
}

async function maxProductRowid(tx: Executor): Promise<number> {
  const r = await sql<{ hi: number | null }>`select max(rowid) as hi from products`.execute(tx);
  return r.rows[0]?.hi ?? 0;
}

/** Indexes the products with rowid in [lo, hi): terms, postings, and each term's product count. */
async function indexRowids(tx: Executor, lo: number, hi: number): Promise<void> {
  await sql`insert into search_scratch(rowid, name, description)
      select rowid, name, description from products
      where rowid >= ${lo} and rowid < ${hi}`.execute(tx);
  await sql`create temp table search_bulk_batch as
      select p.vendor_id, s.term, s.score, s.product_key from search_scratch_postings s
      join products p on p.rowid = s.product_key`.execute(tx);
  try {
    // Terms in (vendor, term) order, as the triggers upsert them.
    await sql`insert or ignore into search_terms(vendor_id, term)
        select distinct vendor_id, term from search_bulk_batch
        order by vendor_id, term`.execute(tx);
    await sql`insert or ignore into search_postings(term_id, score, product_key)
        select t.id, b.score, b.product_key from search_bulk_batch b
        join search_terms t on t.vendor_id = b.vendor_id and t.term = b.term`.execute(tx);
    await sql`update search_terms set products = products + c.n
        from (select vendor_id, term, count(*) as n from search_bulk_batch
              group by vendor_id, term) c
        where search_terms.vendor_id = c.vendor_id and search_terms.term = c.term`.execute(tx);
  } finally {
    await sql`drop table search_bulk_batch`.execute(tx);
    await sql`insert into search_scratch(search_scratch) values ('delete-all')`.execute(tx);
  }
}
