// The named prepared statements a pooled PostgreSQL connection makes of each parameterized
// statement (dialects.ts, prepareStatementsOn) when they go stale while the connection lives:
// another server's migration changes what a `select *` returns, or the session's statements
// are discarded (as a pooler in front of PostgreSQL may do). One pooled connection, so that
// every call reuses what the ones before it prepared.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, testDialects } from '../test/databases.ts';
import { openStore, type Store } from './dialects.ts';
import { migrateToLatest } from './migrate.ts';
import { attempts, partnerRow, preparedStatementNames } from '../test/fixtures.ts';

const at = '2026-12-03T10:00:00.000Z';
const partner = (id: string) => partnerRow(id, at);

/** The statements this session has prepared outside pipelines. */
const prepared = (store: Store) => preparedStatementNames(store.db, 'od_');

describe.runIf(testDialects().includes('postgres'))('prepared statements on postgres', () => {
  it('prepares again statements that went stale: at once outside a transaction, after one failure inside', async () => {
    const url = await createTestDatabaseUrl('postgres');
    const store = openStore(url, { poolSize: 1 });
    const other = openStore(url, { poolSize: 1 });
    try {
      await migrateToLatest(store);
      await store.db.insertInto('partners').values(partner('prt_a')).execute();
      const read = () => store.db.selectFrom('partners').selectAll().where('id', '=', 'prt_a');
      const insert = (id: string) =>
        store.db.insertInto('partners').values(partner(id)).returningAll().execute();
      // The transaction's first statement goes with its BEGIN (a pipeline, its own names);
      // the next two are the connection's prepared statements, both `select *`.
      const inTransaction = () =>
        store.db.transaction().execute(async (tx) => {
          await tx.selectFrom('vendors').select('id').where('id', '=', 'none').execute();
          await tx.selectFrom('customers').selectAll().where('id', '=', 'none').execute();
          return tx.selectFrom('partners').selectAll().where('id', '=', 'prt_a').execute();
        });
      expect(await read().execute()).toHaveLength(1);
      expect(await insert('prt_b')).toHaveLength(1);
      expect(await inTransaction()).toHaveLength(1);
      expect(await prepared(store)).not.toEqual([]);

      // Another server's migration adds a column: the prepared `select *`s no longer fit.
      // Outside a transaction the call is run again at once, once, with the new column.
      await sql`alter table partners add column note text`.execute(other.db);
      expect(await insert('prt_c')).toEqual([expect.objectContaining({ id: 'prt_c', note: null })]);
      expect(await read().executeTakeFirstOrThrow()).toMatchObject({ id: 'prt_a', note: null });
      expect(
        await store.db.selectFrom('partners').select('id').where('id', '=', 'prt_c').execute(),
      ).toHaveLength(1);

      // Inside a transaction: two tables changed, one failed transaction (the first stale
      // statement renames them all), then the statements are prepared again.
      await sql`alter table partners add column note2 text`.execute(other.db);
      await sql`alter table customers add column note text`.execute(other.db);
      expect(await attempts(3, inTransaction)).toEqual([
        'cached plan must not change result type',
        'rows 1',
        'rows 1',
      ]);

      // The session's statements discarded behind pg's back: outside a transaction prepared
      // again with no error; a transaction whose BEGIN pipeline's statements are gone too
      // fails once.
      await sql`deallocate all`.execute(store.db);
      expect(await read().execute()).toHaveLength(1);
      const after = await attempts(3, inTransaction);
      expect(after.slice(1)).toEqual(['rows 1', 'rows 1']);
      expect(after[0]).toMatch(/^prepared statement "odp_.*" does not exist$/);
      // Three generations went stale (two migrations, the discard): the session's statements
      // now are all of the fourth.
      const names = await prepared(store);
      expect(names.length).toBeGreaterThan(1);
      expect(names.filter((n) => !n.endsWith('.4'))).toEqual([]);
    } finally {
      await other.close();
      await store.close();
    }
  });
});
