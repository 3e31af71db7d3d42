import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, testDialects } from '../test/databases.ts';
import { openStore, type Store } from './dialects.ts';
import { isUniqueViolation } from './executor.ts';
import { migrations } from './migrations/index.ts';

const AT = '2026-01-01T00:00:00.000Z';

function migrator(store: Store): Migrator {
  return new Migrator({ db: store.db, provider: { getMigrations: async () => migrations } });
}

// Migration 0006 on a database holding rows written before it: the backfills, and (SQLite)
// the rebuilt quotes table keeping the rows that reference it.
describe.each(testDialects())('migration 0006 on %s', (dialect) => {
  let store: Store;
  beforeAll(async () => {
    store = openStore(await createTestDatabaseUrl(dialect));
    const to5 = await migrator(store).migrateTo('0005_outbox');
    expect(to5.error).toBeUndefined();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const db = store.db as any;
    const stamp = { created_at: AT, updated_at: AT };
    await db
      .insertInto('vendors')
      .values({ id: 'ven_1', slug: 'v', name: 'V', profile: '{"slug":"v"}', ...stamp })
      .execute();
    await db
      .insertInto('partners')
      .values({ id: 'ptn_1', name: 'P', tier: 1, created_at: AT })
      .execute();
    await db
      .insertInto('customers')
      .values({
        id: 'cus_1',
        partner_id: 'ptn_1',
        name: 'C',
        domains: '[]',
        addresses: '[]',
        ...stamp,
      })
      .execute();
    const quote = {
      vendor_id: 'ven_1',
      partner_id: 'ptn_1',
      customer_id: 'cus_1',
      number: 'Q-1',
      status: 'approved',
      order_type: 'new',
      currency: 'USD',
      valid_until: '2026-02-01',
      total_minor: 100,
      created_by: 'u',
      ...stamp,
    };
    await db
      .insertInto('quotes')
      .values([
        { ...quote, id: 'quo_1', version: 1, status: 'superseded' },
        { ...quote, id: 'quo_2', version: 2, previous_id: 'quo_1' },
      ])
      .execute();
    await db
      .insertInto('quote_lines')
      .values({
        quote_id: 'quo_2',
        line_no: 1,
        part_number: 'A',
        name: 'A',
        quantity: 1,
        list_price_minor: 100,
        multiplier: '1',
        net_price_minor: 100,
        amount_minor: 100,
      })
      .execute();
    await db
      .insertInto('orders')
      .values({
        id: 'ord_1',
        vendor_id: 'ven_1',
        partner_id: 'ptn_1',
        ordering_partner_id: 'ptn_1',
        customer_id: 'cus_1',
        number: 'O-1',
        type: 'new',
        channel: 'api',
        status: 'submitted',
        version: 1,
        quote_id: 'quo_2',
        currency: 'USD',
        total_minor: 100,
        body: '{}',
        problems: '[]',
        submitted_by: 'u',
        submitted_at: AT,
        ...stamp,
      })
      .execute();
    const latest = await migrator(store).migrateToLatest();
    expect(latest.error).toBeUndefined();
  });
  afterAll(async () => {
    await store.close();
  });

  it('makes each vendor profile its version 1', async () => {
    const vendor = await store.db.selectFrom('vendors').selectAll().executeTakeFirstOrThrow();
    expect(vendor.profile_version).toBe(1);
    const versions = await store.db.selectFrom('vendor_profiles').selectAll().execute();
    expect(versions).toEqual([
      {
        id: 'vpr_1',
        vendor_id: 'ven_1',
        version: 1,
        schema_version: 1,
        source: '{"slug":"v"}',
        format: 'json',
        created_by: null,
        created_at: AT,
      },
    ]);
  });

  it('turns the old quote version into the revision and keeps what references quotes', async () => {
    const quotes = await store.db
      .selectFrom('quotes')
      .select(['id', 'revision', 'version', 'previous_id'])
      .orderBy('id')
      .execute();
    expect(quotes).toEqual([
      { id: 'quo_1', revision: 1, version: 1, previous_id: null },
      { id: 'quo_2', revision: 2, version: 2, previous_id: 'quo_1' },
    ]);
    const order = await store.db
      .selectFrom('orders')
      .select(['quote_id', 'profile_version'])
      .executeTakeFirstOrThrow();
    expect(order).toEqual({ quote_id: 'quo_2', profile_version: null });
    const lines = await store.db.selectFrom('quote_lines').select('quote_id').execute();
    expect(lines).toEqual([{ quote_id: 'quo_2' }]);
  });

  it('keys quotes by revision, lets two revisions share a version, and still checks references', async () => {
    const base = await store.db
      .selectFrom('quotes')
      .selectAll()
      .where('id', '=', 'quo_2')
      .executeTakeFirstOrThrow();
    // A new revision starts at version 1 though revision 1 is at version 1 too.
    await store.db
      .insertInto('quotes')
      .values({ ...base, id: 'quo_3', revision: 3, version: 1 })
      .execute();
    await expect(
      store.db
        .insertInto('quotes')
        .values({ ...base, id: 'quo_4', revision: 3, version: 1 })
        .execute(),
    ).rejects.toSatisfy(isUniqueViolation);
    await expect(
      store.db
        .insertInto('quote_lines')
        .values({
          quote_id: 'quo_missing',
          line_no: 1,
          part_number: 'A',
          name: 'A',
          quantity: 1,
          list_price_minor: 1,
          multiplier: '1',
          net_price_minor: 1,
          amount_minor: 1,
        })
        .execute(),
    ).rejects.toThrow(/foreign key/i);
  });

  it('migrates down and up again', async () => {
    const m = migrator(store);
    await store.db.deleteFrom('quotes').where('id', '=', 'quo_3').execute();
    const down = await m.migrateTo('0005_outbox');
    expect(down.error).toBeUndefined();
    const q = await sql<{ version: number }>`select version from quotes where id = 'quo_2'`.execute(
      store.db,
    );
    expect(q.rows[0]?.version).toBe(2);
    const up = await m.migrateToLatest();
    expect(up.error).toBeUndefined();
  });
});

// Migration 0029 (PostgreSQL): the replay bodies and order documents are compressed with lz4.
describe.each(testDialects().filter((d) => d === 'postgres'))('migration 0029 on %s', (dialect) => {
  let store: Store;
  beforeAll(async () => {
    store = openStore(await createTestDatabaseUrl(dialect));
    const latest = await migrator(store).migrateToLatest();
    expect(latest.error).toBeUndefined();
  });
  afterAll(async () => {
    await store.close();
  });

  const methods = async (): Promise<string[]> => {
    const r = await sql<{ c: string }>`select attrelid::regclass || '.' || attname || '=' ||
        attcompression::text as c from pg_attribute
      where (attrelid, attname) in (('idempotency_keys'::regclass, 'response_body'),
        ('orders'::regclass, 'body'), ('audit_events'::regclass, 'data'))
      order by 1`.execute(store.db);
    return r.rows.map((row) => row.c);
  };

  it('compresses new response bodies with lz4, and migrates down to the default', async () => {
    expect(await methods()).toEqual([
      'audit_events.data=l',
      'idempotency_keys.response_body=l',
      'orders.body=l',
    ]);
    const body = JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ line: i, part: 'P-1' })));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const db = store.db as any;
    await db
      .insertInto('idempotency_keys')
      .values({
        id: 'idk_1',
        user_id: 'usr_z',
        key: 'k',
        method: 'POST',
        path: '/api/v1/orders',
        request_hash: 'h',
        status_code: 201,
        response_body: body,
        created_at: AT,
      })
      .execute();
    const stored = await sql<{ m: string; b: string }>`select pg_column_compression(response_body)
      as m, response_body as b from idempotency_keys where id = 'idk_1'`.execute(store.db);
    expect(stored.rows[0]).toEqual({ m: 'lz4', b: body });

    // Down to before 0029 (later migrations first).
    const down = await migrator(store).migrateTo('0028_subscriptions_current_index');
    expect(down.error).toBeUndefined();
    expect(await methods()).toEqual([
      'audit_events.data=',
      'idempotency_keys.response_body=',
      'orders.body=',
    ]);
    const up = await migrator(store).migrateToLatest();
    expect(up.error).toBeUndefined();
  });
});
