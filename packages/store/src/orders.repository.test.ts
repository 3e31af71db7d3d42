import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDialects } from '../test/databases.ts';
import {
  later,
  orderLine,
  orderRow,
  quoteRow,
  seedTenancy,
  type Tenancy,
} from '../test/fixtures.ts';
import type { Store } from './dialects.ts';
import { isUniqueViolation } from './executor.ts';
import {
  findOrderInScope,
  insertNumberedOrder,
  insertOrder,
  listOrderLines,
  listOrders,
  poNumberInUse,
  quoteUsedByAnotherOrder,
  replaceOrderLines,
  updateOrderIfVersion,
} from './orders.repository.ts';
import { insertQuote } from './quotes.repository.ts';

describe.each(testDialects())('orders repository on %s', (dialect) => {
  let store: Store;
  let t: Tenancy;
  beforeAll(async () => {
    store = await createTestStore(dialect);
    t = await seedTenancy(store.db, 'o');
  });
  afterAll(async () => {
    await store.close();
  });

  it('inserts an order with more lines than one statement takes, and reads them in order', async () => {
    const order = orderRow(t);
    const lines = Array.from({ length: 1201 }, (_, i) => orderLine(order.id, 1201 - i));
    await insertOrder(store.db, order, lines);
    const read = await listOrderLines(store.db, order.id);
    expect(read).toHaveLength(1201);
    expect(read.map((l) => l.line_no)).toEqual(lines.map((_, i) => i + 1));
    expect(await findOrderInScope(store.db, order.id, { vendorId: t.vendor.id })).toEqual(order);
    await expect(insertOrder(store.db, { ...order, id: 'ord_dup' }, [])).rejects.toSatisfy(
      isUniqueViolation,
    );

    await replaceOrderLines(store.db, order.id, [orderLine(order.id, 1, { quantity: 7 })]);
    expect((await listOrderLines(store.db, order.id)).map((l) => l.quantity)).toEqual([7]);
  });

  it('applies a change only at the expected version, and bumps it', async () => {
    const order = orderRow(t);
    await insertOrder(store.db, order, []);
    const at = later(5);
    expect(
      await updateOrderIfVersion(store.db, order.id, 1, { status: 'approved', updated_at: at }),
    ).toBe(true);
    // A second writer that read version 1 loses.
    expect(
      await updateOrderIfVersion(store.db, order.id, 1, { status: 'rejected', updated_at: at }),
    ).toBe(false);
    const now = await findOrderInScope(store.db, order.id, { vendorId: t.vendor.id });
    expect(now).toMatchObject({ status: 'approved', version: 2, updated_at: at });
    expect(await updateOrderIfVersion(store.db, 'ord_missing', 1, { status: 'x' })).toBe(false);
  });

  it('finds an order only inside the scope given', async () => {
    const byBeta = orderRow(t, { ordering_partner_id: t.beta.id, customer_id: t.betaCustomer.id });
    await insertOrder(store.db, byBeta, []);
    const find = (scope: Parameters<typeof findOrderInScope>[2]) =>
      findOrderInScope(store.db, byBeta.id, scope);
    expect(await find({ vendorId: t.vendor.id })).toBeDefined();
    expect(await find({ vendorId: t.otherVendor.id })).toBeUndefined();
    // The distributor sees its tier-2's orders, the tier-2 its own, others nothing.
    expect(await find({ partnerIds: [t.acme.id, t.beta.id] })).toBeDefined();
    expect(await find({ partnerIds: [t.beta.id] })).toBeDefined();
    expect(await find({ partnerIds: [t.acme.id] })).toBeUndefined();
    expect(await find({ partnerIds: [t.other.id] })).toBeUndefined();
    expect(await find({ partnerIds: [] })).toBeUndefined();
  });

  it('lists orders newest first by keyset, with filters and scope', async () => {
    const other = await seedTenancy(store.db, 'o-list');
    const rows = [
      orderRow(other, { status: 'submitted' }),
      orderRow(other, { status: 'approved' }),
      orderRow(other, { status: 'submitted' }),
    ];
    for (const r of rows) await insertOrder(store.db, r, []);
    const scope = { vendorId: other.vendor.id };
    const first = await listOrders(store.db, scope, {}, { limit: 2 });
    expect(first.map((o) => o.id)).toEqual([rows[2]?.id, rows[1]?.id]);
    const next = await listOrders(store.db, scope, {}, { limit: 2, before: first[1]?.id });
    expect(next.map((o) => o.id)).toEqual([rows[0]?.id]);
    const submitted = await listOrders(store.db, scope, { status: 'submitted' }, { limit: 10 });
    expect(submitted.map((o) => o.id)).toEqual([rows[2]?.id, rows[0]?.id]);
    expect(await listOrders(store.db, { partnerIds: [t.other.id] }, {}, { limit: 10 })).toEqual([]);
  });

  it('tells whether a PO number or a quote is taken by a live order', async () => {
    const quote = quoteRow(t, { status: 'ordered' });
    await insertQuote(store.db, quote, []);
    const live = orderRow(t, { po_number: 'PO-1', quote_id: quote.id });
    const rejected = orderRow(t, { po_number: 'PO-2', status: 'rejected', quote_id: quote.id });
    await insertOrder(store.db, live, []);
    await insertOrder(store.db, rejected, []);
    const po = (poNumber: string, excludeOrderId?: string) =>
      poNumberInUse(store.db, {
        vendorId: t.vendor.id,
        partnerId: t.acme.id,
        poNumber,
        ...(excludeOrderId ? { excludeOrderId } : {}),
      });
    expect(await po('PO-1')).toBe(true);
    expect(await po('PO-1', live.id)).toBe(false);
    expect(await po('PO-2')).toBe(false);
    expect(await quoteUsedByAnotherOrder(store.db, quote.id, rejected.id)).toBe(true);
    expect(await quoteUsedByAnotherOrder(store.db, quote.id, live.id)).toBe(false);
  });

  it("numbers a vendor's orders uniquely, and on PostgreSQL no order waits for another's commit", async () => {
    const n = await seedTenancy(store.db, 'num');
    const numbering = { prefix: 'NUM-', counter: 'order' };
    const numbered = (db: Store['db'], id: string) =>
      insertNumberedOrder(db, { ...orderRow(n), id }, [orderLine(id, 1)], numbering);
    if (dialect === 'postgres') {
      // The first order after migration 0027 goes on after the highest number already used.
      await insertOrder(store.db, orderRow(n, { number: 'NUM-000041' }), []);
      // (The vendor's first order creates its sequence, in its transaction: orders of a
      // vendor that has none yet wait for that first one, once.)
      expect((await numbered(store.db, 'ord_num_first')).number).toBe('NUM-000042');
      // A holds its order's transaction open while B numbers, inserts and commits its own:
      // with the counter's row lock of before, B waited for A, and A for B (a deadlock here).
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let drawn!: (number: string) => void;
      const aNumber = new Promise<string>((r) => (drawn = r));
      const a = store.db.transaction().execute(async (tx) => {
        drawn((await numbered(tx, 'ord_num_a')).number);
        await held;
      });
      expect(await aNumber).toBe('NUM-000043');
      const b = await store.db.transaction().execute((tx) => numbered(tx, 'ord_num_b'));
      expect(b.number).toBe('NUM-000044');
      release();
      await a;
      // A rolled-back order's number is not handed out again (a sequence never goes back).
      await expect(
        store.db.transaction().execute(async (tx) => {
          await numbered(tx, 'ord_num_c');
          throw new Error('the order was not recorded');
        }),
      ).rejects.toThrow(/not recorded/);
      expect((await numbered(store.db, 'ord_num_d')).number).toBe('NUM-000046');
    } else {
      // One writer at a time: the numbers are gapless, a rolled-back one handed out again.
      expect((await numbered(store.db, 'ord_num_a')).number).toBe('NUM-000001');
      await expect(
        store.db.transaction().execute(async (tx) => {
          expect((await numbered(tx, 'ord_num_c')).number).toBe('NUM-000002');
          throw new Error('the order was not recorded');
        }),
      ).rejects.toThrow(/not recorded/);
      expect((await numbered(store.db, 'ord_num_d')).number).toBe('NUM-000002');
    }
  });
});
