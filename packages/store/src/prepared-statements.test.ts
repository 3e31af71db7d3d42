// The named prepared statements a pooled PostgreSQL connection makes of each parameterized
// statement (dialects.ts, prepareStatementsOn) when one goes stale while the connection lives:
// another server's migration changes what a `select *` returns, or the session's statements
// are discarded (as a pooler in front of PostgreSQL may do). One pooled connection, so that
// every call reuses what the ones before it prepared.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, testDialects } from '../test/databases.ts';
import { openStore, type Store } from './dialects.ts';
import { migrateToLatest } from './migrate.ts';

const at = '2026-12-03T10:00:00.000Z';

/** The statements this session has prepared outside pipelines (pg_prepared_statements). */
async function prepared(store: Store): Promise<string[]> {
  const rows = await sql<{ name: string }>`
    select name from pg_prepared_statements where name like 'od\\_%' order by name`.execute(
    store.db,
  );
  return rows.rows.map((r) => r.name);
}

describe.runIf(testDialects().includes('postgres'))('prepared statements on postgres', () => {
  it('prepares again a statement that went stale, retrying it at once outside a transaction', async () => {
    const url = await createTestDatabaseUrl('postgres');
    const store = openStore(url, { poolSize: 1 });
    const other = openStore(url, { poolSize: 1 });
    try {
      await migrateToLatest(store);
      await store.db
        .insertInto('partners')
        .values({ id: 'prt_a', name: 'A', tier: 1, parent_partner_id: null, created_at: at })
        .execute();
      const read = () => store.db.selectFrom('partners').selectAll().where('id', '=', 'prt_a');
      const inTransaction = () =>
        store.db.transaction().execute(async (tx) => {
          // The transaction's first statement goes with its BEGIN (a pipeline); the second is
          // the connection's own prepared statement.
          await tx.selectFrom('vendors').select('id').where('id', '=', 'none').execute();
          return tx.selectFrom('partners').selectAll().where('id', '=', 'prt_a').execute();
        });
      expect(await read().execute()).toHaveLength(1);
      expect(await inTransaction()).toHaveLength(1);
      const names = await prepared(store);
      expect(names.length).toBeGreaterThan(0);

      // Another server's migration adds a column: the prepared `select *` no longer fits.
      await sql`alter table partners add column note text`.execute(other.db);
      // Outside a transaction: retried at once under a new name, with the new column.
      const row = await read().executeTakeFirstOrThrow();
      expect(row).toMatchObject({ id: 'prt_a', note: null });
      // Inside one: PostgreSQL refuses the old plan at most once, then it is prepared again.
      await sql`alter table partners add column note2 text`.execute(other.db);
      const outcomes: string[] = [];
      for (let i = 0; i < 3; i++) {
        outcomes.push(
          await inTransaction().then(
            (rows) => `rows ${rows.length}`,
            (error: Error) => error.message,
          ),
        );
      }
      expect(outcomes.slice(1)).toEqual(['rows 1', 'rows 1']);
      expect(outcomes[0]).toMatch(/rows 1|cached plan must not change result type/);

      // The session's statements discarded behind pg's back: outside a transaction prepared
      // again with no error; a transaction (whose BEGIN pipeline's statements are gone too)
      // fails at most once.
      await sql`deallocate all`.execute(store.db);
      expect(await read().execute()).toHaveLength(1);
      const after: string[] = [];
      for (let i = 0; i < 3; i++) {
        after.push(
          await inTransaction().then(
            (rows) => `rows ${rows.length}`,
            (error: Error) => error.message,
          ),
        );
      }
      expect(after.slice(1)).toEqual(['rows 1', 'rows 1']);
      expect(after[0]).toMatch(/rows 1|does not exist/);
      expect((await prepared(store)).some((n) => /\.\d+$/.test(n))).toBe(true);
    } finally {
      await other.close();
      await store.close();
    }
  });
});
