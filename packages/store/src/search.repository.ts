import { PostgresAdapter, sql, type RawBuilder } from 'kysely';
import type { Executor } from './executor.ts';
import { PRODUCT_COLUMNS, type ProductRow } from './catalog.repository.ts';

// Catalog search behind one function; the dialects differ only here (and in migration 0002):
// SQLite uses the FTS5 table `products_fts` and bm25(); PostgreSQL the `search_vector`
// tsvector column and ts_rank(). Part-number prefixes use an index on upper(part_number) on
// both (a range on SQLite, LIKE with text_pattern_ops on PostgreSQL).

/** How many word matches a search ranks at most (see searchProducts). */
export const TEXT_CANDIDATES = 500;

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

function vendorIn(db: Executor, ids: readonly string[]): RawBuilder<unknown> {
  // One vendor (the usual case) as an equality, so the (vendor_id, upper(part_number)) index
  // yields part numbers in order and a LIMIT stops early.
  if (ids.length === 1) return sql`p.vendor_id = ${ids[0]}`;
  return isPostgres(db)
    ? sql`p.vendor_id = any(${[...ids]}::text[])`
    : sql`p.vendor_id in (${sql.join([...ids])})`;
}

/**
 * Ranked search: exact part number first, then part-number prefixes ("F2" finds F200-…),
 * then products whose name or description contain every word (each word as a prefix),
 * best text rank first; part-number matches among themselves by part number. Pages by
 * offset (ranked results have no stable key).
 */
export async function searchProducts(
  db: Executor,
  filter: ProductFilter,
  q: string,
  page: { limit: number; offset: number },
): Promise<SearchHit[]> {
  if (filter.vendorIds.length === 0) return [];
  const words = searchWords(q);
  const prefix = partNumberPrefix(q);
  if (words.length === 0 && prefix === null) return [];
  const pg = isPostgres(db);
  // Bounded work whatever the catalog size: part-number matches come first in part-number
  // order, so the index yields exactly the rows a page can show; a broad word query ranks its
  // first TEXT_CANDIDATES matches in the caller's vendors only (an approximation that keeps
  // search instant at a million products — narrow the words to rank more precisely; 500
  // rather than 2,000 halves a broad word's p95 on SQLite at 1M products).
  const wanted = page.offset + page.limit;
  const candidates = Math.max(TEXT_CANDIDATES, wanted);
  const inVendor = vendorIn(db, filter.vendorIds);
  const ctes: RawBuilder<unknown>[] = [];
  const hits: RawBuilder<unknown>[] = [];
  if (prefix !== null) {
    if (pg) {
      const like = `${prefix.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      hits.push(
        sql`select id, score from (select p.id, 0::float8 as score from products p
            ${categoryJoin(filter)}
            where ${inVendor} and upper(p.part_number) like ${like} ${filterSql(filter)}
            order by upper(p.part_number) using ~<~ limit ${wanted}) as by_prefix`,
      );
    } else {
      // The prefix as a range: up to the prefix with its last character incremented.
      const hi =
        prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
      hits.push(
        sql`select id, score from (select p.id, 0.0 as score from products p
            ${categoryJoin(filter)}
            where ${inVendor} and upper(p.part_number) >= ${prefix} and upper(p.part_number) < ${hi}
              ${filterSql(filter)}
            order by upper(p.part_number) limit ${wanted}) as by_prefix`,
      );
    }
  }
  // Part-number hits rank before word hits: when they alone fill the page, the word search
  // (costly for short part-number-like prefixes such as "F20") cannot change it. Otherwise it
  // runs, also for a part-number-shaped query: "F2" finds products whose text names F200.
  let skipWords = false;
  if (prefix !== null && hits[0] !== undefined) {
    const counted = await sql<{
      n: number | string;
    }>`select count(*) as n from (${hits[0]}) as h`.execute(db);
    skipWords = Number(counted.rows[0]?.n ?? 0) >= wanted;
  }
  if (words.length > 0 && !skipWords) {
    if (pg) {
      const query = words.map((w) => `${w}:*`).join(' & ');
      hits.push(
        sql`select id, score from (
              select p.id, p.part_number,
                     -ts_rank(p.search_vector, to_tsquery('simple', ${query}))::float8 as score
              from (select p.id, p.part_number, p.search_vector from products p
                    ${categoryJoin(filter)}
                    where ${inVendor} and p.search_vector @@ to_tsquery('simple', ${query})
                      ${filterSql(filter)}
                    limit ${candidates}) as p
              order by score, p.part_number, p.id limit ${wanted}) as by_words`,
      );
    } else {
      // bm25() only works where the FTS table drives the scan: rank in a materialized CTE
      // of its own (the planner would otherwise flatten it), then join products by rowid.
      // The caller's vendors and filters apply inside it (CROSS JOIN keeps the FTS table the
      // outer loop), so the candidate cap cannot fill with other vendors' products. Only the
      // page's worth of best candidates (in the final order) leaves it, to be joined again.
      ctes.push(
        sql`fts as materialized (
              select rid, score from (
                select products_fts.rowid as rid, bm25(products_fts, 4.0, 2.0, 1.0) as score,
                       p.part_number as pn, p.id as pid
                from products_fts
                cross join products p on p.rowid = products_fts.rowid
                ${categoryJoin(filter)}
                where products_fts match ${words.map((w) => `"${w}"*`).join(' ')}
                  and ${inVendor} ${filterSql(filter)}
                limit ${candidates})
              order by score, pn, pid limit ${wanted})`,
      );
      hits.push(
        sql`select p.id, fts.score from fts join products p on p.rowid = fts.rid where ${inVendor}`,
      );
    }
  }
  const tier =
    prefix === null
      ? sql`2`
      : sql`case when upper(p.part_number) = ${prefix} then 0
                 when substr(upper(p.part_number), 1, ${prefix.length}) = ${prefix} then 1
                 else 2 end`;
  const result = await sql<SearchHit>`
    with ${sql.join([...ctes, sql`hits as (${sql.join(hits, sql` union all `)})`])},
    best as (select id, min(score) as score from hits group by id)
    select ${sql.raw(PRODUCT_COLUMNS.join(', '))}, v.slug as vendor_slug, c.key as category_key, ${tier} as tier
    from best
    join products p on p.id = best.id
    join vendors v on v.id = p.vendor_id
    left join categories c on c.id = p.category_id
    where ${inVendor} ${filterSql(filter)}
    order by tier, case when ${tier} = 2 then best.score else 0 end, p.part_number, p.id
    limit ${page.limit} offset ${page.offset}`.execute(db);
  return result.rows.map((r) => ({ ...r, tier: Number(r.tier) }));
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
