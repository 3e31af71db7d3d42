import { CompiledQuery, sql, type Transaction } from 'kysely';
import type { Executor } from './executor.ts';
import { newId } from './ids.ts';
import type { Database } from './schema.ts';
import type { StagedPriceTuple } from './import-staging.repository.ts';
import {
  BulkWordIndexer,
  restoreIndexes,
  type TokenizedProducts,
} from './search-index.repository.ts';
import { stampInsertsInBulk } from './read-versions.ts';
import { isPostgres } from './search.repository.ts';
import { boundPageCache, pragmaNumber } from './sqlite-pragmas.ts';
import { dropSchemaObjects, type SchemaObject } from './sqlite-schema.ts';

// A price list written into the catalog as its file is read, inside one transaction (the CLI's
// import on SQLite: `orderdesk import pricelist`), instead of staged and copied after. The
// caller opens the transaction, creates the price list row, then hands each batch of checked
// rows to `write` as the parser thread sends it, and calls `finish` at the end; a bad row
// anywhere means the caller throws and the transaction rolls back: nothing is written. What it
// writes is what publishStagedPriceRows writes from a staging: the same products (created,
// or changed where the file says something different), the same items, the same word index.
//
// Per batch: the new products in multi-row INSERTs with their rowids given (so their word
// index keys are known without reading them back; the rows a product of the same part number
// already holds are skipped by ON CONFLICT and returned as absent), the existing ones read
// back and updated where they differ (their word index follows through the UPDATE trigger,
// as with the staging), the items in multi-row INSERTs; the new products' words go to
// BulkWordIndexer, which writes their postings every 10,000 products (a first import's once
// at the end, or when its distinct terms grow past a bound). The per-row INSERT triggers of
// products and items are dropped for the transaction and created again at `finish` (their
// work done once instead: the read-version stamps, stampInsertsInBulk; the word index,
// BulkWordIndexer), ~0.3 s of the writing thread at 100,000 rows.

/** Rows per multi-row INSERT of products (13 parameters each; SQLite allows 32,766). */
const PRODUCTS_PER_INSERT = 500;
/** Rows per multi-row INSERT of items (4 parameters each). */
const ITEMS_PER_INSERT = 1000;
/**
 * The page cache (KiB) while a first import's dropped indexes are built again: it bounds their
 * sorts' memory (restoreIndexes), which at 100,000 rows made the import's peak; the last
 * writes before it are done.
 */
const INDEX_SORT_KIB = 2048;
/**
 * The page cache (KiB) at most while an import writes (inImportTransaction). better-sqlite3
 * builds SQLite with 16 MB, which an import fills with pages it appended and will not read
 * again, to write them all at the COMMIT: the 100,000-row CSV import's peak grew by the cache
 * over the 10,000-row one's. With 8 MB the pages it does read again (the part-number index's
 * leaves, the tables' last pages) stay, and the others go to the WAL before the COMMIT instead
 * of at it. 100,000-row CSV import (alternating runs, busy host): peak RSS 192 -> 186 MB, wall
 * +0.2-0.4 s (~5%); 300,000 rows: 216 -> 208 MB, +0.4 s of 15 s. The 10,000-row import's
 * cache never reaches 8 MB.
 */
const IMPORT_CACHE_KIB = 8192;

const PRODUCT_COLUMNS =
  'rowid, id, vendor_id, part_number, name, description, type, category_id, billing_term, ' +
  'ships, active, created_at, updated_at';

const productInserts = new Map<number, string>();
/** `insert into products (rowid, …) values (…), … on conflict do nothing`. */
function productInsert(rows: number): string {
  let text = productInserts.get(rows);
  if (text === undefined) {
    text =
      `insert into products (${PRODUCT_COLUMNS}) values ` +
      Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)').join(', ') +
      ' on conflict (vendor_id, part_number) do nothing';
    if (rows === PRODUCTS_PER_INSERT) productInserts.set(rows, text);
  }
  return text;
}

const itemInserts = new Map<number, string>();
function itemInsert(rows: number): string {
  let text = itemInserts.get(rows);
  if (text === undefined) {
    text =
      'insert into price_list_items (price_list_id, part_number, product_id, list_price_minor) ' +
      `values ${Array.from({ length: rows }, () => '(?, ?, ?, ?)').join(', ')}`;
    if (rows === ITEMS_PER_INSERT) itemInserts.set(rows, text);
  }
  return text;
}

/**
 * Drops the products' secondary indexes that no constraint needs (not the unique ones: the
 * part-number key and the id); returns their definitions, to build them again.
 */
async function dropSecondaryIndexes(tx: Executor): Promise<SchemaObject[]> {
  return dropSchemaObjects(
    tx,
    'index',
    sql<boolean>`tbl_name = 'products' and upper(sql) not like 'CREATE UNIQUE%'`,
  );
}

/**
 * Runs `work` in a transaction on one SQLite connection whose statement journals are kept in
 * memory. Each multi-row INSERT of the import may need a partial rollback (a constraint or
 * foreign key failing halfway), so SQLite copies every page it changes that existed before the
 * statement into a statement journal: with random part numbers nearly every leaf of the
 * part-number indexes, ~180,000 writes (360 MB) of a temporary file at 100,000 rows. Where
 * that journal goes is decided once, when the write transaction begins, from `temp_store`: so
 * the connection's setting is MEMORY for the BEGIN and back as it was right after it (temporary
 * tables and the index builds' sorts go to files as before, and do not grow the peak memory);
 * a journal in memory lasts one statement. The page cache is at most IMPORT_CACHE_KIB meanwhile
 * (put back after). Nothing else changes: same statements, same transaction, same durability at
 * COMMIT. PostgreSQL: a plain transaction.
 */
export async function inImportTransaction<T>(
  db: Executor,
  work: (tx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  if (isPostgres(db)) return db.transaction().execute(work);
  return db.connection().execute(async (connection) => {
    const before = await pragmaNumber(connection, 'temp_store', 0);
    const setting = sql.raw(`pragma temp_store = ${before}`);
    let putCacheBack = async (): Promise<void> => {};
    // Outside a transaction: also closes any temporary database the connection had open.
    await sql`pragma temp_store = memory`.execute(connection);
    try {
      putCacheBack = await boundPageCache(connection, IMPORT_CACHE_KIB);
      return await connection.transaction().execute(async (tx) => {
        // The transaction has begun (BEGIN IMMEDIATE, or a savepoint in a group that began
        // before: then the journals stay where that BEGIN put them). No temporary table
        // exists yet, so SQLite takes the change inside the transaction.
        await setting.execute(tx);
        return work(tx);
      });
    } finally {
      try {
        await setting.execute(connection);
      } finally {
        await putCacheBack();
      }
    }
  });
}

/**
 * Writes a price list's rows into the catalog batch by batch, in the caller's transaction
 * (SQLite only: PostgreSQL imports go through the staging, import-staging.repository.ts).
 *
 * @example
 * const writer = await PriceRowWriter.start(tx, { vendorId, priceListId, at });
 * await writer.write(rows, categoryIdOf); // as each batch is read
 * const { created, updated } = await writer.finish();
 */
export class PriceRowWriter {
  private created = 0;
  private updated = 0;
  /** The products' indexes dropped at the first batch, built again by `finish`. */
  private dropped: SchemaObject[] | undefined;

  private constructor(
    private readonly tx: Executor,
    private readonly input: { vendorId: string; priceListId: string; at: string },
    private readonly words: BulkWordIndexer,
    private nextKey: number,
    /** Puts back the products' and items' INSERT stamp triggers (see stampInsertsInBulk). */
    private readonly stampAgain: () => Promise<void>,
  ) {}

  /** Opens the writer in `tx` (which must hold SQLite's write lock: `begin immediate`). */
  static async start(
    tx: Executor,
    input: { vendorId: string; priceListId: string; at: string },
  ): Promise<PriceRowWriter> {
    if (isPostgres(tx)) throw new Error('PriceRowWriter: SQLite only (PostgreSQL stages)');
    const words = await BulkWordIndexer.start(tx);
    const stampAgain = await stampInsertsInBulk(tx, ['products', 'price_list_items']);
    return new PriceRowWriter(tx, input, words, words.after + 1, stampAgain);
  }

  /**
   * Writes checked rows (StagedPriceTuple, their product id column ignored): `categoryIdOf`
   * gives the id of each leaf category key the rows name (created beforehand); `words`, if
   * given, the words of their names and descriptions, found by the parser thread (else they
   * are found here).
   */
  async write(
    rows: readonly StagedPriceTuple[],
    categoryIdOf: (key: string) => string | undefined,
    words?: TokenizedProducts,
  ): Promise<void> {
    const { tx } = this;
    const { vendorId, priceListId, at } = this.input;
    const categoryOf = (key: string | null): string | null => {
      if (key === null) return null;
      const id = categoryIdOf(key);
      if (id === undefined) throw new Error(`PriceRowWriter: category ${key} was not created`);
      return id;
    };
    if (this.dropped === undefined) {
      // The first batch alone outnumbers the products there were twice over (a first import):
      // the products' secondary indexes are built again at the end by one sort each.
      this.dropped = rows.length > 2 * this.words.after ? await dropSecondaryIndexes(tx) : [];
    }
    // The rows in part-number order: the products' part-number indexes and the items' key take
    // each batch in order. The keys (rowids) follow the file's order, as the staging's do.
    const order = Array.from(rows.keys()).sort((a, b) => {
      const x = rows[a]![1];
      const y = rows[b]![1];
      return x < y ? -1 : x > y ? 1 : 0;
    });
    const firstKey = this.nextKey;
    this.nextKey += rows.length;
    // Product ids of the rows, by position; new products get theirs here.
    const productIds: string[] = new Array<string>(rows.length);
    let inserted = 0;
    for (let from = 0; from < rows.length; from += PRODUCTS_PER_INSERT) {
      const to = Math.min(rows.length, from + PRODUCTS_PER_INSERT);
      const params: unknown[] = [];
      for (let o = from; o < to; o++) {
        const i = order[o]!;
        const r = rows[i]!;
        const id = newId('prd');
        productIds[i] = id;
        params.push(
          firstKey + i,
          id,
          vendorId,
          r[1],
          r[3],
          r[6] ?? '',
          r[4],
          categoryOf(r[5]),
          r[7],
          r[8] ?? r[9],
          at,
          at,
        );
      }
      const result = await tx.executeQuery(CompiledQuery.raw(productInsert(to - from), params));
      inserted += Number(result.numAffectedRows ?? 0);
    }
    // A row not inserted is a part number the vendor has: its key was skipped.
    const isNew = new Uint8Array(rows.length).fill(1);
    if (inserted < rows.length) {
      isNew.fill(0);
      const keys = await tx
        .selectFrom('products')
        .select(sql<number>`rowid`.as('k'))
        .where(sql<boolean>`rowid >= ${firstKey} and rowid < ${firstKey + rows.length}`)
        .execute();
      for (const { k } of keys) isNew[Number(k) - firstKey] = 1;
    }
    const existing: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      if (isNew[i] === 1) {
        if (words === undefined) this.words.add(firstKey + i, vendorId, r[3], r[6] ?? '');
        this.created++;
      } else existing.push(i);
    }
    if (words !== undefined) {
      if (words.counts.length !== rows.length)
        throw new Error('PriceRowWriter: the words are not those of the rows');
      this.words.addTokenized(vendorId, words, firstKey, isNew);
    }
    if (existing.length > 0) await this.updateExisting(rows, existing, productIds, categoryOf);
    let params: unknown[] = [];
    for (let o = 0; o < rows.length; o++) {
      const i = order[o]!;
      const r = rows[i]!;
      params.push(priceListId, r[1], productIds[i], r[10]);
      if (params.length === ITEMS_PER_INSERT * 4 || o === rows.length - 1) {
        await tx.executeQuery(CompiledQuery.raw(itemInsert(params.length / 4), params));
        params = [];
      }
    }
    await this.words.flushIfFull();
  }

  /**
   * The rows whose part number the vendor already has: the product changes where the file
   * says something different (the fields publishStagedPriceRows's update compares, an empty
   * optional column keeping the product's value), and keeps its id. Read by part number (a
   * bound list: each an index look-up) and written one by one by id.
   */
  private async updateExisting(
    rows: readonly StagedPriceTuple[],
    existing: readonly number[],
    productIds: string[],
    categoryOf: (key: string | null) => string | null,
  ): Promise<void> {
    const { tx } = this;
    const { vendorId, at } = this.input;
    for (let from = 0; from < existing.length; from += PRODUCTS_PER_INSERT) {
      const chunk = existing.slice(from, from + PRODUCTS_PER_INSERT);
      const found = await tx
        .selectFrom('products')
        .select(['id', 'part_number', 'name', 'type', 'category_id', 'description'])
        .select(['billing_term', 'ships'])
        .where('vendor_id', '=', vendorId)
        .where(
          'part_number',
          'in',
          chunk.map((i) => rows[i]![1]),
        )
        .execute();
      const byPartNumber = new Map(found.map((p) => [p.part_number, p]));
      for (const i of chunk) {
        const r = rows[i]!;
        const old = byPartNumber.get(r[1]);
        if (old === undefined) throw new Error(`PriceRowWriter: product ${r[1]} vanished`);
        productIds[i] = old.id;
        const next = {
          name: r[3],
          type: r[4],
          category_id: categoryOf(r[5]),
          description: r[6] ?? old.description,
          billing_term: r[7] ?? old.billing_term,
          ships: r[8] ?? old.ships,
        };
        if (
          next.name !== old.name ||
          next.type !== old.type ||
          next.category_id !== old.category_id ||
          next.description !== old.description ||
          next.billing_term !== old.billing_term ||
          next.ships !== old.ships
        ) {
          await tx
            .updateTable('products')
            .set({ ...next, updated_at: at })
            .where('id', '=', old.id)
            .execute();
          this.updated++;
        }
      }
    }
  }

  /** Indexes the last products, builds any dropped index again; what was created and updated. */
  async finish(): Promise<{ created: number; updated: number }> {
    await this.words.finish({ sortKib: INDEX_SORT_KIB });
    await restoreIndexes(this.tx, this.dropped ?? [], { sortKib: INDEX_SORT_KIB });
    this.dropped = [];
    await this.stampAgain();
    return { created: this.created, updated: this.updated };
  }
}
