// A synthetic catalog for the search, validation and import scenarios. Product i is a pure
// function of i, so a catalog can grow from 100,000 to 1,000,000 products between
// measurements and the validation scenario can name existing part numbers without a query.
//
// Part numbers look like `KRV-417-00A3F`: one of 40 families, a series 100–999, then the index
// in base 36 — so a 3-letter prefix matches ~2.5% of the catalog, `KRV-4` ~0.3%, `KRV-417`
// a few dozen. Names and descriptions draw words from a 5,000-word vocabulary with a Zipf-like
// law (domain words such as "license" first): the commonest word is in ~20% of products, the
// rarest in a few hundred of a million — the spread real catalogs have.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { sql } from 'kysely';
import {
  ensureCategoryPath,
  findVendorBySlug,
  BulkWordIndexer,
  dropPostingsIndexes,
  restoreIndexes,
  insertPriceList,
  migrateToLatest,
  newId,
  nextPriceListVersion,
  openStore,
  type Executor,
  type Store,
} from '@orderdesk/store';
import { seedDemo } from '@orderdesk/server';
import { DEMO_PASSWORD, today } from './desk.ts';
import { dropIndexes, postgresCpuMs, withBulkLoadSettings, type BulkLoad } from './postgres.ts';
import { threadCpuMs } from './proc.ts';
import { runInWorker } from './worker.ts';

const FAMILY_LETTERS = 'ABCDEFGHJKLMNPRSTVWXZ';
/** 40 three-letter product families. */
export const FAMILIES: readonly string[] = Array.from({ length: 40 }, (_, k) => {
  const a = FAMILY_LETTERS[(k * 7) % FAMILY_LETTERS.length] ?? 'A';
  const b = FAMILY_LETTERS[(k * 11 + 3) % FAMILY_LETTERS.length] ?? 'B';
  const c = FAMILY_LETTERS[(k * 13 + 5) % FAMILY_LETTERS.length] ?? 'C';
  return `${a}${b}${c}`;
});

const DOMAIN_WORDS = (
  'license maintenance support premium standard enterprise annual perpetual subscription ' +
  'gateway router switch sensor edge server storage backup security analytics monitoring ' +
  'cloud video meeting room camera phone headset display training seat course kit renewal ' +
  'device controller appliance module upgrade bundle node cluster virtual hosted managed ' +
  'industrial wireless outdoor rugged compact portable professional advanced basic ultra ' +
  'starter developer runtime toolkit adapter cable mount power supply battery antenna license'
).split(' ');
const SYLLABLES =
  'ka lo mi ra ven tor sil qua bri den fos gal hur jin lex mor nix pel rud sar tem vor wex yal zen dra'.split(
    ' ',
  );

/** The vocabulary, commonest first. */
export const VOCABULARY: readonly string[] = (() => {
  const words = new Set(DOMAIN_WORDS);
  for (const a of SYLLABLES) for (const b of SYLLABLES) words.add(a + b);
  for (const a of SYLLABLES)
    for (const b of SYLLABLES)
      for (const c of SYLLABLES) {
        if (words.size >= 5000) break;
        words.add(a + b + c);
      }
  return [...words].slice(0, 5000);
})();

// Zipf-like weights 1/(rank + 10): flatter at the head than 1/rank, so no word is in every product.
const CDF: Float64Array = (() => {
  const cdf = new Float64Array(VOCABULARY.length);
  let sum = 0;
  for (let r = 0; r < VOCABULARY.length; r++) cdf[r] = sum += 1 / (r + 10);
  for (let r = 0; r < cdf.length; r++) cdf[r] = (cdf[r] ?? 0) / sum;
  return cdf;
})();

/** The word whose cumulative weight first reaches u (0 ≤ u < 1). */
export function wordAt(u: number): string {
  let lo = 0;
  let hi = CDF.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((CDF[mid] ?? 1) < u) lo = mid + 1;
    else hi = mid;
  }
  return VOCABULARY[lo] ?? 'license';
}

/** A 32-bit integer hash of (i, salt): cheap, deterministic, well mixed. */
export function hash32(i: number, salt: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(salt + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

function unit(i: number, salt: number): number {
  return hash32(i, salt) / 4294967296;
}

function capitalize(w: string): string {
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/** The category keys of the synthetic catalog: 4 roots with 5 children each. */
export const CATEGORY_KEYS: readonly string[] = [
  'software',
  'hardware',
  'services',
  'training',
].flatMap((root) => ['core', 'plus', 'edge', 'field', 'lab'].map((leaf) => `${root}.${leaf}`));

export interface GeneratedProduct {
  partNumber: string;
  name: string;
  description: string;
  type: string;
  category: number;
  listPriceMinor: number;
}

/** The part number of product i (cheap: no words). */
export function partNumberAt(i: number): string {
  const family = FAMILIES[hash32(i, 1) % FAMILIES.length] ?? 'AAA';
  const series = 100 + (hash32(i, 2) % 900);
  return `${family}-${series}-${i.toString(36).toUpperCase().padStart(5, '0')}`;
}

/** Product i of the synthetic catalog. */
export function productAt(i: number, types: readonly string[]): GeneratedProduct {
  const nameWords = 2 + (hash32(i, 3) % 2);
  const descWords = 10 + (hash32(i, 4) % 7);
  const name: string[] = [];
  for (let k = 0; k < nameWords; k++) name.push(capitalize(wordAt(unit(i, 10 + k))));
  const desc: string[] = [];
  for (let k = 0; k < descWords; k++) desc.push(wordAt(unit(i, 20 + k)));
  return {
    partNumber: partNumberAt(i),
    name: `${name.join(' ')} ${100 + (hash32(i, 5) % 900)}`,
    description: `${capitalize(desc.join(' '))}.`,
    type: types[hash32(i, 6) % types.length] ?? 'service',
    category: hash32(i, 7) % CATEGORY_KEYS.length,
    listPriceMinor: 1_000 + (hash32(i, 8) % 499_000),
  };
}

/** Product types used for the edgeworks catalog (those a License & Maintenance order allows). */
export const EDGEWORKS_TYPES = ['perpetual_license', 'maintenance'] as const;

export interface CatalogDb {
  url: string;
  dialect: 'sqlite' | 'postgres';
  vendorId: string;
  categoryIds: string[];
  /** The USD price list the generated products are priced by (in force from today). */
  priceListId: string;
  /** Products generated so far: indexes 0 … size-1. */
  size: number;
}

/**
 * Migrates an empty database, seeds the demo data (vendors, users, partners) and adds the
 * bench categories and an empty price list to the edgeworks vendor.
 */
export async function prepareCatalogDb(url: string): Promise<CatalogDb> {
  const store = openStore(url, { poolSize: 2 });
  try {
    await migrateToLatest(store);
    await store.db.transaction().execute((tx) => seedDemo(tx, DEMO_PASSWORD, new Date()));
    const vendor = await findVendorBySlug(store.db, 'edgeworks');
    if (!vendor) throw new Error('The demo data has no edgeworks vendor');
    const categoryIds: string[] = [];
    for (const key of CATEGORY_KEYS) {
      const [root = '', leaf = ''] = key.split('.');
      const c = await ensureCategoryPath(
        store.db,
        vendor.id,
        [
          { key: root, name: capitalize(root) },
          { key, name: capitalize(leaf) },
        ],
        new Date().toISOString(),
      );
      categoryIds.push(c.id);
    }
    const list = await store.db.transaction().execute(async (tx) =>
      insertPriceList(tx, {
        vendorId: vendor.id,
        currency: 'USD',
        version: await nextPriceListVersion(tx, vendor.id, 'USD'),
        effectiveFrom: today(),
        rowCount: 0,
        sourceName: 'bench',
        createdBy: 'bench',
        at: new Date().toISOString(),
      }),
    );
    return {
      url,
      dialect: store.dialect,
      vendorId: vendor.id,
      categoryIds,
      priceListId: list.id,
      size: 0,
    };
  } finally {
    await store.close();
  }
}

function sqliteFile(url: string): string {
  return url.replace(/^sqlite:/, '');
}

/** Adds products (and their price-list items) up to `size`, in large transactions. */
export async function growCatalog(
  catalog: CatalogDb,
  size: number,
  log?: (message: string) => void,
): Promise<void> {
  if (size <= catalog.size) return;
  if (catalog.dialect === 'sqlite') {
    const t = performance.now();
    const after = growSqlite(catalog, size);
    const loaded = performance.now();
    await indexSqlite(catalog, after);
    log?.(
      `SQLite: ${size.toLocaleString('en-US')} products: rows ${((loaded - t) / 1000).toFixed(1)} s, word index ${((performance.now() - loaded) / 1000).toFixed(1)} s`,
    );
  } else await withBulkLoadSettings((load) => growPostgres(catalog, size, load, log));
  catalog.size = size;
}

/**
 * Grows PostgreSQL catalogs (each to its size) in one bulk-load session of the cluster: one
 * restart without durability and one back (and one sync) for all of them, not per catalog.
 */
export async function growPostgresCatalogs(
  plans: readonly { catalog: CatalogDb; size: number }[],
  log?: (message: string) => void,
): Promise<void> {
  await withBulkLoadSettings(async (load) => {
    for (const { catalog, size } of plans) {
      if (catalog.dialect !== 'postgres') throw new Error('growPostgresCatalogs: PostgreSQL only');
      if (size <= catalog.size) continue;
      const t = performance.now();
      await growPostgres(catalog, size, load, log);
      catalog.size = size;
      log?.(
        `PostgreSQL: ${size.toLocaleString('en-US')} products built in ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
    }
  });
}

/**
 * growCatalog for a SQLite catalog in a worker thread (catalog-worker.ts), so the main thread
 * stays free: the bench builds its PostgreSQL catalogs meanwhile, on the other core. Nothing
 * is measured while either runs.
 */
export async function growCatalogInWorker(
  catalog: CatalogDb,
  size: number,
  log?: (message: string) => void,
): Promise<void> {
  if (size <= catalog.size) return;
  if (catalog.dialect !== 'sqlite') throw new Error('growCatalogInWorker: SQLite catalogs only');
  await runInWorker(new URL('./catalog-worker.ts', import.meta.url), { catalog, size }, log);
  catalog.size = size;
}

const PLAIN_ASCII = /^[\x01-\x7f]*$/;
/** search_terms_of's separators for lower-cased ASCII text: anything but a-z and 0-9. */
const TERM_SEPARATORS = /[^a-z0-9]+/;

/**
 * The word index's rows for the products a PostgreSQL load adds, found in JavaScript while the
 * products are generated, as migration 0018's search_terms_of finds them: the terms of a plain
 * ASCII name and description are the runs of lower-cased letters and digits (every other ASCII
 * character separates them); a term's score is 0 if it is in the name, 1000 if only in the
 * description, plus the product's number of distinct terms (at most 999). The synthetic
 * catalog is plain ASCII; anything else is refused rather than guessed.
 */
class CatalogWords {
  /** Term → its number here, in the order first met. */
  private readonly numbers = new Map<string, number>();
  readonly terms: string[] = [];
  /** Per term number: how many of the new products have it. */
  counts = new Int32Array(1024);
  /** Per posting, product after product: term number × 2, + 1 when only in the description. */
  postings = new Int32Array(1 << 20);
  length = 0;
  /** Per product: the end of its postings (its start is the previous product's end). */
  ends = new Int32Array(1 << 16);
  products = 0;

  add(name: string, description: string): void {
    if (!PLAIN_ASCII.test(name) || !PLAIN_ASCII.test(description)) {
      throw new Error('the synthetic catalog is plain ASCII: its words are found in JavaScript');
    }
    const found = new Map<string, number>();
    for (const term of name.toLowerCase().split(TERM_SEPARATORS)) {
      if (term !== '') found.set(term, 0);
    }
    for (const term of description.toLowerCase().split(TERM_SEPARATORS)) {
      if (term !== '' && !found.has(term)) found.set(term, 1);
    }
    if (this.length + found.size > this.postings.length) {
      const grown = new Int32Array(this.postings.length * 2);
      grown.set(this.postings);
      this.postings = grown;
    }
    for (const [term, described] of found) {
      let number = this.numbers.get(term);
      if (number === undefined) {
        number = this.terms.length;
        this.numbers.set(term, number);
        this.terms.push(term);
        if (number === this.counts.length) {
          const grown = new Int32Array(this.counts.length * 2);
          grown.set(this.counts);
          this.counts = grown;
        }
      }
      this.counts[number] = (this.counts[number] ?? 0) + 1;
      this.postings[this.length++] = number * 2 + described;
    }
    if (this.products === this.ends.length) {
      const grown = new Int32Array(this.ends.length * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    this.ends[this.products++] = this.length;
  }
}

/**
 * The catalog's product `i` as rows: the product's (id, vendor_id, part_number, name,
 * description, type, category_id, created_at, updated_at) and its price-list item's
 * (price_list_id, part_number, product_id, list_price_minor), for both databases' loaders.
 */
function catalogRowAt(
  catalog: CatalogDb,
  i: number,
  now: string,
): { product: (string | null)[]; item: (string | number)[] } {
  const p = productAt(i, EDGEWORKS_TYPES);
  const id = newId('prd');
  return {
    product: [
      id,
      catalog.vendorId,
      p.partNumber,
      p.name,
      p.description,
      p.type,
      catalog.categoryIds[p.category] ?? null,
      now,
      now,
    ],
    item: [catalog.priceListId, p.partNumber, id, p.listPriceMinor],
  };
}

/** Loads the products up to `size`; returns the largest rowid before the load. */
function growSqlite(catalog: CatalogDb, size: number): number {
  const db = new Database(sqliteFile(catalog.url));
  try {
    db.pragma('journal_mode = WAL');
    // Building test data: durability does not matter here (the measurements use FULL).
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    const now = new Date().toISOString();
    const product = db.prepare(
      `insert into products (id, vendor_id, part_number, name, description, type, category_id,
         billing_term, ships, active, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, null, 0, 1, ?, ?)`,
    );
    const item = db.prepare(
      `insert into price_list_items (price_list_id, part_number, product_id, list_price_minor)
       values (?, ?, ?, ?)`,
    );
    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const row = catalogRowAt(catalog, i, now);
        product.run(...row.product);
        item.run(...row.item);
      }
    });
    // The word index is kept in step by triggers, row by row; for a bulk load they are dropped
    // and put back after (indexSqlite indexes the new products set-based). The products'
    // explicit indexes (not those of its keys) likewise: each is built again by one sort
    // (400,000 products: rows 20.7 → 17.1 s at load 6).
    const triggers = db
      .prepare(
        "select name, sql from sqlite_master where type = 'trigger' and tbl_name = 'products'",
      )
      .all() as { name: string; sql: string }[];
    const indexes = db
      .prepare(
        "select name, sql from sqlite_master where type = 'index' and tbl_name = 'products' and sql is not null",
      )
      .all() as { name: string; sql: string }[];
    const fts = db
      .prepare("select 1 from sqlite_master where type = 'table' and name = 'products_fts'")
      .get();
    const { last } = db.prepare('select coalesce(max(rowid), 0) as last from products').get() as {
      last: number;
    };
    for (const t of triggers) db.exec(`drop trigger "${t.name}"`);
    for (const i of indexes) db.exec(`drop index "${i.name}"`);
    try {
      for (let from = catalog.size; from < size; from += 50_000) {
        batch(from, Math.min(size, from + 50_000));
      }
      if (fts) db.exec("insert into products_fts(products_fts) values ('rebuild')");
    } finally {
      for (const i of indexes) db.exec(i.sql);
      for (const t of triggers) db.exec(t.sql);
    }
    db.prepare('update price_lists set row_count = ? where id = ?').run(size, catalog.priceListId);
    return last;
  } finally {
    db.close();
  }
}

/**
 * Adds the products after rowid `after` to the word index of migration 0018 (its triggers
 * were off during the load) the way the store indexes a bulk import, then analyzes.
 */
async function indexSqlite(catalog: CatalogDb, after: number): Promise<void> {
  const store = openStore(catalog.url, { poolSize: 1, sqliteSynchronous: 'NORMAL' });
  try {
    // The postings' B-trees (~18 rows a product) take random inserts: with SQLite's default
    // 2 MB page cache each batch rereads and rewrites most of them (300,000 products: word
    // index 92 s → 36 s with 1 GB, load 5). The test data's connection only; the measurements
    // run with the application's settings.
    await sql`pragma cache_size = -1048576`.execute(store.db);
    await sql`pragma temp_store = memory`.execute(store.db);
    await store.db.transaction().execute((tx) => indexNewProducts(tx, after));
    await sql`analyze`.execute(store.db);
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(store.db);
  } finally {
    await store.close();
  }
}

/**
 * Indexes the products after rowid `after` for word search, as the store's bulk indexing
 * does (indexProductsAfterRowid: BulkWordIndexer, the same tokenizer, terms, counts and
 * postings; the postings' secondary index dropped and built again by one sort, as the store
 * does when the new products outnumber the others twice over) but as one batch instead of
 * 10,000 products at a time: each batch inserts into most of the postings' B-tree again
 * (1,000,000 products grown from 100,000: word index 104 → 75 s, CPU 103 → 87 s for the
 * whole growth, at load 5). The batch's postings are held in typed arrays meanwhile (~20
 * bytes each, ~300 MB at 900,000 products; the worker thread has the room). Term ids aside
 * (a new term is numbered in (vendor, term) order within its batch), the same rows.
 */
async function indexNewProducts(tx: Executor, after: number): Promise<void> {
  const indexes = await dropPostingsIndexes(tx);
  const top = await sql<{ k: number | null }>`select max(rowid) as k from products`.execute(tx);
  const last = top.rows[0]?.k ?? 0;
  const indexer = await BulkWordIndexer.start(tx, Number.MAX_SAFE_INTEGER);
  for (let from = after + 1; from <= last; from += 1000) {
    const rows = await sql<{ k: number; vendor_id: string; name: string; description: string }>`
        select rowid as k, vendor_id, name, description from products
        where rowid >= ${from} and rowid < ${from + 1000}`.execute(tx);
    for (const r of rows.rows) indexer.add(r.k, r.vendor_id, r.name, r.description);
  }
  await indexer.finish();
  await restoreIndexes(tx, indexes);
}

/** A CSV field (COPY's CSV format): quoted when it holds a quote, a comma or a line break. */
function csv(v: string | number | null): string {
  if (v === null) return '';
  const t = String(v);
  return /[",\r\n]/.test(t) || t === '' ? `"${t.replace(/"/g, '""')}"` : t;
}

/** Products (and price-list items) per COPY statement of the PostgreSQL load. */
const PG_CHUNK = 100_000;

/**
 * Adds products up to `size` on PostgreSQL as a bulk load of test data, on the cluster
 * restarted without durability (the caller's withBulkLoadSettings; durable and synced again
 * before anything is measured). In one transaction the indexes of postings, products,
 * documents (migration 0026) and price-list items are dropped (dropIndexes) and the rows
 * arrive by COPY from CSV files that Node writes while the previous chunk loads (generating and
 * storing on two cores at once), with the word index's triggers off
 * (session_replication_role = replica, as pg_restore --disable-triggers: they would insert
 * ~18 postings per product into two B-trees). Node finds the new products' words as it
 * generates them (CatalogWords: the terms search_terms_of gives), so the word index's rows —
 * those the triggers would have written — arrive by COPY too, instead of PostgreSQL splitting
 * a million texts by regular expression (~75 s on two cores): the terms are upserted in
 * (vendor, term) order as the triggers upsert them (new terms numbered in that order), then
 * each product's postings (in term id order) and its row of search_documents. Every index and
 * key is then built again from its own definition, and VACUUM ANALYZE runs. The measured
 * tables keep exactly the rows, layout, keys and indexes the migrations and triggers give them
 * (bench/lib/check-catalog-words.ts compares the rows with search_terms_of's).
 */
async function growPostgres(
  catalog: CatalogDb,
  size: number,
  load: BulkLoad,
  log?: (message: string) => void,
): Promise<void> {
  const connect = async (): Promise<pg.Client> => {
    const c = new pg.Client({ connectionString: catalog.url });
    await c.connect();
    await c.query('set session_replication_role = replica');
    // Each build sorts alone (dropIndexes' rebuild sets its memory, SORT_MEMORY): the two
    // connections keep both cores busy.
    await c.query('set max_parallel_maintenance_workers = 0');
    return c;
  };
  const clients = [await connect(), await connect()] as const;
  const [client, other] = clients;
  const t = performance.now();
  // CPU so far, besides the wall time: the load shares the machine (the SQLite catalog's
  // worker, other processes), and CPU time says what each step costs whatever else runs.
  const cpu0 = { node: threadCpuMs(), postgres: await postgresCpuMs() };
  const step = async (what: string): Promise<void> => {
    const node = threadCpuMs();
    const postgres = await postgresCpuMs();
    const cpu = (now: number | null, then: number | null): string =>
      now === null || then === null ? '?' : ((now - then) / 1000).toFixed(1);
    log?.(
      `${what} (${((performance.now() - t) / 1000).toFixed(1)} s; CPU so far: Node ${cpu(node, cpu0.node)} s, PostgreSQL ${cpu(postgres, cpu0.postgres)} s)`,
    );
  };
  try {
    const now = new Date().toISOString();
    await client.query('begin');
    const dropped = await dropIndexes(client, [
      'search_postings',
      'products',
      'search_documents',
      'price_list_items',
    ]);
    const before = await client.query<{ k: string }>(
      'select coalesce(max(search_key), 0) as k from products',
    );
    const after = Number(before.rows[0]?.k ?? 0);
    const words = new CatalogWords();
    let pending: Promise<void> = Promise.resolve();
    for (let from = catalog.size, chunk = 0; from < size; from += PG_CHUNK, chunk++) {
      const to = Math.min(size, from + PG_CHUNK);
      const products: string[] = [];
      const items: string[] = [];
      for (let i = from; i < to; i++) {
        const row = catalogRowAt(catalog, i, now);
        words.add(String(row.product[3]), String(row.product[4]));
        products.push(row.product.map(csv).join(','));
        items.push(row.item.map(csv).join(','));
      }
      const productsFile = join(load.dir, `products-${chunk}.csv`);
      const itemsFile = join(load.dir, `items-${chunk}.csv`);
      writeFileSync(productsFile, `${products.join('\n')}\n`);
      writeFileSync(itemsFile, `${items.join('\n')}\n`);
      await pending;
      pending = (async () => {
        await client.query(
          `copy products (id, vendor_id, part_number, name, description, type, category_id,
               created_at, updated_at) from ${client.escapeLiteral(productsFile)} with (format csv)`,
        );
        await client.query(
          `copy price_list_items (price_list_id, part_number, product_id, list_price_minor)
             from ${client.escapeLiteral(itemsFile)} with (format csv)`,
        );
        rmSync(productsFile);
        rmSync(itemsFile);
      })();
    }
    await pending;
    await client.query('update price_lists set row_count = $1 where id = $2', [
      size,
      catalog.priceListId,
    ]);
    // The new products' keys (the identity column, drawn in COPY's order): product
    // catalog.size + k has key after + 1 + k.
    const added = size - catalog.size;
    const keys = await client.query<{ n: string; lo: string; hi: string; first: string }>(
      `select count(*) as n, min(search_key) as lo, max(search_key) as hi,
         (select part_number from products where search_key = $1 + 1) as first
       from products where search_key > $1`,
      [after],
    );
    const k = keys.rows[0];
    if (
      Number(k?.n) !== added ||
      Number(k?.lo) !== after + 1 ||
      Number(k?.hi) !== after + added ||
      k?.first !== partNumberAt(catalog.size)
    ) {
      throw new Error(
        `PostgreSQL catalog: the new products' keys are not ${after + 1}…${after + added} in load order`,
      );
    }
    // The terms, in (vendor, term) order as the triggers upsert them: a new term is numbered
    // in that order, a known one (the demo products') gets its count raised.
    const order = words.terms
      .map((_, n) => n)
      .sort((a, b) => {
        const x = words.terms[a] ?? '';
        const y = words.terms[b] ?? '';
        return x < y ? -1 : x > y ? 1 : 0;
      });
    const upserted = await client.query<{ id: number; term: string }>(
      `insert into search_terms as t (vendor_id, term, products)
         select $1, u.term, u.products from unnest($2::text[], $3::int[]) with ordinality
           as u(term, products, o)
         order by u.o
       on conflict (vendor_id, term) do update set products = t.products + excluded.products
       returning t.id, t.term`,
      [
        catalog.vendorId,
        order.map((n) => words.terms[n] ?? ''),
        order.map((n) => words.counts[n] ?? 0),
      ],
    );
    await client.query('commit');
    await step(`PostgreSQL: ${size.toLocaleString('en-US')} products copied`);
    const idOf = new Int32Array(words.terms.length);
    const numberOf = new Map(words.terms.map((term, n) => [term, n]));
    for (const { id, term } of upserted.rows) idOf[numberOf.get(term) ?? -1] = id;
    if (upserted.rows.length !== words.terms.length || idOf.includes(0)) {
      throw new Error('PostgreSQL catalog: a term was not upserted');
    }

    // The postings (each product's in term id order) and documents, by COPY in chunks, one
    // client each; Node writes the next chunk's files meanwhile.
    let copying: Promise<unknown> = Promise.resolve();
    let postingCount = 0;
    let start = 0;
    const own = new Float64Array(1000);
    for (let p = 0, chunk = 0; p < words.products; p += PG_CHUNK, chunk++) {
      const end = Math.min(words.products, p + PG_CHUNK);
      const postingLines: string[] = [];
      const documentLines: string[] = [];
      for (let q = p; q < end; q++) {
        const stop = words.ends[q] ?? start;
        const key = after + 1 + q;
        const length = Math.min(999, stop - start);
        // id × 2 + described, sorted: by id.
        const mine =
          stop - start <= own.length
            ? own.subarray(0, stop - start)
            : new Float64Array(stop - start);
        for (let x = start; x < stop; x++) {
          const v = words.postings[x] ?? 0;
          mine[x - start] = (idOf[v >> 1] ?? 0) * 2 + (v & 1);
        }
        mine.sort();
        const ids: number[] = [];
        const named: number[] = [];
        for (const v of mine) {
          const id = Math.floor(v / 2);
          const described = v % 2;
          postingLines.push(`${id},${described * 1000 + length},${key}`);
          ids.push(id);
          if (described === 0) named.push(-id);
        }
        postingCount += mine.length;
        if (mine.length > 0)
          documentLines.push(`${key},"{${ids.concat(named).join(',')}}",${length}`);
        start = stop;
      }
      const postingsFile = join(load.dir, `postings-${chunk}.csv`);
      const documentsFile = join(load.dir, `documents-${chunk}.csv`);
      writeFileSync(postingsFile, `${postingLines.join('\n')}\n`);
      writeFileSync(documentsFile, `${documentLines.join('\n')}\n`);
      await copying;
      copying = Promise.all([
        client
          .query(
            `copy search_postings (term_id, score, product_key)
               from ${client.escapeLiteral(postingsFile)} with (format csv)`,
          )
          .then(() => rmSync(postingsFile)),
        other
          .query(
            `copy search_documents (product_key, terms, score_base)
               from ${client.escapeLiteral(documentsFile)} with (format csv)`,
          )
          .then(() => rmSync(documentsFile)),
      ]);
    }
    await copying;
    await step(
      `PostgreSQL: word index: ${postingCount.toLocaleString('en-US')} postings, ${words.products.toLocaleString('en-US')} documents`,
    );
    await dropped.rebuild(clients, (label, ms) => {
      if (ms > 5_000) log?.(`PostgreSQL: ${label} built in ${(ms / 1000).toFixed(1)} s`);
    });
    await step('PostgreSQL: indexes and keys built');
    await Promise.all([
      client.query('vacuum analyze products'),
      other.query('vacuum analyze search_postings'),
    ]);
    await Promise.all([
      client.query('vacuum analyze price_list_items'),
      other.query('vacuum analyze search_documents'),
    ]);
    await client.query('analyze');
    await step('PostgreSQL: vacuum analyze');
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

/** Opens the catalog database with the application's settings (synchronous=FULL, pool 10). */
export function openCatalog(catalog: CatalogDb): Store {
  return openStore(catalog.url);
}
