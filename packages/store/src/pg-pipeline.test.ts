// The pipeline of prepared statements (pg-pipeline.ts) that carries a PostgreSQL transaction's
// BEGIN with its first statement and its last writes with the COMMIT: statements prepared once
// per connection, answers parsed as pg parses them, and a failure that leaves the connection
// usable for the same statements again. One pooled connection, so that every transaction
// reuses what the ones before it prepared.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, testDialects } from '../test/databases.ts';
import { deferredWrites } from './batched-reads.ts';
import { openStore, type Store } from './dialects.ts';
import { migrateToLatest } from './migrate.ts';
import { attempts, partnerRow, preparedStatementNames } from '../test/fixtures.ts';

const at = '2026-12-02T10:00:00.000Z';
const partner = (id: string, name = id) => partnerRow(id, at, name);

/** The statements this session has prepared through pipelines. */
const pipelined = (store: Store) => preparedStatementNames(store.db, 'odp_');

describe.runIf(testDialects().includes('postgres'))('pipelined statements on postgres', () => {
  it('prepares each statement once per connection and answers as pg does', async () => {
    const store = openStore(await createTestDatabaseUrl('postgres'), { poolSize: 1 });
    try {
      await migrateToLatest(store);
      // BEGIN goes with the first statement: its answer is that statement's, parsed as pg does.
      const first = await store.db.transaction().execute((tx) =>
        tx
          .insertInto('partners')
          .values(partner('prt_a', "O'Brien \\ $1 ✓"))
          .returning(['id', 'name', 'tier', sql<string>`now()`.as('at')])
          .executeTakeFirstOrThrow(),
      );
      expect(first).toMatchObject({ id: 'prt_a', name: "O'Brien \\ $1 ✓", tier: 1 });
      expect(first.at).toBeInstanceOf(Date);
      const afterFirst = await pipelined(store);
      expect(afterFirst).toHaveLength(1);

      // The same statement again (and twice in one pipeline): no second Parse of it.
      for (const id of ['prt_b', 'prt_c']) {
        await store.db.transaction().execute(async (tx) => {
          const later = deferredWrites(tx);
          await later
            .insertInto('partners')
            .values(partner(`${id}1`))
            .execute();
          await later
            .insertInto('partners')
            .values(partner(`${id}2`))
            .execute();
        });
      }
      const names = await pipelined(store);
      expect(names).toHaveLength(2); // the RETURNING insert and the plain one
      expect(names).toEqual(expect.arrayContaining(afterFirst));
      const ids = await store.db.selectFrom('partners').select('id').orderBy('id').execute();
      expect(ids.map((r) => r.id)).toEqual(['prt_a', 'prt_b1', 'prt_b2', 'prt_c1', 'prt_c2']);
    } finally {
      await store.close();
    }
  });

  it('fails on the first error, keeps nothing of it, and runs the same statements again', async () => {
    const store = openStore(await createTestDatabaseUrl('postgres'), { poolSize: 1 });
    try {
      await migrateToLatest(store);
      await store.db.insertInto('partners').values(partner('prt_x')).execute();
      // A new statement prepared in a pipeline that then fails on a duplicate key: the
      // transaction is rolled back, and whether the statement exists is not known.
      const failing = store.db.transaction().execute(async (tx) => {
        const later = deferredWrites(tx);
        await later
          .insertInto('partners')
          .values({ ...partner('prt_y'), parent_partner_id: null })
          .execute();
        await later.insertInto('partners').values(partner('prt_x')).execute();
        await later.insertInto('partners').values(partner('prt_z')).execute();
      });
      await expect(failing).rejects.toThrow(/duplicate key/);
      expect(
        (await store.db.selectFrom('partners').select('id').execute()).map((r) => r.id),
      ).toEqual(['prt_x']);
      // The same statements on the same connection: closed and prepared again, they run.
      await store.db.transaction().execute(async (tx) => {
        const later = deferredWrites(tx);
        await later.insertInto('partners').values(partner('prt_y')).execute();
        await later.insertInto('partners').values(partner('prt_z')).execute();
      });
      // A statement PostgreSQL cannot prepare fails its pipeline, and the connection goes on.
      await expect(
        store.db.transaction().execute(async (tx) => {
          await sql`insert into no_such_table (id) values (${'x'})`.execute(tx);
        }),
      ).rejects.toThrow(/no_such_table/);
      await store.db.transaction().execute(async (tx) => {
        await deferredWrites(tx).insertInto('partners').values(partner('prt_w')).execute();
      });
      expect(
        (await store.db.selectFrom('partners').select('id').orderBy('id').execute()).map(
          (r) => r.id,
        ),
      ).toEqual(['prt_w', 'prt_x', 'prt_y', 'prt_z']);
    } finally {
      await store.close();
    }
  });

  it('fails on a value its parser refuses, and the connection goes on', async () => {
    const store = openStore(await createTestDatabaseUrl('postgres'), { poolSize: 1 });
    try {
      await migrateToLatest(store);
      await store.db
        .insertInto('counters')
        .values({ vendor_id: 'v', name: 'huge', value: 1 })
        .execute();
      await sql`update counters set value = 9007199254740993 where name = 'huge'`.execute(store.db);
      // The transaction's first statement, with BEGIN in its pipeline: the int8 beyond 2^53
      // fails it, as it fails pg's own queries, instead of escaping from the socket's reader.
      await expect(
        store.db
          .transaction()
          .execute((tx) =>
            tx.selectFrom('counters').selectAll().where('name', '=', 'huge').execute(),
          ),
      ).rejects.toThrow(/2\^53|safe/i);
      const after = await store.db
        .transaction()
        .execute((tx) =>
          tx.updateTable('counters').set({ value: 2 }).where('name', '=', 'huge').execute(),
        );
      expect(after[0]?.numUpdatedRows).toBe(1n);
    } finally {
      await store.close();
    }
  });

  it('prepares again a statement whose table changed, and names no large statement', async () => {
    const url = await createTestDatabaseUrl('postgres');
    const store = openStore(url, { poolSize: 1 });
    const other = openStore(url, { poolSize: 1 });
    try {
      await migrateToLatest(store);
      const read = () =>
        store.db
          .transaction()
          .execute((tx) =>
            tx.selectFrom('partners').selectAll().where('id', '=', 'prt_a').execute(),
          );
      await store.db.insertInto('partners').values(partner('prt_a')).execute();
      expect(await read()).toHaveLength(1);
      // Another server's migration adds a column: the prepared `select *` no longer fits.
      await sql`alter table partners add column note text`.execute(other.db);
      const outcomes = await attempts(3, read);
      // PostgreSQL refuses the old plan at most once; then the statement is prepared again.
      expect(outcomes.slice(1)).toEqual(['rows 1', 'rows 1']);
      expect(outcomes[0]).toMatch(/rows 1|cached plan must not change result type/);

      // 100 rows × 5 columns: 500 parameters, sent unnamed.
      const before = await pipelined(store);
      await store.db.transaction().execute(async (tx) => {
        await deferredWrites(tx)
          .insertInto('partners')
          .values(Array.from({ length: 100 }, (_, i) => partner(`prt_many_${i}`)))
          .execute();
      });
      expect(await pipelined(store)).toEqual(before);
      expect(await store.db.selectFrom('partners').select('id').execute()).toHaveLength(101);
    } finally {
      await other.close();
      await store.close();
    }
  });
});
