// Checks the PostgreSQL catalog build's word index (catalog-data.ts: the words found in
// JavaScript and copied in) against what the store's own definitions give: a catalog of
// `size` products is built as the bench builds it, then its search_terms, search_postings and
// search_documents are compared row for row with those computed in SQL from the products by
// migration 0018's search_terms_of (what the triggers and indexPostgresProductsAfterKey
// write) and migration 0026's documents (each product's term ids, the negated ids of those in
// its name, and its score base). Term ids aside (numbered in (vendor, term) order), the rows
// must be the same. Prints the counts and checksums; exits 1 on any difference.
//
//   node --import tsx bench/lib/check-catalog-words.ts [size, default 20000]
import pg from 'pg';
import { growPostgresCatalogs, partNumberAt, prepareCatalogDb } from './catalog-data.ts';
import { installSignalHandlers, runCleanup } from './cleanup.ts';
import { createDatabase } from './postgres.ts';

/** Rows of `a` not in `b` and of `b` not in `a` (a multiset comparison). */
const DIFFERENCE = (a: string, b: string): string =>
  `select count(*)::int as n from ((${a} except all ${b}) union all (${b} except all ${a})) d`;

const EXPECTED_POSTINGS = `select p.vendor_id, p.search_key as product_key, x.term, x.score
  from products p cross join lateral search_terms_of(p.name, p.description) x`;
const ACTUAL_POSTINGS = `select t.vendor_id, sp.product_key, t.term, sp.score
  from search_postings sp join search_terms t on t.id = sp.term_id`;
const EXPECTED_TERMS = `select vendor_id, term, count(*)::int as products
  from (${EXPECTED_POSTINGS}) e group by vendor_id, term`;
const ACTUAL_TERMS = `select vendor_id, term, products from search_terms where products > 0`;
const SORTED = (terms: string): string => `array(select unnest(${terms}) as v order by v)`;
const EXPECTED_DOCUMENTS = `select product_key, ${SORTED(`array_cat(array_agg(term_id),
      coalesce(array_agg(-term_id) filter (where score < 1000), '{}'))`)} as terms,
    min(score % 1000)::smallint as score_base
  from search_postings group by product_key`;
const ACTUAL_DOCUMENTS = `select product_key, ${SORTED('terms')} as terms, score_base
  from search_documents`;

async function main(): Promise<number> {
  installSignalHandlers();
  const size = Number(process.argv[2] ?? 20_000);
  try {
    const catalog = await prepareCatalogDb(await createDatabase('bench_check_words'));
    await growPostgresCatalogs([{ catalog, size }], (m) => process.stderr.write(`${m}\n`));
    const client = new pg.Client({ connectionString: catalog.url });
    await client.connect();
    try {
      const one = async (text: string): Promise<number> =>
        (await client.query<{ n: number }>(text)).rows[0]?.n ?? -1;
      const checks: [string, number][] = [
        ['postings differing', await one(DIFFERENCE(EXPECTED_POSTINGS, ACTUAL_POSTINGS))],
        ['terms differing', await one(DIFFERENCE(EXPECTED_TERMS, ACTUAL_TERMS))],
        ['documents differing', await one(DIFFERENCE(EXPECTED_DOCUMENTS, ACTUAL_DOCUMENTS))],
        [
          'new terms not numbered in term order',
          await one(`select count(*)::int as n from (select term,
              lag(term) over (partition by vendor_id order by id) as previous
            from search_terms where id > (select coalesce(max(t.id), 0) from search_terms t
              join (select distinct p.vendor_id, x.term from products p
                    cross join lateral search_terms_of(p.name, p.description) x
                    where p.search_key < (select search_key from products
                      where part_number = ${client.escapeLiteral(partNumberAt(0))})) demo
                on demo.vendor_id = t.vendor_id and demo.term = t.term)) o
            where previous >= term`),
        ],
      ];
      const counts = await client.query<Record<string, string>>(
        `select (select count(*) from products) as products,
           (select count(*) from search_terms) as terms,
           (select count(*) from search_postings) as postings,
           (select count(*) from search_documents) as documents,
           (select md5(string_agg(t.term || ':' || sp.score || ':' || p.part_number, ','
              order by t.term, sp.score, p.part_number))
            from search_postings sp join search_terms t on t.id = sp.term_id
              join products p on p.search_key = sp.product_key) as postings_md5,
           (select md5(string_agg(p.part_number || ':' || d.score_base || ':' ||
              array_to_string(array(select case when x > 0 then t.term else '-' || t.term end
                from unnest(d.terms) x join search_terms t on t.id = abs(x) order by 1), ' '),
              ',' order by p.part_number))
            from search_documents d join products p on p.search_key = d.product_key)
            as documents_md5,
           (select md5(string_agg(v.slug || ':' || t.term || ':' || t.products, ','
              order by v.slug, t.term)) from search_terms t join vendors v on v.id = t.vendor_id)
            as terms_md5`,
      );
      process.stdout.write(`${JSON.stringify(counts.rows[0], null, 2)}\n`);
      for (const [what, n] of checks) process.stdout.write(`${what}: ${n}\n`);
      return checks.every(([, n]) => n === 0) ? 0 : 1;
    } finally {
      await client.end();
    }
  } finally {
    await runCleanup();
  }
}

process.exit(await main());
