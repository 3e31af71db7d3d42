// Migration 0027 (order numbers from a per-vendor sequence on PostgreSQL) going down and up
// again on a database with numbered orders: no number is handed out twice either way.
import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, testDialects } from '../test/databases.ts';
import { orderLine, orderRow, seedTenancy, type Tenancy } from '../test/fixtures.ts';
import { openStore, type Store } from './dialects.ts';
import { migrations } from './migrations/index.ts';
import { insertNumberedOrder } from './orders.repository.ts';
import { nextCounterValue } from './counters.repository.ts';

describe.each(testDialects())('migration 0027 on %s', (dialect) => {
  let store: Store;
  let t: Tenancy;
  const migrator = () =>
    new Migrator({ db: store.db, provider: { getMigrations: async () => migrations } });
  const numbered = async (id: string) =>
    (
      await insertNumberedOrder(store.db, { ...orderRow(t), id }, [orderLine(id, 1)], {
        prefix: 'SEQ-',
        counter: 'order',
      })
    ).number;

  beforeAll(async () => {
    store = openStore(await createTestDatabaseUrl(dialect));
    expect((await migrator().migrateToLatest()).error).toBeUndefined();
    t = await seedTenancy(store.db, 'seq');
  });
  afterAll(async () => {
    await store.close();
  });

  it('goes back to the counters table where the sequence stopped, and on again after it', async () => {
    expect(await numbered('ord_seq_1')).toBe('SEQ-000001');
    expect(await numbered('ord_seq_2')).toBe('SEQ-000002');
    expect((await migrator().migrateTo('0026_search_documents')).error).toBeUndefined();
    const counter = await store.db
      .selectFrom('counters')
      .select('value')
      .where('vendor_id', '=', t.vendor.id)
      .where('name', '=', 'order')
      .executeTakeFirst();
    // On PostgreSQL the sequence's last value went back into the table; SQLite never left it.
    expect(Number(counter?.value)).toBe(2);
    // The code of before 0027 numbers the next order from the table…
    expect(await nextCounterValue(store.db, t.vendor.id, 'order')).toBe(3);
    // …and the sequence made again by the next order after 0027 goes on from there.
    expect((await migrator().migrateToLatest()).error).toBeUndefined();
    expect(await numbered('ord_seq_4')).toBe('SEQ-000004');
  });
});
