// Seed 000 (quote-first SaaS) end to end through the HTTP API, as the partner and the
// vendor's staff would drive it.
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

const BUYER = 'buyer@acme.example';
const today = new Date().toISOString().slice(0, 10);

describe.each(testDialects())('northwind scenario on %s', (dialect) => {
  let t: TestApp;
  let customerId: string;
  let acmeId: string;
  let clause: string;
  let products: PricedProduct[];
  let subscriptionId: string;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    customerId = await firstCustomerId(t, BUYER);
    acmeId = await partnerIdOf(t, BUYER);
    const ps = await t.as(BUYER).get('/api/v1/partnerships?vendor=northwind');
    clause = ps.json().items[0].specialTerms as string;
    products = await findProducts(t, BUYER, 'northwind', { type: 'subscription', count: 2 });
  });
  afterAll(async () => {
    await t.close();
  });

  async function approvedQuote(
    orderType: string,
    lines: { partNumber: string; quantity: number }[],
    extra: Record<string, unknown> = {},
  ): Promise<{ id: string; lines: { partNumber: string; quantity: number; netPrice: string }[] }> {
    const created = await t.as('sales@northwind.example').post('/api/v1/quotes', {
      partnerId: acmeId,
      customerId,
      orderType,
      lines,
      ...extra,
    });
    expect(created.statusCode, created.body).toBe(201);
    const quote = created.json();
    expect(quote.status).toBe('draft');
    const approved = await t
      .as('sales@northwind.example')
      .post(`/api/v1/quotes/${quote.id}/actions/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().status).toBe('approved');
    return approved.json();
  }

  function order(
    type: string,
    quote: {
      id: string;
      lines: { partNumber: string; quantity: number; netPrice: string }[];
    } | null,
    lines: { partNumber: string; quantity: number; unitPrice: string }[],
    po: string,
    extra: Record<string, unknown> = {},
  ) {
    return {
      vendor: 'northwind',
      type,
      customerId,
      ...(quote ? { quoteId: quote.id } : {}),
      purchaseOrder: {
        number: po,
        date: today,
        currency: 'USD',
        total: totalOf(lines),
        specialTerms: clause,
      },
      lines,
      contacts: {
        siteAdmin: { name: 'Sam Admin', email: 'sam@fabrikam-health.example' },
        provisioningCc: 'orders-team@acme.example',
      },
      attributes: { microsoftDomain: 'fabrikamhealth.onmicrosoft.example', employeeCount: 1200 },
      ...extra,
    };
  }

  it('quote → approve → order with PO and clause → desk approves → finance books → provisioning completes', async () => {
    // The partner asks for a quote; the CAM is notified.
    const [a, b] = products as [PricedProduct, PricedProduct];
    const request = await t.as(BUYER).post('/api/v1/quote-requests', {
      vendor: 'northwind',
      customerId,
      orderType: 'new',
      lines: [{ partNumber: a.partNumber, quantity: 25 }],
      notes: 'New business for Fabrikam Health',
    });
    expect(request.statusCode, request.body).toBe(201);
    const mail = await t.store.db
      .selectFrom('messages')
      .selectAll()
      .where('entity_id', '=', request.json().id)
      .execute();
    expect(mail.map((m) => JSON.parse(m.to_addrs) as string[])).toEqual([
      ['cam@northwind.example'],
    ]);
    // Queued for the mail worker in the same transaction.
    const queued = await t.store.db
      .selectFrom('outbox')
      .selectAll()
      .where('entity_id', '=', request.json().id)
      .execute();
    expect(queued.map((q) => JSON.parse(q.payload).messageId)).toEqual([mail[0]?.id]);
    const inbox = await t.as('cam@northwind.example').get('/api/v1/quote-requests');
    expect(inbox.json().items.map((r: { id: string }) => r.id)).toContain(request.json().id);

    // Sales quotes at Acme's net prices (list × 0.70, half-up to the cent).
    const quote = await approvedQuote(
      'new',
      [
        { partNumber: a.partNumber, quantity: 25 },
        { partNumber: b.partNumber, quantity: 2 },
      ],
      { quoteRequestId: request.json().id },
    );
    expect(quote.lines.map((l) => l.netPrice)).toEqual([a.netPrice, b.netPrice]);
    expect(a.multiplier).toBe('0.70');
    const pdf = await t.as(BUYER).get(`/api/v1/quotes/${quote.id}/pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    // The partner validates, then submits the PO.
    const lines = quote.lines.map((l) => ({
      partNumber: l.partNumber,
      quantity: l.quantity,
      unitPrice: l.netPrice,
    }));
    const body = order('new', quote, lines, 'ACME-PO-1001');
    const check = await t.as(BUYER).post('/api/v1/orders/validate', body);
    expect(check.statusCode, check.body).toBe(200);
    expect(check.json()).toMatchObject({ valid: true, problems: [] });
    const submitted = await t
      .as(BUYER)
      .post('/api/v1/orders', body, { 'idempotency-key': 'nw-1001' });
    expect(submitted.statusCode, submitted.body).toBe(201);
    let o = submitted.json();
    expect(o).toMatchObject({
      status: 'submitted',
      vendor: 'northwind',
      version: 1,
      total: totalOf(lines),
    });
    expect(o.number).toMatch(/^NW-\d{6}$/);
    // Seed 000 promises no turnaround: no SLA targets in the profile, no due dates.
    expect(o.sla).toEqual({ acknowledgeBy: null, fulfilBy: null, breaches: [] });
    // The order keeps the profile version it was judged under.
    expect(o.profileVersion).toBe(1);
    expect(
      (await t.as('sales@northwind.example').get(`/api/v1/quotes/${quote.id}`)).json().status,
    ).toBe('ordered');

    // The partner may not approve its own order; finance may not skip the desk.
    expect((await t.as(BUYER).post(`/api/v1/orders/${o.id}/actions/approve`, {})).statusCode).toBe(
      403,
    );
    expect(
      (await t.as('finance@northwind.example').post(`/api/v1/orders/${o.id}/actions/book`, {}))
        .statusCode,
    ).toBe(409);

    o = await act(t, 'desk@northwind.example', o, 'approve', 'booking');
    o = await act(t, 'finance@northwind.example', o, 'book', 'provisioning');
    expect(o.salesOrderNumber).toMatch(/^NWSO-\d{6}$/);
    o = await act(t, 'provisioning@northwind.example', o, 'complete', 'completed');

    // The end user's welcome email copies the partner's provisioning CC; it is on the thread.
    const thread = (await t.as(BUYER).get(`/api/v1/orders/${o.id}/messages`)).json().items;
    expect(thread).toContainEqual(
      expect.objectContaining({
        direction: 'out',
        template: 'welcome_email',
        to: ['sam@fabrikam-health.example'],
        cc: ['orders-team@acme.example'],
      }),
    );

    // Who, when, why at each step.
    const events = (await t.as(BUYER).get(`/api/v1/orders/${o.id}/events`)).json().items as {
      type: string;
      actor: string;
      from?: string;
      to?: string;
      at: string;
    }[];
    expect(events.map((e) => [e.type, e.actor, e.from ?? null, e.to ?? null])).toEqual([
      ['order.submitted', BUYER, null, 'submitted'],
      ['order.approved', 'desk@northwind.example', 'submitted', 'booking'],
      ['order.booked', 'finance@northwind.example', 'booking', 'provisioning'],
      ['order.completed', 'provisioning@northwind.example', 'provisioning', 'completed'],
    ]);
    expect(events.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);

    // Completion created the customer's subscription.
    const subs = await t.as(BUYER).get(`/api/v1/subscriptions?customerId=${customerId}`);
    const sub = subs.json().items[0];
    expect(sub).toMatchObject({ vendor: 'northwind', status: 'active', autoRenew: true });
    expect(sub.lines).toEqual(
      lines.map((l) => ({ partNumber: l.partNumber, quantity: l.quantity })),
    );
    subscriptionId = sub.id;
  });

  it('renews from the subscription with a renewal quote', async () => {
    const created = await t
      .as('sales@northwind.example')
      .post(`/api/v1/subscriptions/${subscriptionId}/renewal-quote`, {});
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ orderType: 'renewal', subscriptionId });
    const approved = (
      await t
        .as('cam@northwind.example')
        .post(`/api/v1/quotes/${created.json().id}/actions/approve`, {})
    ).json();
    const lines = approved.lines.map(
      (l: { partNumber: string; quantity: number; netPrice: string }) => ({
        partNumber: l.partNumber,
        quantity: l.quantity,
        unitPrice: l.netPrice,
      }),
    );
    const res = await t
      .as(BUYER)
      .post('/api/v1/orders', order('renewal', approved, lines, 'ACME-PO-1002'));
    expect(res.statusCode, res.body).toBe(201);
    let o = res.json();
    o = await act(t, 'desk@northwind.example', o, 'approve', 'booking');
    o = await act(t, 'finance@northwind.example', o, 'book', 'provisioning');
    await act(t, 'provisioning@northwind.example', o, 'complete', 'completed');
  });

  it('accepts an unchanged auto-renewal with a PO only, and asks for a quote when it changes', async () => {
    const sub = (await t.as(BUYER).get(`/api/v1/subscriptions/${subscriptionId}`)).json();
    const prices = new Map(products.map((p) => [p.partNumber, p.netPrice]));
    const lines = sub.lines.map((l: { partNumber: string; quantity: number }) => ({
      ...l,
      unitPrice: prices.get(l.partNumber) as string,
    }));
    const body = {
      vendor: 'northwind',
      type: 'auto_renewal',
      customerId,
      purchaseOrder: {
        number: 'ACME-PO-1003',
        date: today,
        currency: 'USD',
        total: totalOf(lines),
        specialTerms: clause,
      },
      lines,
    };
    const ok = await t.as(BUYER).post('/api/v1/orders', body);
    expect(ok.statusCode, ok.body).toBe(201);
    const changed = {
      ...body,
      purchaseOrder: {
        ...body.purchaseOrder,
        number: 'ACME-PO-1004',
        total: totalOf([{ ...lines[0], quantity: lines[0].quantity + 5 }, ...lines.slice(1)]),
      },
      lines: [{ ...lines[0], quantity: lines[0].quantity + 5 }, ...lines.slice(1)],
    };
    const refused = await t.as(BUYER).post('/api/v1/orders', changed);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors).toEqual([
      expect.objectContaining({ path: 'quoteId', code: 'quote.required' }),
    ]);
  });

  it('refuses a PO without the clause at once, and holds one whose signed PO lacks it until fixed and resubmitted', async () => {
    const quote = await approvedQuote('upsell', [
      { partNumber: products[1]!.partNumber, quantity: 3 },
    ]);
    const lines = quote.lines.map((l) => ({
      partNumber: l.partNumber,
      quantity: l.quantity,
      unitPrice: l.netPrice,
    }));
    const base = order('upsell', quote, lines, 'ACME-PO-1005');
    const noClause = {
      ...base,
      purchaseOrder: {
        ...base.purchaseOrder,
        specialTerms: undefined,
        notes: 'Please process quickly',
      },
    };
    const refused = await t.as(BUYER).post('/api/v1/orders', noClause);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors).toEqual([
      expect.objectContaining({
        path: 'purchaseOrder.specialTerms',
        code: 'special_terms.missing',
      }),
    ]);
    const wrongName = {
      ...base,
      purchaseOrder: {
        ...base.purchaseOrder,
        specialTerms: clause.replace('Acme Distribution Ltd.', 'Acme Ltd.'),
      },
    };
    const mismatch = await t.as(BUYER).post('/api/v1/orders', wrongName);
    expect(mismatch.json().errors[0]).toMatchObject({ code: 'special_terms.mismatch' });

    // The desk reviews the signed PO document and holds the order, listing what to fix.
    let o = (await t.as(BUYER).post('/api/v1/orders', base)).json();
    o = await act(t, 'desk@northwind.example', o, 'hold', 'on_hold', {
      reason: 'The signed PO document does not carry the special-terms clause',
      problems: [
        {
          path: 'purchaseOrder.specialTerms',
          code: 'special_terms.missing',
          message: 'Add the clause to the PO and send the corrected PO',
        },
      ],
    });
    const thread = (await t.as(BUYER).get(`/api/v1/orders/${o.id}/messages`)).json().items;
    expect(thread).toContainEqual(
      expect.objectContaining({
        template: 'order.held',
        to: [BUYER],
        text: expect.stringContaining('Add the clause to the PO'),
      }),
    );
    const seen = (await t.as(BUYER).get(`/api/v1/orders/${o.id}`)).json();
    expect(seen).toMatchObject({
      status: 'on_hold',
      holdReason: expect.stringContaining('clause'),
      availableActions: expect.arrayContaining(['resubmit']),
    });
    expect(seen.problems[0]).toMatchObject({
      path: 'purchaseOrder.specialTerms',
      code: 'special_terms.missing',
    });

    // A stale version is refused; the partner corrects and resubmits.
    const stale = await t
      .as(BUYER)
      .patch(`/api/v1/orders/${o.id}`, { purchaseOrder: base.purchaseOrder }, { 'if-match': '1' });
    expect(stale.statusCode).toBe(409);
    const patched = await t
      .as(BUYER)
      .patch(
        `/api/v1/orders/${o.id}`,
        { purchaseOrder: { ...base.purchaseOrder, notes: `Corrected PO attached. ${clause}` } },
        { 'if-match': String(o.version) },
      );
    expect(patched.statusCode, patched.body).toBe(200);
    o = await act(t, BUYER, patched.json(), 'resubmit', 'submitted');
    o = await act(t, 'desk@northwind.example', o, 'approve', 'booking');
    const events = (await t.as('desk@northwind.example').get(`/api/v1/orders/${o.id}/events`))
      .json()
      .items.map((e: { type: string }) => e.type);
    expect(events).toEqual([
      'order.submitted',
      'order.held',
      'order.corrected',
      'order.resubmitted',
      'order.approved',
    ]);
    const held = (await t.as(BUYER).get(`/api/v1/orders/${o.id}/events`)).json().items[1];
    expect(held).toMatchObject({
      actor: 'desk@northwind.example',
      reason: expect.stringContaining('clause'),
    });
  });

  it('moves an order to another quote only by giving the first one back', async () => {
    const qa = await approvedQuote('upsell', [
      { partNumber: products[0]!.partNumber, quantity: 1 },
    ]);
    const qb = await approvedQuote('upsell', [
      { partNumber: products[0]!.partNumber, quantity: 2 },
    ]);
    const linesOf = (q: typeof qa) =>
      q.lines.map((l) => ({
        partNumber: l.partNumber,
        quantity: l.quantity,
        unitPrice: l.netPrice,
      }));
    const body = order('upsell', qa, linesOf(qa), 'ACME-PO-2001');
    let o = (await t.as(BUYER).post('/api/v1/orders', body)).json();
    // An action may be sent with no body at all.
    const held = await t.as('desk@northwind.example').request({
      method: 'POST',
      url: `/api/v1/orders/${o.id}/actions/hold`,
    });
    expect(held.statusCode).toBe(422); // a hold needs a reason
    o = await act(t, 'desk@northwind.example', o, 'hold', 'on_hold', {
      reason: 'Wrong quote: use the 2-seat one',
    });
    const linesB = linesOf(qb);
    const patched = await t.as(BUYER).patch(`/api/v1/orders/${o.id}`, {
      quoteId: qb.id,
      lines: linesB,
      purchaseOrder: { ...body.purchaseOrder, total: totalOf(linesB) },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().total).toBe(totalOf(linesB));
    o = await act(t, BUYER, patched.json(), 'resubmit', 'submitted');
    const quoteStatus = async (id: string) =>
      (await t.as('sales@northwind.example').get(`/api/v1/quotes/${id}`)).json().status;
    expect(await quoteStatus(qa.id)).toBe('approved');
    expect(await quoteStatus(qb.id)).toBe('ordered');
    const reuse = await t
      .as(BUYER)
      .post('/api/v1/orders', order('upsell', qb, linesB, 'ACME-PO-2002'));
    expect(reuse.statusCode).toBe(422);
    expect(reuse.json().errors).toEqual([
      expect.objectContaining({ path: 'quoteId', code: 'quote.not_approved' }),
    ]);
    const approve = await t
      .as('desk@northwind.example')
      .request({ method: 'POST', url: `/api/v1/orders/${o.id}/actions/approve` });
    expect(approve.statusCode, approve.body).toBe(200);
  });
});
