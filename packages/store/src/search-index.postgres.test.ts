import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, createTestStore, testDialects } from '../test/databases.ts';
import { openStore, type Store } from './dialects.ts';
import { migrations } from './migrations/index.ts';
import type { Executor } from './executor.ts';
import { indexPostgresProductsAfterKey } from './search-index.postgres.ts';
import { searchProducts } from './search.repository.ts';
import { insertVendor } from './tenancy.repository.ts';

const AT = '2026-01-01T00:00:00.000Z';
const WORDS = [
  'license',
  'Maintenance',
  'SUPPORT',
  'edge',
  'router',
  'café',
  'größe',
  'x2',
  'kit',
  'renewal',
  'premium',
  'node',
];

interface Row {
  id: string;
  vendor_id: string;
  part_number: string;
  name: string;
  description: string;
  type: string;
  category_id: null;
  billing_term: null;
  ships: number;
  active: number;
  created_at: string;
  updated_at: string;
}

/** Products whose texts mix cases, punctuation, repeats, non-ASCII letters, empty parts. */
function products(vendorId: string, prefix: string, from: number, count: number): Row[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    const w = (n: number): string => WORDS[(i * 7 + n * 5) % WORDS.length] ?? 'kit';
    return {
      id: `prd_${prefix}_${String(i).padStart(5, '0')}`,
      vendor_id: vendorId,
      part_number: `${prefix}-${i}`,
      name: i % 11 === 0 ? '' : `${w(1)} ${w(2)}-${w(3)} ${prefix}${i % 5}`,
      description: i % 4 === 0 ? '' : `${w(3)}, ${w(4)}! (${w(5)}/${w(1)}) ${w(4)} no.${i % 3}`,
      type: 'service',
      category_id: null,
      billing_term: null,
      ships: 0,
      active: 1,
      created_at: AT,
      updated_at: AT,
    };
  });
}

/** The word index by names: each vendor's terms and counts, each posting as (product, term, score). */
async function wordIndex(db: Executor) {
  const terms = await sql<{ slug: string; term: string; products: number }>`
    select v.slug, t.term, t.products from search_terms t join vendors v on v.id = t.vendor_id
    order by v.slug, t.term`.execute(db);
  const postings = await sql<{ id: string; term: string; score: number }>`
    select p.id, t.term, sp.score from search_postings sp
    join search_terms t on t.id = sp.term_id
    join products p on p.search_key = sp.product_key and p.vendor_id = t.vendor_id
    order by p.id, t.term`.execute(db);
  const count = await sql<{ n: string }>`select count(*) as n from search_postings`.execute(db);
  // Each product's row of search_documents (migration 0026), by names.
  const documents = await sql<{ id: string; terms: string; named: string; base: number }>`
    select p.id,
      (select string_agg(t.term, ' ' order by t.term) from search_terms t
       where t.id = any(d.terms)) as terms,
      (select string_agg(t.term, ' ' order by t.term) from search_terms t
       where -t.id = any(d.terms)) as named,
      d.score_base as base
    from search_documents d join products p on p.search_key = d.product_key
    order by p.id`.execute(db);
  return {
    terms: terms.rows,
    postings: postings.rows,
    count: Number(count.rows[0]?.n),
    documents: documents.rows,
  };
}

/** search_documents as the postings say it should be: one row per product with a term. */
async function documentsFromPostings(db: Executor) {
  const rows = await sql<{ product_key: string; terms: number[]; base: number }>`
    select product_key::text, array_agg(term_id order by term_id) ||
        coalesce(array_agg(-term_id order by term_id) filter (where score < 1000), '{}') as terms,
      min(score % 1000) as base
    from search_postings group by product_key order by product_key`.execute(db);
  // The terms as a set (the arrays are in no order).
  const docs = await sql<{ product_key: string; terms: number[]; base: number }>`
    select product_key::text,
      array(select x from unnest(d.terms) x order by x > 0 desc, abs(x)) as terms,
      score_base as base
    from search_documents d order by product_key`.execute(db);
  return { want: rows.rows, got: docs.rows };
}

describe.runIf(testDialects().includes('postgres'))(
  'indexPostgresProductsAfterKey on postgres',
  () => {
    // The same vendors (by slug) and products in both: one indexed by the triggers, one in bulk.
    let byTriggers: Store;
    let inBulk: Store;
    let inHalves: Store;
    const vendorsOf = new Map<Store, [string, string]>();
    const load = (store: Store): Row[] => {
      const [first, second] = vendorsOf.get(store) ?? ['', ''];
      return [
        ...products(first, 'NEWA', 0, 150),
        ...products(second, 'NEWB', 0, 90),
        ...products(first, 'MORE', 0, 60),
      ];
    };

    beforeAll(async () => {
      byTriggers = await createTestStore('postgres');
      inBulk = await createTestStore('postgres');
      inHalves = await createTestStore('postgres');
      for (const store of [byTriggers, inBulk, inHalves]) {
        const vendor = async (slug: string): Promise<string> =>
          (
            await insertVendor(store.db, {
              slug,
              name: slug,
              profile: '{}',
              schemaVersion: 1,
              at: AT,
            })
          ).id;
        const ids: [string, string] = [await vendor('first'), await vendor('second')];
        vendorsOf.set(store, ids);
        // Products both databases already have, indexed by the triggers.
        await store.db
          .insertInto('products')
          .values([...products(ids[0], 'OLDA', 0, 40), ...products(ids[1], 'OLDB', 0, 20)])
          .execute();
      }
      // The load with the triggers on: two statements, as a loader in batches would.
      const rows = load(byTriggers);
      await byTriggers.db.insertInto('products').values(rows.slice(0, 120)).execute();
      await byTriggers.db.insertInto('products').values(rows.slice(120)).execute();
    });
    afterAll(async () => {
      await byTriggers.close();
      await inBulk.close();
      await inHalves.close();
    });

    it('writes the rows the triggers write, new terms and raised counts alike', async () => {
      const before = await wordIndex(inBulk.db);
      const indexed = await inBulk.db.transaction().execute(async (tx) => {
        const last = await sql<{
          k: string;
        }>`select coalesce(max(search_key), 0) as k from products`.execute(tx);
        await sql`set local session_replication_role = replica`.execute(tx);
        await tx.insertInto('products').values(load(inBulk)).execute();
        expect((await wordIndex(tx)).count).toBe(before.count); // the triggers were off
        await sql`set local session_replication_role = origin`.execute(tx);
        return indexPostgresProductsAfterKey(tx, Number(last.rows[0]?.k));
      });

      const want = await wordIndex(byTriggers.db);
      const got = await wordIndex(inBulk.db);
      expect(got.terms.length).toBeGreaterThan(before.terms.length);
      expect(got.terms).toEqual(want.terms);
      expect(got.postings).toEqual(want.postings);
      expect(got.count).toBe(want.count);
      expect(got.documents).toEqual(want.documents);
      expect(got.documents.length).toBeGreaterThan(before.documents.length);
      for (const db of [inBulk.db, byTriggers.db]) {
        const { want: derived, got: documents } = await documentsFromPostings(db);
        expect(documents).toEqual(derived);
      }
      expect(indexed.postings).toBe(want.count - before.count);
      expect(indexed.documents).toBe(got.documents.length - before.documents.length);
      expect(indexed.terms).toBeGreaterThan(0);
      expect(got.terms.some((t) => t.term === 'größe')).toBe(true);

      // And search reads them alike.
      const [, second = ''] = vendorsOf.get(inBulk) ?? [];
      const [, second2 = ''] = vendorsOf.get(byTriggers) ?? [];
      const page = { limit: 50, offset: 0 };
      const hits = await searchProducts(inBulk.db, { vendorIds: [second] }, 'café edge', page);
      const want2 = await searchProducts(
        byTriggers.db,
        { vendorIds: [second2] },
        'café edge',
        page,
      );
      expect(hits.map((h) => h.part_number)).toEqual(want2.map((h) => h.part_number));
      expect(hits.some((h) => h.part_number.startsWith('NEW'))).toBe(true);
    });

    it('gives the same rows from two key ranges indexed by concurrent transactions', async () => {
      const maxKey = async (): Promise<number> => {
        const r = await sql<{
          k: string;
        }>`select coalesce(max(search_key), 0) as k from products`.execute(inHalves.db);
        return Number(r.rows[0]?.k);
      };
      const after = await maxKey();
      await inHalves.db.transaction().execute(async (tx) => {
        await sql`set local session_replication_role = replica`.execute(tx);
        await tx.insertInto('products').values(load(inHalves)).execute();
      });
      const last = await maxKey();
      const mid = Math.floor((after + last) / 2);
      await Promise.all(
        [
          [after, mid],
          [mid, last],
        ].map(([lo = 0, hi = 0]) =>
          inHalves.db.transaction().execute((tx) => indexPostgresProductsAfterKey(tx, lo, hi)),
        ),
      );
      const want = await wordIndex(byTriggers.db);
      const got = await wordIndex(inHalves.db);
      expect(got.terms).toEqual(want.terms);
      expect(got.postings).toEqual(want.postings);
      expect(got.count).toBe(want.count);
      expect(got.documents).toEqual(want.documents);
    });
  },
);

describe.runIf(testDialects().includes('postgres'))('migration 0026 on postgres', () => {
  it('gives the products an existing database has their documents, and goes back', async () => {
    const store = openStore(await createTestDatabaseUrl('postgres'));
    const migrator = new Migrator({
      db: store.db,
      provider: { getMigrations: async () => migrations },
    });
    try {
      expect((await migrator.migrateTo('0023_partners_parent_index')).error).toBeUndefined();
      const vendorId = (
        await insertVendor(store.db, {
          slug: 'v',
          name: 'v',
          profile: '{}',
          schemaVersion: 1,
          at: AT,
        })
      ).id;
      // Indexed by 0018's triggers, before search_documents exists.
      await store.db
        .insertInto('products')
        .values(products(vendorId, 'OLD', 0, 80))
        .execute();
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const backfilled = await documentsFromPostings(store.db);
      expect(backfilled.got.length).toBeGreaterThan(60);
      expect(backfilled.got).toEqual(backfilled.want);
      // And the triggers keep it from then on: insert, update, delete.
      await store.db
        .insertInto('products')
        .values(products(vendorId, 'NEW', 0, 30))
        .execute();
      await store.db
        .updateTable('products')
        .set({ name: 'Renamed café kit' })
        .where('part_number', 'in', ['OLD-3', 'NEW-4', 'NEW-11'])
        .execute();
      await store.db
        .deleteFrom('products')
        .where('part_number', 'in', ['OLD-5', 'NEW-6'])
        .execute();
      const kept = await documentsFromPostings(store.db);
      expect(kept.got).toEqual(kept.want);
      expect(kept.got.length).toBeGreaterThan(backfilled.got.length);
      // The trigger function plans its statements without JIT (priced far above what they do).
      const config = async () =>
        (
          await sql<{ c: string[] | null }>`
            select proconfig as c from pg_proc where proname = 'search_postings_sync'`.execute(
            store.db,
          )
        ).rows[0]?.c ?? null;
      expect(await config()).toEqual(['jit=off']);

      expect((await migrator.migrateTo('0023_partners_parent_index')).error).toBeUndefined();
      const gone = await sql<{ t: string | null }>`
        select to_regclass('search_documents')::text as t`.execute(store.db);
      expect(gone.rows[0]?.t).toBeNull();
      expect(await config()).toBeNull();
      // 0018's triggers as they were: products are still indexed, without documents.
      await store.db
        .insertInto('products')
        .values(products(vendorId, 'AFTER', 0, 5))
        .execute();
      const after = await sql<{ n: string }>`
        select count(*) as n from search_postings sp
        join products p on p.search_key = sp.product_key
        where p.part_number like 'AFTER-%'`.execute(store.db);
      expect(Number(after.rows[0]?.n)).toBeGreaterThan(0);
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const again = await documentsFromPostings(store.db);
      expect(again.got).toEqual(again.want);
    } finally {
      await store.close();
    }
  });
});

describe.runIf(testDialects().includes('sqlite'))('indexPostgresProductsAfterKey on sqlite', () => {
  it('refuses: SQLite bulk loads are indexed by indexProductsAfterRowid', async () => {
    const store = await createTestStore('sqlite');
    try {
      await expect(indexPostgresProductsAfterKey(store.db, 0)).rejects.toThrow(/PostgreSQL only/);
    } finally {
      await store.close();
    }
  });
});
