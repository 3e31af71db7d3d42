// Regression tests for the correctness gaps found in review (issue 8, point 8), each driven
// through the API as a new user would, on both databases. (Kits that ship and seats without
// attendees: scenario-edgeworks; category multipliers and what a tier-2 sees of its
// distributor's prices: catalog.test.)
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
const BETA = 'buyer@beta.example';
const SALES = 'sales@northwind.example';
const today = new Date().toISOString().slice(0, 10);

interface QuoteOut {
  id: string;
  number: string;
  revision: number;
  version: number;
  status: string;
  lines: { partNumber: string; quantity: number; netPrice: string }[];
}
type Line = { partNumber: string; quantity: number; unitPrice: string };

describe.each(testDialects())('correctness on %s', (dialect) => {
  let t: TestApp;
  let acmeId: string;
  let fabrikam: string; // Acme's customer
  let tailspin: string; // Beta's customer (Beta is Acme's tier-2)
  let clause: string;
  let products: PricedProduct[];
  let po = 0;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    acmeId = await partnerIdOf(t, ACME);
    const customers = (await t.as(ACME).get('/api/v1/customers')).json().items as {
      id: string;
      name: string;
    }[];
    fabrikam = customers.find((c) => c.name !== 'Tailspin Toys')!.id;
    tailspin = customers.find((c) => c.name === 'Tailspin Toys')!.id;
    clause = (await t.as(ACME).get('/api/v1/partnerships?vendor=northwind')).json().items[0]
      .specialTerms as string;
    products = await findProducts(t, ACME, 'northwind', { type: 'subscription', count: 2 });
  });
  afterAll(async () => {
    await t.close();
  });

  async function quote(
    orderType: string,
    customerId: string,
    lines: { partNumber: string; quantity: number }[],
    approve = true,
    extra: Record<string, unknown> = {},
  ): Promise<QuoteOut> {
    const created = await t
      .as(SALES)
      .post('/api/v1/quotes', { partnerId: acmeId, customerId, orderType, lines, ...extra });
    expect(created.statusCode, created.body).toBe(201);
    if (!approve) return created.json();
    const approved = await t
      .as(SALES)
      .post(`/api/v1/quotes/${created.json().id}/actions/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    return approved.json();
  }

  const linesOf = (q: QuoteOut): Line[] =>
    q.lines.map((l) => ({ partNumber: l.partNumber, quantity: l.quantity, unitPrice: l.netPrice }));

  function northwindOrder(
    type: string,
    customerId: string,
    lines: Line[],
    extra: Record<string, unknown> = {},
  ) {
    return {
      vendor: 'northwind',
      type,
      customerId,
      purchaseOrder: {
        number: `GAP-PO-${++po}`,
        date: today,
        currency: 'USD',
        total: totalOf(lines),
        specialTerms: clause,
      },
      lines,
      contacts: { siteAdmin: { name: 'Sam Admin', email: 'sam@fabrikam-health.example' } },
      ...extra,
    };
  }

  async function completed(user: string, body: Record<string, unknown>) {
    const res = await t.as(user).post('/api/v1/orders', body);
    expect(res.statusCode, res.body).toBe(201);
    let o = res.json();
    o = await act(t, 'desk@northwind.example', o, 'approve', 'booking');
    o = await act(t, 'finance@northwind.example', o, 'book', 'provisioning');
    return act(t, 'provisioning@northwind.example', o, 'complete', 'completed');
  }

  it('holds an unchanged auto-renewal to the prices of the subscription it renews', async () => {
    const q = await quote('new', fabrikam, [{ partNumber: products[0]!.partNumber, quantity: 50 }]);
    await completed(ACME, northwindOrder('new', fabrikam, linesOf(q), { quoteId: q.id }));
    const sub = (await t.as(ACME).get(`/api/v1/subscriptions?customerId=${fabrikam}`)).json()
      .items[0];
    expect(sub).toMatchObject({ status: 'active', termMonths: 12 });

    // 50 seats at 1.00 against the 50 seats the subscription was sold at: refused.
    const cheap = [{ partNumber: products[0]!.partNumber, quantity: 50, unitPrice: '1.00' }];
    const res = await t
      .as(ACME)
      .post('/api/v1/orders', northwindOrder('auto_renewal', fabrikam, cheap));
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors).toContainEqual(
      expect.objectContaining({
        path: 'lines[0].unitPrice',
        code: 'price.mismatch',
        expected: q.lines[0]!.netPrice,
        actual: '1.00',
      }),
    );
    // At the subscription's prices it needs only the PO, and renews for the next term.
    const renewed = await completed(ACME, northwindOrder('auto_renewal', fabrikam, linesOf(q)));
    expect(renewed.status).toBe('completed');
    const after = (await t.as(ACME).get(`/api/v1/subscriptions/${sub.id}`)).json();
    expect(after.startsOn).toBe(sub.endsOn);
    expect(after.endsOn > sub.endsOn).toBe(true);
  });

  it('refuses a quote of another order type at `type`', async () => {
    const upsell = await quote('upsell', fabrikam, [
      { partNumber: products[1]!.partNumber, quantity: 5 },
    ]);
    const res = await t
      .as(ACME)
      .post(
        '/api/v1/orders',
        northwindOrder('renewal', fabrikam, linesOf(upsell), { quoteId: upsell.id }),
      );
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors).toContainEqual(
      expect.objectContaining({ path: 'type', code: 'quote.mismatch' }),
    );
  });

  it('says a superseded quote was superseded, and by which revision', async () => {
    const q = await quote('new', fabrikam, [{ partNumber: products[1]!.partNumber, quantity: 3 }]);
    const revised = await t.as(SALES).post(`/api/v1/quotes/${q.id}/actions/revise`, {});
    expect(revised.statusCode, revised.body).toBe(200);
    const res = await t
      .as(ACME)
      .post('/api/v1/orders', northwindOrder('new', fabrikam, linesOf(q), { quoteId: q.id }));
    expect(res.statusCode, res.body).toBe(422);
    const problem = (res.json().errors as { path: string; code: string; message: string }[]).find(
      (e) => e.path === 'quoteId',
    );
    expect(problem?.code).toBe('quote.not_approved');
    expect(problem?.message).toMatch(/superseded by revision 2\b/);
  });

  it('takes an ISO date-time where a date is asked, as the date it names (quote validUntil, PO date)', async () => {
    const inFive = new Date(Date.now() + 5 * 86_400_000).toISOString();
    const q = await quote(
      'new',
      fabrikam,
      [{ partNumber: products[0]!.partNumber, quantity: 2 }],
      true,
      {
        validUntil: inFive,
      },
    );
    expect(q).toMatchObject({ status: 'approved', validUntil: inFive.slice(0, 10) });
    const body = northwindOrder('new', fabrikam, linesOf(q), { quoteId: q.id });
    body.purchaseOrder.date = `${today}T08:15:00.000Z`;
    const res = await t.as(ACME).post('/api/v1/orders', body);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().purchaseOrder.date).toBe(today);
    // Not a date at all: a problem of the order naming the field and what it takes, with the
    // others (the PO and the quote are used by the order just placed).
    body.purchaseOrder.date = '05/12/2026';
    const bad = await t.as(ACME).post('/api/v1/orders/validate', body);
    expect(bad.statusCode, bad.body).toBe(200);
    expect(bad.json().problems).toContainEqual(
      expect.objectContaining({
        path: 'purchaseOrder.date',
        code: 'invalid',
        severity: 'error',
        message: 'An ISO date such as 2026-12-04 (a date-time is taken as its date)',
      }),
    );
    expect(bad.json().problems).toContainEqual(
      expect.objectContaining({ path: 'purchaseOrder.number', code: 'po.duplicate' }),
    );
  });

  it('says a quote not yet approved is not approved, and nothing of its content', async () => {
    const q = await quote(
      'new',
      fabrikam,
      [{ partNumber: products[1]!.partNumber, quantity: 4 }],
      false,
    );
    expect(q.status).toBe('draft');
    // The order's type and lines differ from the draft's: none of that is compared or told.
    const body = northwindOrder('upsell', fabrikam, [{ ...linesOf(q)[0]!, quantity: 9 }], {
      quoteId: q.id,
    });
    for (const path of ['/api/v1/orders/validate', '/api/v1/orders']) {
      const res = await t.as(ACME).post(path, body);
      const problems = (path.endsWith('validate') ? res.json().problems : res.json().errors) as {
        path: string;
        code: string;
        expected?: string;
        actual?: string;
      }[];
      expect(res.statusCode, res.body).toBe(path.endsWith('validate') ? 200 : 422);
      expect(problems.filter((p) => p.code.startsWith('quote.'))).toEqual([
        expect.objectContaining({
          path: 'quoteId',
          code: 'quote.not_approved',
          expected: 'approved',
          actual: 'draft',
        }),
      ]);
    }
    // Another partner's draft is still no quote of this partnership.
    const CONTOSO = 'buyer@contoso.example';
    const foreign = await t.as(SALES).post('/api/v1/quotes', {
      partnerId: await partnerIdOf(t, CONTOSO),
      customerId: (await t.as(CONTOSO).get('/api/v1/customers')).json().items[0].id as string,
      orderType: 'new',
      lines: [{ partNumber: products[1]!.partNumber, quantity: 4 }],
    });
    expect(foreign.statusCode, foreign.body).toBe(201);
    const res = await t
      .as(ACME)
      .post(
        '/api/v1/orders/validate',
        northwindOrder('new', fabrikam, linesOf(q), { quoteId: foreign.json().id }),
      );
    expect(res.json().problems).toContainEqual(
      expect.objectContaining({ path: 'quoteId', code: 'quote.required' }),
    );
    // Approved, the same draft is the order's quote.
    const approved = await t.as(SALES).post(`/api/v1/quotes/${q.id}/actions/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    const valid = await t
      .as(ACME)
      .post(
        '/api/v1/orders/validate',
        northwindOrder('new', fabrikam, linesOf(q), { quoteId: q.id }),
      );
    expect(
      valid.json().problems.filter((p: { code: string }) => p.code.startsWith('quote.')),
    ).toEqual([]);
  });

  it('rejects with a reason on the thread and gives the quote back', async () => {
    const q = await quote('new', fabrikam, [{ partNumber: products[0]!.partNumber, quantity: 7 }]);
    const res = await t
      .as(ACME)
      .post('/api/v1/orders', northwindOrder('new', fabrikam, linesOf(q), { quoteId: q.id }));
    expect(res.statusCode, res.body).toBe(201);
    expect((await t.as(ACME).get(`/api/v1/quotes/${q.id}`)).json().status).toBe('ordered');

    // A rejection without a reason is refused: the partner must hear why.
    const silent = await t
      .as('desk@northwind.example')
      .post(`/api/v1/orders/${res.json().id}/actions/reject`, {});
    expect(silent.statusCode).toBe(422);
    await act(t, 'desk@northwind.example', res.json(), 'reject', 'rejected', {
      reason: 'The customer already has this plan',
    });
    const thread = (await t.as(ACME).get(`/api/v1/orders/${res.json().id}/messages`)).json().items;
    expect(thread).toContainEqual(
      expect.objectContaining({
        direction: 'out',
        to: [ACME],
        status: 'queued',
        text: expect.stringContaining('The customer already has this plan'),
      }),
    );
    expect((await t.as(ACME).get(`/api/v1/quotes/${q.id}`)).json().status).toBe('approved');
    const events = (await t.as(SALES).get(`/api/v1/orders/${res.json().id}/events`)).json().items;
    expect(events.map((e: { type: string }) => e.type)).toEqual([
      'order.submitted',
      'order.rejected',
    ]);
  });

  it("asks for tier-2 reseller details when the deal is a tier-2 reseller's, whoever orders", async () => {
    const q = await quote('new', tailspin, [{ partNumber: products[0]!.partNumber, quantity: 2 }]);
    const body = northwindOrder('new', tailspin, linesOf(q), { quoteId: q.id });
    const tier2Problems = [
      expect.objectContaining({ path: 'tier2Reseller.name', code: 'required' }),
      expect.objectContaining({ path: 'tier2Reseller.email', code: 'required' }),
    ];
    // The tier-2 reseller orders: its details are required.
    const byBeta = await t.as(BETA).post('/api/v1/orders/validate', body);
    expect(byBeta.json().problems).toEqual(tier2Problems);
    // Seed 000's two-tier case: the distributor's PO for its tier-2 reseller's customer must
    // name the reseller too.
    const byAcme = await t.as(ACME).post('/api/v1/orders', body);
    expect(byAcme.statusCode, byAcme.body).toBe(422);
    expect(byAcme.json().errors).toEqual(tier2Problems);
    expect(byAcme.json().errors[0].message).toBe(
      'Orders placed by a tier-2 reseller, or for one of its customers, must name the reseller and its email.',
    );
    const named = await t.as(ACME).post('/api/v1/orders', {
      ...body,
      tier2Reseller: { name: 'Beta Resellers', email: 'buyer@beta.example' },
    });
    expect(named.statusCode, named.body).toBe(201);
    expect(named.json().tier2Reseller).toEqual({
      name: 'Beta Resellers',
      email: 'buyer@beta.example',
    });
    // The distributor ordering for a customer of its own names no tier-2 reseller.
    const own = await quote('new', fabrikam, [
      { partNumber: products[0]!.partNumber, quantity: 2 },
    ]);
    const byAcmeForItself = await t
      .as(ACME)
      .post('/api/v1/orders', northwindOrder('new', fabrikam, linesOf(own), { quoteId: own.id }));
    expect(byAcmeForItself.statusCode, byAcmeForItself.body).toBe(201);
  });

  it('refuses a PO without a date where the order type requires one, as a required problem', async () => {
    const q = await quote('new', fabrikam, [{ partNumber: products[1]!.partNumber, quantity: 3 }]);
    const body = northwindOrder('new', fabrikam, linesOf(q), { quoteId: q.id });
    const { date: _date, ...undated } = body.purchaseOrder;
    const withoutDate = { ...body, purchaseOrder: undated };
    const validated = await t.as(ACME).post('/api/v1/orders/validate', withoutDate);
    expect(validated.statusCode, validated.body).toBe(200);
    expect(validated.json()).toMatchObject({ valid: false });
    expect(validated.json().problems).toEqual([
      expect.objectContaining({ path: 'purchaseOrder.date', code: 'required' }),
    ]);
    const res = await t.as(ACME).post('/api/v1/orders', withoutDate);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors).toEqual([
      expect.objectContaining({ path: 'purchaseOrder.date', code: 'required' }),
    ]);
    // Every other problem is still said alongside it (no 400 hiding them).
    const alsoWrong = await t.as(ACME).post('/api/v1/orders', {
      ...withoutDate,
      purchaseOrder: { ...undated, specialTerms: 'none' },
    });
    expect(alsoWrong.statusCode, alsoWrong.body).toBe(422);
    expect(alsoWrong.json().errors).toEqual([
      expect.objectContaining({ path: 'purchaseOrder.date', code: 'required' }),
      expect.objectContaining({
        path: 'purchaseOrder.specialTerms',
        code: expect.stringMatching(/^special_terms\./),
      }),
    ]);
  });

  it('says an auto-renewal for a customer without a subscription has nothing to renew', async () => {
    const created = await t.as(ACME).post('/api/v1/customers', { name: 'Northwind Newcomer' });
    expect(created.statusCode, created.body).toBe(201);
    const customerId = created.json().id as string;
    const lines = [{ partNumber: products[0]!.partNumber, quantity: 5, unitPrice: '10.00' }];
    const body = northwindOrder('auto_renewal', customerId, lines);
    const res = await t.as(ACME).post('/api/v1/orders', body);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors).toEqual([
      expect.objectContaining({ path: 'quoteId', code: 'quote.required' }),
      expect.objectContaining({
        path: 'customerId',
        code: 'subscription.unknown',
        message: 'The customer has no subscription to renew',
      }),
    ]);
  });

  it('uses the stored site admin and the partnership CC as defaults for the order contacts', async () => {
    const contact = await t.as(ACME).post(`/api/v1/customers/${fabrikam}/contacts`, {
      name: 'Stored Admin',
      email: 'stored-admin@fabrikam-health.example',
      roles: ['site_admin'],
    });
    expect(contact.statusCode, contact.body).toBe(201);
    const q = await quote('new', fabrikam, [{ partNumber: products[1]!.partNumber, quantity: 4 }]);
    const { contacts: _none, ...body } = northwindOrder('new', fabrikam, linesOf(q), {
      quoteId: q.id,
    });
    const valid = await t.as(ACME).post('/api/v1/orders/validate', body);
    expect(valid.json().problems, valid.body).toEqual([]);
    const res = await t.as(ACME).post('/api/v1/orders', body);
    expect(res.statusCode, res.body).toBe(201);
    const partnership = (await t.as(ACME).get('/api/v1/partnerships?vendor=northwind')).json()
      .items[0];
    expect(res.json().contacts).toEqual({
      siteAdmin: { name: 'Stored Admin', email: 'stored-admin@fabrikam-health.example' },
      provisioningCc: partnership.provisioningCc,
    });
  });

  it("never shows a tier-2 reseller its distributor's multiplier, in quotes or in problems", async () => {
    const q = await quote('new', tailspin, [{ partNumber: products[0]!.partNumber, quantity: 2 }]);
    const seenByAcme = (await t.as(ACME).get(`/api/v1/quotes/${q.id}`)).json();
    expect(seenByAcme.lines[0].multiplier).not.toBeNull();
    const seenByBeta = (await t.as(BETA).get(`/api/v1/quotes/${q.id}`)).json();
    expect(seenByBeta.lines[0]).toMatchObject({
      listPrice: null,
      multiplier: null,
      netPrice: q.lines[0]!.netPrice,
    });

    const [item] = await findProducts(t, BETA, 'skyline', { type: 'subscription', count: 1 });
    const wrong = {
      vendor: 'skyline',
      type: 'new',
      customerId: tailspin,
      lines: [{ partNumber: item!.partNumber, quantity: 1, unitPrice: '1.00' }],
      termsAccepted: { version: '2025-01' },
    };
    const byBeta = (await t.as(BETA).post('/api/v1/orders/validate', wrong)).json();
    const price = byBeta.problems.find((p: { code: string }) => p.code === 'price.mismatch');
    expect(price).toMatchObject({ expected: item!.netPrice, actual: '1.00' });
    expect(price.message).toBe(`The net price is ${item!.netPrice}`);
    expect(byBeta.pricing.lines[0]).toMatchObject({ listPrice: null, multiplier: null });
    // The distributor sees the computation.
    const byAcme = (await t.as(ACME).post('/api/v1/orders/validate', wrong)).json();
    expect(
      byAcme.problems.find((p: { code: string }) => p.code === 'price.mismatch').message,
    ).toContain('×');
  });

  it("places an order from a mail on the partner's behalf, reading the clause in the mail body", async () => {
    const q = await quote('new', fabrikam, [{ partNumber: products[1]!.partNumber, quantity: 6 }]);
    const body = northwindOrder('new', fabrikam, linesOf(q), { quoteId: q.id });
    const { specialTerms: _c, ...po } = body.purchaseOrder;
    const fromMail = { ...body, purchaseOrder: po, partnerId: acmeId };
    const DESK = 'desk@northwind.example';
    const without = await t.as(DESK).post('/api/v1/orders/validate', fromMail);
    expect(without.json().problems).toContainEqual(
      expect.objectContaining({ code: 'special_terms.missing' }),
    );
    const placed = await t.as(DESK).post('/api/v1/orders', {
      ...fromMail,
      emailBody: `Hello, please find our PO attached.\n\n${clause}\n\nRegards, Acme`,
    });
    expect(placed.statusCode, placed.body).toBe(201);
    expect(placed.json()).toMatchObject({ partnerId: acmeId, channel: 'email' });
    // The partner sees it as its own order.
    expect((await t.as(ACME).get(`/api/v1/orders/${placed.json().id}`)).statusCode).toBe(200);
    // A partner does not send a mail body; finance does not place orders.
    const partnerTry = await t
      .as(ACME)
      .post('/api/v1/orders/validate', { ...body, emailBody: clause });
    expect(partnerTry.json().problems).toContainEqual(
      expect.objectContaining({ path: 'emailBody' }),
    );
    expect(
      (await t.as('finance@northwind.example').post('/api/v1/orders', fromMail)).statusCode,
    ).toBe(403);
  });

  it('answers bad input with problems, never a 500', async () => {
    const q = await quote('new', fabrikam, [{ partNumber: products[0]!.partNumber, quantity: 1 }]);
    const body = northwindOrder('new', fabrikam, linesOf(q), { quoteId: q.id });
    // A well-formed code that is no currency: a problem of the order (validate 200, submit 422).
    const xyz = { ...body, purchaseOrder: { ...body.purchaseOrder, currency: 'XYZ' } };
    const checked = await t.as(ACME).post('/api/v1/orders/validate', xyz);
    expect(checked.statusCode, checked.body).toBe(200);
    expect(checked.json().problems).toEqual([
      expect.objectContaining({ path: 'purchaseOrder.currency', code: 'invalid' }),
    ]);
    const refused = await t.as(ACME).post('/api/v1/orders', xyz);
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json().errors).toEqual([
      expect.objectContaining({ path: 'purchaseOrder.currency', code: 'invalid' }),
    ]);
    // A PO dated 9999-12-31, and a price with spaces: a problem naming the field.
    const farOff = await t.as(ACME).post('/api/v1/orders/validate', {
      ...body,
      purchaseOrder: { ...body.purchaseOrder, date: '9999-12-31' },
    });
    expect(farOff.statusCode, farOff.body).toBe(200);
    expect(farOff.json().problems).toContainEqual(
      expect.objectContaining({ path: 'purchaseOrder.date', code: 'invalid' }),
    );
    const spaced = await t.as(ACME).post('/api/v1/orders/validate', {
      ...body,
      lines: body.lines.map((l) => ({ ...l, unitPrice: ` ${l.unitPrice} ` })),
    });
    expect(spaced.statusCode, spaced.body).toBe(200);
    expect(spaced.json().problems).toEqual([
      expect.objectContaining({ path: 'lines[0].unitPrice', code: 'invalid' }),
    ]);
    // On a held order, a new currency without the lines priced in it.
    const placed = (await t.as(ACME).post('/api/v1/orders', body)).json();
    const held = await act(t, 'desk@northwind.example', placed, 'hold', 'on_hold', {
      reason: 'Wrong currency',
    });
    const patched = await t.as(ACME).patch(`/api/v1/orders/${held.id}`, {
      purchaseOrder: { ...body.purchaseOrder, currency: 'EUR' },
    });
    expect(patched.statusCode, patched.body).toBe(422);
    expect(patched.json().errors).toEqual([expect.objectContaining({ path: 'lines' })]);
    // Staff naming a partner that is not theirs: a problem at partnerId.
    const unknown = await t
      .as('desk@northwind.example')
      .post('/api/v1/orders', { ...body, partnerId: 'ptn_nothere' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors).toEqual([
      expect.objectContaining({ path: 'partnerId', message: 'Not a partner of your vendor' }),
    ]);
  });

  it('holds an order with the stable problem codes only (API.md "Problem codes")', async () => {
    const DESK = 'desk@northwind.example';
    const [item] = products;
    const q = await quote('new', fabrikam, [{ partNumber: item!.partNumber, quantity: 1 }]);
    const placed = await t
      .as(ACME)
      .post('/api/v1/orders', northwindOrder('new', fabrikam, linesOf(q), { quoteId: q.id }));
    expect(placed.statusCode, placed.body).toBe(201);
    const hold = (code: string) =>
      t.as(DESK).post(
        `/api/v1/orders/${placed.json().id}/actions/hold`,
        {
          reason: 'Check the price',
          problems: [
            { path: 'purchaseOrder.number', message: 'Send the signed PO' },
            { path: 'lines[0].unitPrice', code, message: 'm' },
          ],
        },
        { 'if-match': String(placed.json().version) },
      );
    const madeUp = await hold('made.up');
    expect(madeUp.statusCode, madeUp.body).toBe(400);
    expect(madeUp.json().errors).toEqual([
      expect.objectContaining({ path: 'problems[1].code', code: 'invalid' }),
    ]);
    // Nothing happened: the order is still submitted, at its version.
    const still = (await t.as(ACME).get(`/api/v1/orders/${placed.json().id}`)).json();
    expect([still.status, still.version]).toEqual(['submitted', placed.json().version]);
    const held = await hold('price.mismatch');
    expect(held.statusCode, held.body).toBe(200);
    expect(held.json().problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'purchaseOrder.number', code: 'invalid' }),
        expect.objectContaining({ path: 'lines[0].unitPrice', code: 'price.mismatch' }),
      ]),
    );
  });

  it("keeps a corrected order's line details and answers with its own problems, the desk's reason kept", async () => {
    const DESK = 'desk@northwind.example';
    const [item] = products;
    const q = await quote('new', fabrikam, [{ partNumber: item!.partNumber, quantity: 3 }]);
    const body = northwindOrder('new', fabrikam, linesOf(q), { quoteId: q.id });
    const placed = await t.as(ACME).post('/api/v1/orders', body);
    expect(placed.statusCode, placed.body).toBe(201);
    const held = await act(t, DESK, placed.json(), 'hold', 'on_hold', {
      reason: 'The PO is not signed',
      problems: [{ path: 'purchaseOrder.number', message: 'Send the signed PO' }],
    });
    const details = {
      partNumber: item!.partNumber,
      name: item!.name,
      listPrice: item!.listPrice,
      multiplier: item!.multiplier,
      expectedNetPrice: item!.netPrice,
    };

    // A correction with a wrong price: the lines keep what the price list says of them, and
    // the answer names the corrected order's problem (the quote's price is the one to meet),
    // not the desk's.
    const wrongLines = [{ partNumber: item!.partNumber, quantity: 3, unitPrice: '1.00' }];
    const wrong = await t
      .as(ACME)
      .patch(
        `/api/v1/orders/${held.id}`,
        { lines: wrongLines, purchaseOrder: { ...body.purchaseOrder, total: totalOf(wrongLines) } },
        { 'if-match': String(held.version) },
      );
    expect(wrong.statusCode, wrong.body).toBe(200);
    expect(wrong.json()).toMatchObject({
      status: 'on_hold',
      holdReason: 'The PO is not signed',
      lines: [{ ...details, unitPrice: '1.00', quantity: 3 }],
    });
    expect(wrong.json().problems).toContainEqual(
      expect.objectContaining({
        path: 'lines[0].unitPrice',
        code: 'quote.mismatch',
        severity: 'error',
        expected: item!.netPrice,
        actual: '1.00',
      }),
    );
    expect(wrong.json().problems).not.toContainEqual(
      expect.objectContaining({ path: 'purchaseOrder.number' }),
    );
    const seen = (await t.as(ACME).get(`/api/v1/orders/${held.id}`)).json();
    expect(seen.lines).toEqual(wrong.json().lines);

    // Corrected again, at the right price: nothing left to fix; the desk's reason stays until
    // the partner resubmits.
    const fixed = await t
      .as(ACME)
      .patch(
        `/api/v1/orders/${held.id}`,
        { lines: linesOf(q), purchaseOrder: body.purchaseOrder },
        { 'if-match': String(wrong.json().version) },
      );
    expect(fixed.statusCode, fixed.body).toBe(200);
    expect(fixed.json()).toMatchObject({
      holdReason: 'The PO is not signed',
      lines: [{ ...details, unitPrice: item!.netPrice, quantity: 3 }],
    });
    expect(
      fixed.json().problems.filter((p: { severity: string }) => p.severity === 'error'),
    ).toEqual([]);
    const resubmitted = await act(t, ACME, fixed.json(), 'resubmit', 'submitted');
    expect((await t.as(ACME).get(`/api/v1/orders/${resubmitted.id}`)).json().lines).toEqual(
      fixed.json().lines,
    );
  });

  it("answers a tier-2 reseller's correction with its problems as the reseller may read them", async () => {
    const [item] = await findProducts(t, BETA, 'skyline', { type: 'subscription', count: 1 });
    const placed = await t.as(BETA).post('/api/v1/orders', {
      vendor: 'skyline',
      type: 'new',
      customerId: tailspin,
      lines: [{ partNumber: item!.partNumber, quantity: 1, unitPrice: item!.netPrice }],
      contacts: {
        siteAdmin: { name: 'Tia', email: 'it@tailspin.example' },
        invoicing: { name: 'AP', email: 'ap@tailspin.example' },
      },
      attributes: { primaryDomain: 'tailspin.example' },
      termsAccepted: { version: '2025-01' },
    });
    expect(placed.statusCode, placed.body).toBe(201);
    const held = await act(t, 'desk@skyline.example', placed.json(), 'hold', 'on_hold', {
      reason: 'Wrong seat count',
    });
    const patched = await t
      .as(BETA)
      .patch(
        `/api/v1/orders/${held.id}`,
        { lines: [{ partNumber: item!.partNumber, quantity: 2, unitPrice: '1.00' }] },
        { 'if-match': String(held.version) },
      );
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({
      holdReason: 'Wrong seat count',
      lines: [
        {
          name: item!.name,
          listPrice: null,
          multiplier: null,
          expectedNetPrice: item!.netPrice,
          unitPrice: '1.00',
        },
      ],
    });
    const price = patched
      .json()
      .problems.find((p: { code: string }) => p.code === 'price.mismatch');
    expect(price).toMatchObject({ path: 'lines[0].unitPrice', expected: item!.netPrice });
    expect(price.message).toBe(`The net price is ${item!.netPrice}`);
  });

  it("lets a distributor read its reseller's order but not act on it", async () => {
    const [item] = await findProducts(t, BETA, 'skyline', { type: 'subscription', count: 1 });
    const placed = await t.as(BETA).post('/api/v1/orders', {
      vendor: 'skyline',
      type: 'new',
      customerId: tailspin,
      lines: [{ partNumber: item!.partNumber, quantity: 1, unitPrice: item!.netPrice }],
      contacts: {
        siteAdmin: { name: 'Tia', email: 'it@tailspin.example' },
        invoicing: { name: 'AP', email: 'ap@tailspin.example' },
      },
      attributes: { primaryDomain: 'tailspin.example' },
      termsAccepted: { version: '2025-01' },
    });
    expect(placed.statusCode, placed.body).toBe(201);
    const id = placed.json().id as string;
    const seen = await t.as(ACME).get(`/api/v1/orders/${id}`);
    expect(seen.statusCode).toBe(200);
    expect(seen.json().availableActions).toEqual([]);
    expect(
      (await t.as(ACME).post(`/api/v1/orders/${id}/actions/cancel`, { reason: 'x' })).statusCode,
    ).toBe(403);
    expect((await t.as(BETA).get(`/api/v1/orders/${id}`)).json().availableActions).toContain(
      'cancel',
    );
    expect(
      (await t.as(BETA).post(`/api/v1/orders/${id}/actions/cancel`, { reason: 'Ordered twice' }))
        .statusCode,
    ).toBe(200);
  });

  describe('skyline subscriptions', () => {
    const RESELLER = BETA;
    let subscriptionId: string;
    let items: PricedProduct[];
    const base = (type: string, lines: Line[], extra: Record<string, unknown> = {}) => ({
      vendor: 'skyline',
      type,
      customerId: tailspin,
      lines,
      contacts: {
        siteAdmin: { name: 'Tia Admin', email: 'it@tailspin.example' },
        invoicing: { name: 'Tailspin AP', email: 'ap@tailspin.example' },
      },
      attributes: { primaryDomain: 'tailspin.example' },
      termsAccepted: { version: '2025-01' },
      ...extra,
    });
    const finish = async (body: Record<string, unknown>) => {
      const res = await t.as(RESELLER).post('/api/v1/orders', body);
      expect(res.statusCode, res.body).toBe(201);
      const o = await act(t, 'desk@skyline.example', res.json(), 'approve', 'provisioning');
      return act(t, 'provisioning@skyline.example', o, 'complete', 'completed');
    };

    beforeAll(async () => {
      items = await findProducts(t, RESELLER, 'skyline', { type: 'subscription', count: 2 });
      await finish(
        base('new', [
          { partNumber: items[0]!.partNumber, quantity: 5, unitPrice: items[0]!.netPrice },
        ]),
      );
      const subs = (await t.as(RESELLER).get(`/api/v1/subscriptions?customerId=${tailspin}`)).json()
        .items as { id: string; vendor: string }[];
      subscriptionId = subs.find((s) => s.vendor === 'skyline')!.id;
    });

    it('refuses a change naming an unknown subscription', async () => {
      const lines = [
        { partNumber: items[1]!.partNumber, quantity: 2, unitPrice: items[1]!.netPrice },
      ];
      const res = await t.as(RESELLER).post(
        '/api/v1/orders',
        base('change', lines, {
          attributes: { primaryDomain: 'tailspin.example', subscriptionId: 'sub_doesnotexist' },
        }),
      );
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().errors).toContainEqual(
        expect.objectContaining({
          path: 'attributes.subscriptionId',
          code: 'subscription.unknown',
        }),
      );
    });

    it("reports an unknown or another partner's customer with the order's other problems, reading nothing of it", async () => {
      // A wrong price beside the wrong customer: both come back at once (API.md: every
      // problem); nothing about the named subscription, which is not this customer's to check.
      const lines = [{ partNumber: items[1]!.partNumber, quantity: 2, unitPrice: '1.00' }];
      const foreign = await firstCustomerId(t, 'buyer@contoso.example');
      expect(foreign).not.toBe(tailspin);
      const expected = ['customerId invalid', 'lines[0].unitPrice price.mismatch'];
      const orders = async () => (await t.as(RESELLER).get('/api/v1/orders')).json().items.length;
      for (const customerId of ['cus_nothere', foreign]) {
        const body = base('change', lines, {
          customerId,
          attributes: { primaryDomain: 'tailspin.example', subscriptionId },
        });
        const checked = await t.as(RESELLER).post('/api/v1/orders/validate', body);
        expect(checked.statusCode, checked.body).toBe(200);
        expect(checked.json().valid).toBe(false);
        expect(
          checked.json().problems.map((p: { path: string; code: string }) => `${p.path} ${p.code}`),
        ).toEqual(expected);
        expect(checked.json().pricing.lines).toHaveLength(1);
        const before = await orders();
        const res = await t.as(RESELLER).post('/api/v1/orders', body);
        expect(res.statusCode, res.body).toBe(422);
        expect(
          res.json().errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`),
        ).toEqual(expected);
        expect(await orders()).toBe(before);
      }
    });

    it('changes the subscription on a change, keeping its term', async () => {
      const before = (await t.as(RESELLER).get(`/api/v1/subscriptions/${subscriptionId}`)).json();
      const lines = [
        { partNumber: items[1]!.partNumber, quantity: 2, unitPrice: items[1]!.netPrice },
      ];
      await finish(
        base('change', lines, {
          attributes: { primaryDomain: 'tailspin.example', subscriptionId },
        }),
      );
      const after = (await t.as(RESELLER).get(`/api/v1/subscriptions/${subscriptionId}`)).json();
      expect(after).toMatchObject({ startsOn: before.startsOn, endsOn: before.endsOn });
      expect(after.lines).toEqual([
        expect.objectContaining({ partNumber: items[1]!.partNumber, quantity: 2 }),
      ]);
    });
  });
});

// What a new user found driving the API (issue 8 review): each answer checked on both databases.
describe.each(testDialects())('review findings on %s', (dialect) => {
  let t: TestApp;
  let acmeId: string;
  let fabrikam: string;
  let clause: string;
  let products: PricedProduct[];
  const SALES = 'sales@northwind.example';
  const ADMIN = 'admin@northwind.example';

  beforeAll(async () => {
    t = await createTestApp(dialect);
    acmeId = await partnerIdOf(t, ACME);
    fabrikam = (await t.as(ACME).get('/api/v1/customers'))
      .json()
      .items.find((c: { name: string }) => c.name !== 'Tailspin Toys').id;
    clause = (await t.as(ACME).get('/api/v1/partnerships?vendor=northwind')).json().items[0]
      .specialTerms;
    products = await findProducts(t, ACME, 'northwind', { type: 'subscription', count: 1 });
  });
  afterAll(async () => {
    await t.close();
  });

  async function placed(po: string) {
    const created = await t.as(SALES).post('/api/v1/quotes', {
      partnerId: acmeId,
      customerId: fabrikam,
      orderType: 'new',
      lines: [{ partNumber: products[0]!.partNumber, quantity: 2 }],
    });
    const q = (
      await t.as(SALES).post(`/api/v1/quotes/${created.json().id}/actions/approve`, {})
    ).json();
    const lines = q.lines.map((l: { partNumber: string; quantity: number; netPrice: string }) => ({
      partNumber: l.partNumber,
      quantity: l.quantity,
      unitPrice: l.netPrice,
    }));
    const res = await t.as(ACME).post('/api/v1/orders', {
      vendor: 'northwind',
      type: 'new',
      customerId: fabrikam,
      quoteId: q.id,
      purchaseOrder: {
        number: po,
        date: today,
        currency: 'USD',
        total: totalOf(lines),
        specialTerms: clause,
      },
      lines,
      contacts: { siteAdmin: { name: 'Sam', email: 'sam@fabrikam-health.example' } },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }

  it('keeps what a correction replaced, and applies the contact defaults again at resubmit', async () => {
    let o = await placed('REV-1');
    o = await act(t, 'desk@northwind.example', o, 'hold', 'on_hold', { reason: 'New admin' });
    const empty = await t.as(ACME).patch(`/api/v1/orders/${o.id}`, {});
    expect(empty.statusCode).toBe(422);
    const patched = await t.as(ACME).patch(`/api/v1/orders/${o.id}`, {
      contacts: { siteAdmin: { name: 'Fab Admin', email: 'admin2@fabrikam-health.example' } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    // The provisioning CC the first submission defaulted is filled in again at resubmit.
    const resubmitted = await act(t, ACME, patched.json(), 'resubmit', 'submitted');
    const seen = (await t.as(ACME).get(`/api/v1/orders/${resubmitted.id}`)).json();
    expect(seen.contacts.provisioningCc).toEqual(expect.any(String));
    const events = (await t.as(ACME).get(`/api/v1/orders/${o.id}/events`)).json().items;
    const corrected = events.find((e: { type: string }) => e.type === 'order.corrected');
    expect(corrected.data.previous.contacts.siteAdmin.email).toBe('sam@fabrikam-health.example');
  });

  it('shows a token once: a repeated request makes another token, never the old secret', async () => {
    const key = { 'idempotency-key': 'token-1' };
    const a = await t.as(ACME).post('/api/v1/tokens', { name: 'erp' }, key);
    const b = await t.as(ACME).post('/api/v1/tokens', { name: 'erp' }, key);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(a.json().token).not.toBe(b.json().token);
    const stored = await t.store.db
      .selectFrom('idempotency_keys')
      .select('response_body')
      .execute();
    expect(stored.some((r) => r.response_body.includes(a.json().token))).toBe(false);
  });

  it('keeps an order on the profile version it was placed under; PUT honours If-Match', async () => {
    const o = await placed('REV-2');
    expect(o).toMatchObject({ profileVersion: 1, statusLabel: 'Order management review' });
    const source = (await t.as(ADMIN).get('/api/v1/vendors/northwind/profile/source')).json();
    const edited = source.source.replace(
      'label: Order management review',
      'label: Paperwork review',
    );
    const put = (body: string, ifMatch?: string) =>
      t.as(ADMIN).request({
        method: 'PUT',
        url: '/api/v1/vendors/northwind/profile',
        payload: body,
        headers: {
          'content-type': 'application/yaml',
          ...(ifMatch ? { 'if-match': ifMatch } : {}),
        },
      });
    expect((await put(edited, '7')).statusCode).toBe(409);
    const published = await put(edited, String(source.version));
    expect(published.statusCode, published.body).toBe(200);
    const version = published.json().version as number;
    expect(version).toBe(source.version + 1);
    // The same text again is no new version.
    expect((await put(edited)).json()).toEqual({ version });
    // The order placed before lives by its version; a new one by the new version.
    expect((await t.as(ACME).get(`/api/v1/orders/${o.id}`)).json().statusLabel).toBe(
      'Order management review',
    );
    const later = await placed('REV-3');
    expect(later).toMatchObject({ profileVersion: version, statusLabel: 'Paperwork review' });
  });

  it('refuses an action outside the caller’s role with 403, and tells sales why a quote was declined', async () => {
    const created = await t.as(SALES).post('/api/v1/quotes', {
      partnerId: acmeId,
      customerId: fabrikam,
      orderType: 'new',
      lines: [{ partNumber: products[0]!.partNumber, quantity: 1 }],
    });
    const q = (
      await t.as(SALES).post(`/api/v1/quotes/${created.json().id}/actions/approve`, {})
    ).json();
    const own = await t.as(ACME).post(`/api/v1/quotes/${q.id}/actions/approve`, {});
    expect(own.statusCode).toBe(403);
    expect(own.body).not.toContain('release');
    await t.as(ACME).post(`/api/v1/quotes/${q.id}/actions/decline`, { reason: 'Too expensive' });
    const thread = (await t.as(SALES).get(`/api/v1/quotes/${q.id}/messages`)).json().items;
    expect(thread).toContainEqual(
      expect.objectContaining({
        template: 'quote.declined',
        to: [SALES],
        text: expect.stringContaining('Too expensive'),
      }),
    );
  });
});
