// importPriceList (what `orderdesk import pricelist` runs) against the staged import the API
// runs (stage, publish, discard), on two databases seeded alike, on both dialects: on SQLite
// importPriceList writes the rows as they are read, in one transaction, and must leave exactly
// what the staging leaves — products created and changed, items, categories, the word index
// and what search returns — and nothing at all when a row is bad, even the last of a file
// whose first batches were already written.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findVendorBySlug, readVersions, searchProducts, type Store } from '@orderdesk/store';
import { createTestStore, testDialects } from '@orderdesk/store/testing';
import {
  AppError,
  DEFAULT_APP_SETTINGS,
  LoginThrottle,
  SettableClock,
  discardPriceListImport,
  importPriceList,
  publishPriceListImport,
  seedDemo,
  stagePriceListImport,
  type AppContext,
} from '../index.ts';

const OPERATOR = { operator: 'price-list import test' };
/** More rows than two of the parser thread's batches (2,500 rows each). */
const NEW_ROWS = 6000;

function csvCell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * A file that changes some of northwind's demo products (others it repeats as they are),
 * creates thousands of products in new and existing categories, some with text only FTS5 can
 * tokenize, with the optional columns set on some rows.
 */
async function priceFile(
  store: Store,
  dir: string,
  prefix: string,
  tail: string[] = [],
): Promise<{ file: string; rows: number }> {
  const vendor = await findVendorBySlug(store.db, 'northwind');
  const existing = await sql<{
    part_number: string;
    name: string;
    description: string;
    type: string;
    category_key: string | null;
  }>`select p.part_number, p.name, p.description, p.type, c.key as category_key
      from products p left join categories c on c.id = p.category_id
      where p.vendor_id = ${vendor?.id ?? ''} and p.part_number not like 'IMP%'
      order by p.part_number`.execute(store.db);
  const lines = ['partNumber,name,type,category,listPrice,description,billingTerm,ships'];
  existing.rows.forEach((p, i) => {
    const changed = i % 3 === 0;
    lines.push(
      [
        p.part_number,
        changed ? `${p.name} (renamed)` : p.name,
        p.type,
        i % 5 === 0 ? 'Services / Renamed Group' : (p.category_key ?? ''),
        `${100 + i}.50`,
        i % 4 === 0 ? '' : p.description,
        i % 7 === 0 ? 'P1Y' : '',
        i % 11 === 0 ? 'no' : '',
      ]
        .map(csvCell)
        .join(','),
    );
  });
  for (let i = 0; i < NEW_ROWS; i++) {
    const special = i % 97 === 0;
    lines.push(
      [
        `${prefix}-${String(i).padStart(5, '0')}`,
        special ? `Zürich Gerät ${i % 13}` : `Imported service ${i % 211} tier${i % 7}`,
        'service',
        i % 9 === 0 ? '' : `Imported / Group ${i % 17}`,
        `${(i % 4000) + 1}.${String(i % 100).padStart(2, '0')}`,
        // Words of the name again (another case, twice): posted once, as in the name.
        i % 2 === 0
          ? `Row ${i} of the import, "quoted", batch ${Math.floor(i / 2500)}, IMPORTED tier${i % 7} ${i % 211} row`
          : '',
        i % 10 === 0 ? 'P1M' : '',
        i % 6 === 0 ? 'yes' : '',
      ]
        .map(csvCell)
        .join(','),
    );
  }
  lines.push(...tail);
  const file = join(dir, `${prefix}.csv`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, rows: lines.length - 1 };
}

/** What an import leaves for northwind, ids left out (they are random). */
async function catalogOf(store: Store) {
  const vendorId = (await findVendorBySlug(store.db, 'northwind'))?.id ?? '';
  const key = store.dialect === 'sqlite' ? sql`p.rowid` : sql`p.search_key`;
  const products = await sql`
      select p.part_number, p.name, p.description, p.type, c.key as category_key,
        p.billing_term, p.ships, p.active, p.created_at, p.updated_at,
        (select string_agg(t.term || ':' || sp.score, ' ' order by t.term)
           from search_postings sp join search_terms t on t.id = sp.term_id
           where sp.product_key = ${key}) as postings
      from products p left join categories c on c.id = p.category_id
      where p.vendor_id = ${vendorId} order by p.part_number`.execute(store.db);
  const items = await sql`
      select l.version, l.effective_from, l.row_count, l.source_name, l.created_by,
        i.part_number, i.list_price_minor, p.part_number as product
      from price_list_items i join price_lists l on l.id = i.price_list_id
      join products p on p.id = i.product_id
      where l.vendor_id = ${vendorId} order by l.version, i.part_number`.execute(store.db);
  const categories = await sql`
      select c.key, c.name, parent.key as parent_key from categories c
      left join categories parent on parent.id = c.parent_id
      where c.vendor_id = ${vendorId} order by c.key`.execute(store.db);
  const terms = await sql`
      select term, products from search_terms where vendor_id = ${vendorId} and products > 0
      order by term`.execute(store.db);
  const found: Record<string, string[]> = {};
  for (const q of [
    'imported',
    'service tier3',
    'zurich',
    'gerät',
    'renamed',
    'row 12',
    'IMPA-004',
  ]) {
    const hits = await searchProducts(store.db, { vendorIds: [vendorId] }, q, {
      limit: 25,
      offset: 0,
    });
    found[q] = hits.map((h) => h.part_number);
  }
  return {
    products: products.rows,
    items: items.rows,
    categories: categories.rows,
    terms: terms.rows,
    found,
  };
}

/** The definitions of the indexes on the tables an import writes to (SQLite; none listed else). */
async function indexesOf(store: Store) {
  if (store.dialect !== 'sqlite') return [];
  return (
    await sql<{ name: string; sql: string | null }>`select name, sql from sqlite_master
      where type in ('index', 'trigger') and tbl_name in ('products', 'search_postings',
        'search_terms', 'price_list_items', 'categories')
      order by name`.execute(store.db)
  ).rows;
}

/** Rows of the tables an import writes to. */
async function counts(store: Store) {
  const n = async (table: string) =>
    Number(
      (await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(store.db))
        .rows[0]?.n,
    );
  const termSum = await sql<{
    n: number;
  }>`select coalesce(sum(products), 0) as n from search_terms`.execute(store.db);
  return {
    products: await n('products'),
    priceLists: await n('price_lists'),
    items: await n('price_list_items'),
    categories: await n('categories'),
    postings: await n('search_postings'),
    terms: await n('search_terms'),
    termProducts: Number(termSum.rows[0]?.n),
    events: await n('audit_events'),
    staged: await n('import_price_rows'),
    runs: await n('import_runs'),
  };
}

describe.each(testDialects())('price-list import on %s', (dialect) => {
  let dir: string;
  let direct: Store;
  let staged: Store;
  const clock = new SettableClock();
  // Frozen: both imports run at the same instant, and write the same timestamps.
  clock.set(new Date('2026-03-02T09:00:00Z'), { freeze: true });
  const contextOf = (store: Store): AppContext => ({
    store,
    clock,
    config: { ...DEFAULT_APP_SETTINGS, PUBLIC_URL: 'https://desk.example' },
    loginThrottle: new LoginThrottle(15 * 60_000),
    now: () => clock.now(),
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orderdesk-price-import-'));
    [direct, staged] = await Promise.all([createTestStore(dialect), createTestStore(dialect)]);
    for (const store of [direct, staged]) {
      await store.db.transaction().execute((tx) => seedDemo(tx, 'demo', clock.now()));
    }
  });
  afterAll(async () => {
    await Promise.all([direct?.close(), staged?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves what the staged import leaves: products, items, categories, word index, search', async () => {
    const { file } = await priceFile(direct, dir, 'IMPA');
    const input = { vendor: 'northwind', format: 'csv' as const, sourceName: 'prices.csv' };
    const schemaBefore = await indexesOf(staged);
    const stagedStampsBefore = await readVersions(staged.db);
    const fromStaging = await (async () => {
      const ctx = contextOf(staged);
      const stagedImport = await stagePriceListImport(ctx, OPERATOR, {
        ...input,
        source: { path: file },
      });
      try {
        return await publishPriceListImport(ctx, OPERATOR, stagedImport);
      } finally {
        await discardPriceListImport(ctx, stagedImport);
      }
    })();
    const progress: number[] = [];
    const stampsBefore = await readVersions(direct.db);
    const directly = await importPriceList(contextOf(direct), OPERATOR, {
      ...input,
      source: { path: file },
      onProgress: (rows) => progress.push(rows),
    });
    expect(fromStaging.productsCreated).toBe(NEW_ROWS);
    expect(fromStaging.productsUpdated).toBeGreaterThan(10);
    const { id: _a, createdAt: _b, ...view } = directly;
    const { id: _c, createdAt: _d, ...expected } = fromStaging;
    expect(view).toEqual(expected);
    expect(progress.at(-1)).toBeGreaterThan(NEW_ROWS);
    const [got, want] = await Promise.all([catalogOf(direct), catalogOf(staged)]);
    expect(got.found.imported?.length).toBe(25);
    expect(got.found['service tier3']?.length).toBe(25);
    expect(got).toEqual(want);
    expect(await counts(direct)).toEqual(await counts(staged));
    // The indexes and triggers a first import drops and creates again are all there, as they
    // were defined, after either import.
    expect(await indexesOf(staged)).toEqual(schemaBefore);
    expect(await indexesOf(direct)).toEqual(await indexesOf(staged));
    const stagedStampsAfter = await readVersions(staged.db);
    expect(stagedStampsAfter.products).not.toBe(stagedStampsBefore.products);
    expect(stagedStampsAfter.price_list_items).not.toBe(stagedStampsBefore.price_list_items);
    // A server keeping prices and products sees them change (read-versions.ts), though on
    // SQLite the import writes its rows with their INSERT stamp triggers dropped.
    const stampsAfter = await readVersions(direct.db);
    expect(stampsAfter.products).not.toBe(stampsBefore.products);
    expect(stampsAfter.price_list_items).not.toBe(stampsBefore.price_list_items);
    // A second import of the same file changes nothing but adds a version, on both.
    const again = await importPriceList(contextOf(direct), OPERATOR, {
      ...input,
      source: { path: file },
    });
    expect([again.version, again.productsCreated, again.productsUpdated]).toEqual([
      directly.version + 1,
      0,
      0,
    ]);
  });

  it('writes nothing when the last row is bad, after batches were written', async () => {
    const indexes = async () =>
      dialect === 'sqlite'
        ? (
            await sql<{ name: string }>`select name from sqlite_master
              where type = 'index' and tbl_name in ('search_postings', 'products')
              order by name`.execute(direct.db)
          ).rows.map((r) => r.name)
        : [];
    const { file, rows } = await priceFile(direct, dir, 'IMPB', [
      'IMPB-LAST,Last row,service,Imported,-5.00,,,',
    ]);
    const before = { counts: await counts(direct), catalog: await catalogOf(direct) };
    const indexesBefore = await indexes();
    const error = await importPriceList(contextOf(direct), OPERATOR, {
      vendor: 'northwind',
      format: 'csv',
      source: { path: file },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toBe(
      'The price list has 1 problem(s); nothing was imported',
    );
    // Row 1 is the header: the last of `rows` rows is row rows + 1.
    expect((error as AppError).problems).toEqual([
      { path: `row ${rows + 1}/listPrice`, code: 'invalid', message: 'Negative price -5.00' },
    ]);
    expect(await counts(direct)).toEqual(before.counts);
    expect(await catalogOf(direct)).toEqual(before.catalog);
    expect(await indexes()).toEqual(indexesBefore);
  });
});
