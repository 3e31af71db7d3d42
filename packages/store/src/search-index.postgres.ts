// Indexing a bulk load of products for word search on PostgreSQL in one set-based pass. The
// word index of migration 0018 (search_terms, search_postings) is kept by statement-level
// triggers: right for every writer, but a loader of a million products (the bench's catalog)
// pays for ~18 million postings inserted into two B-trees in random order. A loader that
// inserts with those triggers off (COPY under session_replication_role = replica, or with
// the triggers disabled) calls this afterwards: it computes every new product's terms once,
// through the migration's own search_terms_of, upserts the terms with their product counts
// and appends the postings — the rows the triggers would have written (term ids aside: those
// are numbered in the order terms are first met) and each product's row of search_documents
// (migration 0026). Without the postings' and documents' indexes (a loader may drop them and
// build them after, one sorted build each) the appends are sequential.
import { sql } from 'kysely';
import type { Executor } from './executor.ts';
import { isPostgres } from './search.repository.ts';

/** What indexPostgresProductsAfterKey wrote. */
export interface BulkIndexed {
  /** Terms inserted or whose count was raised. */
  terms: number;
  postings: number;
  /** Products given a row of search_documents (those with at least one term). */
  documents: number;
}

/**
 * Adds to the word index the PostgreSQL products whose `search_key` is above `after` (and at
 * most `upTo`, when given) and that it does not have yet (inserted with its triggers off):
 * their terms (a new term, or its count raised by the new products that have it), their
 * postings and their documents. Call inside a transaction, on PostgreSQL only; indexing the same products twice
 * would count them twice. Disjoint key ranges may be indexed by concurrent transactions (a
 * loader using more than one core): they meet only on the terms' rows, upserted in one order.
 */
export async function indexPostgresProductsAfterKey(
  tx: Executor,
  after: number,
  upTo?: number,
): Promise<BulkIndexed> {
  if (!isPostgres(tx)) {
    throw new Error(
      'indexPostgresProductsAfterKey: PostgreSQL only (SQLite: indexProductsAfterRowid)',
    );
  }
  await sql`create temp table search_bulk_postings as
      select p.vendor_id, p.search_key, x.term, x.score
      from products p cross join lateral search_terms_of(p.name, p.description) x
      where p.search_key > ${after}
        ${upTo === undefined ? sql`` : sql`and p.search_key <= ${upTo}`}`.execute(tx);
  try {
    // Terms in (vendor, term) order, as the triggers upsert them (one lock order for all).
    const terms = await sql`insert into search_terms as t (vendor_id, term, products)
        select vendor_id, term, count(*) from search_bulk_postings
        group by vendor_id, term order by vendor_id, term
        on conflict (vendor_id, term) do update set products = t.products + excluded.products`.execute(
      tx,
    );
    // In the products' order, as the triggers append them (the hash join keeps the probe
    // side's order): the table's layout does not depend on how it was filled.
    const postings = await sql`insert into search_postings (term_id, score, product_key)
        select t.id, b.score, b.search_key from search_bulk_postings b
        join search_terms t on t.vendor_id = b.vendor_id and t.term = b.term`.execute(tx);
    // Each product's terms in one row (migration 0026), as the triggers write them.
    const documents = await sql`insert into search_documents (product_key, terms, score_base)
        select b.search_key, array_cat(array_agg(t.id),
            coalesce(array_agg(-t.id) filter (where b.score < 1000), '{}')),
          min(b.score % 1000)
        from search_bulk_postings b
        join search_terms t on t.vendor_id = b.vendor_id and t.term = b.term
        group by b.search_key order by b.search_key`.execute(tx);
    return {
      terms: Number(terms.numAffectedRows ?? 0n),
      postings: Number(postings.numAffectedRows ?? 0n),
      documents: Number(documents.numAffectedRows ?? 0n),
    };
  } finally {
    await sql`drop table search_bulk_postings`.execute(tx);
  }
}
