// A synthetic catalog for the search, validation and import scenarios. Product i is a pure
// function of i, so a catalog can grow from 100,000 to 1,000,000 products between
// measurements and the validation scenario can name existing part numbers without a query.
//
// Part numbers look like `KRV-417-00A3F`: one of 40 families, a series 100–999, then the index
// in base 36 — so a 3-letter prefix matches ~2.5% of the catalog, `KRV-4` ~0.3%, `KRV-417`
// a few dozen. Names and descriptions draw words from a 5,000-word vocabulary with a Zipf-like
// law (domain words such as "license" first): the commonest word is in ~20% of products, the
// rarest in a few hundred of a million — the spread real catalogs have.
import Database from 'better-sqlite3';
import pg from 'pg';
import { sql } from 'kysely';
import {
  ensureCategoryPath,
  findVendorBySlug,
  indexProductsAfterRowid,
  insertPriceList,
  migrateToLatest,
  newId,
  nextPriceListVersion,
  openStore,
  type Store,
} from '@orderdesk/store';
import { seedDemo } from '@orderdesk/server';
import { DEMO_PASSWORD, today } from './desk.ts';

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
export async function growCatalog(catalog: CatalogDb, size: number): Promise<void> {
  if (size <= catalog.size) return;
  if (catalog.dialect === 'sqlite') await indexSqlite(catalog, growSqlite(catalog, size));
  else await growPostgres(catalog, size);
  catalog.size = size;
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
        const p = productAt(i, EDGEWORKS_TYPES);
        const id = newId('prd');
        product.run(
          id,
          catalog.vendorId,
          p.partNumber,
          p.name,
          p.description,
          p.type,
          catalog.categoryIds[p.category] ?? null,
          now,
          now,
        );
        item.run(catalog.priceListId, p.partNumber, id, p.listPriceMinor);
      }
    });
    // The FTS5 index is kept in step by triggers, row by row; for a bulk load it is twice as
    // fast to drop them, load, rebuild the index in one pass and put the same triggers back.
    const triggers = db
      .prepare(
        "select name, sql from sqlite_master where type = 'trigger' and tbl_name = 'products'",
      )
      .all() as { name: string; sql: string }[];
    const fts = db
      .prepare("select 1 from sqlite_master where type = 'table' and name = 'products_fts'")
      .get();
    const { last } = db.prepare('select coalesce(max(rowid), 0) as last from products').get() as {
      last: number;
    };
    for (const t of triggers) db.exec(`drop trigger "${t.name}"`);
    try {
      for (let from = catalog.size; from < size; from += 50_000) {
        batch(from, Math.min(size, from + 50_000));
      }
      if (fts) db.exec("insert into products_fts(products_fts) values ('rebuild')");
    } finally {
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
    await store.db.transaction().execute((tx) => indexProductsAfterRowid(tx, after));
    await sql`analyze`.execute(store.db);
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(store.db);
  } finally {
    await store.close();
  }
}

async function growPostgres(catalog: CatalogDb, size: number): Promise<void> {
  const client = new pg.Client({ connectionString: catalog.url });
  await client.connect();
  try {
    const now = new Date().toISOString();
    const BATCH = 10_000;
    for (let from = catalog.size; from < size; from += BATCH) {
      const to = Math.min(size, from + BATCH);
      const cols = {
        id: [] as string[],
        part: [] as string[],
        name: [] as string[],
        desc: [] as string[],
        type: [] as string[],
        cat: [] as (string | null)[],
        price: [] as number[],
      };
      for (let i = from; i < to; i++) {
        const p = productAt(i, EDGEWORKS_TYPES);
        cols.id.push(newId('prd'));
        cols.part.push(p.partNumber);
        cols.name.push(p.name);
        cols.desc.push(p.description);
        cols.type.push(p.type);
        cols.cat.push(catalog.categoryIds[p.category] ?? null);
        cols.price.push(p.listPriceMinor);
      }
      await client.query('begin');
      await client.query(
        `insert into products (id, vendor_id, part_number, name, description, type, category_id,
           billing_term, ships, active, created_at, updated_at)
         select id, $2, part, name, descr, type, cat, null, 0, 1, $8, $8
         from unnest($1::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
           as t(id, part, name, descr, type, cat)`,
        [cols.id, catalog.vendorId, cols.part, cols.name, cols.desc, cols.type, cols.cat, now],
      );
      await client.query(
        `insert into price_list_items (price_list_id, part_number, product_id, list_price_minor)
         select $1, part, id, price from unnest($2::text[], $3::text[], $4::bigint[]) as t(part, id, price)`,
        [catalog.priceListId, cols.part, cols.id, cols.price],
      );
      await client.query('commit');
    }
    await client.query('update price_lists set row_count = $1 where id = $2', [
      size,
      catalog.priceListId,
    ]);
    await client.query('analyze');
  } finally {
    await client.end();
  }
}

/** Opens the catalog database with the application's settings (synchronous=FULL, pool 10). */
export function openCatalog(catalog: CatalogDb): Store {
  return openStore(catalog.url);
}
