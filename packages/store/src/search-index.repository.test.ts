import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDialects } from '../test/databases.ts';
import type { Store } from './dialects.ts';
import type { Executor } from './executor.ts';
import { BulkWordIndexer, insertProductsIndexedInBulk } from './search-index.repository.ts';
import { insertVendor } from './tenancy.repository.ts';

// The bulk path (a price-list import: insertProductsIndexedInBulk) must write the word index
// the per-row triggers of migration 0018 write for the same products: the same terms with the
// same scores per product, the same product count per term. On SQLite the bulk path tokenizes
// plain-ASCII texts itself and sends the rest through FTS5 (search-index.repository.ts); on
// PostgreSQL both paths are the triggers. Term ids are numbered in the order terms are first
// met, so they are compared through their text.

const AT = '2026-01-01T00:00:00.000Z';

interface Texts {
  name: string;
  description: string;
}

let serial = 0;

/** Inserts products with one statement each: the triggers index them one by one. */
async function insertOneByOne(db: Executor, vendorId: string, texts: readonly Texts[]) {
  for (const t of texts) {
    serial++;
    await sql`insert into products (id, vendor_id, part_number, name, description, type,
        billing_term, ships, active, created_at, updated_at)
      values (${`prd_t${serial}`}, ${vendorId}, ${`P-${serial}`}, ${t.name}, ${t.description},
        'service', null, 0, 1, ${AT}, ${AT})`.execute(db);
  }
}

/** Inserts products with one set-based statement through the bulk path, in a transaction. */
async function insertInBulk(store: Store, vendorId: string, texts: readonly Texts[]) {
  const rows = texts.map((t) => {
    serial++;
    return [`prd_b${serial}`, `P-${serial}`, t.name, t.description];
  });
  const json = JSON.stringify(rows);
  const each =
    store.dialect === 'sqlite'
      ? sql`(select j.key as n, j.value as e from json_each(${json}) j)`
      : sql`jsonb_array_elements(${json}::jsonb) with ordinality as j(e, n)`;
  await store.db.transaction().execute((tx) =>
    insertProductsIndexedInBulk(tx, () =>
      sql`insert into products (id, vendor_id, part_number, name, description, type,
          billing_term, ships, active, created_at, updated_at)
        select e ->> 0, ${vendorId}, e ->> 1, e ->> 2, e ->> 3, 'service', null, 0, 1, ${AT}, ${AT}
        from ${each}
        order by n`.execute(tx),
    ),
  );
}

/** A vendor's word index: per product (in insertion order) its sorted `term:score` postings. */
async function indexOf(store: Store, vendorId: string) {
  const key = store.dialect === 'sqlite' ? sql`p.rowid` : sql`p.search_key`;
  const postings = await sql<{ k: number; term: string; score: number }>`
      select ${key} as k, t.term, sp.score from products p
      join search_postings sp on sp.product_key = ${key}
      join search_terms t on t.id = sp.term_id and t.vendor_id = p.vendor_id
      where p.vendor_id = ${vendorId}
      order by ${key}, t.term`.execute(store.db);
  const byProduct = new Map<number, string[]>();
  for (const r of postings.rows) {
    const list = byProduct.get(Number(r.k)) ?? [];
    list.push(`${r.term}:${Number(r.score)}`);
    byProduct.set(Number(r.k), list);
  }
  const products = await sql<{ k: number }>`
      select ${key} as k from products p where p.vendor_id = ${vendorId} order by ${key}`.execute(
    store.db,
  );
  const counts = await sql<{ term: string; products: number }>`
      select term, products from search_terms where vendor_id = ${vendorId} and products > 0
      order by term`.execute(store.db);
  return {
    products: products.rows.map((r) => byProduct.get(Number(r.k)) ?? []),
    counts: counts.rows.map((r) => `${r.term}:${Number(r.products)}`),
  };
}

/** 0 … n-1 in order, or shuffled (seeded): which text each key in turn is given. */
function keysOf(n: number, order: 'ascending' | 'shuffled'): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  if (order === 'shuffled') {
    for (let i = n - 1, seed = 7; i > 0; i--) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const j = seed % (i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
  }
  return out;
}

const SAMPLES: Texts[] = [
  { name: 'Gantry sprocket', description: 'Sprocket for the gantry, zinc' },
  { name: 'EDGE-Router 4000 (rev.B)', description: 'router/switch; 4x 1GbE — 19" rack' },
  { name: 'ÉCLAIR Mount', description: 'Kabel-Halter, Straße & Größe' },
  { name: 'Café crème license', description: 'Ünïcödé naïve façade — ﬁle ligature' },
  { name: '東京 gateway', description: 'Привет мир Ωmega' },
  { name: 'tab\there', description: 'new\nline\r\nand\u0001soh' },
  { name: '...', description: '' },
  { name: 'a_b-c.d', description: 'A_B C.D e1e2 007 0x1F' },
  { name: 'Same same SAME', description: 'same different Different' },
  { name: 'x', description: `${'long'.repeat(100)} ${'z'.repeat(40)}` },
  {
    name: 'Many terms',
    description: Array.from({ length: 1200 }, (_, i) => `w${i}`).join(' '),
  },
];

describe.each(testDialects())('bulk word indexing on %s', (dialect) => {
  let store: Store;
  let vendors = 0;

  beforeAll(async () => {
    store = await createTestStore(dialect);
  });
  afterAll(async () => {
    await store.close();
  });

  const vendor = async (): Promise<string> => {
    vendors++;
    const slug = `v${vendors}`;
    return (
      await insertVendor(store.db, { slug, name: slug, profile: '{}', schemaVersion: 1, at: AT })
    ).id;
  };

  it('writes the postings and term counts the per-row triggers write', async () => {
    const byTrigger = await vendor();
    const inBulk = await vendor();
    await insertOneByOne(store.db, byTrigger, SAMPLES);
    await insertInBulk(store, inBulk, SAMPLES);
    const expected = await indexOf(store, byTrigger);
    expect(expected.products.every((p, i) => p.length > 0 || i === 6)).toBe(true);
    expect(expected.products[10]).toContain('many:999');
    expect(await indexOf(store, inBulk)).toEqual(expected);
    // A second import adds to the counts of the terms the first created.
    await insertOneByOne(store.db, byTrigger, SAMPLES.slice(0, 3));
    await insertInBulk(store, inBulk, SAMPLES.slice(0, 3));
    expect(await indexOf(store, inBulk)).toEqual(await indexOf(store, byTrigger));
  });

  it('indexes more products than one batch holds, mixed plain and other texts', async () => {
    const byTrigger = await vendor();
    const inBulk = await vendor();
    // SQLite indexes a bulk insert in batches of 10,000 products; PostgreSQL's triggers have no
    // batches (and its one-by-one inserts are round trips: 1,000 of them say enough).
    const texts = Array.from({ length: dialect === 'sqlite' ? 10_020 : 1000 }, (_, i) => ({
      name: `Item ${i % 97} ${i % 3 === 0 ? 'Zürich' : 'Zurich'}`,
      description: `part ${i} of ${i % 13}`,
    }));
    await insertInBulk(store, inBulk, texts);
    await store.db.transaction().execute((tx) => insertOneByOne(tx, byTrigger, texts));
    expect(await indexOf(store, inBulk)).toEqual(await indexOf(store, byTrigger));
  });

  it('indexes products a writer inserts itself, batch by batch, as the triggers do', async () => {
    // What the CLI's price-list import does (price-list-import.repository.ts): products
    // inserted with their rowids given, handed to BulkWordIndexer as they are; here with
    // batches of 7, so the samples cross several (SQLite; PostgreSQL's triggers index them).
    const byTrigger = await vendor();
    const byWriter = await vendor();
    const texts = [...SAMPLES, ...SAMPLES.slice(0, 6), ...SAMPLES];
    await insertOneByOne(store.db, byTrigger, texts);
    await store.db.transaction().execute(async (tx) => {
      const words = await BulkWordIndexer.start(tx, 7);
      let key = words.after;
      for (const t of texts) {
        key++;
        serial++;
        // The rowid is the word index's key on SQLite; PostgreSQL has its own (search_key).
        const rowid = store.dialect === 'sqlite' ? sql`${key},` : sql``;
        await sql`insert into products (${sql.raw(store.dialect === 'sqlite' ? 'rowid, ' : '')}id,
            vendor_id, part_number, name, description, type, billing_term, ships, active,
            created_at, updated_at)
          values (${rowid} ${`prd_w${serial}`}, ${byWriter}, ${`P-${serial}`}, ${t.name},
            ${t.description}, 'service', null, 0, 1, ${AT}, ${AT})`.execute(tx);
        words.add(key, byWriter, t.name, t.description);
        await words.flushIfFull();
      }
      await words.finish();
    });
    expect(await indexOf(store, byWriter)).toEqual(await indexOf(store, byTrigger));
  });

  it('indexes a first import at once, its keys in or out of order, as the triggers do', async () => {
    // A database of its own, so the writer's products outnumber the others twice over: SQLite
    // drops the postings' secondary index at the first full batch and keeps every product
    // until finish, then writes their postings at once (BulkWordIndexer.flushIfFull); or, with
    // a bound of 8 distinct terms, writes them whenever a flush finds that many kept.
    const runs = [
      ['ascending', undefined],
      ['shuffled', undefined],
      ['shuffled', 8],
    ] as const;
    for (const [order, collectedTerms] of runs) {
      const own = await createTestStore(dialect);
      try {
        const vendorOf = async (slug: string) =>
          (
            await insertVendor(own.db, {
              slug,
              name: slug,
              profile: '{}',
              schemaVersion: 1,
              at: AT,
            })
          ).id;
        const byTrigger = await vendorOf('by-trigger');
        const byWriter = await vendorOf('by-writer');
        const texts = [...SAMPLES, ...SAMPLES.slice(0, 6), ...SAMPLES, ...SAMPLES];
        const postingsIndexes = async (db: Executor) =>
          (
            await sql<{ name: string }>`select name from sqlite_master
              where type = 'index' and tbl_name = 'search_postings' order by name`.execute(db)
          ).rows.map((r) => r.name);
        const before = dialect === 'sqlite' ? await postingsIndexes(own.db) : [];
        const triggers = async (db: Executor) =>
          (
            await sql<{ name: string; sql: string }>`select name, sql from sqlite_master
              where type = 'trigger' and tbl_name = 'products' order by name`.execute(db)
          ).rows;
        const triggersBefore = dialect === 'sqlite' ? await triggers(own.db) : [];
        await own.db.transaction().execute(async (tx) => {
          const words = await BulkWordIndexer.start(tx, 5, collectedTerms);
          const first = words.after + 1;
          // Each product's key: in order, or the same keys shuffled (texts[byKey[k]] has key
          // first + k).
          const byKey = keysOf(texts.length, order);
          const keys: number[] = [];
          byKey.forEach((i, k) => (keys[i] = first + k));
          for (const [i, t] of texts.entries()) {
            serial++;
            const key = keys[i]!;
            const rowid = own.dialect === 'sqlite' ? sql`${key},` : sql``;
            await sql`insert into products (${sql.raw(own.dialect === 'sqlite' ? 'rowid, ' : '')}id,
                vendor_id, part_number, name, description, type, billing_term, ships, active,
                created_at, updated_at)
              values (${rowid} ${`prd_f${serial}`}, ${byWriter}, ${`F-${key}`}, ${t.name},
                ${t.description}, 'service', null, 0, 1, ${AT}, ${AT})`.execute(tx);
            words.add(key, byWriter, t.name, t.description);
            await words.flushIfFull();
          }
          // The products' INSERT trigger is gone meanwhile (SQLite), and back after.
          if (dialect === 'sqlite') {
            expect((await triggers(tx)).map((t) => t.name)).not.toContain('search_postings_ai');
          }
          await words.finish();
          if (dialect === 'sqlite') {
            expect(await postingsIndexes(tx)).toEqual(before);
            expect(await triggers(tx)).toEqual(triggersBefore);
          }
        });
        // The triggers' index of the same texts, written after (so the writer's were all new).
        await insertOneByOne(own.db, byTrigger, texts);
        const reference = await indexOf(own, byTrigger);
        const written = await indexOf(own, byWriter);
        expect(written.counts).toEqual(reference.counts);
        // The writer's products in key order: on SQLite the keys given (texts[i] has keys[i]);
        // PostgreSQL numbers them itself, in insertion order.
        const expected =
          own.dialect === 'sqlite'
            ? keysOf(texts.length, order).map((i) => reference.products[i])
            : reference.products;
        expect(written.products).toEqual(expected);
      } finally {
        await own.close();
      }
    }
  });

  it('keeps the postings indexes, and writes nothing when the transaction fails', async () => {
    // A database of its own: many more new products than old ones, so SQLite drops the
    // postings' secondary index and builds it again after.
    const own = await createTestStore(dialect);
    try {
      const indexes = async (db: Executor = own.db) =>
        dialect === 'sqlite'
          ? (
              await sql<{ name: string }>`select name from sqlite_master
                where type = 'index' and tbl_name = 'search_postings' order by name`.execute(db)
            ).rows.map((r) => r.name)
          : [];
      const before = await indexes();
      if (dialect === 'sqlite') expect(before).toContain('search_postings_product_term');
      const vendorId = (
        await insertVendor(own.db, {
          slug: 'own',
          name: 'own',
          profile: '{}',
          schemaVersion: 1,
          at: AT,
        })
      ).id;
      const texts = Array.from({ length: 3000 }, (_, i) => ({
        name: `Fresh ${i}`,
        description: 'only here',
      }));
      await expect(
        own.db.transaction().execute(async (tx) => {
          await insertProductsIndexedInBulk(tx, () =>
            sql`insert into products (id, vendor_id, part_number, name, description, type,
                billing_term, ships, active, created_at, updated_at)
              values ('prd_gone', ${vendorId}, 'GONE-1', 'Gone', 'never here', 'service', null,
                0, 1, ${AT}, ${AT})`.execute(tx),
          );
          expect(await indexes(tx)).toEqual(before);
          throw new Error('the import failed');
        }),
      ).rejects.toThrow('the import failed');
      expect(await indexOf(own, vendorId)).toEqual({ products: [], counts: [] });
      expect(await indexes()).toEqual(before);
      await insertInBulk(own, vendorId, texts);
      expect(await indexes()).toEqual(before);
      const index = await indexOf(own, vendorId);
      expect(index.products).toHaveLength(3000);
      expect(index.counts).toEqual(expect.arrayContaining(['fresh:3000', 'here:3000']));
    } finally {
      await own.close();
    }
  });

  it('tokenizes any text as the triggers do (property)', async () => {
    // Mostly ASCII with its punctuation and control characters, some letters beyond it.
    const char = fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...'abcXYZ019 -_.,/\'"()\t\n') },
      { weight: 2, arbitrary: fc.integer({ min: 1, max: 127 }).map((c) => String.fromCharCode(c)) },
      { weight: 1, arbitrary: fc.constantFrom(...'éÉüßøŁıİﬁ東Ω–') },
    );
    const text = fc.array(char, { maxLength: 40 }).map((cs) => cs.join(''));
    const product = fc.record({ name: text, description: text });
    await fc.assert(
      fc.asyncProperty(fc.array(product, { minLength: 1, maxLength: 8 }), async (texts) => {
        const byTrigger = await vendor();
        const inBulk = await vendor();
        await insertOneByOne(store.db, byTrigger, texts);
        await insertInBulk(store, inBulk, texts);
        expect(await indexOf(store, inBulk)).toEqual(await indexOf(store, byTrigger));
      }),
      { numRuns: 60 },
    );
  });
});
