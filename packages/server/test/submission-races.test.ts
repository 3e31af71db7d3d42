// Submissions that race for what can be used once, on both databases (issue 12): a PO number
// per partnership and an approved quote. No lock serializes the orders of a partnership any
// more; a unique index (PO numbers) and a conditional update (the quote) decide, and the loser
// gets the 422 the check gives when it sees the winner's order. Correcting an order on hold
// to a PO number another order uses, then resubmitting it, is refused the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@orderdesk/store/testing';
import { createTestApp, type TestApp } from './harness.ts';
import {
  act,
  findProducts,
  firstCustomerId,
  partnerIdOf,
  totalOf,
  type PricedProduct,
} from './scenario-helpers.ts';

const ACME = 'buyer@acme.example';
const CONTOSO = 'buyer@contoso.example';
const SALES = 'sales@northwind.example';
const DESK = 'desk@northwind.example';
const today = new Date().toISOString().slice(0, 10);
const N = 12;

type Line = { partNumber: string; quantity: number; unitPrice: string };
interface Problem {
  path: string;
  code: string;
}

describe.each(testDialects())('racing submissions on %s', (dialect) => {
  let t: TestApp;
  let acmeId: string;
  let customerId: string;
  let clause: string;
  let products: PricedProduct[];
  let kitOrder: (po: string) => Record<string, unknown>;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    acmeId = await partnerIdOf(t, ACME);
    const customers = (await t.as(ACME).get('/api/v1/customers')).json().items as {
      id: string;
      name: string;
    }[];
    customerId = customers.find((c) => c.name !== 'Tailspin Toys')!.id;
    clause = (await t.as(ACME).get('/api/v1/partnerships?vendor=northwind')).json().items[0]
      .specialTerms as string;
    products = await findProducts(t, ACME, 'northwind', { type: 'subscription', count: 1 });
    // An edgeworks kit renewal needs no quote: many orders can race for one PO number.
    const contosoCustomer = await firstCustomerId(t, CONTOSO);
    const [kit] = await findProducts(t, CONTOSO, 'edgeworks', {
      type: 'kit',
      count: 1,
      partNumberIncludes: '-RENEW-',
    });
    const kitLines = [{ partNumber: kit!.partNumber, quantity: 2, unitPrice: kit!.netPrice }];
    kitOrder = (po) => ({
      vendor: 'edgeworks',
      type: 'kits_renewal',
      customerId: contosoCustomer,
      purchaseOrder: { number: po, date: today, currency: 'USD', total: totalOf(kitLines) },
      lines: kitLines,
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const order = (po: string, lines: Line[], extra: Record<string, unknown> = {}) => ({
    vendor: 'northwind',
    type: 'new',
    customerId,
    purchaseOrder: {
      number: po,
      date: today,
      currency: 'USD',
      total: totalOf(lines),
      specialTerms: clause,
    },
    lines,
    contacts: { siteAdmin: { name: 'Sam Admin', email: 'sam@fabrikam-health.example' } },
    ...extra,
  });

  it(`gives one PO number to one of ${N} concurrent orders; the others get po.duplicate`, async () => {
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        t
          .as(CONTOSO)
          .post('/api/v1/orders', kitOrder('RACE-PO-1'), { 'idempotency-key': `po-${i}` }),
      ),
    );
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes, results.map((r) => r.body).join('\n')).toEqual([
      201,
      ...Array<number>(N - 1).fill(422),
    ]);
    for (const r of results.filter((x) => x.statusCode === 422)) {
      expect(r.json().errors as Problem[]).toEqual([
        expect.objectContaining({
          path: 'purchaseOrder.number',
          code: 'po.duplicate',
          actual: 'RACE-PO-1',
        }),
      ]);
    }
    const list = (await t.as(CONTOSO).get('/api/v1/orders?limit=100')).json().items as {
      purchaseOrder: { number: string } | null;
    }[];
    expect(list.filter((o) => o.purchaseOrder?.number === 'RACE-PO-1')).toHaveLength(1);
  });

  async function approvedQuote(quantity: number): Promise<Line[]> {
    const created = await t.as(SALES).post('/api/v1/quotes', {
      partnerId: acmeId,
      customerId,
      orderType: 'new',
      lines: [{ partNumber: products[0]!.partNumber, quantity }],
    });
    expect(created.statusCode, created.body).toBe(201);
    const approved = await t
      .as(SALES)
      .post(`/api/v1/quotes/${created.json().id}/actions/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    quoteIds.push(created.json().id as string);
    const quoted: { lines: { partNumber: string; quantity: number; netPrice: string }[] } =
      approved.json();
    return quoted.lines.map((l) => ({
      partNumber: l.partNumber,
      quantity: l.quantity,
      unitPrice: l.netPrice,
    }));
  }
  const quoteIds: string[] = [];

  it(`lets one of ${N} concurrent orders consume a quote; the others are told it is taken`, async () => {
    const lines = await approvedQuote(4);
    const q = { id: quoteIds.at(-1)! };
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        t.as(ACME).post('/api/v1/orders', order(`RACE-Q-${i}`, lines, { quoteId: q.id })),
      ),
    );
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes, results.map((r) => r.body).join('\n')).toEqual([
      201,
      ...Array<number>(N - 1).fill(422),
    ]);
    for (const r of results.filter((x) => x.statusCode === 422)) {
      expect(r.json().errors as Problem[]).toContainEqual(
        expect.objectContaining({ path: 'quoteId', code: 'quote.not_approved' }),
      );
    }
    expect((await t.as(ACME).get(`/api/v1/quotes/${q.id}`)).json().status).toBe('ordered');
  });

  it('refuses to resubmit an order corrected to a PO number another order uses', async () => {
    const linesA = await approvedQuote(2);
    const first = await t
      .as(ACME)
      .post('/api/v1/orders', order('HELD-PO-A', linesA, { quoteId: quoteIds.at(-1) }));
    expect(first.statusCode, first.body).toBe(201);
    const linesB = await approvedQuote(3);
    const second = await t
      .as(ACME)
      .post('/api/v1/orders', order('HELD-PO-B', linesB, { quoteId: quoteIds.at(-1) }));
    expect(second.statusCode, second.body).toBe(201);
    const held = await act(t, DESK, second.json(), 'hold', 'on_hold', { reason: 'Check the PO' });
    const corrected = await t
      .as(ACME)
      .patch(
        `/api/v1/orders/${held.id}`,
        { purchaseOrder: { ...order('HELD-PO-A', linesB).purchaseOrder } },
        { 'if-match': String(held.version) },
      );
    expect(corrected.statusCode, corrected.body).toBe(200);
    const resubmitted = await t
      .as(ACME)
      .post(
        `/api/v1/orders/${held.id}/actions/resubmit`,
        {},
        { 'if-match': String(corrected.json().version) },
      );
    expect(resubmitted.statusCode, resubmitted.body).toBe(422);
    expect(resubmitted.json().errors as Problem[]).toContainEqual(
      expect.objectContaining({ path: 'purchaseOrder.number', code: 'po.duplicate' }),
    );
  });
});
