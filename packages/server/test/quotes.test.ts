// Quotes, quote requests and subscriptions: who sees what (tier-1 distributor, tier-2 reseller,
// vendor staff), drafts kept internal, If-Match on actions, request routing, the expired filter,
// request/quote consistency, subscription paging, amount overflow and body-less actions; an
// order type that takes no quote and a total beyond the largest order total, refused for quotes
// as for quote requests and orders.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { testDialects } from '@orderdesk/store/testing';
import { insertMessage, insertSubscription, newId } from '@orderdesk/store';
import { createTestApp, type TestApp } from './harness.ts';
import { findProducts, partnerIdOf, type PricedProduct } from './scenario-helpers.ts';

const ACME = 'buyer@acme.example';
const BETA = 'buyer@beta.example';
const CONTOSO = 'buyer@contoso.example';
const SALES = 'sales@northwind.example';
const CAM = 'cam@northwind.example';
const today = new Date().toISOString().slice(0, 10);

interface QuoteOut {
  id: string;
  number: string;
  revision: number;
  version: number;
  status: string;
  partnerId: string;
  customerId: string;
  previousId: string | null;
  total: string;
}

describe.each(testDialects())('quotes on %s', (dialect) => {
  let t: TestApp;
  let acmeId: string;
  let contosoId: string;
  /** Acme's own customer (Fabrikam Health), Beta's (Tailspin Toys), Contoso's (Wingtip Labs). */
  let fabrikam: string;
  let tailspin: string;
  let wingtip: string;
  let products: PricedProduct[];

  async function customerNamed(user: string, name: string): Promise<string> {
    const res = await t.as(user).get('/api/v1/customers?limit=500');
    expect(res.statusCode, res.body).toBe(200);
    const found = (res.json().items as { id: string; name: string }[]).find((c) => c.name === name);
    if (!found) throw new Error(`${user} has no customer ${name}`);
    return found.id;
  }

  beforeAll(async () => {
    t = await createTestApp(dialect);
    acmeId = await partnerIdOf(t, ACME);
    contosoId = await partnerIdOf(t, CONTOSO);
    fabrikam = await customerNamed(ACME, 'Fabrikam Health');
    tailspin = await customerNamed(BETA, 'Tailspin Toys');
    wingtip = await customerNamed(CONTOSO, 'Wingtip Labs');
    products = await findProducts(t, ACME, 'northwind', { count: 4 });
  });
  afterAll(async () => {
    await t.close();
  });

  async function draft(
    customerId: string,
    extra: Record<string, unknown> = {},
    partnerId = acmeId,
  ): Promise<QuoteOut> {
    const res = await t.as(SALES).post('/api/v1/quotes', {
      partnerId,
      customerId,
      orderType: 'new',
      lines: [{ partNumber: products[0]!.partNumber, quantity: 2 }],
      ...extra,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }

  async function approved(
    customerId: string,
    partnerId = acmeId,
    extra: Record<string, unknown> = {},
  ): Promise<QuoteOut> {
    const q = await draft(customerId, extra, partnerId);
    const res = await t.as(SALES).post(`/api/v1/quotes/${q.id}/actions/approve`, {});
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }

  async function subscription(customerId: string, partnerId = acmeId): Promise<string> {
    const vendor = await t.store.db
      .selectFrom('vendors')
      .select('id')
      .where('slug', '=', 'northwind')
      .executeTakeFirstOrThrow();
    const id = newId('sub');
    const at = new Date().toISOString();
    await insertSubscription(t.store.db, {
      id,
      vendor_id: vendor.id,
      partner_id: partnerId,
      customer_id: customerId,
      status: 'active',
      term_months: 12,
      starts_on: today,
      ends_on: today,
      auto_renew: 1,
      lines: JSON.stringify([{ partNumber: products[0]!.partNumber, quantity: 3 }]),
      last_order_id: null,
      created_at: at,
      updated_at: at,
    });
    return id;
  }

  async function listIds(user: string, url: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const sep = url.includes('?') ? '&' : '?';
      const res = await t
        .as(user)
        .get(`${url}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json<{ items: { id: string }[]; nextCursor: string | null }>();
      ids.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    return ids;
  }

  /** The one message a quote request put on its thread (and queued for the mail worker). */
  async function requestMail(requestId: string): Promise<string[]> {
    const rows = await t.store.db
      .selectFrom('messages')
      .select(['id', 'to_addrs'])
      .where('entity_id', '=', requestId)
      .execute();
    expect(rows).toHaveLength(1);
    const queued = await t.store.db
      .selectFrom('outbox')
      .select('payload')
      .where('entity_id', '=', requestId)
      .execute();
    expect(queued.map((q) => (JSON.parse(q.payload) as { messageId: string }).messageId)).toEqual([
      rows[0]!.id,
    ]);
    return JSON.parse(rows[0]!.to_addrs) as string[];
  }

  it("shows a tier-2 reseller its customers' quotes, requests and subscriptions only; the distributor all of them", async () => {
    const forAcme = await approved(fabrikam);
    const forBeta = await approved(tailspin);

    // Quotes.
    const betaQuotes = await listIds(BETA, '/api/v1/quotes');
    expect(betaQuotes).toContain(forBeta.id);
    expect(betaQuotes).not.toContain(forAcme.id);
    const acmeQuotes = await listIds(ACME, '/api/v1/quotes');
    expect(acmeQuotes).toEqual(expect.arrayContaining([forAcme.id, forBeta.id]));
    expect((await t.as(BETA).get(`/api/v1/quotes/${forBeta.id}`)).statusCode).toBe(200);
    expect((await t.as(ACME).get(`/api/v1/quotes/${forBeta.id}`)).statusCode).toBe(200);
    for (const url of [`/api/v1/quotes/${forAcme.id}`, `/api/v1/quotes/${forAcme.id}/pdf`]) {
      const res = await t.as(BETA).get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain(forAcme.id);
    }
    const acted = await t.as(BETA).post(`/api/v1/quotes/${forAcme.id}/actions/decline`, {});
    expect(acted.statusCode).toBe(404);
    expect(
      (await t.as(SALES).get(`/api/v1/quotes/${forAcme.id}`)).json().status,
      'the refused decline changed nothing',
    ).toBe('approved');
    const declined = await t.as(BETA).post(`/api/v1/quotes/${forBeta.id}/actions/decline`, {});
    expect(declined.statusCode, declined.body).toBe(200);
    expect(declined.json().status).toBe('declined');

    // Subscriptions.
    const subAcme = await subscription(fabrikam);
    const subBeta = await subscription(tailspin);
    const betaSubs = await listIds(BETA, '/api/v1/subscriptions');
    expect(betaSubs).toContain(subBeta);
    expect(betaSubs).not.toContain(subAcme);
    expect(await listIds(ACME, '/api/v1/subscriptions')).toEqual(
      expect.arrayContaining([subAcme, subBeta]),
    );
    // By vendor, as the other lists filter: the subscriptions are northwind's.
    expect(await listIds(ACME, '/api/v1/subscriptions?vendor=northwind')).toEqual(
      expect.arrayContaining([subAcme, subBeta]),
    );
    expect(await listIds(ACME, '/api/v1/subscriptions?vendor=edgeworks')).not.toContain(subAcme);
    expect(await listIds(ACME, '/api/v1/subscriptions?vendor=nosuch')).toEqual([]);
    expect((await t.as(BETA).get(`/api/v1/subscriptions/${subAcme}`)).statusCode).toBe(404);
    expect((await t.as(BETA).get(`/api/v1/subscriptions/${subBeta}`)).statusCode).toBe(200);
    expect((await t.as(ACME).get(`/api/v1/subscriptions/${subBeta}`)).statusCode).toBe(200);

    // Quote requests, and a reseller naming the distributor's subscription.
    const ask = async (user: string, customerId: string, extra: Record<string, unknown> = {}) =>
      t.as(user).post('/api/v1/quote-requests', {
        vendor: 'northwind',
        customerId,
        orderType: 'new',
        ...extra,
      });
    const reqAcme = await ask(ACME, fabrikam);
    const reqBeta = await ask(BETA, tailspin, { subscriptionId: subBeta });
    expect(reqAcme.statusCode, reqAcme.body).toBe(201);
    expect(reqBeta.statusCode, reqBeta.body).toBe(201);
    const betaRequests = await listIds(BETA, '/api/v1/quote-requests');
    expect(betaRequests).toContain(reqBeta.json().id);
    expect(betaRequests).not.toContain(reqAcme.json().id);
    expect(await listIds(ACME, '/api/v1/quote-requests')).toEqual(
      expect.arrayContaining([reqAcme.json().id, reqBeta.json().id]),
    );
    expect((await t.as(BETA).get(`/api/v1/quote-requests/${reqAcme.json().id}`)).statusCode).toBe(
      404,
    );
    expect((await t.as(ACME).get(`/api/v1/quote-requests/${reqBeta.json().id}`)).statusCode).toBe(
      200,
    );
    const foreignSub = await ask(BETA, tailspin, { subscriptionId: subAcme });
    expect(foreignSub.statusCode).toBe(422);
    expect(foreignSub.json().errors).toEqual([
      expect.objectContaining({ path: 'subscriptionId', code: 'invalid' }),
    ]);
    const otherCustomersSub = await ask(ACME, fabrikam, { subscriptionId: subBeta });
    expect(otherCustomersSub.statusCode).toBe(422);

    // Another tier-1 partner sees none of it.
    const contosoQuotes = await listIds(CONTOSO, '/api/v1/quotes');
    expect(contosoQuotes).not.toContain(forAcme.id);
    expect(contosoQuotes).not.toContain(forBeta.id);
    expect(await listIds(CONTOSO, '/api/v1/subscriptions')).not.toContain(subBeta);
  });

  it('keeps drafts (and drafts revised before approval) from partners until approved', async () => {
    const d = await draft(fabrikam);
    const vendorSees = await listIds(SALES, '/api/v1/quotes');
    expect(vendorSees).toContain(d.id);
    expect(await listIds(ACME, '/api/v1/quotes')).not.toContain(d.id);
    expect(await listIds(ACME, '/api/v1/quotes?status=draft')).toEqual([]);
    for (const url of [`/api/v1/quotes/${d.id}`, `/api/v1/quotes/${d.id}/pdf`]) {
      expect((await t.as(ACME).get(url)).statusCode, url).toBe(404);
    }
    const decline = await t.as(ACME).post(`/api/v1/quotes/${d.id}/actions/decline`, {});
    expect(decline.statusCode).toBe(404);
    expect(decline.body).not.toContain(d.id);

    // Sales revises the draft: v1 is superseded without ever being issued; neither is shown.
    const revised = await t.as(SALES).post(`/api/v1/quotes/${d.id}/actions/revise`, {
      lines: [{ partNumber: products[1]!.partNumber, quantity: 1 }],
    });
    expect(revised.statusCode, revised.body).toBe(200);
    const v2 = revised.json<QuoteOut>();
    expect(v2).toMatchObject({ revision: 2, status: 'draft', previousId: d.id, number: d.number });
    expect((await t.as(SALES).get(`/api/v1/quotes/${d.id}`)).json().status).toBe('superseded');
    let partnerSees = await listIds(ACME, '/api/v1/quotes');
    expect(partnerSees).not.toContain(d.id);
    expect(partnerSees).not.toContain(v2.id);
    expect((await t.as(ACME).get(`/api/v1/quotes/${d.id}`)).statusCode).toBe(404);

    // Approved: v2 is offered; an approved quote revised later stays visible as superseded.
    expect((await t.as(CAM).post(`/api/v1/quotes/${v2.id}/actions/approve`, {})).statusCode).toBe(
      200,
    );
    partnerSees = await listIds(ACME, '/api/v1/quotes');
    expect(partnerSees).toContain(v2.id);
    expect(partnerSees).not.toContain(d.id);
    const pdf = await t.as(ACME).get(`/api/v1/quotes/${v2.id}/pdf`);
    expect(pdf.statusCode).toBe(200);
    const v3 = await t.as(SALES).post(`/api/v1/quotes/${v2.id}/actions/revise`, {});
    expect(v3.statusCode, v3.body).toBe(200);
    partnerSees = await listIds(ACME, '/api/v1/quotes');
    expect(partnerSees).toContain(v2.id);
    expect(partnerSees).not.toContain(v3.json().id);
    expect((await t.as(ACME).get(`/api/v1/quotes/${v2.id}`)).json().status).toBe('superseded');
  });

  it('honours If-Match on quote actions: 409 on another version, no check when absent or *', async () => {
    const q = await draft(fabrikam);
    const stale = await t
      .as(SALES)
      .post(`/api/v1/quotes/${q.id}/actions/approve`, {}, { 'if-match': '2' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().errors).toEqual([
      expect.objectContaining({ path: 'headers.if-match', expected: '1', actual: '2' }),
    ]);
    expect((await t.as(SALES).get(`/api/v1/quotes/${q.id}`)).json().status).toBe('draft');
    const bad = await t
      .as(SALES)
      .post(`/api/v1/quotes/${q.id}/actions/approve`, {}, { 'if-match': 'yesterday' });
    expect(bad.statusCode).toBe(400);
    const ok = await t
      .as(SALES)
      .post(`/api/v1/quotes/${q.id}/actions/approve`, {}, { 'if-match': '1' });
    expect(ok.statusCode, ok.body).toBe(200);

    // Every change moves the version: the approval made it 2.
    expect(ok.json()).toMatchObject({ status: 'approved', revision: 1, version: 2 });
    expect(
      (await t.as(SALES).post(`/api/v1/quotes/${q.id}/actions/revise`, {}, { 'if-match': '1' }))
        .statusCode,
    ).toBe(409);
    // A revision is a new quote: revision 2, one version above the quote it replaced (at 2);
    // the old one is superseded (and so at 3 too).
    const v2 = (
      await t.as(SALES).post(`/api/v1/quotes/${q.id}/actions/revise`, {}, { 'if-match': '"2"' })
    ).json<QuoteOut>();
    expect(v2).toMatchObject({ revision: 2, version: 3, status: 'draft', previousId: q.id });
    expect((await t.as(SALES).get(`/api/v1/quotes/${q.id}`)).json()).toMatchObject({
      status: 'superseded',
      revision: 1,
      version: 3,
      supersededBy: { id: v2.id, revision: 2 },
    });
    expect(
      (await t.as(SALES).post(`/api/v1/quotes/${v2.id}/actions/approve`, {}, { 'if-match': '2' }))
        .statusCode,
    ).toBe(409);
    expect(
      (await t.as(SALES).post(`/api/v1/quotes/${v2.id}/actions/approve`, {}, { 'if-match': '*' }))
        .statusCode,
    ).toBe(200);
    expect(
      (await t.as(ACME).post(`/api/v1/quotes/${v2.id}/actions/decline`, {}, { 'if-match': '3' }))
        .statusCode,
    ).toBe(409);
    const declined = await t
      .as(ACME)
      .post(`/api/v1/quotes/${v2.id}/actions/decline`, {}, { 'if-match': 'W/"4"' });
    expect(declined.statusCode, declined.body).toBe(200);
    expect(declined.json()).toMatchObject({ status: 'declined', revision: 2, version: 5 });
  });

  it('gives a revision a version above the quote it replaces, which If-Match takes', async () => {
    const q = await draft(fabrikam);
    expect(q.version).toBe(1);
    const approve = await t
      .as(SALES)
      .post(`/api/v1/quotes/${q.id}/actions/approve`, {}, { 'if-match': '1' });
    expect(approve.statusCode, approve.body).toBe(200);
    // Revised at version 2 (an action, answered 200 like approve and decline).
    const revised = await t
      .as(SALES)
      .post(`/api/v1/quotes/${q.id}/actions/revise`, {}, { 'if-match': '2' });
    expect(revised.statusCode, revised.body).toBe(200);
    const v2 = revised.json<QuoteOut>();
    expect(v2).toMatchObject({ revision: 2, version: 3, previousId: q.id, status: 'draft' });
    const old = (await t.as(SALES).get(`/api/v1/quotes/${q.id}`)).json<QuoteOut>();
    expect(old).toMatchObject({ status: 'superseded', version: 3 });
    expect(v2.version).toBeGreaterThan(2);
    // The new quote reads at that version, and If-Match takes it (and refuses an older one).
    expect((await t.as(SALES).get(`/api/v1/quotes/${v2.id}`)).json().version).toBe(3);
    expect(
      (await t.as(SALES).post(`/api/v1/quotes/${v2.id}/actions/approve`, {}, { 'if-match': '1' }))
        .statusCode,
    ).toBe(409);
    const approved = await t
      .as(SALES)
      .post(`/api/v1/quotes/${v2.id}/actions/approve`, {}, { 'if-match': '"3"' });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ revision: 2, version: 4, status: 'approved' });
    // Along the chain the version only grows: revision 3 starts above revision 2's 4.
    const v3 = await t
      .as(SALES)
      .post(`/api/v1/quotes/${v2.id}/actions/revise`, {}, { 'if-match': '4' });
    expect(v3.statusCode, v3.body).toBe(200);
    expect(v3.json()).toMatchObject({ revision: 3, version: 5, previousId: v2.id });
    const pdf = await t.as(SALES).get(`/api/v1/quotes/${v3.json().id}/pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-disposition']).toContain('-rev3.pdf');
  });

  it('reports every problem of a new quote at once: vendor, validUntil, currency and each line', async () => {
    const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const body = {
      partnerId: acmeId,
      customerId: fabrikam,
      orderType: 'new',
      currency: 'EUR',
      validUntil: inDays(45),
      lines: [{ partNumber: 'NO-SUCH-PART', quantity: 1 }],
    };
    // What the tester sent: one 422 naming all three, not one per attempt.
    const all = await t.as(SALES).post('/api/v1/quotes', body);
    expect(all.statusCode, all.body).toBe(422);
    expect(all.json().errors).toEqual([
      expect.objectContaining({ path: 'validUntil', code: 'invalid', actual: inDays(45) }),
      expect.objectContaining({
        path: 'currency',
        code: 'currency.mismatch',
        expected: 'USD',
        actual: 'EUR',
      }),
      expect.objectContaining({ path: 'lines[0].partNumber', code: 'part_number.unknown' }),
    ]);
    // Another vendor named, an unknown order type and partner too: still one answer with all.
    const more = await t.as(SALES).post('/api/v1/quotes', {
      ...body,
      vendor: 'skyline',
      partnerId: 'ptn_000000000000',
      orderType: 'no-such-type',
      lines: [
        { partNumber: products[0]!.partNumber, quantity: 1 },
        { partNumber: 'NO-SUCH-PART', quantity: 1 },
      ],
    });
    expect(more.statusCode, more.body).toBe(422);
    expect(
      (more.json().errors as { path: string; code: string }[]).map((e) => `${e.path}:${e.code}`),
    ).toEqual([
      'vendor:invalid',
      'partnerId:invalid',
      'customerId:invalid',
      'orderType:order_type.unknown',
      'validUntil:invalid',
      'currency:currency.mismatch',
      'lines[1].partNumber:part_number.unknown',
    ]);
    // Each fixed in turn leaves exactly the others.
    const noCurrency = await t.as(SALES).post('/api/v1/quotes', { ...body, currency: 'USD' });
    expect(noCurrency.json().errors.map((e: { path: string }) => e.path)).toEqual([
      'validUntil',
      'lines[0].partNumber',
    ]);
    const onlyCurrency = await t.as(SALES).post('/api/v1/quotes', {
      ...body,
      validUntil: inDays(20),
      lines: [{ partNumber: products[0]!.partNumber, quantity: 1 }],
    });
    expect(onlyCurrency.json().errors).toEqual([
      expect.objectContaining({ path: 'currency', code: 'currency.mismatch' }),
    ]);
    // A revision's body is checked the same way: the validity and the lines together.
    const q = await draft(fabrikam);
    const revise = await t.as(SALES).post(`/api/v1/quotes/${q.id}/actions/revise`, {
      validUntil: inDays(45),
      lines: [{ partNumber: 'NO-SUCH-PART', quantity: 1 }],
    });
    expect(revise.statusCode, revise.body).toBe(422);
    expect(revise.json().errors.map((e: { path: string }) => e.path)).toEqual([
      'validUntil',
      'lines[0].partNumber',
    ]);
    expect((await t.as(SALES).get(`/api/v1/quotes/${q.id}`)).json().status).toBe('draft');
  });

  it('lets sales revise, not the CAM (who still approves)', async () => {
    const q = await draft(fabrikam);
    const byCam = await t.as(CAM).post(`/api/v1/quotes/${q.id}/actions/revise`, {});
    expect(byCam.statusCode).toBe(403);
    expect((await t.as(SALES).get(`/api/v1/quotes/${q.id}`)).json().status).toBe('draft');
    const bySales = await t.as(SALES).post(`/api/v1/quotes/${q.id}/actions/revise`, {});
    expect(bySales.statusCode, bySales.body).toBe(200);
    const approve = await t.as(CAM).post(`/api/v1/quotes/${bySales.json().id}/actions/approve`, {});
    expect(approve.statusCode, approve.body).toBe(200);
    const again = await t.as(CAM).post(`/api/v1/quotes/${bySales.json().id}/actions/revise`, {});
    expect(again.statusCode).toBe(403);
  });

  it('notifies the CAM of a quote request, and sales too when the profile routes to sales', async () => {
    const ask = async (user: string, vendor: string, customerId: string, orderType: string) => {
      const res = await t
        .as(user)
        .post('/api/v1/quote-requests', { vendor, customerId, orderType });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    // northwind routes to the CAM.
    expect(await requestMail(await ask(ACME, 'northwind', fabrikam, 'new'))).toEqual([CAM]);
    // edgeworks routes to sales: the CAM is told as well, whether the distributor or its
    // reseller asks. (Skyline, which also routes to sales, takes no quotes at all.)
    expect(await requestMail(await ask(BETA, 'edgeworks', tailspin, 'device'))).toEqual([
      'cam@edgeworks.example',
      'sales@edgeworks.example',
    ]);
    expect(await requestMail(await ask(ACME, 'edgeworks', fabrikam, 'kits_renewal'))).toEqual([
      'cam@edgeworks.example',
      'sales@edgeworks.example',
    ]);

    // No CAM on the partnership: sales hears of it, even where the profile routes to the CAM.
    const vendor = await t.store.db
      .selectFrom('vendors')
      .select('id')
      .where('slug', '=', 'northwind')
      .executeTakeFirstOrThrow();
    await t.store.db
      .updateTable('partnerships')
      .set({ cam_user_id: null })
      .where('vendor_id', '=', vendor.id)
      .where('partner_id', '=', contosoId)
      .execute();
    expect(await requestMail(await ask(CONTOSO, 'northwind', wingtip, 'new'))).toEqual([SALES]);

    // Every address notified is a real user's.
    const rows = await t.store.db
      .selectFrom('messages')
      .select('to_addrs')
      .where('template', '=', 'quote.requested')
      .execute();
    expect(rows.length).toBeGreaterThanOrEqual(4);
    const emails = new Set(
      (await t.store.db.selectFrom('users').select('email').execute()).map((u) => u.email),
    );
    for (const r of rows) {
      for (const to of JSON.parse(r.to_addrs) as string[]) expect(emails).toContain(to);
    }
  });

  it('refuses a quote request for parts the vendor does not sell, each line named, as POST /quotes does', async () => {
    const [other] = await findProducts(t, ACME, 'edgeworks', { count: 1 });
    const lines = [
      { partNumber: products[0]!.partNumber, quantity: 1 },
      { partNumber: 'NW-NO-SUCH-PART', quantity: 2 },
      // Another vendor's part number.
      { partNumber: other!.partNumber, quantity: 3 },
    ];
    const before = await listIds(ACME, '/api/v1/quote-requests');
    const asked = await t.as(ACME).post('/api/v1/quote-requests', {
      vendor: 'northwind',
      customerId: fabrikam,
      orderType: 'new',
      lines,
    });
    expect(asked.statusCode, asked.body).toBe(422);
    expect(asked.json().errors).toEqual([
      {
        path: 'lines[1].partNumber',
        code: 'part_number.unknown',
        message: 'Unknown part number NW-NO-SUCH-PART',
      },
      {
        path: 'lines[2].partNumber',
        code: 'part_number.unknown',
        message: `Unknown part number ${other!.partNumber}`,
      },
    ]);
    const quoted = await t.as(SALES).post('/api/v1/quotes', {
      partnerId: acmeId,
      customerId: fabrikam,
      orderType: 'new',
      lines,
    });
    expect(quoted.statusCode, quoted.body).toBe(422);
    expect(quoted.json().errors).toEqual(asked.json().errors);
    // Nothing was recorded.
    expect(await listIds(ACME, '/api/v1/quote-requests')).toEqual(before);
  });

  it('refuses a quote request for an order type the profile takes no quote for (422 at orderType)', async () => {
    const skyline = await t.as(ACME).post('/api/v1/quote-requests', {
      vendor: 'skyline',
      customerId: fabrikam,
      orderType: 'new',
    });
    expect(skyline.statusCode, skyline.body).toBe(422);
    expect(skyline.json().errors).toEqual([
      {
        path: 'orderType',
        code: 'invalid',
        message:
          'Skyline Marketplace takes no quotes: New subscription orders are placed without one',
        actual: 'new',
      },
    ]);
    // Every problem at once: the order type and the lines.
    const authorization = await t.as(ACME).post('/api/v1/quote-requests', {
      vendor: 'edgeworks',
      customerId: fabrikam,
      orderType: 'license_authorization',
      lines: [{ partNumber: products[0]!.partNumber, quantity: 1 }],
    });
    expect(authorization.statusCode, authorization.body).toBe(422);
    expect(authorization.json().errors).toEqual([
      {
        path: 'orderType',
        code: 'invalid',
        message:
          'License Authorization Orders take no quote; quotes are for license_maintenance, training_seat, kits_renewal, device',
        expected: 'license_maintenance, training_seat, kits_renewal, device',
        actual: 'license_authorization',
      },
      expect.objectContaining({ path: 'lines[0].partNumber', code: 'part_number.unknown' }),
    ]);
  });

  it("shows a partner only the quote mails it sent or was sent, not the vendor's internal ones", async () => {
    // Acme asks (the CAM is told), sales quotes and approves (Acme is told), Acme declines
    // (sales is told), and two mails arrive on the thread: Acme's and the CAM's own.
    const asked = await t.as(ACME).post('/api/v1/quote-requests', {
      vendor: 'northwind',
      customerId: fabrikam,
      orderType: 'new',
    });
    expect(asked.statusCode, asked.body).toBe(201);
    const q = await approved(fabrikam, acmeId, { quoteRequestId: asked.json().id });
    const declined = await t.as(ACME).post(`/api/v1/quotes/${q.id}/actions/decline`, {});
    expect(declined.statusCode, declined.body).toBe(200);
    const vendor = await t.store.db
      .selectFrom('vendors')
      .select('id')
      .where('slug', '=', 'northwind')
      .executeTakeFirstOrThrow();
    for (const from of ['Acme Buyer <BUYER@acme.example>', CAM]) {
      await insertMessage(t.store.db, {
        vendorId: vendor.id,
        partnerId: acmeId,
        entityType: 'quote',
        entityId: q.id,
        direction: 'in',
        from,
        to: ['orders@northwind.example'],
        subject: `Re: ${q.number}`,
        text: 'About the quote',
        status: 'received',
        messageId: `<${newId('msg')}@example.com>`,
        at: new Date().toISOString(),
      });
    }
    type Mail = {
      id: string;
      direction: string;
      template: string | null;
      from: string;
      to: string[];
    };
    const thread = async (user: string, query = ''): Promise<Mail[]> => {
      const res = await t.as(user).get(`/api/v1/quotes/${q.id}/messages${query}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().items;
    };
    const all = await thread(SALES);
    expect(all.map((m) => m.template ?? m.from)).toEqual([
      'quote.requested',
      'quote.approved',
      'quote.declined',
      'Acme Buyer <BUYER@acme.example>',
      CAM,
    ]);
    const mine = await thread(ACME);
    expect(mine.map((m) => m.template ?? m.from)).toEqual([
      'quote.approved',
      'Acme Buyer <BUYER@acme.example>',
    ]);
    expect(mine[0]!.to).toEqual([ACME]);
    expect(JSON.stringify(mine)).not.toContain(CAM);
    expect(JSON.stringify(mine)).not.toContain(SALES);
    // Paged one at a time: each page full, the second the last, nothing hidden shows up.
    const first = await t.as(ACME).get(`/api/v1/quotes/${q.id}/messages?limit=1`);
    expect(first.json().items).toEqual([mine[0]]);
    const second = await t
      .as(ACME)
      .get(`/api/v1/quotes/${q.id}/messages?limit=1&cursor=${first.json().nextCursor}`);
    expect(second.json()).toEqual({ items: [mine[1]], nextCursor: null });
  });

  it("tells the CAM in the request's mail who asks, for whom and for what", async () => {
    const [product] = await findProducts(t, ACME, 'northwind', { count: 1 });
    const res = await t.as(ACME).post('/api/v1/quote-requests', {
      vendor: 'northwind',
      customerId: fabrikam,
      orderType: 'new',
      lines: [{ partNumber: product!.partNumber, quantity: 12 }],
      notes: 'Start on the first of the month, please.',
    });
    expect(res.statusCode, res.body).toBe(201);
    const [mail] = await t.store.db
      .selectFrom('messages')
      .select(['subject', 'text'])
      .where('entity_id', '=', res.json().id)
      .execute();
    const customer = (await t.as(ACME).get(`/api/v1/customers/${fabrikam}`)).json().name as string;
    // Not the request's internal id: the partner's name.
    expect(mail!.subject).toBe(
      'Northwind quote request from Acme Distribution: A partner asks for a quote',
    );
    expect(mail!.text).toContain(
      [
        'Partner: Acme Distribution',
        `Customer: ${customer}`,
        'Order type: new',
        'Asked for:',
        `- 12 × ${product!.partNumber}`,
        '',
        'Notes: Start on the first of the month, please.',
      ].join('\n'),
    );
  });

  it('filters ?status= on the status shown: expired includes lapsed drafts and approved quotes', async () => {
    const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const lapsedDraft = await draft(fabrikam, { validUntil: inDays(2) });
    const lapsedApproved = await approved(fabrikam, acmeId, { validUntil: inDays(2) });
    const liveDraft = await draft(fabrikam, { validUntil: inDays(25) });
    const liveApproved = await approved(fabrikam, acmeId, { validUntil: inDays(25) });
    // No further ahead than the profile's validity (northwind: 30 days).
    const tooLong = await t.as(SALES).post('/api/v1/quotes', {
      partnerId: acmeId,
      customerId: fabrikam,
      orderType: 'new',
      lines: [{ partNumber: products[0]!.partNumber, quantity: 1 }],
      validUntil: inDays(45),
    });
    expect(tooLong.statusCode).toBe(422);
    expect(tooLong.json().errors).toEqual([
      expect.objectContaining({
        path: 'validUntil',
        message: expect.stringContaining('at most 30 days'),
        actual: inDays(45),
      }),
    ]);
    // Ten days later (the app's clock, not edited rows): the first two have lapsed.
    t.clock.set(new Date(Date.now() + 10 * 86_400_000));
    onTestFinished(() => t.clock.reset());
    const mine = new Set([lapsedDraft.id, lapsedApproved.id, liveDraft.id, liveApproved.id]);
    const filtered = async (user: string, status: string): Promise<string[]> => {
      const res = await t.as(user).get(`/api/v1/quotes?status=${status}&limit=500`);
      expect(res.statusCode, res.body).toBe(200);
      const items = res.json().items as { id: string; status: string }[];
      expect(
        items.every((q) => q.status === status),
        `${status}: ${res.body}`,
      ).toBe(true);
      return items.map((q) => q.id).filter((id) => mine.has(id));
    };
    expect((await filtered(SALES, 'expired')).sort()).toEqual(
      [lapsedDraft.id, lapsedApproved.id].sort(),
    );
    expect(await filtered(SALES, 'draft')).toEqual([liveDraft.id]);
    expect(await filtered(SALES, 'approved')).toEqual([liveApproved.id]);
    // The partner never sees the drafts, lapsed or not.
    expect(await filtered(ACME, 'expired')).toEqual([lapsedApproved.id]);
    expect(await filtered(ACME, 'approved')).toEqual([liveApproved.id]);
    expect(await filtered(ACME, 'draft')).toEqual([]);
    // An expired quote cannot be approved or declined.
    expect(
      (await t.as(SALES).post(`/api/v1/quotes/${lapsedDraft.id}/actions/approve`, {})).statusCode,
    ).toBe(409);
    expect(
      (await t.as(ACME).post(`/api/v1/quotes/${lapsedApproved.id}/actions/decline`, {})).statusCode,
    ).toBe(409);
  });

  it('refuses a quoteRequestId of another partner or customer (422 naming it), and marks a matching request quoted', async () => {
    const res = await t.as(ACME).post('/api/v1/quote-requests', {
      vendor: 'northwind',
      customerId: fabrikam,
      orderType: 'new',
    });
    expect(res.statusCode, res.body).toBe(201);
    const requestId = res.json().id as string;
    const body = {
      orderType: 'new',
      lines: [{ partNumber: products[0]!.partNumber, quantity: 1 }],
      quoteRequestId: requestId,
    };
    for (const [partnerId, customerId] of [
      [contosoId, wingtip],
      [acmeId, tailspin],
    ] as const) {
      const refused = await t.as(SALES).post('/api/v1/quotes', { ...body, partnerId, customerId });
      expect(refused.statusCode, refused.body).toBe(422);
      expect(refused.json().errors).toEqual([
        expect.objectContaining({ path: 'quoteRequestId', code: 'invalid' }),
      ]);
    }
    const open = await t.as(CAM).get(`/api/v1/quote-requests/${requestId}`);
    expect(open.json().status).toBe('open');
    const ok = await t
      .as(SALES)
      .post('/api/v1/quotes', { ...body, partnerId: acmeId, customerId: fabrikam });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().quoteRequestId).toBe(requestId);
    expect((await t.as(CAM).get(`/api/v1/quote-requests/${requestId}`)).json().status).toBe(
      'quoted',
    );
  });

  it('pages GET /subscriptions with limit and cursor', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push(await subscription(wingtip, contosoId));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await t
        .as(CONTOSO)
        .get(
          `/api/v1/subscriptions?customerId=${wingtip}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json<{ items: { id: string }[]; nextCursor: string | null }>();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...made].reverse());
    expect(new Set(seen).size).toBe(seen.length);
    expect((await t.as(CONTOSO).get('/api/v1/subscriptions?cursor=nope')).statusCode).toBe(400);
    expect((await t.as(CONTOSO).get('/api/v1/subscriptions?limit=0')).statusCode).toBe(400);
    expect((await t.as(CONTOSO).get('/api/v1/subscriptions?colour=red')).statusCode).toBe(400);
    const vendorPage = await t.as(SALES).get('/api/v1/subscriptions?limit=1');
    expect(vendorPage.json()).toMatchObject({
      items: [expect.any(Object)],
      nextCursor: expect.any(String),
    });
  });

  it('refuses a quote whose amounts would overflow with a 422 on the quantity', async () => {
    const huge = products[3]!.partNumber;
    await t.store.db
      .updateTable('price_list_items')
      .set({ list_price_minor: 900_000_000_000_000 })
      .where('part_number', '=', huge)
      .execute();
    const quote = (lines: { partNumber: string; quantity: number }[]) =>
      t.as(SALES).post('/api/v1/quotes', {
        partnerId: acmeId,
        customerId: fabrikam,
        orderType: 'new',
        lines,
      });
    // One line beyond the range.
    const line = await quote([
      { partNumber: products[0]!.partNumber, quantity: 1 },
      { partNumber: huge, quantity: 100 },
    ]);
    expect(line.statusCode, line.body).toBe(422);
    expect(line.json().errors).toEqual([
      expect.objectContaining({ path: 'lines[1].quantity', code: 'invalid' }),
    ]);
    // Each line fits; their total does not.
    const total = await quote([
      { partNumber: huge, quantity: 10 },
      { partNumber: huge, quantity: 10 },
    ]);
    expect(total.statusCode, total.body).toBe(422);
    expect(total.json().errors).toEqual([
      expect.objectContaining({ path: 'lines[1].quantity', code: 'invalid' }),
    ]);
    // Within range it is priced exactly.
    const fits = await quote([{ partNumber: huge, quantity: 10 }]);
    expect(fits.statusCode, fits.body).toBe(201);
    expect(fits.json().total).toBe('63000000000000.00');
  });

  it('refuses a quote in a currency the vendor has no price list in at currency, once', async () => {
    const res = await t.as(SALES).post('/api/v1/quotes', {
      partnerId: acmeId,
      customerId: fabrikam,
      orderType: 'new',
      currency: 'EUR',
      lines: [
        { partNumber: products[0]!.partNumber, quantity: 1 },
        { partNumber: products[1]!.partNumber, quantity: 2 },
        { partNumber: 'NO-SUCH-PART', quantity: 1 },
      ],
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors).toEqual([
      expect.objectContaining({ path: 'currency', code: 'currency.mismatch', actual: 'EUR' }),
      expect.objectContaining({ path: 'lines[2].partNumber', code: 'part_number.unknown' }),
    ]);
  });

  it('takes an action with no body at all, and still refuses unknown fields', async () => {
    const q = await draft(fabrikam);
    const bare = await t
      .as(SALES)
      .request({ method: 'POST', url: `/api/v1/quotes/${q.id}/actions/approve` });
    expect(bare.statusCode, bare.body).toBe(200);
    expect(bare.json().status).toBe('approved');
    const nullBody = await t.as(ACME).request({
      method: 'POST',
      url: `/api/v1/quotes/${q.id}/actions/decline`,
      headers: { 'content-type': 'application/json' },
      payload: 'null',
    });
    expect(nullBody.statusCode, nullBody.body).toBe(200);
    const other = await draft(fabrikam);
    const unknown = await t
      .as(SALES)
      .post(`/api/v1/quotes/${other.id}/actions/approve`, { colour: 'red' });
    expect(unknown.statusCode).toBe(400);
    expect((await t.as(SALES).get(`/api/v1/quotes/${other.id}`)).json().status).toBe('draft');
  });
  it('refuses a quote (and a revision) of an order type the profile takes no quote for, as a quote request', async () => {
    const [part] = await findProducts(t, ACME, 'edgeworks', { count: 1 });
    const before = await listIds('sales@edgeworks.example', '/api/v1/quotes');
    const authorization = await t.as('sales@edgeworks.example').post('/api/v1/quotes', {
      partnerId: acmeId,
      customerId: fabrikam,
      orderType: 'license_authorization',
      lines: [{ partNumber: part!.partNumber, quantity: 1 }],
    });
    expect(authorization.statusCode, authorization.body).toBe(422);
    expect(authorization.headers['content-type']).toContain('application/problem+json');
    expect(authorization.json().errors).toEqual([
      {
        path: 'orderType',
        code: 'invalid',
        message:
          'License Authorization Orders take no quote; quotes are for license_maintenance, training_seat, kits_renewal, device',
        expected: 'license_maintenance, training_seat, kits_renewal, device',
        actual: 'license_authorization',
      },
    ]);
    expect(await listIds('sales@edgeworks.example', '/api/v1/quotes')).toEqual(before);

    // A vendor that takes no quotes at all: the quote request's answer, word for word.
    const [item] = await findProducts(t, ACME, 'skyline', { count: 1 });
    const body = { customerId: fabrikam, orderType: 'new' };
    const quoted = await t.as('sales@skyline.example').post('/api/v1/quotes', {
      ...body,
      partnerId: acmeId,
      lines: [{ partNumber: item!.partNumber, quantity: 1 }],
    });
    expect(quoted.statusCode, quoted.body).toBe(422);
    const asked = await t.as(ACME).post('/api/v1/quote-requests', { ...body, vendor: 'skyline' });
    expect(asked.statusCode, asked.body).toBe(422);
    expect(quoted.json().errors).toEqual(asked.json().errors);
    expect(quoted.json().errors).toEqual([
      {
        path: 'orderType',
        code: 'invalid',
        message:
          'Skyline Marketplace takes no quotes: New subscription orders are placed without one',
        actual: 'new',
      },
    ]);

    // A revision keeps its quote's order type: one made before the profile said so (written
    // through the store) is not issued anew.
    const made = await t.as('sales@edgeworks.example').post('/api/v1/quotes', {
      partnerId: acmeId,
      customerId: fabrikam,
      orderType: 'license_maintenance',
      lines: [{ partNumber: part!.partNumber, quantity: 1 }],
    });
    expect(made.statusCode, made.body).toBe(201);
    await t.store.db
      .updateTable('quotes')
      .set({ order_type: 'license_authorization' })
      .where('id', '=', made.json().id)
      .execute();
    const revised = await t
      .as('sales@edgeworks.example')
      .post(`/api/v1/quotes/${made.json().id}/actions/revise`, {});
    expect(revised.statusCode, revised.body).toBe(422);
    expect(revised.json().errors).toEqual(authorization.json().errors);
    const still = await t.as('sales@edgeworks.example').get(`/api/v1/quotes/${made.json().id}`);
    expect(still.json()).toMatchObject({ status: 'draft', revision: 1 });
  });

  it("refuses a quote whose total leaves no room for its invoice's tax, naming the largest order total", async () => {
    // Edgeworks taxes at 8.875%: an order, and so a quote, totals at most 82729729090617.59 USD
    // (order.limits.ts), well inside the range of exact amounts (90071992547409.91).
    const LARGEST = 8_272_972_909_061_759;
    const EW_SALES = t.as('sales@edgeworks.example');
    const [, , big] = await findProducts(t, ACME, 'edgeworks', { count: 3 });
    await t.store.db
      .updateTable('price_list_items')
      .set({ list_price_minor: 100_000_000_000_000 })
      .where('part_number', '=', big!.partNumber)
      .execute();
    const quote = (lines: { partNumber: string; quantity: number }[]) =>
      EW_SALES.post('/api/v1/quotes', {
        partnerId: acmeId,
        customerId: fabrikam,
        orderType: 'license_maintenance',
        lines,
      });
    const one = await quote([{ partNumber: big!.partNumber, quantity: 1 }]);
    expect(one.statusCode, one.body).toBe(201);
    const net = Number(String(one.json().total).replace('.', ''));
    const most = Math.floor(LARGEST / net);

    // As many as fit: the largest total there is room for.
    const fits = await quote([{ partNumber: big!.partNumber, quantity: most }]);
    expect(fits.statusCode, fits.body).toBe(201);
    // One more on a second line: exact as an amount, but its invoice's tax would not be.
    const over = [
      { partNumber: big!.partNumber, quantity: most },
      { partNumber: big!.partNumber, quantity: 1 },
    ];
    expect((most + 1) * net).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
    const refused = await quote(over);
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json().errors).toEqual([
      {
        path: 'lines[1].quantity',
        code: 'invalid',
        message:
          'The quote total is too large to be ordered with 8.875% tax: the largest order total accepted is 82729729090617.59 USD; split the quote',
        actual: '1',
      },
    ]);
    // A revision to those lines: the same answer, and the quote stays as it was.
    const revised = await EW_SALES.post(`/api/v1/quotes/${fits.json().id}/actions/revise`, {
      lines: over,
    });
    expect(revised.statusCode, revised.body).toBe(422);
    expect(revised.json().errors).toEqual(refused.json().errors);
    expect((await EW_SALES.get(`/api/v1/quotes/${fits.json().id}`)).json().status).toBe('draft');
  });

  it("says what is wrong with an empty field or list in plain words, not in the schema library's", async () => {
    const res = await t.as(ACME).post('/api/v1/quote-requests', {
      vendor: '',
      customerId: '',
      orderType: '',
      lines: [],
    });
    expect(res.statusCode, res.body).toBe(400);
    const messages = (res.json().errors as { path: string; message: string }[]).map(
      (e) => `${e.path}: ${e.message}`,
    );
    expect(messages).toEqual(
      expect.arrayContaining(['vendor: Must not be empty', 'orderType: Must not be empty']),
    );
    expect(res.body).not.toMatch(/Too small|Too big|>=|<=/);
  });
});
