import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
//
// Word search at a million products (issue 12, point 3): a several-word query walks its rarest
// word's postings in score order (migration 0018) and must tell, for each product it meets,
// whether the product has the other words. Probing (term, score, product) costs two index
// look-ups per term of the word, fine for a word of one or two terms but not for one that
// begins many ("kaka" begins kakaka, kakalo …; "ka" hundreds). This index answers "the terms
// of one product" with a single range read (its ~18 postings), whatever the word: the other
// words are checked against that short range. New products get the highest keys, so their
// entries are appended at the end of the index (bulk imports stay cheap).
// Creating the index is the backfill: one sorted build over the existing postings.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX search_postings_product_term
      ON search_postings (product_key, term_id)`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS search_postings_product_term`.execute(db);
}
