import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDialects } from '../test/databases.ts';
import type { Store } from './dialects.ts';
import { saveProductBatch, type ProductInput } from './catalog.repository.ts';
import { searchProducts, TEXT_CANDIDATES } from './search.repository.ts';
import { insertVendor } from './tenancy.repository.ts';

const AT = '2026-01-01T00:00:00.000Z';
const PAGE = { limit: 10, offset: 0 };

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

describe.each(testDialects())('catalog search on %s', (dialect) => {
  let store: Store;
  let mine: string;
  let big: string;

  beforeAll(async () => {
    store = await createTestStore(dialect);
    const vendor = async (slug: string) =>
      (await insertVendor(store.db, { slug, name: slug, profile: '{}', schemaVersion: 1, at: AT }))
        .id;
    mine = await vendor('mine');
    big = await vendor('big');
    // The big vendor's products come first (lower rowids / earlier in every index), and more
    // of them carry the broad word than the search ranks at most.
    const crowd = Array.from({ length: TEXT_CANDIDATES + 100 }, (_, i) =>
      product(big, `BIG-${String(i).padStart(5, '0')}`, {
        name: `Widget housing ${i}`,
        description: 'A widget part',
      }),
    );
    for (let i = 0; i < crowd.length; i += 500) {
      await saveProductBatch(store.db, big, crowd.slice(i, i + 500), AT);
    }
    await saveProductBatch(
      store.db,
      mine,
      [
        product(mine, 'AB-100', { name: 'Rack rail' }),
        product(mine, 'AB-1', { name: 'Widget bracket', description: 'Steel widget bracket' }),
        product(mine, 'AB-10', { name: 'Cable tray' }),
        product(mine, 'ZX-9', { name: 'Mounting kit', description: 'fits every widget' }),
        // Its words contain the part number the user types; it must still come after it.
        product(mine, 'QQ-7', { name: 'Adapter for AB 1', description: 'ab 1 ab 1 ab 1' }),
      ],
      AT,
    );
  });
  afterAll(async () => {
    await store.close();
  });

  it('ranks the exact part number first, whatever the case or other matches', async () => {
    for (const q of ['AB-1', 'ab-1', ' Ab-1 ']) {
      const hits = await searchProducts(store.db, { vendorIds: [mine] }, q, PAGE);
      expect(hits[0]?.part_number).toBe('AB-1');
      expect(hits[0]?.tier).toBe(0);
      expect(hits.slice(1, 3).map((h) => h.part_number)).toEqual(['AB-10', 'AB-100']);
    }
    const both = await searchProducts(store.db, { vendorIds: [mine, big] }, 'AB-100', PAGE);
    expect(both[0]?.part_number).toBe('AB-100');
  });

  it("returns the caller's vendor's matches for a broad word other vendors crowd", async () => {
    const hits = await searchProducts(store.db, { vendorIds: [mine] }, 'widget', PAGE);
    expect(hits.map((h) => h.part_number)).toEqual(['AB-1', 'ZX-9']);
    const typed = await searchProducts(store.db, { vendorIds: [mine] }, 'widg', PAGE);
    expect(typed.map((h) => h.part_number)).toEqual(['AB-1', 'ZX-9']);
    expect(hits.every((h) => h.vendor_id === mine)).toBe(true);
    const theirs = await searchProducts(store.db, { vendorIds: [big] }, 'widget', PAGE);
    expect(theirs).toHaveLength(PAGE.limit);
    expect(theirs.every((h) => h.vendor_id === big)).toBe(true);
  });
});
