import { Migrator, sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, testDialects } from '../test/databases.ts';
import { openStore, type Store } from './dialects.ts';
import { migrateToLatest } from './migrate.ts';
import { migrations } from './migrations/index.ts';

// Migration 0017 (the unique index on live PO numbers) on a database that already holds live
// duplicates: the extra orders are held as the desk would hold them, or the migration stops,
// before writing anything, with the orders named and what to do.

const AT = '2026-01-01T00:00:00.000Z';
const AT2 = '2026-01-02T00:00:00.000Z';

// A resolved profile's workflow that holds submitted orders only.
const HOLDS_SUBMITTED_ONLY = JSON.stringify({
  slug: 'ven_1',
  name: 'Vendor One',
  workflow: { hold: { roles: ['order_desk', 'finance'], from: ['submitted'] } },
});

interface SeedOrder {
  id: string;
  number: string;
  status: string;
  po: string | null;
  submittedAt: string;
  vendor?: string;
  partner?: string;
}

/** A new database migrated to 0016 with vendors, partners, a customer and the given orders. */
async function storeAt0016(
  dialect: 'sqlite' | 'postgres',
  orders: readonly SeedOrder[],
  profiles: Record<string, string> = {},
): Promise<Store> {
  const store = openStore(await createTestDatabaseUrl(dialect));
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
  });
  expect((await migrator.migrateTo('0016_search_list_indexes')).error).toBeUndefined();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const db = store.db as any;
  const stamp = { created_at: AT, updated_at: AT };
  for (const v of ['ven_1', 'ven_2']) {
    await db
      .insertInto('vendors')
      .values({ id: v, slug: v, name: v, profile: profiles[v] ?? `{"slug":"${v}"}`, ...stamp })
      .execute();
  }
  for (const [id, name] of [
    ['ptn_1', 'Partner One'],
    ['ptn_2', 'Partner Two'],
  ]) {
    await db.insertInto('partners').values({ id, name, tier: 1, created_at: AT }).execute();
  }
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
  for (const o of orders) {
    await db
      .insertInto('orders')
      .values({
        id: o.id,
        vendor_id: o.vendor ?? 'ven_1',
        partner_id: o.partner ?? 'ptn_1',
        ordering_partner_id: o.partner ?? 'ptn_1',
        customer_id: 'cus_1',
        number: o.number,
        type: 'new',
        channel: 'api',
        status: o.status,
        version: 3,
        currency: 'USD',
        po_number: o.po,
        total_minor: 100,
        body: '{}',
        problems: '[]',
        submitted_by: 'u',
        submitted_at: o.submittedAt,
        ...(o.status === 'completed' ? { completed_at: AT } : {}),
        ...stamp,
      })
      .execute();
  }
  return store;
}

async function indexNames(store: Store, dialect: string): Promise<string[]> {
  const query =
    dialect === 'postgres'
      ? sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'orders'`
      : sql<{
          name: string;
        }>`select name from sqlite_master where type = 'index' and tbl_name = 'orders'`;
  return (await query.execute(store.db)).rows.map((r) => r.name);
}

async function statuses(store: Store): Promise<string[]> {
  const rows = await store.db.selectFrom('orders').select('status').orderBy('id').execute();
  return rows.map((r) => r.status);
}

async function eventCount(store: Store): Promise<number> {
  return (await store.db.selectFrom('audit_events').select('id').execute()).length;
}

describe.each(testDialects())('migration 0017 on %s', (dialect) => {
  describe('live duplicates that can be held', () => {
    let store: Store;
    beforeAll(async () => {
      store = await storeAt0016(
        dialect,
        [
          // PO-7: two live orders; the earliest submitted keeps it, the rejected one is not live.
          { id: 'ord_2', number: 'O-2', status: 'submitted', po: 'PO-7', submittedAt: AT2 },
          { id: 'ord_1', number: 'O-1', status: 'booking', po: 'PO-7', submittedAt: AT },
          { id: 'ord_3', number: 'O-3', status: 'rejected', po: 'PO-7', submittedAt: AT },
          // PO-9: the later one is completed; it keeps the number, the earlier one is held.
          { id: 'ord_4', number: 'O-4', status: 'provisioning', po: 'PO-9', submittedAt: AT },
          { id: 'ord_5', number: 'O-5', status: 'completed', po: 'PO-9', submittedAt: AT2 },
          // One PO number across partners, across vendors, and no PO number: no duplicates.
          {
            id: 'ord_6',
            number: 'O-6',
            status: 'submitted',
            po: 'PO-7',
            submittedAt: AT2,
            partner: 'ptn_2',
          },
          {
            id: 'ord_7',
            number: 'O-7',
            status: 'submitted',
            po: 'PO-7',
            submittedAt: AT2,
            vendor: 'ven_2',
          },
          { id: 'ord_8', number: 'O-8', status: 'submitted', po: null, submittedAt: AT2 },
          { id: 'ord_9', number: 'O-9', status: 'submitted', po: null, submittedAt: AT2 },
        ],
        { ven_1: '{"slug":"ven_1","name":"Vendor One"}' },
      );
      await migrateToLatest(store);
    });
    afterAll(async () => {
      await store.close();
    });

    it('leaves the kept order and the others untouched', async () => {
      const untouched = await store.db
        .selectFrom('orders')
        .select(['id', 'status', 'version', 'updated_at', 'hold_reasons'])
        .where('status', '!=', 'on_hold')
        .orderBy('id')
        .execute();
      const same = { version: 3, updated_at: AT, hold_reasons: null };
      expect(untouched).toEqual([
        { id: 'ord_1', status: 'booking', ...same },
        { id: 'ord_3', status: 'rejected', ...same },
        { id: 'ord_5', status: 'completed', ...same },
        { id: 'ord_6', status: 'submitted', ...same },
        { id: 'ord_7', status: 'submitted', ...same },
        { id: 'ord_8', status: 'submitted', ...same },
        { id: 'ord_9', status: 'submitted', ...same },
      ]);
    });

    it('holds every other live order of a group as the app holds one', async () => {
      const held = await store.db
        .selectFrom('orders')
        .select(['id', 'version', 'updated_at', 'hold_reasons'])
        .where('status', '=', 'on_hold')
        .orderBy('id')
        .execute();
      expect(held.map((o) => [o.id, o.version])).toEqual([
        ['ord_2', 4],
        ['ord_4', 4],
      ]);
      for (const o of held) expect(o.updated_at > AT2).toBe(true);
      const hold = JSON.parse(held[0]?.hold_reasons ?? '{}') as { reason: string };
      expect(hold).toEqual({
        reason: expect.stringContaining(
          'PO PO-7 is also on another live order of this partnership',
        ),
        problems: [
          {
            path: 'purchaseOrder.number',
            code: 'po.duplicate',
            message: 'PO PO-7 was already submitted to Vendor One',
            actual: 'PO-7',
          },
        ],
      });
      // The kept order may be a sibling reseller's: the reason does not name it.
      expect(hold.reason).not.toMatch(/O-1|ord_1/);
    });

    it('records one order.held event by "migration 0017" per held order', async () => {
      const events = await store.db
        .selectFrom('audit_events')
        .selectAll()
        .orderBy('entity_id')
        .execute();
      expect(
        events.map((e) => [
          e.vendor_id,
          e.partner_id,
          e.entity_type,
          e.entity_id,
          e.type,
          e.actor_label,
          e.actor_user_id,
          e.from_status,
          e.to_status,
        ]),
      ).toEqual([
        [
          'ven_1',
          'ptn_1',
          'order',
          'ord_2',
          'order.held',
          'migration 0017',
          null,
          'submitted',
          'on_hold',
        ],
        [
          'ven_1',
          'ptn_1',
          'order',
          'ord_4',
          'order.held',
          'migration 0017',
          null,
          'provisioning',
          'on_hold',
        ],
      ]);
      const data = JSON.parse(String(events[0]?.data)) as Record<string, unknown>;
      expect(data).toEqual({
        orderId: 'ord_2',
        number: 'O-2',
        orderType: 'new',
        from: 'submitted',
        to: 'on_hold',
        reason: events[0]?.reason,
        problems: [expect.objectContaining({ code: 'po.duplicate', severity: 'error' })],
      });
      for (const e of events) expect(e.id).toMatch(/^evt_[0-9a-z]{26}$/);
    });

    it('creates the unique index, which refuses a held duplicate going live again', async () => {
      expect(await indexNames(store, dialect)).toContain('orders_live_po_number_uq');
      await expect(
        store.db
          .updateTable('orders')
          .set({ status: 'submitted' })
          .where('id', '=', 'ord_2')
          .execute(),
      ).rejects.toThrow();
    });
  });

  describe('a group that cannot be resolved', () => {
    let store: Store | undefined;
    afterEach(async () => {
      await store?.close();
    });

    it('stops on two completed orders, naming them, and writes nothing', async () => {
      store = await storeAt0016(dialect, [
        { id: 'ord_1', number: 'O-1', status: 'completed', po: 'PO-7', submittedAt: AT },
        { id: 'ord_2', number: 'O-2', status: 'completed', po: 'PO-7', submittedAt: AT2 },
        { id: 'ord_3', number: 'O-3', status: 'submitted', po: 'PO-7', submittedAt: AT2 },
        // A group that could be held on its own: not held either.
        { id: 'ord_4', number: 'O-4', status: 'submitted', po: 'PO-8', submittedAt: AT },
        { id: 'ord_5', number: 'O-5', status: 'submitted', po: 'PO-8', submittedAt: AT2 },
      ]);
      const error = await migrateToLatest(store).then(
        () => undefined,
        (e: unknown) => String(e),
      );
      expect(error).toContain('Migration 0017_order_po_number_unique failed');
      expect(error).toContain(
        [
          '- ven_1 (ven_1), partner Partner One (ptn_1), PO PO-7:',
          '  - O-1 (id ord_1) cannot be held (completed)',
          '  - O-2 (id ord_2) cannot be held (completed)',
          '  - O-3 (id ord_3, submitted) could be held',
        ].join('\n'),
      );
      expect(error).not.toContain('PO-8');
      // What to do about it.
      expect(error).toContain("update orders set po_number = '<new PO number>'");
      expect(error).toContain("update orders set status = 'cancelled'");
      expect(error).toContain('a quote the order consumed is not released');
      expect(error).toContain('orderdesk migrate');
      expect(await statuses(store)).toEqual([
        'completed',
        'completed',
        'submitted',
        'submitted',
        'submitted',
      ]);
      expect(await eventCount(store)).toBe(0);
      expect(await indexNames(store, dialect)).not.toContain('orders_live_po_number_uq');
    });

    it('stops on a vendor whose workflow does not hold orders', async () => {
      store = await storeAt0016(
        dialect,
        [
          { id: 'ord_1', number: 'O-1', status: 'submitted', po: 'PO-7', submittedAt: AT },
          { id: 'ord_2', number: 'O-2', status: 'submitted', po: 'PO-7', submittedAt: AT2 },
        ],
        { ven_1: '{"slug":"ven_1","name":"Vendor One","workflow":{"hold":{"roles":[]}}}' },
      );
      await expect(migrateToLatest(store)).rejects.toThrow(
        [
          '- Vendor One (ven_1), partner Partner One (ptn_1), PO PO-7:',
          "  - O-1 (id ord_1) cannot be held (submitted: this vendor's workflow holds no orders)",
          "  - O-2 (id ord_2) cannot be held (submitted: this vendor's workflow holds no orders)",
        ].join('\n'),
      );
      expect(await statuses(store)).toEqual(['submitted', 'submitted']);
      expect(await eventCount(store)).toBe(0);
    });

    it('stops on two orders in a status the vendor does not hold', async () => {
      store = await storeAt0016(
        dialect,
        [
          { id: 'ord_1', number: 'O-1', status: 'booking', po: 'PO-7', submittedAt: AT },
          { id: 'ord_2', number: 'O-2', status: 'booking', po: 'PO-7', submittedAt: AT2 },
        ],
        { ven_1: HOLDS_SUBMITTED_ONLY },
      );
      await expect(migrateToLatest(store)).rejects.toThrow(
        [
          '- Vendor One (ven_1), partner Partner One (ptn_1), PO PO-7:',
          '  - O-1 (id ord_1) cannot be held ' +
            "(booking: this vendor's workflow does not hold orders in booking)",
          '  - O-2 (id ord_2) cannot be held ' +
            "(booking: this vendor's workflow does not hold orders in booking)",
        ].join('\n'),
      );
      expect(await statuses(store)).toEqual(['booking', 'booking']);
      expect(await eventCount(store)).toBe(0);
    });

    it('writes nothing when the index cannot be made after the holds', async () => {
      store = await storeAt0016(dialect, [
        { id: 'ord_1', number: 'O-1', status: 'submitted', po: 'PO-7', submittedAt: AT },
        { id: 'ord_2', number: 'O-2', status: 'submitted', po: 'PO-7', submittedAt: AT2 },
      ]);
      // The index's name taken by another table's index: creating it fails after the holds.
      await sql`create index orders_live_po_number_uq on partners (name)`.execute(store.db);
      await expect(migrateToLatest(store)).rejects.toThrow(
        'Migration 0017_order_po_number_unique failed',
      );
      expect(await statuses(store)).toEqual(['submitted', 'submitted']);
      expect(
        await store.db.selectFrom('orders').select(['version', 'hold_reasons']).execute(),
      ).toEqual([
        { version: 3, hold_reasons: null },
        { version: 3, hold_reasons: null },
      ]);
      expect(await eventCount(store)).toBe(0);
    });

    it('goes on once the extra order has a PO number of its own, as the error suggests', async () => {
      store = await storeAt0016(dialect, [
        { id: 'ord_1', number: 'O-1', status: 'completed', po: 'PO-7', submittedAt: AT },
        { id: 'ord_2', number: 'O-2', status: 'completed', po: 'PO-7', submittedAt: AT2 },
      ]);
      await expect(migrateToLatest(store)).rejects.toThrow('PO PO-7');
      await sql`update orders set po_number = 'PO-7-2', version = version + 1 where id = 'ord_2'`.execute(
        store.db,
      );
      await migrateToLatest(store);
      expect(await statuses(store)).toEqual(['completed', 'completed']);
      expect(await indexNames(store, dialect)).toContain('orders_live_po_number_uq');
    });
  });

  describe('which order keeps the number', () => {
    let store: Store | undefined;
    afterEach(async () => {
      await store?.close();
    });

    async function heldAfterMigrating(
      orders: readonly SeedOrder[],
      profile?: string,
    ): Promise<string[]> {
      store = await storeAt0016(dialect, orders, profile ? { ven_1: profile } : {});
      await migrateToLatest(store);
      const rows = await store.db
        .selectFrom('orders')
        .select('id')
        .where('status', '=', 'on_hold')
        .orderBy('id')
        .execute();
      return rows.map((r) => r.id);
    }

    it('the one furthest along when all can be held, not the earliest submitted', async () => {
      expect(
        await heldAfterMigrating([
          { id: 'ord_1', number: 'O-1', status: 'submitted', po: 'PO-7', submittedAt: AT },
          { id: 'ord_2', number: 'O-2', status: 'booking', po: 'PO-7', submittedAt: AT2 },
        ]),
      ).toEqual(['ord_1']);
    });

    it('the earliest submitted among those equally far along, then the smallest id', async () => {
      expect(
        await heldAfterMigrating([
          { id: 'ord_1', number: 'O-1', status: 'provisioning', po: 'PO-7', submittedAt: AT2 },
          { id: 'ord_2', number: 'O-2', status: 'provisioning', po: 'PO-7', submittedAt: AT },
          { id: 'ord_3', number: 'O-3', status: 'provisioning', po: 'PO-7', submittedAt: AT },
          { id: 'ord_4', number: 'O-4', status: 'booking', po: 'PO-7', submittedAt: AT },
        ]),
      ).toEqual(['ord_1', 'ord_3', 'ord_4']);
    });

    it("the one order in a status the vendor's workflow does not hold", async () => {
      expect(
        await heldAfterMigrating(
          [
            { id: 'ord_1', number: 'O-1', status: 'submitted', po: 'PO-7', submittedAt: AT },
            { id: 'ord_2', number: 'O-2', status: 'booking', po: 'PO-7', submittedAt: AT2 },
          ],
          HOLDS_SUBMITTED_ONLY,
        ),
      ).toEqual(['ord_1']);
      const event = await store?.db
        .selectFrom('audit_events')
        .select(['entity_id', 'from_status'])
        .executeTakeFirst();
      expect(event).toEqual({ entity_id: 'ord_1', from_status: 'submitted' });
    });
  });

  describe('a database without duplicates', () => {
    let store: Store;
    afterAll(async () => {
      await store.close();
    });

    it('migrates as before: no order changed, no event, the index made', async () => {
      store = await storeAt0016(dialect, [
        { id: 'ord_1', number: 'O-1', status: 'submitted', po: 'PO-7', submittedAt: AT2 },
        { id: 'ord_2', number: 'O-2', status: 'on_hold', po: 'PO-7', submittedAt: AT2 },
        { id: 'ord_3', number: 'O-3', status: 'cancelled', po: 'PO-7', submittedAt: AT2 },
      ]);
      await migrateToLatest(store);
      expect(
        await store.db.selectFrom('orders').select(['status', 'version']).orderBy('id').execute(),
      ).toEqual([
        { status: 'submitted', version: 3 },
        { status: 'on_hold', version: 3 },
        { status: 'cancelled', version: 3 },
      ]);
      expect(await eventCount(store)).toBe(0);
      expect(await indexNames(store, dialect)).toContain('orders_live_po_number_uq');
    });
  });
});
