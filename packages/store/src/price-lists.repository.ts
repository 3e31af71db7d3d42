import { sql } from 'kysely';
import type { Executor } from './executor.ts';
import { newId } from './ids.ts';
import type { PriceList } from './schema.ts';
import { isPostgres } from './search.repository.ts';

// Versioned price lists. A list is complete: the list in force on a date for a vendor and
// currency is the one with the latest effective_from on or before that date (the highest
// version among lists of the same date), and a part number missing from it has no price.
// Lists and their items are never rewritten, so an order that recorded a price_list_id keeps
// the prices it was validated against.

/** The next version number of a vendor's price lists in a currency (call inside the write transaction). */
export async function nextPriceListVersion(
  db: Executor,
  vendorId: string,
  currency: string,
): Promise<number> {
  const row = await db
    .selectFrom('price_lists')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('vendor_id', '=', vendorId)
    .where('currency', '=', currency)
    .executeTakeFirst();
  return Number(row?.v ?? 0) + 1;
}

export async function insertPriceList(
  db: Executor,
  input: {
    vendorId: string;
    currency: string;
    version: number;
    effectiveFrom: string;
    rowCount: number;
    sourceName: string | null;
    createdBy: string;
    at: string;
  },
): Promise<PriceList> {
  const row: PriceList = {
    id: newId('prl'),
    vendor_id: input.vendorId,
    currency: input.currency,
    version: input.version,
    effective_from: input.effectiveFrom,
    row_count: input.rowCount,
    source_name: input.sourceName,
    created_by: input.createdBy,
    created_at: input.at,
  };
  await db.insertInto('price_lists').values(row).execute();
  return row;
}

/** Records the row count and final effective date of an imported list. */
export async function completePriceList(
  db: Executor,
  id: string,
  fields: { rowCount: number; effectiveFrom: string },
): Promise<void> {
  await db
    .updateTable('price_lists')
    .set({ row_count: fields.rowCount, effective_from: fields.effectiveFrom })
    .where('id', '=', id)
    .execute();
}

/** Adds items to a price list (one statement per call; keep batches ≤ 1,000 rows). */
export async function insertPriceListItems(
  db: Executor,
  priceListId: string,
  items: readonly { partNumber: string; productId: string; listPriceMinor: number }[],
): Promise<void> {
  if (items.length === 0) return;
  await db
    .insertInto('price_list_items')
    .values(
      items.map((i) => ({
        price_list_id: priceListId,
        part_number: i.partNumber,
        product_id: i.productId,
        list_price_minor: i.listPriceMinor,
      })),
    )
    .execute();
}

/** A vendor's price lists, newest first (keyset after a created id). */
export async function listPriceLists(
  db: Executor,
  vendorId: string,
  page: { limit: number; before?: string },
): Promise<PriceList[]> {
  let q = db
    .selectFrom('price_lists')
    .selectAll()
    .where('vendor_id', '=', vendorId)
    .orderBy('id', 'desc')
    .limit(page.limit);
  if (page.before !== undefined) q = q.where('id', '<', page.before);
  return q.execute();
}

/** A price list of the vendor; undefined if it is another vendor's. */
export async function findPriceList(
  db: Executor,
  vendorId: string,
  id: string,
): Promise<PriceList | undefined> {
  return db
    .selectFrom('price_lists')
    .selectAll()
    .where('vendor_id', '=', vendorId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The price list in force on a date (ISO `YYYY-MM-DD`) for a vendor and currency. */
export async function findPriceListInForce(
  db: Executor,
  vendorId: string,
  currency: string,
  on: string,
): Promise<PriceList | undefined> {
  return db
    .selectFrom('price_lists')
    .selectAll()
    .where('vendor_id', '=', vendorId)
    .where('currency', '=', currency)
    .where('effective_from', '<=', on)
    .orderBy('effective_from', 'desc')
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The currency of a vendor's first price list: the default when a caller names none. */
export async function findDefaultPriceListCurrency(
  db: Executor,
  vendorId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('price_lists')
    .select('currency')
    .where('vendor_id', '=', vendorId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.currency;
}

export interface PriceListItemRow {
  part_number: string;
  list_price_minor: number;
  name: string;
  description: string;
  type: string;
  billing_term: string | null;
  ships: number;
  active: number;
  category_key: string | null;
}

/** A page of a price list's items with their products, by part number (for export). */
export async function listPriceListItems(
  db: Executor,
  priceListId: string,
  page: { limit: number; after?: string },
): Promise<PriceListItemRow[]> {
  let q = db
    .selectFrom('price_list_items as i')
    .innerJoin('products as p', 'p.id', 'i.product_id')
    .leftJoin('categories as c', 'c.id', 'p.category_id')
    .select([
      'i.part_number',
      'i.list_price_minor',
      'p.name',
      'p.description',
      'p.type',
      'p.billing_term',
      'p.ships',
      'p.active',
      'c.key as category_key',
    ])
    .where('i.price_list_id', '=', priceListId)
    .orderBy('i.part_number')
    .limit(page.limit);
  if (page.after !== undefined) q = q.where('i.part_number', '>', page.after);
  return q.execute();
}

/** What the catalog knows about one part number on a date. */
export interface PriceInForce {
  partNumber: string;
  productId: string;
  name: string;
  type: string;
  categoryId: string | null;
  /** The category's key (`hardware.gateways`), or null. */
  category: string | null;
  /** The category's ancestors, nearest first. */
  categoryAncestorIds: string[];
  active: boolean;
  /** Whether the product is shipped (devices, kits with hardware). */
  ships: boolean;
  /** List price in minor units of `currency`; null when the list in force does not price it. */
  listPriceMinor: number | null;
  currency: string;
  /** The price list the price comes from; null when unpriced. */
  priceListId: string | null;
}

/**
 * The catalog entry and list price in force on `on` (ISO date) of each known part number, in
 * one query whatever the number of part numbers (they travel as one JSON / array parameter).
 * Unknown part numbers are simply absent. Without `currency`, the vendor's default currency
 * (that of its first price list) is used.
 *
 * @example
 * const prices = await findPricesInForce(db, {
 *   vendorId, currency: 'USD', partNumbers: ['F200-GW-01'], on: '2026-01-15',
 * });
 */
export async function findPricesInForce(
  db: Executor,
  input: { vendorId: string; currency?: string; partNumbers: readonly string[]; on: string },
): Promise<PriceInForce[]> {
  const partNumbers = [...new Set(input.partNumbers)];
  if (partNumbers.length === 0) return [];
  const currency = input.currency ?? (await findDefaultPriceListCurrency(db, input.vendorId)) ?? '';
  const wanted = isPostgres(db)
    ? sql`p.part_number = any(${partNumbers}::text[])`
    : sql`p.part_number in (select value from json_each(${JSON.stringify(partNumbers)}))`;
  // The products, their prices in the list in force and each category's ancestors (nearest
  // first, for per-category multipliers) in one statement.
  const result = await sql<{
    product_id: string;
    part_number: string;
    name: string;
    type: string;
    category_id: string | null;
    category_key: string | null;
    active: number;
    ships: number;
    list_price_minor: number | null;
    price_list_id: string | null;
    ancestor_ids: string | null;
  }>`
    with recursive pl as (
      select id from price_lists
      where vendor_id = ${input.vendorId} and currency = ${currency}
        and effective_from <= ${input.on}
      order by effective_from desc, version desc
      limit 1
    ),
    hits as (
      select p.id as product_id, p.part_number, p.name, p.type, p.category_id,
        c.key as category_key, p.active, p.ships, i.list_price_minor,
        case when i.list_price_minor is null then null else i.price_list_id end as price_list_id
      from products p
      left join categories c on c.id = p.category_id
      left join price_list_items i
        on i.price_list_id = (select id from pl) and i.part_number = p.part_number
      where p.vendor_id = ${input.vendorId} and ${wanted}
    ),
    anc (category_id, ancestor_id, depth) as (
      select c.id, c.parent_id, 1 from categories c
      where c.id in (select category_id from hits) and c.parent_id is not null
      union all
      select anc.category_id, c.parent_id, anc.depth + 1
      from anc join categories c on c.id = anc.ancestor_id
      where c.parent_id is not null and anc.depth < 50
    ),
    chains as (
      select category_id, string_agg(ancestor_id, ',' order by depth) as ancestor_ids
      from anc group by category_id
    )
    select hits.*, chains.ancestor_ids
    from hits left join chains on chains.category_id = hits.category_id`.execute(db);
  return result.rows.map((r) => ({
    partNumber: r.part_number,
    productId: r.product_id,
    name: r.name,
    type: r.type,
    categoryId: r.category_id,
    category: r.category_key,
    categoryAncestorIds: r.ancestor_ids ? r.ancestor_ids.split(',') : [],
    active: Number(r.active) === 1,
    ships: Number(r.ships) === 1,
    listPriceMinor: r.list_price_minor === null ? null : Number(r.list_price_minor),
    currency,
    priceListId: r.price_list_id,
  }));
}
