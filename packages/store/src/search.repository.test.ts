import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDialects } from '../test/databases.ts';
import type { Store } from './dialects.ts';
import { ensureCategoryPath, saveProductBatch, type ProductInput } from './catalog.repository.ts';
import { sql } from 'kysely';
import { insertProductsIndexedInBulk } from './search-index.repository.ts';
import {
  INTERSECT_CAP,
  searchProducts,
  type ProductFilter,
  type SearchWay,
} from './search.repository.ts';
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
    // The big vendor's products come first (lower rowids / earlier in every index), and
    // more of them carry the broad word than two words are ever intersected at.
    const crowd = Array.from({ length: 600 }, (_, i) =>
      product(big, `BIG-${String(i).padStart(5, '0')}`, {
        name: `Widget housing ${i}`,
        description: 'A widget part',
      }),
    );
    for (let i = 0; i < crowd.length; i += 300) {
      await saveProductBatch(store.db, big, crowd.slice(i, i + 300), AT);
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

  it('ranks name matches before description-only ones, then shorter texts', async () => {
    await saveProductBatch(
      store.db,
      mine,
      [
        product(mine, 'RK-3', { name: 'Gizmo', description: 'a long text about the sprocket' }),
        product(mine, 'RK-1', { name: 'Sprocket holder', description: 'plain' }),
        product(mine, 'RK-2', { name: 'Sprocket', description: '' }),
      ],
      AT,
    );
    const hits = await searchProducts(store.db, { vendorIds: [mine] }, 'sprocket', PAGE);
    expect(hits.map((h) => h.part_number)).toEqual(['RK-2', 'RK-1', 'RK-3']);
    // The word itself before longer words it begins.
    await saveProductBatch(
      store.db,
      mine,
      [product(mine, 'RK-4', { name: 'Sprockets', description: '' })],
      AT,
    );
    const typed = await searchProducts(store.db, { vendorIds: [mine] }, 'sprock', PAGE);
    expect(typed.map((h) => h.part_number)).toEqual(['RK-2', 'RK-1', 'RK-3', 'RK-4']);
  });

  it('lists a product the word begins twice once, where it ranks first, and pages on', async () => {
    await saveProductBatch(
      store.db,
      mine,
      [
        product(mine, 'GZ-1', { name: 'Zorbix', description: 'zorbixes' }),
        product(mine, 'GZ-2', { name: 'Zorbixes rack', description: '' }),
        product(mine, 'GZ-3', { name: 'Rack', description: 'for a zorbix' }),
      ],
      AT,
    );
    const find = async (q: string, offset = 0) =>
      (await searchProducts(store.db, { vendorIds: [mine] }, q, { limit: 10, offset })).map(
        (h) => h.part_number,
      );
    // "zorbix" first (name, then description), then "zorbixes": GZ-1 only where "zorbix" put it.
    expect(await find('zorb')).toEqual(['GZ-1', 'GZ-3', 'GZ-2']);
    expect(await find('zorb', 1)).toEqual(['GZ-3', 'GZ-2']);
    // The rarest word (rack) ranks: both have it in the name, the shorter text first.
    expect(await find('zorb rack')).toEqual(['GZ-2', 'GZ-3']);
  });

  it('needs every word, whether the words are rare or common', async () => {
    const two = await searchProducts(store.db, { vendorIds: [mine] }, 'widget steel', PAGE);
    expect(two.map((h) => h.part_number)).toEqual(['AB-1']);
    expect(await searchProducts(store.db, { vendorIds: [mine] }, 'widget zzz', PAGE)).toEqual([]);
    // The rarest word's products are walked and checked for the others, by reading the other
    // word's products once (few of them) or by the product's own postings (many, or a word
    // that begins too many terms to list): every way returns only products with every word.
    const crowd = Array.from({ length: 300 }, (_, i) =>
      product(big, `CR-${String(i).padStart(6, '0')}`, {
        name: ['Flange gasket', 'Flange', 'Gasket set', 'Flanged gasket ring'][i % 4] ?? '',
        description: i % 3 === 0 ? 'rubber' : 'steel rubber flanges',
      }),
    );
    await saveProductBatch(store.db, big, crowd, AT);
    const texts = new Map(crowd.map((p) => [p.partNumber, `${p.name} ${p.description}`]));
    const hasWords = (partNumber: string, words: string[]) =>
      words.every((w) =>
        (texts.get(partNumber) ?? '')
          .toLowerCase()
          .split(/[^a-z0-9]+/)
          .some((t) => t.startsWith(w)),
      );
    for (const q of ['gasket flange', 'flang gask', 'rubber gasket', 'steel flange rubber']) {
      const hits = await searchProducts(store.db, { vendorIds: [big] }, q, PAGE);
      expect(hits.length, q).toBe(PAGE.limit);
      expect(
        hits.filter((h) => !hasWords(h.part_number, q.split(' '))),
        q,
      ).toEqual([]);
    }
    const both = await searchProducts(store.db, { vendorIds: [big] }, 'gasket flange', PAGE);
    expect(both.slice(0, 3).map((h) => h.name)).toEqual([
      'Flange gasket',
      'Flange gasket',
      'Flange gasket',
    ]);
    // Nothing of another vendor, even where the words are everywhere there.
    expect(await searchProducts(store.db, { vendorIds: [mine] }, 'gasket flange', PAGE)).toEqual(
      [],
    );
  });

  it("checks a word that begins more terms than are listed by the product's own terms", async () => {
    // 320 terms beginning "qv": the word "qv" is too wide to list its terms.
    const vocabulary = Array.from({ length: 320 }, (_, i) => `qv${i.toString(36)}x`);
    await saveProductBatch(
      store.db,
      mine,
      [
        product(mine, 'WD-0', { name: 'Wide words', description: vocabulary.join(' ') }),
        product(mine, 'WD-1', { name: 'Sprocket qv7x', description: '' }),
        product(mine, 'WD-2', { name: 'Sprocket', description: 'no such word' }),
      ],
      AT,
    );
    const find = async (q: string) =>
      (await searchProducts(store.db, { vendorIds: [mine] }, q, PAGE)).map((h) => h.part_number);
    expect(await find('sprocket qv')).toEqual(['WD-1']);
    expect(await find('qv sprocket')).toEqual(['WD-1']);
    expect(await find('wide qv')).toEqual(['WD-0']);
    // A rare word with a common one: the common one is looked up per walked product.
    const widget = await searchProducts(store.db, { vendorIds: [big] }, 'widget 599', PAGE);
    expect(widget.map((h) => h.part_number)).toEqual(['BIG-00599']);
  });

  it('applies the active and category filters before the page is cut', async () => {
    const cat = await sql<{ id: string }>`select id from categories where 1 = 0`.execute(store.db);
    expect(cat.rows).toEqual([]);
    const crowd = Array.from({ length: 40 }, (_, i) =>
      product(mine, `FL-${String(i).padStart(3, '0')}`, {
        name: 'Filterable thing',
        active: i >= 35,
      }),
    );
    await saveProductBatch(store.db, mine, crowd, AT);
    const active = await searchProducts(
      store.db,
      { vendorIds: [mine], active: true },
      'filterable',
      PAGE,
    );
    expect(active.map((h) => h.part_number)).toEqual([
      'FL-035',
      'FL-036',
      'FL-037',
      'FL-038',
      'FL-039',
    ]);
  });

  it('follows product changes: new words are found, old ones no longer', async () => {
    await saveProductBatch(
      store.db,
      mine,
      [product(mine, 'CH-1', { name: 'Walrus clamp', description: 'for tusks' })],
      AT,
    );
    const find = async (q: string) =>
      (await searchProducts(store.db, { vendorIds: [mine] }, q, PAGE)).map((h) => h.part_number);
    expect(await find('walrus')).toEqual(['CH-1']);
    expect(await find('tusk')).toEqual(['CH-1']);
    await store.db
      .updateTable('products')
      .set({ name: 'Narwhal clamp' })
      .where('part_number', '=', 'CH-1')
      .execute();
    expect(await find('walrus')).toEqual([]);
    expect(await find('narwhal tusks')).toEqual(['CH-1']);
    // A change of something else leaves the words alone.
    await store.db
      .updateTable('products')
      .set({ active: 0 })
      .where('part_number', '=', 'CH-1')
      .execute();
    expect(await find('narwhal')).toEqual(['CH-1']);
    await store.db.deleteFrom('products').where('part_number', '=', 'CH-1').execute();
    expect(await find('narwhal')).toEqual([]);
    const counted = await sql<{ products: number }>`
      select t.products from search_terms t where t.vendor_id = ${mine} and t.term = 'narwhal'`.execute(
      store.db,
    );
    expect(counted.rows.map((r) => Number(r.products))).toEqual([0]);
  });

  it('matches words whatever their case (and, on SQLite, their accents)', async () => {
    await saveProductBatch(
      store.db,
      mine,
      [product(mine, 'CS-1', { name: 'ÉCLAIR Mount', description: 'Kabel-Halter' })],
      AT,
    );
    const find = async (q: string) =>
      (await searchProducts(store.db, { vendorIds: [mine] }, q, PAGE)).map((h) => h.part_number);
    expect(await find('halter')).toEqual(['CS-1']);
    expect(await find('KABEL')).toEqual(['CS-1']);
    expect(await find('ÉCLAIR')).toEqual(['CS-1']);
    if (dialect === 'sqlite') expect(await find('eclair')).toEqual(['CS-1']);
  });

  it('indexes a bulk insert (the import path) exactly as the per-row triggers index one product', async () => {
    // One product the way the API writes it (triggers), then the same texts in bulk.
    const texts = { name: 'Gantry sprocket', description: 'Sprocket for the gantry, zinc' };
    await saveProductBatch(store.db, mine, [product(mine, 'BK-0', texts)], AT);
    await store.db.transaction().execute((tx) =>
      insertProductsIndexedInBulk(tx, () =>
        sql`insert into products (id, vendor_id, part_number, name, description, type,
              billing_term, ships, active, created_at, updated_at)
            values ('prd_bk1', ${mine}, 'BK-1', ${texts.name}, ${texts.description}, 'service',
                    null, 0, 1, ${AT}, ${AT}),
                   ('prd_bk2', ${mine}, 'BK-2', ${texts.name}, ${texts.description}, 'service',
                    null, 0, 1, ${AT}, ${AT})`.execute(tx),
      ),
    );
    const postingsOf = async (partNumber: string) => {
      const key = dialect === 'sqlite' ? sql`p.rowid` : sql`p.search_key`;
      const rows = await sql<{ term: string; score: number }>`
        select t.term, sp.score from products p
        join search_postings sp on sp.product_key = ${key}
        join search_terms t on t.id = sp.term_id
        where p.vendor_id = ${mine} and p.part_number = ${partNumber}
        order by t.term`.execute(store.db);
      return rows.rows.map((r) => `${r.term}:${Number(r.score)}`);
    };
    const byTrigger = await postingsOf('BK-0');
    expect(byTrigger.length).toBeGreaterThanOrEqual(4);
    expect(await postingsOf('BK-1')).toEqual(byTrigger);
    expect(await postingsOf('BK-2')).toEqual(byTrigger);
    const counted = await sql<{ products: number }>`
      select products from search_terms where vendor_id = ${mine} and term = 'gantry'`.execute(
      store.db,
    );
    expect(counted.rows.map((r) => Number(r.products))).toEqual([3]);
    const found = await searchProducts(store.db, { vendorIds: [mine] }, 'zinc gantry', PAGE);
    expect(found.map((h) => h.part_number).sort()).toEqual(['BK-0', 'BK-1', 'BK-2']);
    // The deferral never outlives the insert: the next single product is indexed by its trigger.
    await saveProductBatch(store.db, mine, [product(mine, 'BK-3', texts)], AT);
    expect(await postingsOf('BK-3')).toEqual(byTrigger);
  });
});

// Several words on PostgreSQL are read two ways (search.repository.ts): a walk of the rarest
// word's postings with a probe per product, or GIN intersections of search_documents
// (migration 0026) step by step, picked per step by estimated cost. Both must give the same
// pages; on SQLite only the walk exists and every way is it.
describe.each(testDialects())('word search read by walk or intersection on %s', (dialect) => {
  let store: Store;
  let mine: string;
  let other: string;
  const categories: string[] = [];
  // Few words, so that most pairs meet; prefixes of one another ("gear", "gears", "geared"),
  // so that a typed word has several terms; accents and case.
  const VOCABULARY = [
    'gear',
    'gears',
    'geared',
    'cog',
    'cogwheel',
    'shaft',
    'bearing',
    'Bearings',
    'seal',
    'ring',
    'steel',
    'brass',
    'pump',
    'valve',
    'valves',
    'flange',
  ];
  const WAYS: readonly SearchWay[] = ['walk', 'intersect', 'auto'];

  /** A deterministic pseudo-random product text from a seed. */
  function textOf(i: number, words: number): string {
    let h = (i * 2654435761) >>> 0;
    const out: string[] = [];
    for (let k = 0; k < words; k++) {
      h = (Math.imul(h ^ (h >>> 15), 2246822507) + k * 3266489909) >>> 0;
      out.push(VOCABULARY[h % VOCABULARY.length] ?? 'gear');
    }
    return out.join(i % 3 === 0 ? ', ' : ' ');
  }

  beforeAll(async () => {
    store = await createTestStore(dialect);
    const vendor = async (slug: string) =>
      (await insertVendor(store.db, { slug, name: slug, profile: '{}', schemaVersion: 1, at: AT }))
        .id;
    mine = await vendor('ways-mine');
    other = await vendor('ways-other');
    for (const [root, leaf] of [
      ['parts', 'parts.small'],
      ['parts', 'parts.large'],
    ] as const) {
      const c = await ensureCategoryPath(
        store.db,
        mine,
        [
          { key: root, name: root },
          { key: leaf, name: leaf },
        ],
        AT,
      );
      categories.push(c.id);
    }
    for (const [vendorId, prefix, count] of [
      [other, 'OT', 300],
      [mine, 'MN', 500],
    ] as const) {
      const rows = Array.from({ length: count }, (_, i) =>
        product(vendorId, `${prefix}-${String(i).padStart(4, '0')}`, {
          name: textOf(i + count, 1 + (i % 3)),
          description: i % 7 === 0 ? '' : textOf(i, 2 + (i % 9)),
          active: i % 5 !== 0,
          categoryId: vendorId === mine ? (categories[i % 2] ?? null) : null,
        }),
      );
      for (let i = 0; i < rows.length; i += 250) {
        await saveProductBatch(store.db, vendorId, rows.slice(i, i + 250), AT);
      }
    }
  });
  afterAll(async () => {
    await store.close();
  });

  const pages = async (filter: ProductFilter, q: string, limit: number, offset: number) =>
    Promise.all(
      WAYS.map(async (way) =>
        (await searchProducts(store.db, filter, q, { limit, offset }, way)).map(
          (h) => `${h.part_number}:${h.tier}`,
        ),
      ),
    );

  it('gives the same pages whichever way reads the words', async () => {
    const queries = [
      'gear cog',
      'gea cog',
      'gears shaft',
      'bearing seal ring',
      'valve flange steel',
      'g c',
      'brass pump',
      'cogwheel geared',
      'STEEL bearings',
    ];
    for (const q of queries) {
      for (const filter of [
        { vendorIds: [mine] },
        { vendorIds: [mine, other] },
        { vendorIds: [mine], active: true },
        { vendorIds: [mine], categoryKey: 'parts.small' },
        { vendorIds: [mine], categoryKey: 'parts', active: false },
      ] satisfies ProductFilter[]) {
        for (const [limit, offset] of [
          [10, 0],
          [7, 7],
          [25, 0],
        ] as const) {
          const [walk, ...others] = await pages(filter, q, limit, offset);
          for (const got of others) expect(got, `${q} ${JSON.stringify(filter)}`).toEqual(walk);
        }
      }
    }
    // The words meet: the pages are not trivially empty.
    const [found] = await pages({ vendorIds: [mine] }, 'gear cog', 25, 0);
    expect(found?.length).toBe(25);
  });

  it('gives the same pages for any query of the vocabulary (property)', async () => {
    const word = fc
      .constantFrom(...VOCABULARY)
      .chain((w) => fc.integer({ min: 1, max: w.length }).map((n) => w.slice(0, n)));
    await fc.assert(
      fc.asyncProperty(
        fc.array(word, { minLength: 2, maxLength: 3 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 12 }),
        async (words, activeOnly, offset) => {
          const filter = activeOnly ? { vendorIds: [mine], active: true } : { vendorIds: [mine] };
          const [walk, ...others] = await pages(filter, words.join(' '), 8, offset);
          for (const got of others) expect(got).toEqual(walk);
        },
      ),
      { numRuns: 40, seed: 12 },
    );
  });

  it('walks when more products have the words than an intersection ranks', async () => {
    // More products with both words in their names than one step intersects. The best (the
    // shortest texts) come last, where a capped read would not reach them.
    const best = INTERSECT_CAP + 50;
    const crowd = Array.from({ length: INTERSECT_CAP + 100 }, (_, i) =>
      product(other, `CW-${String(i).padStart(4, '0')}`, {
        name: i < best ? `Zentrix gizmo alpha beta ${i}` : 'Zentrix gizmo',
        description: i % 2 === 0 ? 'zentrix' : '',
      }),
    );
    for (let i = 0; i < crowd.length; i += 350) {
      await saveProductBatch(store.db, other, crowd.slice(i, i + 350), AT);
    }
    const [walk, ...others] = await pages({ vendorIds: [other] }, 'zentrix gizmo', 30, 5);
    expect(walk).toHaveLength(30);
    expect(walk?.every((h) => h >= `CW-${String(best).padStart(4, '0')}`)).toBe(true);
    for (const got of others) expect(got).toEqual(walk);
  });
});
