// Order numbers, idempotency and optimistic concurrency under concurrent requests, on both
// databases (real SQLite and real PostgreSQL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderSchema } from '@orderdesk/app';
import { testDialects } from '@orderdesk/store/testing';
import { createTestApp, type TestApp } from './harness.ts';
import { findProducts, firstCustomerId, totalOf } from './scenario-helpers.ts';

const BUYER = 'buyer@contoso.example';
const today = new Date().toISOString().slice(0, 10);

describe.each(testDialects())('concurrent orders on %s', (dialect) => {
  let t: TestApp;
  let body: (po: string) => Record<string, unknown>;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const customerId = await firstCustomerId(t, BUYER);
    // A kit renewal: licenses only, so nothing ships and no address is needed.
    const [kit] = await findProducts(t, BUYER, 'edgeworks', {
      type: 'kit',
      count: 1,
      partNumberIncludes: '-RENEW-',
    });
    const lines = [{ partNumber: kit!.partNumber, quantity: 2, unitPrice: kit!.netPrice }];
    body = (po) => ({
      vendor: 'edgeworks',
      type: 'kits_renewal',
      customerId,
      purchaseOrder: { number: po, date: today, currency: 'USD', total: totalOf(lines) },
      lines,
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('50 concurrent submits with distinct keys give 50 distinct order numbers', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t
          .as(BUYER)
          .post('/api/v1/orders', body(`C-PO-${i}`), { 'idempotency-key': `distinct-${i}` }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(50).fill(201));
    const numbers = results.map((r) => r.json().number as string);
    expect(new Set(numbers).size).toBe(50);
    expect(numbers.every((n) => /^EW-\d{6}$/.test(n))).toBe(true);
  });

  it('50 concurrent submits with one key give one order and 50 identical responses', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        t.as(BUYER).post('/api/v1/orders', body('SAME-PO'), { 'idempotency-key': 'one-key' }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(50).fill(201));
    // Byte for byte: the first answer is sent as it is stored under the key, and replayed so.
    const bodies = new Set(results.map((r) => r.body));
    expect(bodies.size).toBe(1);
    expect(results.filter((r) => r.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
    // What is stored (and so sent) has no field beyond the response schema: the schema,
    // which strips unknown keys, gives it back unchanged.
    const sent = results[0]!.json<Record<string, unknown>>();
    expect(orderSchema.parse(sent)).toStrictEqual(sent);
    const count = await t.store.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('po_number', '=', 'SAME-PO')
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
    const other = await t
      .as(BUYER)
      .post('/api/v1/orders', body('OTHER-PO'), { 'idempotency-key': 'one-key' });
    expect(other.statusCode).toBe(409);
  });

  it('two conflicting actions on one version: one 200, one 409', async () => {
    const o = (await t.as(BUYER).post('/api/v1/orders', body('RACE-PO'))).json();
    const [a, b] = await Promise.all([
      t
        .as('desk@edgeworks.example')
        .post(`/api/v1/orders/${o.id}/actions/approve`, {}, { 'if-match': String(o.version) }),
      t
        .as('desk@edgeworks.example')
        .post(
          `/api/v1/orders/${o.id}/actions/reject`,
          { reason: 'dup' },
          { 'if-match': String(o.version) },
        ),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const again = await t
      .as('desk@edgeworks.example')
      .post(`/api/v1/orders/${o.id}/actions/approve`, {}, { 'if-match': String(o.version) });
    expect(again.statusCode).toBe(409);
  });

  it('refuses a duplicate PO number for the partnership', async () => {
    const res = await t.as(BUYER).post('/api/v1/orders', body('C-PO-1'));
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      expect.objectContaining({ path: 'purchaseOrder.number', code: 'po.duplicate' }),
    ]);
  });
});
