// Tenant walls for orders, quotes, quote requests and subscriptions: a partner never reaches
// another partner's, a vendor's staff never another vendor's; creating routes refuse foreign ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@orderdesk/store/testing';
import { insertSubscription, newId } from '@orderdesk/store';
import { createTestApp, type TestApp } from './harness.ts';
import { expectIsolated, type Tenant } from './isolation.ts';
import { PARTNER_ISOLATION, VENDOR_ISOLATION } from './isolated-routes.ts';
import {
  findProducts,
  firstCustomerId,
  partnerIdOf,
  storedQuote,
  storedQuoteRequest,
  totalOf,
} from './scenario-helpers.ts';

const today = new Date().toISOString().slice(0, 10);

describe.each(testDialects())('order isolation on %s', (dialect) => {
  let t: TestApp;
  const fixtures: Record<string, { customerId: string; partnerId: string }> = {};

  beforeAll(async () => {
    t = await createTestApp(dialect);
    for (const user of ['buyer@acme.example', 'buyer@contoso.example']) {
      fixtures[user] = {
        customerId: await firstCustomerId(t, user),
        partnerId: await partnerIdOf(t, user),
      };
    }
  });
  afterAll(async () => {
    await t.close();
  });

  async function kitOrder(user: string, po: string): Promise<string> {
    const [kit] = await findProducts(t, user, 'edgeworks', {
      type: 'kit',
      count: 1,
      partNumberIncludes: '-RENEW-',
    });
    const lines = [{ partNumber: kit!.partNumber, quantity: 1, unitPrice: kit!.netPrice }];
    const res = await t.as(user).post('/api/v1/orders', {
      vendor: 'edgeworks',
      type: 'kits_renewal',
      customerId: fixtures[user]!.customerId,
      purchaseOrder: { number: po, date: today, currency: 'USD', total: totalOf(lines) },
      lines,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  }

  async function quoteFor(vendor: string, user: string, approve: boolean): Promise<string> {
    const [p] = await findProducts(t, user, vendor, { count: 1 });
    const lines = [{ partNumber: p!.partNumber, quantity: 1 }];
    let id: string;
    if (vendor === 'skyline') {
      // Skyline takes no quotes (no order type of its profile does), so the API refuses to make
      // one; a quote made before its profile said so is walled off all the same.
      id = await storedQuote(t, vendor, `sales@${vendor}.example`, { ...fixtures[user]!, lines });
    } else {
      const res = await t.as(`sales@${vendor}.example`).post('/api/v1/quotes', {
        partnerId: fixtures[user]!.partnerId,
        customerId: fixtures[user]!.customerId,
        orderType: vendor === 'edgeworks' ? 'kits_renewal' : 'new',
        lines,
      });
      expect(res.statusCode, res.body).toBe(201);
      id = res.json().id as string;
    }
    if (approve)
      expect(
        (await t.as(`sales@${vendor}.example`).post(`/api/v1/quotes/${id}/actions/approve`, {}))
          .statusCode,
      ).toBe(200);
    return id;
  }

  async function quoteRequest(user: string, vendor: string): Promise<string> {
    // Skyline takes no quotes (no order type of its profile does), so the API refuses to ask
    // it for one; a request made before its profile said so is walled off all the same.
    if (vendor === 'skyline') return storedQuoteRequest(t, vendor, user, fixtures[user]!);
    const res = await t.as(user).post('/api/v1/quote-requests', {
      vendor,
      customerId: fixtures[user]!.customerId,
      orderType: vendor === 'edgeworks' ? 'kits_renewal' : 'new',
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  }

  async function subscription(vendor: string, user: string): Promise<string> {
    const v = await t.store.db
      .selectFrom('vendors')
      .select('id')
      .where('slug', '=', vendor)
      .executeTakeFirstOrThrow();
    const contracting = fixtures[user]!.partnerId;
    const id = newId('sub');
    const at = new Date().toISOString();
    const [p] = await findProducts(t, user, vendor, { count: 1 });
    await insertSubscription(t.store.db, {
      id,
      vendor_id: v.id,
      partner_id: contracting,
      customer_id: fixtures[user]!.customerId,
      status: 'active',
      term_months: 12,
      starts_on: today,
      ends_on: today,
      auto_renew: 1,
      lines: JSON.stringify([{ partNumber: p!.partNumber, quantity: 3 }]),
      last_order_id: null,
      created_at: at,
      updated_at: at,
    });
    return id;
  }

  it('keeps partners apart', async () => {
    const tenant = async (user: string, n: number): Promise<Tenant> => ({
      user,
      ids: {
        orderId: await kitOrder(user, `ISO-${n}`),
        action: 'cancel',
        quoteId: await quoteFor('edgeworks', user, true),
        quoteAction: 'decline',
        quoteRequestId: await quoteRequest(user, 'edgeworks'),
        subscriptionId: await subscription('edgeworks', user),
      },
    });
    await expectIsolated(
      t,
      [...(PARTNER_ISOLATION.orders ?? []), ...(PARTNER_ISOLATION.quotes ?? [])],
      await tenant('buyer@acme.example', 1),
      await tenant('buyer@contoso.example', 2),
    );
  });

  it("keeps vendors' staff apart", async () => {
    const routes = VENDOR_ISOLATION.orders ?? [];
    const tenant = async (vendor: 'edgeworks' | 'skyline'): Promise<Record<string, string>> => {
      let orderId: string;
      if (vendor === 'edgeworks') orderId = await kitOrder('buyer@acme.example', 'ISO-V1');
      else {
        const [item] = await findProducts(t, 'buyer@acme.example', 'skyline', {
          type: 'subscription',
          count: 1,
        });
        const res = await t.as('buyer@acme.example').post('/api/v1/orders', {
          vendor: 'skyline',
          type: 'new',
          customerId: fixtures['buyer@acme.example']!.customerId,
          lines: [{ partNumber: item!.partNumber, quantity: 1, unitPrice: item!.netPrice }],
          contacts: {
            siteAdmin: { name: 'A', email: 'a@fabrikam-health.example' },
            invoicing: { name: 'B', email: 'b@fabrikam-health.example' },
          },
          attributes: { primaryDomain: 'fabrikam-health.example' },
          termsAccepted: { version: '2025-01' },
        });
        expect(res.statusCode, res.body).toBe(201);
        orderId = res.json().id as string;
      }
      return {
        orderId,
        action: 'hold',
        quoteId: await quoteFor(vendor, 'buyer@acme.example', false),
        quoteAction: 'approve',
        quoteRequestId: await quoteRequest('buyer@acme.example', vendor),
        subscriptionId: await subscription(vendor, 'buyer@acme.example'),
      };
    };
    const edge = await tenant('edgeworks');
    const sky = await tenant('skyline');
    const deskRoutes = routes.filter(
      (r) => !r.route.includes('quoteAction') && !r.route.includes('renewal-quote'),
    );
    const salesRoutes = routes.filter(
      (r) => r.route.includes('quoteAction') || r.route.includes('renewal-quote'),
    );
    await expectIsolated(
      t,
      deskRoutes,
      { user: 'desk@edgeworks.example', ids: edge },
      { user: 'desk@skyline.example', ids: sky },
    );
    await expectIsolated(
      t,
      salesRoutes,
      { user: 'sales@edgeworks.example', ids: edge },
      { user: 'sales@skyline.example', ids: sky },
    );
  });

  it('refuses foreign ids in creating routes as unknown, revealing nothing', async () => {
    const acme = fixtures['buyer@acme.example']!;
    const contoso = fixtures['buyer@contoso.example']!;
    const [kit] = await findProducts(t, 'buyer@contoso.example', 'edgeworks', {
      type: 'kit',
      count: 1,
      partNumberIncludes: '-RENEW-',
    });
    const lines = [{ partNumber: kit!.partNumber, quantity: 1, unitPrice: kit!.netPrice }];
    const body = {
      vendor: 'edgeworks',
      type: 'kits_renewal',
      customerId: acme.customerId,
      purchaseOrder: { number: 'FOREIGN-1', date: today, currency: 'USD', total: totalOf(lines) },
      lines,
    };
    const submitted = await t.as('buyer@contoso.example').post('/api/v1/orders', body);
    expect(submitted.statusCode).toBe(422);
    expect(submitted.json().errors).toEqual([
      expect.objectContaining({ path: 'customerId', code: 'invalid' }),
    ]);
    expect(submitted.body).not.toContain('Fabrikam');
    const validated = await t.as('buyer@contoso.example').post('/api/v1/orders/validate', body);
    expect(validated.statusCode).toBe(200);
    expect(validated.json()).toMatchObject({
      valid: false,
      problems: [
        expect.objectContaining({ path: 'customerId', code: 'invalid', severity: 'error' }),
      ],
    });
    expect(validated.body).not.toContain('Fabrikam');
    const request = await t.as('buyer@contoso.example').post('/api/v1/quote-requests', {
      vendor: 'edgeworks',
      customerId: acme.customerId,
      orderType: 'kits_renewal',
    });
    expect(request.statusCode).toBe(422);
    const quote = await t.as('sales@edgeworks.example').post('/api/v1/quotes', {
      partnerId: contoso.partnerId,
      customerId: acme.customerId,
      orderType: 'kits_renewal',
      lines: [{ partNumber: kit!.partNumber, quantity: 1 }],
    });
    expect(quote.statusCode).toBe(422);
    expect(quote.json().errors).toEqual([expect.objectContaining({ path: 'customerId' })]);
    const acmeQuote = await quoteFor('edgeworks', 'buyer@acme.example', true);
    const withForeignQuote = await t.as('buyer@contoso.example').post('/api/v1/orders/validate', {
      ...body,
      customerId: contoso.customerId,
      quoteId: acmeQuote,
    });
    expect(withForeignQuote.json().problems).toEqual([
      expect.objectContaining({ path: 'quoteId', code: 'quote.required' }),
    ]);
  });
});
