import { sql } from 'kysely';
import type { Executor } from './executor.ts';
import { newId } from './ids.ts';
import { stampInsertsInBulk } from './read-versions.ts';
import { insertProductsIndexedInBulk } from './search-index.repository.ts';
import { isPostgres } from './search.repository.ts';

// The staging area of imports (migration 0009). A price list is staged in chunks (each insert
// its own short transaction), then published with three set-based statements inside the
// import's final transaction, then the staged rows are deleted in chunks. Nothing here is read
// by anything but the import that wrote it: an import id is never shown to another tenant.

export const IMPORT_KINDS = ['price_list'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** One checked row of a price list, ready to publish. */
export interface StagedPriceRow {
  rowNumber: number;
  partNumber: string;
  /** The id the product gets if it is new. */
  productId: string;
  name: string;
  type: string;
  /** The leaf category's key (the category is created before publishing), or null. */
  categoryKey: string | null;
  /** null: the file has no such column, keep the product's value. */
  description: string | null;
  billingTerm: string | null;
  ships: boolean | null;
  /** `ships` of a new product when the file does not say. */
  shipsNew: boolean;
  listPriceMinor: number;
}

/**
 * A staged row as `stagePriceRows` takes it: the columns of import_price_rows in order (ships
 * and shipsNew as 1/0). An import's rows cross from its parser thread and become one JSON
 * parameter per batch; a tuple costs a third of an object both ways.
 */
export type StagedPriceTuple = [
  rowNumber: number,
  partNumber: string,
  productId: string,
  name: string,
  type: string,
  categoryKey: string | null,
  description: string | null,
  billingTerm: string | null,
  ships: 0 | 1 | null,
  shipsNew: 0 | 1,
  listPriceMinor: number,
];

/** A row as a StagedPriceTuple. */
export function stagedPriceTuple(r: StagedPriceRow): StagedPriceTuple {
  return [
    r.rowNumber,
    r.partNumber,
    r.productId,
    r.name,
    r.type,
    r.categoryKey,
    r.description,
    r.billingTerm,
    r.ships === null ? null : r.ships ? 1 : 0,
    r.shipsNew ? 1 : 0,
    r.listPriceMinor,
  ];
}

/**
 * Rows per staging insert. The rows travel as one JSON parameter (no bound-parameter limit, and
 * no SQL text of 60,000 placeholders to build), so a batch is bounded only by memory; on
 * SQLite each insert holds the write lock (and the event loop) for its duration, so it stays
 * a few thousand rows.
 */
export const STAGING_BATCH_ROWS = 5000;

/** Opens a staging for a vendor's import; returns its id. */
export async function createImportRun(
  db: Executor,
  input: { vendorId: string; kind: ImportKind; at: string },
): Promise<string> {
  const id = newId('imp');
  await db
    .insertInto('import_runs')
    .values({ id, vendor_id: input.vendorId, kind: input.kind, created_at: input.at })
    .execute();
  return id;
}

/**
 * Adds checked rows to a staging: one statement, one JSON parameter, whatever the count.
 *
 * @example
 * await stagePriceRows(db, importId, [
 *   [2, 'F200-GW-01', newId('prd'), 'Gateway', 'device', null, null, null, null, 1, 129900],
 * ]);
 */
export async function stagePriceRows(
  db: Executor,
  importId: string,
  rows: readonly StagedPriceTuple[],
): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows);
  const columns = sql`insert into import_price_rows (import_id, row_number, part_number,
    product_id, name, type, category_key, description, billing_term, ships, ships_new,
    list_price_minor)`;
  if (isPostgres(db)) {
    await sql`${columns}
      select ${importId}, (e->>0)::int, e->>1, e->>2, e->>3, e->>4, e->>5, e->>6, e->>7,
        (e->>8)::int, (e->>9)::int, (e->>10)::bigint
      from jsonb_array_elements(${json}::jsonb) e`.execute(db);
  } else {
    await sql`${columns}
      select ${importId}, e.value->>0, e.value->>1, e.value->>2, e.value->>3, e.value->>4,
        e.value->>5, e.value->>6, e.value->>7, e.value->>8, e.value->>9, e.value->>10
      from json_each(${json}) e`.execute(db);
  }
}

/** Whether a staging exists and is the vendor's (publishing someone else's staging is refused). */
export async function findImportRun(
  db: Executor,
  vendorId: string,
  importId: string,
): Promise<{ id: string; kind: string; created_at: string } | undefined> {
  return db
    .selectFrom('import_runs')
    .select(['id', 'kind', 'created_at'])
    .where('id', '=', importId)
    .where('vendor_id', '=', vendorId)
    .executeTakeFirst();
}

/**
 * Publishes a staged price list into the catalog (call in the import's final transaction,
 * after the price list row and the categories exist): known products change where the file
 * says something different, new ones are created, and every staged row becomes an item of
 * the price list. Three set-based statements whatever the size of the file. On SQLite the
 * products' and items' per-row INSERT triggers are dropped for them (their read-version stamps
 * move once before and once after instead: stampInsertsInBulk; the products' word index is
 * kept by insertProductsIndexedInBulk), and created again before this returns.
 */
export async function publishStagedPriceRows(
  tx: Executor,
  input: { importId: string; vendorId: string; priceListId: string; at: string },
): Promise<{ created: number; updated: number }> {
  const { importId, vendorId, priceListId, at } = input;
  const stampedInBulk = await stampInsertsInBulk(tx, ['products', 'price_list_items']);
  const updated = await sql`
    update products set
      name = s.name,
      type = s.type,
      category_id = c.id,
      description = coalesce(s.description, products.description),
      billing_term = coalesce(s.billing_term, products.billing_term),
      ships = coalesce(s.ships, products.ships),
      updated_at = ${at}
    from import_price_rows s
    left join categories c on c.vendor_id = ${vendorId} and c.key = s.category_key
    where s.import_id = ${importId}
      and products.vendor_id = ${vendorId}
      and products.part_number = s.part_number
      and (products.name is distinct from s.name
        or products.type is distinct from s.type
        or products.category_id is distinct from c.id
        or products.description is distinct from coalesce(s.description, products.description)
        or products.billing_term is distinct from coalesce(s.billing_term, products.billing_term)
        or products.ships is distinct from coalesce(s.ships, products.ships))`.execute(tx);
  // The new products join the word index set-based (per row on SQLite would take minutes).
  const created = await insertProductsIndexedInBulk(tx, () =>
    sql`
    insert into products (id, vendor_id, part_number, name, description, type, category_id,
      billing_term, ships, active, created_at, updated_at)
    select s.product_id, ${vendorId}, s.part_number, s.name, coalesce(s.description, ''), s.type,
      c.id, s.billing_term, coalesce(s.ships, s.ships_new), 1, ${at}, ${at}
    from import_price_rows s
    left join categories c on c.vendor_id = ${vendorId} and c.key = s.category_key
    where s.import_id = ${importId}
      and not exists (
        select 1 from products p where p.vendor_id = ${vendorId} and p.part_number = s.part_number)
    order by s.row_number`.execute(tx),
  );
  await sql`
    insert into price_list_items (price_list_id, part_number, product_id, list_price_minor)
    select ${priceListId}, s.part_number, p.id, s.list_price_minor
    from import_price_rows s
    join products p on p.vendor_id = ${vendorId} and p.part_number = s.part_number
    where s.import_id = ${importId}
    order by s.part_number`.execute(tx); // the items' key order: appended, not inserted at random
  await stampedInBulk();
  return {
    created: Number(created.numAffectedRows ?? 0),
    updated: Number(updated.numAffectedRows ?? 0),
  };
}

/**
 * Deletes a staging, its rows in chunks of `chunk` row numbers (each statement short, so other
 * writers get the SQLite write lock in between). Each chunk is a range of the primary key: a
 * plan cached while the table was nearly empty (PostgreSQL's generic plan of a prepared
 * statement) cannot turn it into a scan per row, as it did an `IN (select … limit)` — 20,000
 * staged rows then took minutes to delete.
 */
export async function discardImportRun(
  db: Executor,
  importId: string,
  chunk = 10_000,
): Promise<void> {
  const last = await db
    .selectFrom('import_price_rows')
    .select((eb) => eb.fn.max('row_number').as('top'))
    .where('import_id', '=', importId)
    .executeTakeFirst();
  const top = Number(last?.top ?? 0);
  for (let from = 0; from < top; from += chunk) {
    await db
      .deleteFrom('import_price_rows')
      .where('import_id', '=', importId)
      .where('row_number', '>', from)
      .where('row_number', '<=', from + chunk)
      .execute();
  }
  await db.deleteFrom('import_runs').where('id', '=', importId).execute();
}

/** Deletes stagings opened before `before` (ISO time) that a stopped process left behind. */
export async function sweepStaleImportRuns(db: Executor, before: string): Promise<number> {
  const stale = await db
    .selectFrom('import_runs')
    .select('id')
    .where('created_at', '<', before)
    .limit(100)
    .execute();
  for (const { id } of stale) await discardImportRun(db, id);
  return stale.length;
}
