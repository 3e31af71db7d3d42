import { PostgresAdapter, sql, type RawBuilder } from 'kysely';
import type { Executor } from './executor.ts';
import { PRODUCT_COLUMNS, type ProductRow } from './catalog.repository.ts';

// Every search statement returns whole rows for the page (product, vendor slug, category
// key), with no separate fetch of the page: a search is two round trips on PostgreSQL (the
// words' terms, beside the part-number prefix when the query can be one; then the walk with
// its rows). Each round trip costs more than the work of a short walk, most of all on a busy
// server.
const ROW_COLUMNS = sql.join([
  ...PRODUCT_COLUMNS.map((c) => sql.ref(c)),
  sql`v.slug as vendor_slug`,
  sql`c.key as category_key`,
]);

// Catalog search behind one function. Part-number prefixes use an index on upper(part_number)
// on both dialects (a range on SQLite, LIKE with text_pattern_ops on PostgreSQL). Words use the
// word index of migration 0018, the same on both: `search_terms` (a vendor's vocabulary) and
// `search_postings` (term, score, product), read in score order so a search stops at the page.

/**
 * How many terms of the vocabulary a word may stand for and still drive a search (each is
 * one index range read). A word beginning more (one or two characters, the start of part
 * numbers' serial parts) only filters; if every word is that wide, the first MAX_TERMS terms
 * drive it: all results contain the words, but better matches under other terms can be missed.
 */
export const MAX_TERMS = 300;

/** Whether the executor talks to PostgreSQL (else SQLite). */
export function isPostgres(db: Executor): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export interface ProductFilter {
  /** Vendors whose products may be returned (the caller's scope); empty = none. */
  vendorIds: readonly string[];
  /** A category key: products in it or in any category below it. */
  categoryKey?: string;
  /** Only active (true) or inactive (false) products; both when undefined. */
  active?: boolean;
}

export interface SearchHit extends ProductRow {
  /** 0 exact part number, 1 part-number prefix, 2 words of name or description. */
  tier: number;
}

/** Splits a query into words for full-text matching (letters and digits only, lowercased). */
export function searchWords(q: string): string[] {
  return (q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 10);
}

/**
 * The words of a query as the dialect's word index spells its terms (see migration 0018):
 * SQLite's FTS5 tokenizer folds case and removes diacritics and splits at anything but letters
 * and digits; PostgreSQL splits at ASCII characters other than letters and digits and
 * lower-cases in SQL (its lower() follows the database's collation, as the index did).
 */
export function indexWords(q: string, dialect: 'sqlite' | 'postgres'): string[] {
  const words =
    dialect === 'sqlite'
      ? searchWords(q.normalize('NFD').replace(/\p{M}+/gu, ''))
      : q.split(/[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+/).filter((w) => w !== '');
  return [...new Set(words)].slice(0, 10);
}

/** The part-number prefix a query can be (trimmed, upper-cased), or null if it cannot be one. */
export function partNumberPrefix(q: string): string | null {
  const p = q.trim().toUpperCase();
  return /^[A-Z0-9][A-Z0-9._-]{0,63}$/.test(p) ? p : null;
}

function filterSql(f: ProductFilter): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (f.categoryKey !== undefined) {
    parts.push(sql`and (c.key = ${f.categoryKey} or c.key like ${`${f.categoryKey}.%`})`);
  }
  if (f.active !== undefined) parts.push(sql`and p.active = ${f.active ? 1 : 0}`);
  return sql.join(parts, sql` `);
}

// Only a category filter needs the category: a join per candidate costs a look-up each.
function categoryJoin(f: ProductFilter): RawBuilder<unknown> {
  return f.categoryKey === undefined ? sql`` : sql`left join categories c on c.id = p.category_id`;
}

function vendorIn(db: Executor, ids: readonly string[], column = sql.ref('p.vendor_id')) {
  // One vendor (the usual case) as an equality, so the (vendor_id, upper(part_number)) index
  // yields part numbers in order and a LIMIT stops early.
  if (ids.length === 1) return sql`${column} = ${ids[0]}`;
  return isPostgres(db)
    ? sql`${column} = any(${[...ids]}::text[])`
    : sql`${column} in (${sql.join([...ids])})`;
}

/** The products whose part numbers start with the prefix, in part-number order (at most `limit`). */
async function partNumberMatches(
  db: Executor,
  filter: ProductFilter,
  prefix: string,
  limit: number,
): Promise<ProductRow[]> {
  const inVendor = vendorIn(db, filter.vendorIds);
  // The category is joined for the row anyway: the filter costs no extra look-up.
  const from = sql`products p join vendors v on v.id = p.vendor_id
    left join categories c on c.id = p.category_id`;
  const query = isPostgres(db)
    ? sql<ProductRow>`select ${ROW_COLUMNS} from ${from}
        where ${inVendor}
          and upper(p.part_number) like ${`${prefix.replace(/[\\%_]/g, (m) => `\\${m}`)}%`}
          ${filterSql(filter)}
        order by upper(p.part_number) using ~<~ limit ${limit}`
    : // The prefix as a range: up to the prefix with its last character incremented.
      sql<ProductRow>`select ${ROW_COLUMNS} from ${from}
        where ${inVendor} and upper(p.part_number) >= ${prefix}
          and upper(p.part_number) < ${
            prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)
          }
          ${filterSql(filter)}
        order by upper(p.part_number) limit ${limit}`;
  return (await query.execute(db)).rows;
}

interface WordTerms {
  word: string;
  /** The shortest terms the word begins (up to MAX_TERMS; the exact word first when it is one). */
  termIds: number[];
  /** How many products have those terms (a product may count more than once). */
  products: number;
  /** How many products have each of those terms. */
  termProducts: number[];
  /** The word begins more than MAX_TERMS terms ("a", "1"). */
  wide: boolean;
}

/**
 * Whether a term begins with the word. `term` is in the C collation on PostgreSQL, so LIKE on
 * a prefix is an index range (words hold no LIKE wildcards); on SQLite a range up to the
 * largest code point.
 */
function termPrefix(
  pg: boolean,
  term: RawBuilder<unknown>,
  word: string | RawBuilder<unknown>,
): RawBuilder<unknown> {
  if (pg) return sql`${term} like lower(${word}) || '%'`;
  if (typeof word !== 'string') throw new Error('SQLite matches a word given as text');
  return sql`${term} >= ${word} and ${term} < ${`${word}\u{10FFFF}`}`;
}

/** The words' terms, and on PostgreSQL about how many products have a term (see planSteps). */
interface WordSearch {
  terms: WordTerms[];
  /** The planner's count of search_documents rows (PostgreSQL; 0 when unknown or SQLite). */
  documents: number;
}

/** The caller's vendors' terms each word is a prefix of. */
async function termsOfWords(
  db: Executor,
  filter: ProductFilter,
  words: readonly string[],
): Promise<WordSearch> {
  const pg = isPostgres(db);
  const inVendor = vendorIn(db, filter.vendorIds, sql.ref('t.vendor_id'));
  const termsOf = (word: string, found: { id: number; products: number }[]): WordTerms => ({
    word,
    termIds: found.slice(0, MAX_TERMS).map((r) => Number(r.id)),
    products: found.slice(0, MAX_TERMS).reduce((n, r) => n + Number(r.products), 0),
    termProducts: found.slice(0, MAX_TERMS).map((r) => Number(r.products)),
    wide: found.length > MAX_TERMS,
  });
  if (pg) {
    // All words in one statement (one round trip). The word is a column here, not a
    // constant, so LIKE cannot become an index range by itself: the range is spelled out
    // (in the C collation every term beginning with the word sorts between the word and the
    // word followed by the largest code point) and LIKE keeps the match exact.
    // The documents' count is the planner's (pg_class.reltuples, -1 before the first
    // analyze): a read of one catalog row, no count over the table.
    const rows = await sql<{ ord: string; id: number; products: number; documents: number }>`
      select w.ord, t.id, t.products,
        (select c.reltuples from pg_class c where c.oid = 'search_documents'::regclass)
          as documents
      from unnest(${[...words]}::text[]) with ordinality as w(word, ord)
      cross join lateral (
        select t.id, t.products, t.term from search_terms t
        where ${inVendor} and t.term >= lower(w.word) and t.term < lower(w.word) || ${'\u{10FFFF}'}
          and ${termPrefix(true, sql.ref('t.term'), sql.ref('w.word'))}
        order by length(t.term), t.term limit ${MAX_TERMS + 1}) t
      order by w.ord, length(t.term), t.term`.execute(db);
    return {
      terms: words.map((word, k) =>
        termsOf(
          word,
          rows.rows.filter((r) => Number(r.ord) === k + 1),
        ),
      ),
      documents: Math.max(0, Number(rows.rows[0]?.documents ?? 0)),
    };
  }
  const terms = await Promise.all(
    words.map(async (word) => {
      const range = termPrefix(pg, sql.ref('t.term'), word);
      const rows = await sql<{ id: number; products: number }>`
        select t.id, t.products from search_terms t
        where ${inVendor} and ${range} order by length(t.term), t.term limit ${MAX_TERMS + 1}`.execute(
        db,
      );
      return termsOf(word, rows.rows);
    }),
  );
  return { terms, documents: 0 };
}

/** Up to how many driver terms a walk checking other words runs with JIT on (see driverWalk). */
const JIT_SAFE_TERMS = 30;

/**
 * Runs `work` on one pooled connection with PostgreSQL's JIT compilation off. A plan priced
 * above jit_above_cost is compiled first, ~35 ms of a query that runs in one or two; a walk
 * over hundreds of driver terms can be priced that high. Inside a transaction, SET LOCAL lasts
 * to its end (harmless: it only skips JIT).
 */
async function withoutJit<T>(db: Executor, work: (c: Executor) => Promise<T>): Promise<T> {
  if (db.isTransaction) {
    await sql`set local jit = off`.execute(db);
    return work(db);
  }
  return db.connection().execute(async (c) => {
    await sql`set jit = off`.execute(c);
    try {
      return await work(c);
    } finally {
      await sql`reset jit`.execute(c);
    }
  });
}

/**
 * The best `limit` products with every word, best first. The rarest word drives: its terms
 * are read one after the other, the word itself first, then the longer words it begins
 * (shortest first), each term's postings in score order (name matches before description-only
 * ones, then shorter texts); a posting counts when its product passes the filters and contains
 * the other words. The read stops as soon as `limit` products are found, so a common word costs
 * no more than a rare one. The other words are checked per walked product by index look-ups,
 * never by reading their postings whole: a mid-frequency word has tens of thousands, more than
 * two rare words ever need walked to meet (issue 12: "kajinlo silqua" read both words'
 * postings in full, 71 ms on PostgreSQL). On PostgreSQL, when under each term only a few
 * products have every word, a term's products with every word are read instead by
 * intersecting the words in the GIN index of search_documents (see planSteps): the same
 * products in the same order, without a probe per walked posting.
 */
async function wordMatches(
  db: Executor,
  filter: ProductFilter,
  search: WordSearch,
  limit: number,
  way: SearchWay = 'auto',
): Promise<ProductRow[]> {
  const { terms } = search;
  if (terms.some((t) => t.termIds.length === 0)) return [];
  // The rarest word drives; a wide word only if every word is wide.
  const narrow = terms.filter((t) => !t.wide);
  const driver = (narrow.length > 0 ? narrow : terms).reduce((a, b) =>
    b.products < a.products ? b : a,
  );
  const rest = terms.filter((t) => t !== driver);
  // The intersection lists every word's terms: not for a wide word (SQLite has no GIN).
  let steps: Step[] | undefined =
    isPostgres(db) && rest.length > 0 && narrow.length === terms.length && way !== 'walk'
      ? planSteps(search, driver, rest, limit, way === 'intersect')
      : undefined;
  // A product with two of the driver's terms ("license", "licensed") comes twice: read a
  // little more than the page when the driver has several terms, and more again in the rare
  // case that was not enough. (One term has one posting per product: the walk's length is
  // its cost when the words seldom meet.)
  let take = limit + (driver.termIds.length > 1 ? 10 : 0);
  for (;;) {
    const walk = await driverWalk(db, filter, driver, rest, take, limit, steps);
    if (walk === null) {
      // Under some term more products had every word than INTERSECT_CAP (words that go
      // together far more often than their counts say): probes meet them soon.
      steps = undefined;
      continue;
    }
    if (walk.rows.length >= limit || walk.walked < take) return walk.rows;
    take *= 4;
    // A longer walk prices its plan higher: with steps, near JIT's threshold (see driverWalk).
    steps = undefined;
  }
}

/** How a search of several words runs (tests compare the ways; searchProducts picks). */
export type SearchWay = 'auto' | 'walk' | 'intersect';

/**
 * One step of a PostgreSQL walk: a driver term's postings of one score band — 0 the products
 * with the term in their name (scores below 1000), 1 the others, both when the term's steps
 * all probe — read one of two ways: by probes (the band's postings in score order, each
 * product checked for the other words) or by intersection (the GIN index of search_documents
 * gives the band's products with every word, ranked by score).
 */
interface Step {
  /** The term's id and its position in the driver (the walk's rank). */
  id: number;
  ord: number;
  band: 0 | 1 | 'both';
  intersect: boolean;
}

/**
 * An intersection ranks at most this many products in one step; when more have every word
 * the search walks with probes instead (they meet such products soon).
 */
export const INTERSECT_CAP = 800;

/**
 * The cost model behind planSteps, in µs at a million products (PostgreSQL 15, 128 MB of
 * shared_buffers, the bench's catalog): a probe of one walked posting (the product's terms
 * through the index of migration 0019, mostly outside shared_buffers: 5-15); a product with
 * every word fetched by an intersection (its row of search_documents: ~5); one step's GIN
 * intersection (the words' compressed posting lists, skipped through: ~100). And the share
 * of a term's products that have it in their name (a guess: names are short; when it is far
 * off, a step costs more than planned, and the cap bounds it).
 */
const COST = { probe: 8, fetched: 5, step: 100 } as const;
const NAME_SHARE = 0.2;

/**
 * How each step of a walk reads, for the cheaper cost. The products with every word in a
 * step are estimated from the words' product counts as if the words were independent; the
 * steps a walk takes are those it needs to fill the page. A step whose estimate is above half
 * the cap reads by probes (the cap catches words that go together). Undefined when every step
 * reads by probes: the walk then reads each term's postings in one range, as on SQLite.
 * `always`: every step intersects (tests).
 */
function planSteps(
  search: WordSearch,
  driver: WordTerms,
  rest: readonly WordTerms[],
  limit: number,
  always: boolean,
): Step[] | undefined {
  const n = Math.max(search.documents, driver.products, ...rest.map((w) => w.products), 1);
  let share = 1;
  for (const w of rest) share *= Math.min(1, w.products / n);
  let needed = limit;
  const steps: Step[] = [];
  driver.termIds.forEach((id, k) => {
    const bands = ([0, 1] as const).map((band) => {
      const products = (driver.termProducts[k] ?? 0) * (band === 0 ? NAME_SHARE : 1 - NAME_SHARE);
      const expected = products * share;
      // A step the estimates say the page does not reach may still be read (they are
      // estimates): it is planned for half a page at least.
      const wanted = Math.max(needed, limit / 2);
      const probes = COST.probe * (expected > wanted ? (products * wanted) / expected : products);
      const intersect =
        always || (expected <= INTERSECT_CAP / 2 && COST.step + COST.fetched * expected < probes);
      needed -= expected;
      return { id, ord: k + 1, band, intersect };
    });
    if (bands.some((b) => b.intersect)) steps.push(...bands);
    else steps.push({ id, ord: k + 1, band: 'both', intersect: false });
  });
  return steps.some((s) => s.intersect) ? steps : undefined;
}

/**
 * When a word is read whole as a set (see readWhole), per dialect: at most `limit` products
 * and at most `ratio` times the driver's. A posting read in a range costs about 1/25 of a
 * look-up on PostgreSQL (a look-up descends an index mostly outside shared_buffers), about
 * 1/10 on SQLite (look-ups are cheap there, and the set is built as a temporary index).
 */
const READ_WHOLE = {
  postgres: { limit: 30_000, ratio: 25 },
  sqlite: { limit: 10_000, ratio: 10 },
} as const;

/**
 * Whether to check the other word `w` by reading its products once rather than looking each
 * walked product up. A walk meets the other word's products at their frequency, so when two
 * words seldom meet it runs through most of the driver's postings (thousands for two
 * mid-frequency words, a random look-up each); the driver's products bound the look-ups.
 */
function readWhole(pg: boolean, w: WordTerms, driver: WordTerms): boolean {
  const { limit, ratio } = READ_WHOLE[pg ? 'postgres' : 'sqlite'];
  return !w.wide && w.products <= limit && w.products <= ratio * driver.products;
}

/**
 * The first `limit` distinct products among the first `take` postings of the terms (in the
 * given order, each in score order) whose products pass the filters and contain the other
 * words, as rows in walk order, and how many postings the walk yielded (fewer than `take`:
 * it reached the end). The walk has no ORDER BY on purpose: the terms are joined laterally in
 * array order and each term's read is an ordered index range, so the rows come in rank order
 * and the LIMIT ends the read early (a sort would have to read every term to the end first).
 * Its rows are then ranked by where the walk met them (term, score, key: the walk's own
 * order) and joined to their products, vendors and categories in the same statement.
 */
async function driverWalk(
  db: Executor,
  filter: ProductFilter,
  driver: WordTerms,
  others: readonly WordTerms[],
  take: number,
  limit: number,
  steps?: readonly Step[],
): Promise<{ rows: ProductRow[]; walked: number } | null> {
  const pg = isPostgres(db);
  const { termIds } = driver;
  const list = (ids: readonly number[]) =>
    pg ? sql`any(${[...ids]}::int[])` : sql`(select value from json_each(${JSON.stringify(ids)}))`;
  const inList = pg ? sql`=` : sql`in`;
  // Whether a product has another word: a word of not many more products than the driver
  // has by its set of products, read once (an index range; see readWhole); else, per walked
  // product, one range read of the product's own postings
  // (migration 0019's index on (product_key, term_id): ~18 rows) matched against the word's
  // terms, by id when they are listed, by text when the word begins too many to list. OFFSET 0
  // keeps PostgreSQL from turning the EXISTS into a semi-join, which reads every posting of
  // the other word (68,000 for "phone") before the first row.
  const needsProduct = filter.active !== undefined || !!filter.categoryKey;
  const contains = others.map((w) => {
    if (readWhole(pg, w, driver)) {
      // SQLite: the unary + keeps it from reading the set through the product index and
      // sorting afterwards; the driver's term order is what stops the walk early.
      return sql`and ${pg ? sql`sp.product_key` : sql`+sp.product_key`} in (
        select b.product_key from search_postings b where b.term_id ${inList} ${list(w.termIds)})`;
    }
    if (!w.wide) {
      return sql`and exists (select 1 from search_postings b
        where b.product_key = sp.product_key
          and ${pg ? sql`b.term_id` : sql`+b.term_id`} ${inList} ${list(w.termIds)}
        ${pg ? sql`offset 0` : sql``})`;
    }
    return sql`and exists (select 1 from search_postings b
      join search_terms bt on bt.id = b.term_id
      where b.product_key = sp.product_key and ${termPrefix(pg, sql.ref('bt.term'), w.word)}
      ${pg ? sql`offset 0` : sql``})`;
  });
  const product = needsProduct
    ? sql`join products p on ${sql.raw(pg ? 'p.search_key' : 'p.rowid')} = sp.product_key
          ${categoryJoin(filter)}`
    : sql``;
  const band = steps ? sql`and not t.gin and sp.score >= t.lo and sp.score < t.hi` : sql``;
  const perTerm = sql`select sp.score, sp.product_key ${pg ? sql`, 0::bigint as matched` : sql``}
    from search_postings sp ${product}
    where sp.term_id = ${sql.raw(pg ? 't.id' : 't.value')} ${band}
      ${needsProduct ? filterSql(filter) : sql``} ${sql.join(contains, sql` `)}
    order by sp.score, sp.product_key limit ${take}`;
  if (!pg) return sqliteWalk(db, filter, termIds, perTerm, take, limit);
  // The walk's postings, each with its place: the term's position in the driver, its score
  // and key (each term's read is in (score, key) order). Nothing joined after the lateral
  // read inside the walk: a hash join there would lose its order. MATERIALIZED keeps the walk
  // (and its LIMIT) a step of its own.
  // With steps, each step reads one way (the other branch is skipped: its condition is the
  // step's alone, a one-time filter), in the steps' order (term, then band).
  const walk = steps
    ? sql`select t.ord, x.score, x.product_key, x.matched
    from unnest(${steps.map((s) => s.id)}::int[], ${steps.map((s) => s.ord)}::int[],
      ${steps.map((s) => (s.band === 1 ? 1000 : 0))}::int[],
      ${steps.map((s) => (s.band === 0 ? 1000 : 2000))}::int[],
      ${steps.map((s) => s.intersect)}::boolean[])
      with ordinality as t(id, ord, lo, hi, gin, step)
    cross join lateral (
      (${perTerm})
      union all
      (${intersectStep(filter, others, take)})) as x
    limit ${take}`
    : sql`select t.ord, x.score, x.product_key, x.matched
    from unnest(${[...termIds]}::int[]) with ordinality as t(id, ord)
    cross join lateral (${perTerm}) as x
    limit ${take}`;
  // A product met under two of the driver's terms ("license", "licensed") ranks where it was
  // met first.
  const query = sql<ProductRow & { walked: number | string; matched: number | string }>`
    with walk as materialized (${walk}),
    firsts as (
      select product_key, min(ord * 1000000 + score) as place from walk group by product_key)
    select ${ROW_COLUMNS}, (select count(*) from walk) as walked,
      (select max(matched) from walk) as matched
    from firsts f
    join products p on p.search_key = f.product_key
    join vendors v on v.id = p.vendor_id
    left join categories c on c.id = p.category_id
    where ${vendorIn(db, filter.vendorIds)}
    order by f.place, f.product_key
    limit ${limit}`;
  // The LIMIT keeps the plan's cost far below jit_above_cost (2,000 at most in the bench's
  // mix at 1M products), so JIT is only turned off, at two round trips, for a driver of many
  // terms checked for other words: the cost grows with both ("k l m", three words of 300 terms
  // each: 13,000, 107,000 with a category filter; "ka lo mi ra" 39,000 and 319,000). One
  // word alone stays cheap whatever its terms (the first 300 terms of "ka": 270, 2,000 with a
  // category filter): its walk reads a few postings of its first terms and stops.
  const result =
    others.length > 0 && termIds.length > JIT_SAFE_TERMS
      ? await withoutJit(db, (c) => query.execute(c))
      : await query.execute(db);
  // An intersection over its cap under a term it read: its rows are not all there.
  if (Number(result.rows[0]?.matched ?? 0) > INTERSECT_CAP) return null;
  const rows = result.rows.map(({ walked: _w, matched: _m, ...row }) => row);
  // No row: the walk found nothing, so it reached its end.
  const walked = Number(result.rows[0]?.walked ?? 0);
  return { rows, walked };
}

/**
 * A step's products with every word, as the walk reads its postings (score, key; at most
 * `take`), from the GIN index of search_documents (migration 0026): the products whose terms
 * hold the step's term (t.id) — negated for the name band, whose products have it in their
 * name; the description band then leaves those out — and a term of each other word, at most
 * INTERSECT_CAP + 1 of them; the band (t.lo: 0 or 1000) and score_base are their postings'
 * score. Then the filters, and the ranking of those few. `matched` is how many the index
 * gave: over the cap the caller walks with probes instead, and the filters let such a step's
 * rows through, so the walk sees it even when they would remove them all. Only for a step
 * that intersects (t.gin, a one-time filter).
 */
function intersectStep(
  filter: ProductFilter,
  others: readonly WordTerms[],
  take: number,
): RawBuilder<unknown> {
  const words = others.map((w) => sql`and d.terms && ${[...w.termIds]}::int[]`);
  const needsProduct = filter.active !== undefined || !!filter.categoryKey;
  const product = needsProduct
    ? sql`join products p on p.search_key = x.product_key ${categoryJoin(filter)}
        where x.matched > ${INTERSECT_CAP} or (true ${filterSql(filter)})`
    : sql``;
  return sql`select x.score, x.product_key, x.matched from (
      select m.score, m.product_key, count(*) over () as matched from (
        select d.product_key, t.lo + d.score_base as score
        from search_documents d
        where t.gin
          and d.terms @> array[case when t.lo = 0 then -t.id else t.id end]
          and (t.lo = 0 or not d.terms @> array[-t.id])
          ${sql.join(words, sql` `)}
        limit ${INTERSECT_CAP + 1}) m) x
    ${product}
    order by x.score, x.product_key limit ${take}`;
}

/**
 * driverWalk on SQLite, where a statement costs no round trip: the walk's keys, then their
 * rows (one statement that ranks and joins them measured slower there). SQLite has no
 * LATERAL: a correlated subquery per term (json_each yields the terms in order) returns its
 * postings as a JSON array, unnested in turn.
 */
async function sqliteWalk(
  db: Executor,
  filter: ProductFilter,
  termIds: readonly number[],
  perTerm: RawBuilder<unknown>,
  take: number,
  limit: number,
): Promise<{ rows: ProductRow[]; walked: number }> {
  const walk = await sql<{ key: number }>`
    select j.value as key from json_each(${JSON.stringify(termIds)}) as t
    cross join json_each((select json_group_array(product_key) from (${perTerm}))) as j
    limit ${take}`.execute(db);
  // A product met under two of the driver's terms ranks where it was met first.
  const keys = [...new Set(walk.rows.map((r) => Number(r.key)))].slice(0, limit);
  if (keys.length === 0) return { rows: [], walked: walk.rows.length };
  const found = await sql<ProductRow & { search_key: number }>`
    select ${ROW_COLUMNS}, p.rowid as search_key from products p
    join vendors v on v.id = p.vendor_id left join categories c on c.id = p.category_id
    where p.rowid in (${sql.join(keys)}) and ${vendorIn(db, filter.vendorIds)}`.execute(db);
  const byKey = new Map(found.rows.map(({ search_key: k, ...row }) => [Number(k), row]));
  return { rows: keys.flatMap((k) => byKey.get(k) ?? []), walked: walk.rows.length };
}

/**
 * Ranked search: exact part number first, then part-number prefixes ("F2" finds F200-…),
 * then products whose name or description contain every word (each word as a
 * prefix), best word match first; part-number matches among themselves by part number.
 * Pages by offset (ranked results have no stable key).
 */
export async function searchProducts(
  db: Executor,
  filter: ProductFilter,
  q: string,
  page: { limit: number; offset: number },
  way: SearchWay = 'auto',
): Promise<SearchHit[]> {
  if (filter.vendorIds.length === 0) return [];
  const words = indexWords(q, isPostgres(db) ? 'postgres' : 'sqlite');
  const prefix = partNumberPrefix(q);
  if (words.length === 0 && prefix === null) return [];
  // Bounded work whatever the catalog size: part-number matches come first in part-number
  // order, so the index yields exactly the rows a page can show; word matches are read best
  // first from the word index and stop at the page too.
  const wanted = page.offset + page.limit;
  // On PostgreSQL the words' terms are read beside the part numbers (on a second pooled
  // connection): one round trip less when the part numbers do not fill the page, one short
  // index read wasted when they do. SQLite runs statements one at a time anyway.
  const [byPart, termsAhead] = await Promise.all([
    prefix === null ? [] : partNumberMatches(db, filter, prefix, wanted),
    words.length > 0 && (prefix === null || isPostgres(db))
      ? termsOfWords(db, filter, words)
      : undefined,
  ]);
  // Part-number hits rank before word hits: when they alone fill the page, the word search
  // cannot change it. Otherwise it runs, also for a part-number-shaped query: "F2" finds
  // products whose text names F200.
  const byWords =
    words.length > 0 && byPart.length < wanted
      ? await wordMatches(
          db,
          filter,
          termsAhead ?? (await termsOfWords(db, filter, words)),
          wanted,
          way,
        )
      : [];
  if (byPart.length === 0 && byWords.length === 0) return [];
  const tierOf = (partNumber: string): number => {
    const upper = partNumber.toUpperCase();
    if (prefix === null || !upper.startsWith(prefix)) return 2;
    return upper === prefix ? 0 : 1;
  };
  // A product found both ways is a part-number hit (all of those are here when the words ran).
  const seen = new Set(byPart.map((r) => r.id));
  const hits = [
    ...byPart.map((r) => ({ ...r, tier: tierOf(r.part_number), rank: Infinity })),
    ...byWords
      .filter((r) => !seen.has(r.id))
      .map((r, rank) => ({ ...r, tier: tierOf(r.part_number), rank })),
  ];
  const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  hits.sort((a, b) => {
    if (a.tier !== b.tier) return a.tier - b.tier;
    if (a.tier === 2 && a.rank !== b.rank) return a.rank - b.rank;
    return byText(a.part_number, b.part_number) || byText(a.id, b.id);
  });
  return hits.slice(page.offset, page.offset + page.limit).map(({ rank: _, ...hit }) => hit);
}

/** Browses products by part number (keyset pagination after a part number and id). */
export async function listProducts(
  db: Executor,
  filter: ProductFilter,
  page: { limit: number; after?: { partNumber: string; id: string } },
): Promise<ProductRow[]> {
  if (filter.vendorIds.length === 0) return [];
  let q = db
    .selectFrom('products as p')
    .innerJoin('vendors as v', 'v.id', 'p.vendor_id')
    .leftJoin('categories as c', 'c.id', 'p.category_id')
    .select([...PRODUCT_COLUMNS, 'v.slug as vendor_slug', 'c.key as category_key'])
    .where('p.vendor_id', 'in', filter.vendorIds)
    .orderBy('p.part_number')
    .orderBy('p.id')
    .limit(page.limit);
  if (filter.categoryKey !== undefined) {
    const key = filter.categoryKey;
    q = q.where((eb) => eb.or([eb('c.key', '=', key), eb('c.key', 'like', `${key}.%`)]));
  }
  if (filter.active !== undefined) q = q.where('p.active', '=', filter.active ? 1 : 0);
  if (page.after) {
    const { partNumber, id } = page.after;
    q = q.where((eb) =>
      eb.or([
        eb('p.part_number', '>', partNumber),
        eb.and([eb('p.part_number', '=', partNumber), eb('p.id', '>', id)]),
      ]),
    );
  }
  return q.execute();
}
