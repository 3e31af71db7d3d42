import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDialects } from '../test/databases.ts';
import { orderRow, seedTenancy, type Tenancy } from '../test/fixtures.ts';
import type { Store } from './dialects.ts';
import type { Order } from './schema.ts';
import { insertOrder, listOrders } from './orders.repository.ts';

// A partner's list spans its own and its tier-2s' orders; the store reads each partner's
// newest rows separately and merges them, so the merge must keep one newest-first order,
// apply every filter to every partner and page by cursor exactly like a single range.
describe.each(testDialects())('a partner order list over several partner ids on %s', (dialect) => {
  let store: Store;
  let t: Tenancy;
  const rows: Order[] = [];
  const statuses = ['submitted', 'completed', 'submitted', 'on_hold', 'submitted'];

  beforeAll(async () => {
    store = await createTestStore(dialect);
    t = await seedTenancy(store.db, 'list');
    // Interleaved: acme, beta, acme, beta … with statuses cycling; ids are time-ordered.
    for (let i = 0; i < 20; i++) {
      const beta = i % 2 === 1;
      const row = orderRow(t, {
        status: statuses[i % statuses.length] ?? 'submitted',
        ordering_partner_id: beta ? t.beta.id : t.acme.id,
        customer_id: beta ? t.betaCustomer.id : t.acmeCustomer.id,
      });
      rows.push(row);
      await insertOrder(store.db, row, []);
    }
    // Another partner's orders never show.
    await insertOrder(store.db, orderRow(t, { ordering_partner_id: t.other.id }), []);
  });
  afterAll(async () => {
    await store.close();
  });

  const newest = (pred: (o: Order) => boolean) =>
    rows
      .filter(pred)
      .map((o) => o.id)
      .reverse();

  it('pages newest first across both partners, by status, by cursor', async () => {
    const scope = { partnerIds: [t.acme.id, t.beta.id] };
    const want = newest((o) => o.status === 'submitted');
    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await listOrders(store.db, scope, { status: 'submitted' }, { limit: 3, before });
      seen.push(...page.map((o) => o.id));
      if (page.length < 3) break;
      before = page.at(-1)?.id;
    }
    expect(seen).toEqual(want);
    const all = await listOrders(store.db, scope, {}, { limit: 50 });
    expect(all.map((o) => o.id)).toEqual(newest(() => true));
    // Scope order does not matter.
    const reversed = await listOrders(
      store.db,
      { partnerIds: [t.beta.id, t.acme.id, t.other.id] },
      { status: 'on_hold' },
      { limit: 50 },
    );
    expect(reversed.map((o) => o.id)).toEqual(newest((o) => o.status === 'on_hold'));
  });

  it('applies the other filters to every partner', async () => {
    const scope = { partnerIds: [t.acme.id, t.beta.id] };
    const onlyBeta = await listOrders(
      store.db,
      scope,
      { partnerId: t.beta.id, status: 'submitted' },
      { limit: 50 },
    );
    expect(onlyBeta.map((o) => o.id)).toEqual(
      newest((o) => o.ordering_partner_id === t.beta.id && o.status === 'submitted'),
    );
    const byCustomer = await listOrders(
      store.db,
      scope,
      { customerId: t.acmeCustomer.id },
      { limit: 4 },
    );
    expect(byCustomer.map((o) => o.id)).toEqual(
      newest((o) => o.customer_id === t.acmeCustomer.id).slice(0, 4),
    );
    expect(
      await listOrders(store.db, scope, { vendorId: t.otherVendor.id }, { limit: 10 }),
    ).toEqual([]);
  });

  it('returns whole order rows, the same as a single-partner list', async () => {
    const merged = await listOrders(
      store.db,
      { partnerIds: [t.acme.id, t.beta.id] },
      {},
      { limit: 1 },
    );
    const single = await listOrders(store.db, { partnerIds: [t.beta.id] }, {}, { limit: 1 });
    expect(merged).toEqual(single);
    expect(merged[0]).toEqual(rows.at(-1));
  });
});
