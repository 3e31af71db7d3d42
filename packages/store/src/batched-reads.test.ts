import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, testDialects, watchedDatabase } from '../test/databases.ts';
import { batchedReads, deferredWrites, shiftPlaceholders } from './batched-reads.ts';
import { openStore } from './dialects.ts';
import { migrateToLatest } from './migrate.ts';

describe('shiftPlaceholders', () => {
  it('renumbers $n outside quoted literals and names only', () => {
    expect(shiftPlaceholders(`select $1, '$2', "$3", $10 where a = 'it''s $4' and b = $2`, 5)).toBe(
      `select $6, '$2', "$3", $15 where a = 'it''s $4' and b = $7`,
    );
    expect(shiftPlaceholders('select $1', 0)).toBe('select $1');
  });
});

// The reads a use case issues together in a transaction (Promise.all through batchedReads) go
// to PostgreSQL as one statement, and each gets exactly the rows it would have got alone.
describe.each(testDialects())('batched reads on %s', (dialect) => {
  it('answers each read as it would alone, and the transaction goes on', async () => {
    const url = await createTestDatabaseUrl(dialect);
    const store = openStore(url, { poolSize: 2 });
    try {
      await migrateToLatest(store);
      const at = '2026-12-02T10:00:00.000Z';
      await store.db
        .insertInto('partners')
        .values([
          { id: 'prt_a', name: "O'Brien & Co", tier: 1, parent_partner_id: null, created_at: at },
          {
            id: 'prt_b',
            name: 'Beta $1 Resale',
            tier: 2,
            parent_partner_id: 'prt_a',
            created_at: at,
          },
          { id: 'prt_c', name: 'Contoso', tier: 1, parent_partner_id: null, created_at: at },
        ])
        .execute();
      await store.db
        .insertInto('counters')
        .values({ vendor_id: 'v', name: 'big', value: 9_007_199_254_740_000 })
        .execute();
      const alone = await store.db.transaction().execute(async (tx) => ({
        children: await tx
          .selectFrom('partners')
          .select(['id', 'name'])
          .where('parent_partner_id', '=', 'prt_a')
          .execute(),
        byName: await sql<{
          id: string;
          tier: number;
        }>`select id, tier from partners where name = ${"O'Brien & Co"} or name = ${'Beta $1 Resale'} order by id desc`.execute(
          tx,
        ),
        counter: await tx.selectFrom('counters').selectAll().execute(),
        none: await tx.selectFrom('partners').selectAll().where('id', '=', 'nobody').execute(),
      }));
      const together = await store.db.transaction().execute(async (tx) => {
        const reads = await batchedReads(tx);
        const [children, byName, counter, none] = await Promise.all([
          reads
            .selectFrom('partners')
            .select(['id', 'name'])
            .where('parent_partner_id', '=', 'prt_a')
            .execute(),
          sql<{
            id: string;
            tier: number;
          }>`select id, tier from partners where name = ${"O'Brien & Co"} or name = ${'Beta $1 Resale'} order by id desc`.execute(
            reads,
          ),
          reads.selectFrom('counters').selectAll().execute(),
          reads.selectFrom('partners').selectAll().where('id', '=', 'nobody').execute(),
        ]);
        // The transaction goes on as usual afterwards.
        await tx
          .updateTable('partners')
          .set({ name: 'Contoso Ltd' })
          .where('id', '=', 'prt_c')
          .execute();
        return { children, byName, counter, none };
      });
      expect(together.children).toEqual(alone.children);
      expect(together.byName.rows).toEqual(alone.byName.rows);
      expect(together.byName.rows.map((r) => r.id)).toEqual(['prt_b', 'prt_a']);
      expect(together.counter).toEqual(alone.counter);
      expect(together.counter[0]?.value).toBe(9_007_199_254_740_000);
      expect(together.none).toEqual([]);
      const renamed = await store.db
        .selectFrom('partners')
        .select('name')
        .where('id', '=', 'prt_c')
        .executeTakeFirst();
      expect(renamed?.name).toBe('Contoso Ltd');
    } finally {
      await store.close();
    }
  });
});

describe.each(testDialects().filter((d) => d === 'postgres'))('batched reads on %s', (dialect) => {
  it('sends the reads of one turn as one statement', async () => {
    const { db, sent } = await watchedDatabase(dialect);
    try {
      await db.transaction().execute(async (tx) => {
        const reads = await batchedReads(tx);
        await Promise.all([
          reads.selectFrom('partners').select('id').execute(),
          reads.selectFrom('vendors').select('id').execute(),
          reads.selectFrom('users').select('id').execute(),
        ]);
        await tx.selectFrom('partners').select('id').execute();
      });
    } finally {
      await db.destroy();
    }
    // The reads before BEGIN (READ COMMITTED: the same snapshots), which goes with the next.
    expect(sent).toHaveLength(3);
    expect(sent[0]).toMatch(/^select .*json_agg.*json_agg.*json_agg/s);
    expect(sent[1]).toMatch(/^begin;\nselect "id" from "partners"$/);
    expect(sent[2]).toBe('commit');
  });
  it('sends BEGIN with the first statement that needs the transaction, and none for reads alone', async () => {
    const { db, sent } = await watchedDatabase(dialect);
    const at = '2026-12-02T10:00:00.000Z';
    const partner = (id: string) => ({
      id,
      name: id,
      tier: 1,
      parent_partner_id: null,
      created_at: at,
    });
    try {
      // Reads only: no transaction at all.
      const read = await db.transaction().execute(async (tx) => {
        const reads = await batchedReads(tx);
        return Promise.all([
          reads.selectFrom('partners').select('id').execute(),
          reads.selectFrom('vendors').select('id').execute(),
        ]);
      });
      expect(read).toEqual([[], []]);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatch(/^select /);

      // A value with no literal (an array): BEGIN on its own first.
      sent.length = 0;
      const tags = await db.transaction().execute(async (tx) => {
        const r = await sql<{ n: number }>`select cardinality(${['a', 'b']}::text[]) as n`.execute(
          tx,
        );
        return r.rows[0]?.n;
      });
      expect(tags).toBe(2);
      expect(sent.map((q) => q.split(/\s+/)[0])).toEqual(['begin', 'select', 'commit']);

      // A write that returns rows answers them through the combined BEGIN.
      sent.length = 0;
      const inserted = await db
        .transaction()
        .execute((tx) =>
          tx.insertInto('partners').values(partner('prt_r')).returning('id').execute(),
        );
      expect(inserted).toEqual([{ id: 'prt_r' }]);
      expect(sent[0]).toMatch(/^begin;\ninsert into "partners"/);

      // A failure in the combined statement rolls back what the transaction did, and the
      // connection (the pool has one) goes on with the next transaction.
      await expect(
        db.transaction().execute(async (tx) => {
          await tx.insertInto('partners').values(partner('prt_s')).execute();
          await tx.insertInto('partners').values(partner('prt_r')).execute();
        }),
      ).rejects.toThrow(/duplicate key/);
      await expect(
        db
          .transaction()
          .execute((tx) => tx.insertInto('partners').values(partner('prt_r')).execute()),
      ).rejects.toThrow(/duplicate key/);
      const ids = await db.selectFrom('partners').select('id').orderBy('id').execute();
      expect(ids).toEqual([{ id: 'prt_r' }]);
    } finally {
      await db.destroy();
    }
  });
  it('sends the last writes with the COMMIT, exactly as written, and fails the commit on a duplicate', async () => {
    const { db, sent } = await watchedDatabase(dialect);
    const at = '2026-12-02T10:00:00.000Z';
    const tricky = `O'Brien \\ "Co" $1 ; commit; -- 100% ✓ \n e'x'`;
    try {
      await db.transaction().execute(async (tx) => {
        const later = deferredWrites(tx);
        await later
          .insertInto('partners')
          .values({ id: 'prt_x', name: tricky, tier: 1, parent_partner_id: null, created_at: at })
          .execute();
        await later
          .insertInto('partners')
          .values({ id: 'prt_y', name: 'Y', tier: 2, parent_partner_id: null, created_at: at })
          .execute();
      });
      // One round trip for both inserts and the COMMIT.
      expect(sent.filter((q) => /insert into "partners"/.test(q))).toHaveLength(1);
      expect(sent.at(-1)).toMatch(
        /^begin;\ninsert into "partners".*;\ninsert into "partners".*;\ncommit$/s,
      );
      const rows = await db
        .selectFrom('partners')
        .select(['id', 'name', 'tier'])
        .orderBy('id')
        .execute();
      expect(rows).toEqual([
        { id: 'prt_x', name: tricky, tier: 1 },
        { id: 'prt_y', name: 'Y', tier: 2 },
      ]);

      // A read after a held write sees it (the write goes first).
      const seen = await db.transaction().execute(async (tx) => {
        await deferredWrites(tx)
          .insertInto('partners')
          .values({ id: 'prt_z', name: 'Z', tier: 1, parent_partner_id: null, created_at: at })
          .execute();
        return tx.selectFrom('partners').select('id').where('id', '=', 'prt_z').execute();
      });
      expect(seen).toEqual([{ id: 'prt_z' }]);

      // A duplicate key among the held writes fails the commit; nothing of it is kept.
      await expect(
        db.transaction().execute(async (tx) => {
          await tx
            .updateTable('partners')
            .set({ name: 'changed' })
            .where('id', '=', 'prt_y')
            .execute();
          await deferredWrites(tx)
            .insertInto('partners')
            .values({
              id: 'prt_x',
              name: 'again',
              tier: 1,
              parent_partner_id: null,
              created_at: at,
            })
            .execute();
        }),
      ).rejects.toMatchObject({ code: '23505' });
      const y = await db
        .selectFrom('partners')
        .select('name')
        .where('id', '=', 'prt_y')
        .executeTakeFirst();
      expect(y?.name).toBe('Y');
    } finally {
      await db.destroy();
    }
  });
});
