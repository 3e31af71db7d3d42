// A submission's reference rows are kept by the process while their tables are unchanged
// (read-versions.ts, on SQLite). Every write that changes what an order is checked against —
// through the API or by SQL beside it — shows in the very next check, on both databases.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@orderdesk/store/testing';
import { createTestApp, type TestApp } from './harness.ts';
import { findProducts, firstCustomerId, type PricedProduct } from './scenario-helpers.ts';

const ACME = 'buyer@acme.example';
const ADMIN = 'admin@skyline.example';

describe.each(testDialects())('kept reads follow every write on %s', (dialect) => {
  let t: TestApp;
  let customerId: string;
  let item: PricedProduct;
  let partnershipId: string;

  /** Checks (validates) a skyline order of the item at a wrong price, as Acme. */
  const check = () =>
    t.as(ACME).post('/api/v1/orders/validate', {
      vendor: 'skyline',
      type: 'new',
      customerId,
      lines: [{ partNumber: item.partNumber, quantity: 1, unitPrice: '0.01' }],
      termsAccepted: { version: '2025-01' },
    });

  /** The net price expected for the item, from the price problem of `check`. */
  async function expectedNet(): Promise<{ expected: string; listPrice: string | null }> {
    const res = await check();
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{
      problems: { code: string; expected?: string }[];
      pricing: { lines: { listPrice: string | null }[] };
    }>();
    const price = body.problems.find((p) => p.code === 'price.mismatch');
    if (!price?.expected) throw new Error(`no price problem: ${res.body}`);
    return { expected: price.expected, listPrice: body.pricing.lines[0]?.listPrice ?? null };
  }

  beforeAll(async () => {
    t = await createTestApp(dialect);
    customerId = await firstCustomerId(t, ACME);
    const [found] = await findProducts(t, ACME, 'skyline', { type: 'subscription', count: 1 });
    if (!found) throw new Error('no skyline subscription product');
    item = found;
    partnershipId = (await t.as(ACME).get('/api/v1/partnerships?vendor=skyline')).json<{
      items: { id: string }[];
    }>().items[0]!.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("sees the partnership's new multiplier (PATCH) at once", async () => {
    const before = await expectedNet();
    await expectedNet(); // kept now, on SQLite
    const patched = await t
      .as(ADMIN)
      .patch(`/api/v1/partnerships/${partnershipId}`, { multiplier: '0.50' });
    expect(patched.statusCode, patched.body).toBe(200);
    const after = await expectedNet();
    expect(after.listPrice).toBe(before.listPrice);
    expect(after.expected).not.toBe(before.expected);
  });

  it('sees a list price changed by SQL beside the app, as an import in another process would', async () => {
    const before = await expectedNet();
    await t.store.db
      .updateTable('price_list_items')
      .set((eb) => ({ list_price_minor: eb('list_price_minor', '+', 10_000) }))
      .where('part_number', '=', item.partNumber)
      .execute();
    const after = await expectedNet();
    expect(after.listPrice).not.toBe(before.listPrice);
    expect(after.expected).not.toBe(before.expected);
  });

  it('sees a product withdrawn from the catalog', async () => {
    await expectedNet();
    await sql`update products set active = 0 where part_number = ${item.partNumber}`.execute(
      t.store.db,
    );
    const res = await check();
    expect(res.json<{ problems: { path: string }[] }>().problems).toContainEqual(
      expect.objectContaining({ path: 'lines[0].partNumber' }),
    );
  });

  it('sees a customer moved out of the caller’s reach', async () => {
    await check();
    const contoso = await t.store.db
      .selectFrom('partners')
      .select('id')
      .where('name', '=', 'Contoso Channel')
      .executeTakeFirstOrThrow();
    const owner = await t.store.db
      .selectFrom('customers')
      .select('partner_id')
      .where('id', '=', customerId)
      .executeTakeFirstOrThrow();
    await t.store.db
      .updateTable('customers')
      .set({ partner_id: contoso.id })
      .where('id', '=', customerId)
      .execute();
    try {
      const res = await check();
      expect(res.json<{ problems: { path: string; code: string }[] }>().problems).toContainEqual(
        expect.objectContaining({ path: 'customerId', code: 'invalid' }),
      );
    } finally {
      await t.store.db
        .updateTable('customers')
        .set({ partner_id: owner.partner_id })
        .where('id', '=', customerId)
        .execute();
    }
  });
});
