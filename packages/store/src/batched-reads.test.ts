import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, testDialects, watchQueries } from '../test/databases.ts';
import {
  batchedReads,
  BatchingPostgresDialect,
  deferredWrites,
  shiftPlaceholders,
} from './batched-reads.ts';
import { openStore, type DialectName } from './dialects.ts';
import { migrateToLatest } from './migrate.ts';
import type { Database } from './schema.ts';

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

/** A migrated database behind the store's pg dialect, and the queries sent to it so far. */
async function watchedDatabase(
  dialect: DialectName,
): Promise<{ db: Kysely<Database>; sent: string[] }> {
  const url = await createTestDatabaseUrl(dialect);
  const setup = openStore(url, { poolSize: 1 });
  await migrateToLatest(setup);
  await setup.close();
  const sent: string[] = [];
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  watchQueries(pool, (text) => sent.push(text));
  return { db: new Kysely<Database>({ dialect: new BatchingPostgresDialect({ pool }) }), sent };
}

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
    expect(sent.map((s) => s.split(/\s+/)[0]?.toLowerCase())).toEqual([
      'begin',
      'select',
      'select',
      'commit',
    ]);
    expect(sent[1]).toMatch(/json_agg.*json_agg.*json_agg/s);
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
        /^insert into "partners".*;\ninsert into "partners".*;\ncommit$/s,
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
