import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDialects } from '../test/databases.ts';
import type { Store } from './dialects.ts';
import {
  ensureCategoryPath,
  findProduct,
  insertProduct,
  listCategories,
  saveProductBatch,
  updateProduct,
  type ProductInput,
} from './catalog.repository.ts';
import { findMultipliers, insertMultiplier, listMultipliers } from './multipliers.repository.ts';
import {
  findPriceListInForce,
  findPricesInForce,
  insertPriceList,
  insertPriceListItems,
  listPriceListItems,
  nextPriceListVersion,
} from './price-lists.repository.ts';
import { listProducts, searchProducts } from './search.repository.ts';
import { insertPartner, insertPartnership, insertVendor } from './tenancy.repository.ts';

const AT = '2026-01-01T00:00:00.000Z';

function product(vendorId: string, partNumber: string, over: Partial<ProductInput> = {}) {
  return {
    vendorId,
    partNumber,
    name: `Product ${partNumber}`,
    description: '',
    type: 'service',
    categoryId: null,
    billingTerm: null,
    ships: false,
    active: true,
    ...over,
  } satisfies ProductInput;
}

describe.each(testDialects())('catalog store on %s', (dialect) => {
  let store: Store;
  let vendorId: string;
  let otherVendorId: string;
  let gatewaysId: string;
  let hardwareId: string;

  beforeAll(async () => {
    store = await createTestStore(dialect);
    const { db } = store;
    vendorId = (
      await insertVendor(db, {
        slug: 'edge',
        name: 'Edge',
        profile: '{}',
        schemaVersion: 1,
        at: AT,
      })
    ).id;
    otherVendorId = (
      await insertVendor(db, {
        slug: 'other',
        name: 'Other',
        profile: '{}',
        schemaVersion: 1,
        at: AT,
      })
    ).id;
    const gateways = await ensureCategoryPath(
      db,
      vendorId,
      [
        { key: 'hardware', name: 'Hardware' },
        { key: 'hardware.gateways', name: 'Gateways' },
      ],
      AT,
    );
    gatewaysId = gateways.id;
    hardwareId = gateways.parent_id ?? '';
    const software = await ensureCategoryPath(
      db,
      vendorId,
      [{ key: 'software', name: 'Software' }],
      AT,
    );
    await insertProduct(
      db,
      product(vendorId, 'F200-GW-01', {
        name: 'F200 Edge Gateway',
        description: 'Rugged controller for building automation',
        type: 'device',
        ships: true,
        categoryId: gatewaysId,
      }),
      AT,
    );
    await insertProduct(
      db,
      product(vendorId, 'F2', { name: 'Field kit two', type: 'kit', categoryId: hardwareId }),
      AT,
    );
    await insertProduct(
      db,
      product(vendorId, 'SW-LIC-100', {
        name: 'Supervisor license',
        description: 'Perpetual license for the gateway supervisor software',
        type: 'perpetual_license',
        categoryId: software.id,
      }),
      AT,
    );
    await insertProduct(
      db,
      product(vendorId, 'SW-OLD-1', { name: 'Legacy gateway tool', active: false }),
      AT,
    );
    await insertProduct(db, product(otherVendorId, 'F200-X', { name: 'Other gateway' }), AT);
  });
  afterAll(async () => {
    await store.close();
  });

  it('keeps a category tree with product counts', async () => {
    const cats = await listCategories(store.db, vendorId);
    expect(cats.map((c) => [c.key, c.parent_key, c.product_count])).toEqual([
      ['hardware', null, 1],
      ['hardware.gateways', 'hardware', 1],
      ['software', null, 1],
    ]);
    const again = await ensureCategoryPath(
      store.db,
      vendorId,
      [{ key: 'hardware', name: 'ignored' }],
      AT,
    );
    expect(again.id).toBe(hardwareId);
  });

  it('ranks exact part number, then prefix, then words', async () => {
    const scope = { vendorIds: [vendorId] };
    const hits = await searchProducts(store.db, scope, 'f2', { limit: 10, offset: 0 });
    expect(hits.map((h) => [h.part_number, h.tier])).toEqual([
      ['F2', 0],
      ['F200-GW-01', 1],
    ]);
    const words = await searchProducts(store.db, scope, 'gateway', { limit: 10, offset: 0 });
    // Name matches outrank a description match; the prefix "GATEWAY" is no part number here.
    expect(
      words
        .slice(0, 2)
        .map((h) => h.part_number)
        .sort(),
    ).toEqual(['F200-GW-01', 'SW-OLD-1']);
    expect(words[2]?.part_number).toBe('SW-LIC-100');
    const both = await searchProducts(store.db, scope, 'supervisor gate', { limit: 10, offset: 0 });
    expect(both.map((h) => h.part_number)).toEqual(['SW-LIC-100']);
    expect(await searchProducts(store.db, scope, '!!', { limit: 10, offset: 0 })).toEqual([]);
    const page2 = await searchProducts(store.db, scope, 'gateway', { limit: 2, offset: 2 });
    expect(page2.map((h) => h.part_number)).toEqual(['SW-LIC-100']);
    const exact = await searchProducts(store.db, scope, 'f200-gw-01', { limit: 10, offset: 0 });
    expect(exact[0]).toMatchObject({ part_number: 'F200-GW-01', tier: 0 });
  });

  it('filters by category subtree, activity and vendor scope', async () => {
    const hardware = await searchProducts(
      store.db,
      { vendorIds: [vendorId], categoryKey: 'hardware' },
      'f',
      { limit: 10, offset: 0 },
    );
    expect(hardware.map((h) => h.part_number).sort()).toEqual(['F2', 'F200-GW-01']);
    const active = await searchProducts(
      store.db,
      { vendorIds: [vendorId], active: true },
      'gateway',
      { limit: 10, offset: 0 },
    );
    expect(active.map((h) => h.part_number)).not.toContain('SW-OLD-1');
    const other = await searchProducts(store.db, { vendorIds: [otherVendorId] }, 'f200', {
      limit: 10,
      offset: 0,
    });
    expect(other.map((h) => h.part_number)).toEqual(['F200-X']);
    expect(
      await searchProducts(store.db, { vendorIds: [] }, 'f200', { limit: 10, offset: 0 }),
    ).toEqual([]);
  });

  it('fills a page with matches that pass the filters, whatever the rows before them', async () => {
    const { db } = store;
    for (const n of ['1', '2', '3']) {
      await insertProduct(db, product(otherVendorId, `ZQ-${n}`, { active: false }), AT);
    }
    for (const n of ['4', '5']) await insertProduct(db, product(otherVendorId, `ZQ-${n}`), AT);
    const page = await searchProducts(db, { vendorIds: [otherVendorId], active: true }, 'zq', {
      limit: 2,
      offset: 0,
    });
    expect(page.map((h) => h.part_number)).toEqual(['ZQ-4', 'ZQ-5']);
    const all = await searchProducts(db, { vendorIds: [otherVendorId] }, 'zq', {
      limit: 3,
      offset: 1,
    });
    expect(all.map((h) => h.part_number)).toEqual(['ZQ-2', 'ZQ-3', 'ZQ-4']);
  });

  it('browses by part number with a keyset', async () => {
    const first = await listProducts(store.db, { vendorIds: [vendorId] }, { limit: 2 });
    expect(first.map((p) => p.part_number)).toEqual(['F2', 'F200-GW-01']);
    const last = first[1];
    const next = await listProducts(
      store.db,
      { vendorIds: [vendorId] },
      { limit: 10, after: { partNumber: last?.part_number ?? '', id: last?.id ?? '' } },
    );
    expect(next.map((p) => p.part_number)).toEqual(['SW-LIC-100', 'SW-OLD-1']);
    const gateways = await listProducts(
      store.db,
      { vendorIds: [vendorId], categoryKey: 'hardware.gateways' },
      { limit: 10 },
    );
    expect(gateways.map((p) => [p.part_number, p.category_key])).toEqual([
      ['F200-GW-01', 'hardware.gateways'],
    ]);
  });

  it('keeps the search index in step with renames', async () => {
    const p = await findProduct(store.db, vendorId, 'SW-OLD-1');
    await updateProduct(store.db, p?.id ?? '', { name: 'Retired utility', active: 1 }, AT);
    const scope = { vendorIds: [vendorId] };
    const byOld = await searchProducts(store.db, scope, 'legacy', { limit: 10, offset: 0 });
    expect(byOld).toEqual([]);
    const byNew = await searchProducts(store.db, scope, 'retired', { limit: 10, offset: 0 });
    expect(byNew.map((h) => h.part_number)).toEqual(['SW-OLD-1']);
  });

  it('saves product batches: inserts new, rewrites changed, leaves the same alone', async () => {
    const { db } = store;
    const first = await saveProductBatch(
      db,
      otherVendorId,
      [product(otherVendorId, 'B-1', { description: 'one' }), product(otherVendorId, 'B-2')],
      AT,
    );
    expect([first.created, first.updated]).toEqual([2, 0]);
    const second = await saveProductBatch(
      db,
      otherVendorId,
      [
        { ...product(otherVendorId, 'B-1', { description: 'ignored' }), keep: ['description'] },
        product(otherVendorId, 'B-2', { name: 'Renamed' }),
        product(otherVendorId, 'B-3'),
      ],
      AT,
    );
    expect([second.created, second.updated]).toEqual([1, 1]);
    expect(second.ids.get('B-1')).toBe(first.ids.get('B-1'));
    expect((await findProduct(db, otherVendorId, 'B-1'))?.description).toBe('one');
    expect((await findProduct(db, otherVendorId, 'B-2'))?.name).toBe('Renamed');
    const hits = await searchProducts(db, { vendorIds: [otherVendorId] }, 'renamed', {
      limit: 5,
      offset: 0,
    });
    expect(hits.map((h) => h.part_number)).toEqual(['B-2']);
  });

  it('versions price lists and prices part numbers as of a date', async () => {
    const { db } = store;
    const gw = await findProduct(db, vendorId, 'F200-GW-01');
    const lic = await findProduct(db, vendorId, 'SW-LIC-100');
    const list = async (effectiveFrom: string, prices: [string, string, number][]) => {
      const version = await nextPriceListVersion(db, vendorId, 'USD');
      const pl = await insertPriceList(db, {
        vendorId,
        currency: 'USD',
        version,
        effectiveFrom,
        rowCount: prices.length,
        sourceName: null,
        createdBy: 'test',
        at: AT,
      });
      await insertPriceListItems(
        db,
        pl.id,
        prices.map(([partNumber, productId, listPriceMinor]) => ({
          partNumber,
          productId,
          listPriceMinor,
        })),
      );
      return pl;
    };
    const v1 = await list('2026-01-01', [
      ['F200-GW-01', gw?.id ?? '', 120_000],
      ['SW-LIC-100', lic?.id ?? '', 9_000_000_000_001],
    ]);
    const v2 = await list('2026-07-01', [['F200-GW-01', gw?.id ?? '', 125_050]]);
    const v3 = await list('2026-07-01', [['F200-GW-01', gw?.id ?? '', 126_000]]);
    expect([v1.version, v2.version, v3.version]).toEqual([1, 2, 3]);
    expect(await findPriceListInForce(db, vendorId, 'USD', '2025-12-31')).toBeUndefined();
    expect((await findPriceListInForce(db, vendorId, 'USD', '2026-06-30'))?.id).toBe(v1.id);
    expect((await findPriceListInForce(db, vendorId, 'USD', '2026-07-01'))?.id).toBe(v3.id);

    const march = await findPricesInForce(db, {
      vendorId,
      currency: 'USD',
      partNumbers: ['F200-GW-01', 'SW-LIC-100', 'NOPE', 'F2'],
      on: '2026-03-01',
    });
    const byPn = new Map(march.map((p) => [p.partNumber, p]));
    expect(byPn.get('F200-GW-01')).toMatchObject({
      listPriceMinor: 120_000,
      priceListId: v1.id,
      currency: 'USD',
      type: 'device',
      category: 'hardware.gateways',
      categoryId: gatewaysId,
      categoryAncestorIds: [hardwareId],
      active: true,
    });
    expect(byPn.get('SW-LIC-100')?.listPriceMinor).toBe(9_000_000_000_001);
    expect(byPn.get('F2')).toMatchObject({ listPriceMinor: null, priceListId: null });
    expect(byPn.has('NOPE')).toBe(false);

    const august = await findPricesInForce(db, {
      vendorId,
      partNumbers: ['F200-GW-01', 'SW-LIC-100'],
      on: '2026-08-01',
    });
    expect(august.find((p) => p.partNumber === 'F200-GW-01')).toMatchObject({
      listPriceMinor: 126_000,
      priceListId: v3.id,
      currency: 'USD',
    });
    // The complete list in force no longer prices the license.
    expect(august.find((p) => p.partNumber === 'SW-LIC-100')?.listPriceMinor).toBeNull();
    // Old versions are untouched.
    const items = await listPriceListItems(db, v1.id, { limit: 10 });
    expect(items.map((i) => [i.part_number, i.list_price_minor, i.category_key])).toEqual([
      ['F200-GW-01', 120_000, 'hardware.gateways'],
      ['SW-LIC-100', 9_000_000_000_001, 'software'],
    ]);
  });

  it('looks up thousands of part numbers in one call', async () => {
    const { db } = store;
    const batch = Array.from({ length: 3000 }, (_, i) =>
      product(otherVendorId, `BULK-${String(i).padStart(5, '0')}`),
    );
    for (let i = 0; i < batch.length; i += 1000) {
      await saveProductBatch(db, otherVendorId, batch.slice(i, i + 1000), AT);
    }
    const wanted = [...batch.map((b) => b.partNumber), 'MISSING-1'];
    const found = await findPricesInForce(db, {
      vendorId: otherVendorId,
      currency: 'EUR',
      partNumbers: wanted,
      on: '2026-01-01',
    });
    expect(found).toHaveLength(3000);
    expect(found.every((f) => f.listPriceMinor === null && f.currency === 'EUR')).toBe(true);
  });

  it('finds the multipliers in force on a date', async () => {
    const { db } = store;
    const partner = await insertPartner(db, { name: 'P', tier: 1, at: AT });
    const ps = await insertPartnership(db, {
      vendorId,
      partnerId: partner.id,
      legalName: 'P Ltd',
      agreementDate: '2020-01-01',
      multiplier: '0.7',
      at: AT,
    });
    await insertMultiplier(db, {
      partnershipId: ps.id,
      categoryId: gatewaysId,
      multiplier: '0.55',
      effectiveFrom: '2026-01-01',
      effectiveTo: '2026-06-30',
      createdBy: 't',
      at: AT,
    });
    await insertMultiplier(db, {
      partnershipId: ps.id,
      categoryId: null,
      multiplier: '0.65',
      effectiveFrom: '2026-03-01',
      effectiveTo: null,
      createdBy: 't',
      at: AT,
    });
    const on = async (date: string) =>
      (await findMultipliers(db, ps.id, date)).map((m) => [m.category, m.multiplier]);
    expect(await on('2025-12-31')).toEqual([]);
    expect(await on('2026-02-01')).toEqual([['hardware.gateways', '0.55']]);
    expect(await on('2026-06-30')).toEqual([
      ['hardware.gateways', '0.55'],
      [null, '0.65'],
    ]);
    expect(await on('2026-07-01')).toEqual([[null, '0.65']]);
    expect(await listMultipliers(db, ps.id)).toHaveLength(2);
  });
});
