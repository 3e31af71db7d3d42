import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, testDialects } from '../test/databases.ts';
import { openStore, type Store } from './dialects.ts';
import { migrateToLatest } from './migrate.ts';
import { migrations } from './migrations/index.ts';

// Migration 0030 (invoices.paid_on) on a database that already holds invoices: one paid
// before the column existed takes the day from its latest `invoice.settled` event (what
// mark-paid has always written); one paid with no such event, and one still open, keep no day.

const AT = '2026-11-01T09:00:00.000Z';

interface SeedInvoice {
  id: string;
  paidAt: string | null;
  /** The paidOn of each invoice.settled event, oldest first. */
  settled: readonly string[];
}

/** A new database migrated to 0029 with one vendor, partner, customer and an order per invoice. */
async function storeAt0029(
  dialect: 'sqlite' | 'postgres',
  invoices: readonly SeedInvoice[],
): Promise<Store> {
  const store = openStore(await createTestDatabaseUrl(dialect));
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
  });
  expect((await migrator.migrateTo('0029_lz4_response_bodies')).error).toBeUndefined();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const db = store.db as any;
  const stamp = { created_at: AT, updated_at: AT };
  await db
    .insertInto('vendors')
    .values({
      id: 'ven_1',
      slug: 'ven_1',
      name: 'Vendor One',
      profile: '{"slug":"ven_1"}',
      ...stamp,
    })
    .execute();
  await db
    .insertInto('partners')
    .values({ id: 'ptn_1', name: 'Partner One', tier: 1, created_at: AT })
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
  let n = 0;
  for (const invoice of invoices) {
    n += 1;
    const orderId = `ord_${n}`;
    await db
      .insertInto('orders')
      .values({
        id: orderId,
        vendor_id: 'ven_1',
        partner_id: 'ptn_1',
        ordering_partner_id: 'ptn_1',
        customer_id: 'cus_1',
        number: `O-${n}`,
        type: 'new',
        channel: 'api',
        status: 'completed',
        version: 5,
        currency: 'USD',
        po_number: `PO-${n}`,
        total_minor: 10_000,
        body: '{}',
        problems: '[]',
        submitted_by: 'u',
        submitted_at: AT,
        completed_at: AT,
        ...stamp,
      })
      .execute();
    await db
      .insertInto('invoices')
      .values({
        id: invoice.id,
        vendor_id: 'ven_1',
        partner_id: 'ptn_1',
        ordering_partner_id: 'ptn_1',
        order_id: orderId,
        number: `INV-${n}`,
        status: invoice.paidAt ? 'paid' : 'issued',
        version: invoice.paidAt ? 2 : 1,
        currency: 'USD',
        issued_at: AT,
        issue_date: '2026-11-01',
        due_date: '2026-12-01',
        payment_terms_days: 30,
        subtotal_minor: 10_000,
        tax_minor: 0,
        total_minor: 10_000,
        tax_category: 'O',
        tax_rate: '0',
        tax_exemption_reason: null,
        seller: '{}',
        buyer: '{}',
        order_number: `O-${n}`,
        sales_order_number: null,
        po_number: `PO-${n}`,
        paid_at: invoice.paidAt,
        credited_at: null,
        ...stamp,
      })
      .execute();
    let e = 0;
    for (const paidOn of invoice.settled) {
      e += 1;
      await db
        .insertInto('audit_events')
        .values({
          id: `evt_${n}_${e}`,
          vendor_id: 'ven_1',
          partner_id: 'ptn_1',
          entity_type: 'invoice',
          entity_id: invoice.id,
          type: 'invoice.settled',
          actor_user_id: null,
          actor_label: 'finance',
          at: `2026-11-1${e}T10:00:00.000Z`,
          from_status: 'issued',
          to_status: 'paid',
          reason: null,
          data: JSON.stringify({ number: `INV-${n}`, paidOn }),
        })
        .execute();
    }
  }
  return store;
}

describe.each(testDialects())('migration 0030 on %s', (dialect) => {
  let store: Store;
  beforeAll(async () => {
    store = await storeAt0029(dialect, [
      { id: 'inv_paid', paidAt: '2026-11-20T10:00:00.000Z', settled: ['2026-11-18'] },
      // Settled twice (paid, credited, paid again in an older version): the latest day counts.
      {
        id: 'inv_twice',
        paidAt: '2026-11-21T10:00:00.000Z',
        settled: ['2026-11-03', '2026-11-19'],
      },
      { id: 'inv_no_event', paidAt: '2026-11-22T10:00:00.000Z', settled: [] },
      { id: 'inv_open', paidAt: null, settled: [] },
    ]);
    await migrateToLatest(store);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('fills paid_on of invoices paid before it from their latest invoice.settled event', async () => {
    const rows = await store.db
      .selectFrom('invoices')
      .select(['id', 'paid_on'])
      .orderBy('id')
      .execute();
    expect(Object.fromEntries(rows.map((r) => [r.id, r.paid_on]))).toEqual({
      inv_no_event: null,
      inv_open: null,
      inv_paid: '2026-11-18',
      inv_twice: '2026-11-19',
    });
  });

  it('runs again without changing a filled day', async () => {
    await store.db
      .updateTable('invoices')
      .set({ paid_on: '2026-11-30' })
      .where('id', '=', 'inv_paid')
      .execute();
    const migration = migrations['0030_invoice_paid_on'];
    if (!migration) throw new Error('no migration 0030_invoice_paid_on');
    await migration.up(store.db);
    const paid = await store.db
      .selectFrom('invoices')
      .select('paid_on')
      .where('id', '=', 'inv_paid')
      .executeTakeFirstOrThrow();
    expect(paid.paid_on).toBe('2026-11-30');
  });
});
