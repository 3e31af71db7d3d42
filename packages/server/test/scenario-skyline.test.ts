// Seed 001 (marketplace wizard): a reseller picks its customer organization, selects items
// from the catalog, gives contact and provisioning details, accepts the terms and gets an
// order number — the four wizard steps as API calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@orderdesk/store/testing';
import { createTestApp, type TestApp } from './harness.ts';
import { act, findProducts, totalOf } from './scenario-helpers.ts';

const RESELLER = 'buyer@beta.example';

describe.each(testDialects())('skyline scenario on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  it('a tier-2 reseller orders for its customer through the wizard steps and gets an order number', async () => {
    // Entities > Organization: the reseller's customers; pick one.
    const customers = (await t.as(RESELLER).get('/api/v1/customers')).json().items as {
      id: string;
      name: string;
    }[];
    const customer = customers.find((c) => c.name === 'Tailspin Toys');
    expect(customer).toBeDefined();

    // The wizard steps come from the vendor's profile.
    const profile = (await t.as(RESELLER).get('/api/v1/vendors/skyline/profile')).json();
    const wizard = profile.channels.find((c: { kind: string }) => c.kind === 'web_wizard').wizard;
    expect(wizard.steps.map((s: { label: string }) => s.label)).toEqual([
      'Select Items',
      'Contact Details',
      'Provisioning Information',
      'Summary',
    ]);

    // Step 1, Select Items: categories and search.
    const categories = await t.as(RESELLER).get('/api/v1/categories?vendor=skyline');
    expect(categories.statusCode, categories.body).toBe(200);
    expect(categories.json().items.length).toBeGreaterThan(1);
    const items = await findProducts(t, RESELLER, 'skyline', { type: 'subscription', count: 2 });
    const search = await t
      .as(RESELLER)
      .get(
        `/api/v1/products?vendor=skyline&q=${encodeURIComponent(items[0]!.name.split(' ')[0]!)}`,
      );
    expect(search.json().items.map((p: { partNumber: string }) => p.partNumber)).toContain(
      items[0]!.partNumber,
    );
    const lines = items.map((p, i) => ({
      partNumber: p.partNumber,
      quantity: 5 + i,
      unitPrice: p.netPrice,
    }));

    // Steps 2–3, Contact Details and Provisioning Information; Step 4, Summary = validate.
    const body = {
      vendor: 'skyline',
      type: 'new',
      channel: 'web_wizard',
      customerId: customer!.id,
      lines,
      contacts: {
        siteAdmin: { name: 'Tia Admin', email: 'it@tailspin.example' },
        invoicing: { name: 'Tailspin AP', email: 'ap@tailspin.example' },
      },
      attributes: { primaryDomain: 'tailspin.example' },
    };
    const summary = await t.as(RESELLER).post('/api/v1/orders/validate', body);
    expect(summary.statusCode, summary.body).toBe(200);
    expect(summary.json().valid).toBe(false);
    expect(summary.json().problems).toEqual([
      expect.objectContaining({
        path: 'termsAccepted',
        code: 'terms.not_accepted',
        expected: '2025-01',
      }),
    ]);
    expect(summary.json().pricing.total).toBe(totalOf(lines));

    // Proceed for Approval: accept the Terms & Conditions and submit → an order number.
    const res = await t
      .as(RESELLER)
      .post('/api/v1/orders', { ...body, termsAccepted: { version: '2025-01' } });
    expect(res.statusCode, res.body).toBe(201);
    let order = res.json();
    expect(order.number).toMatch(/^SKY-\d{6}$/);
    expect(order).toMatchObject({
      status: 'submitted',
      statusLabel: 'Pending approval',
      channel: 'web_wizard',
    });

    // The distributor sees its reseller's order; another partner does not.
    expect((await t.as('buyer@acme.example').get(`/api/v1/orders/${order.id}`)).statusCode).toBe(
      200,
    );
    expect((await t.as('buyer@contoso.example').get(`/api/v1/orders/${order.id}`)).statusCode).toBe(
      404,
    );

    // Skyline has no separate booking stage: approval assigns the sales order number.
    order = await act(t, 'desk@skyline.example', order, 'approve', 'provisioning');
    expect(order.salesOrderNumber).toMatch(/\d+$/);
    // Skyline sets no SLA targets; the desk's approval still acknowledges the order (API.md:
    // "The first vendor action on the order … acknowledges it"), in every view of it.
    expect(order.sla.acknowledgedAt).toEqual(expect.any(String));
    const seen = (await t.as(RESELLER).get(`/api/v1/orders/${order.id}`)).json();
    expect(seen.sla.acknowledgedAt).toBe(order.sla.acknowledgedAt);
    const listed = (await t.as('desk@skyline.example').get('/api/v1/orders?status=provisioning'))
      .json()
      .items.find((o: { id: string }) => o.id === order.id);
    expect(listed.sla.acknowledgedAt).toBe(order.sla.acknowledgedAt);
    await act(t, 'provisioning@skyline.example', order, 'complete', 'completed');
  });

  it('validates a change with the contacts its profile asks for: e-mail addresses only', async () => {
    const [item] = await findProducts(t, RESELLER, 'skyline', { type: 'subscription', count: 1 });
    const customerId = (await t.as(RESELLER).get('/api/v1/customers')).json().items[0].id;
    const res = await t.as(RESELLER).post('/api/v1/orders/validate', {
      vendor: 'skyline',
      type: 'change',
      customerId,
      lines: [{ partNumber: item!.partNumber, quantity: 1, unitPrice: item!.netPrice }],
      contacts: {
        siteAdmin: { email: 'a@tailspin.example' },
        invoicing: { email: 'b@tailspin.example' },
      },
      attributes: { subscriptionId: 'sub_none' },
      termsAccepted: { version: '2025-01' },
    });
    // Not a 400 for the names the schema once demanded: the profile's rules judge the order.
    expect(res.statusCode, res.body).toBe(200);
    const paths = (res.json().problems as { path: string }[]).map((p) => p.path);
    expect(paths.filter((p) => p.startsWith('contacts.'))).toEqual([]);
    // A contact with neither a name nor an e-mail is malformed, not a contact: one problem at
    // it (a problem of the order, with the others), none under it.
    const empty = await t.as(RESELLER).post('/api/v1/orders/validate', {
      vendor: 'skyline',
      type: 'change',
      customerId,
      lines: [{ partNumber: item!.partNumber, quantity: 1, unitPrice: item!.netPrice }],
      contacts: { siteAdmin: {} },
    });
    expect(empty.statusCode, empty.body).toBe(200);
    const problems = empty.json().problems as { path: string; code: string }[];
    expect(problems).toContainEqual(
      expect.objectContaining({ path: 'contacts.siteAdmin', code: 'invalid' }),
    );
    expect(problems.filter((p) => p.path.startsWith('contacts.siteAdmin.'))).toEqual([]);
    expect(problems).toContainEqual(
      expect.objectContaining({ path: 'termsAccepted', code: 'terms.not_accepted' }),
    );
  });

  it('refuses items at a price other than the reseller’s net price', async () => {
    const [item] = await findProducts(t, RESELLER, 'skyline', { type: 'subscription', count: 1 });
    const customerId = (await t.as(RESELLER).get('/api/v1/customers')).json().items[0].id;
    const res = await t.as(RESELLER).post('/api/v1/orders', {
      vendor: 'skyline',
      type: 'new',
      customerId,
      lines: [{ partNumber: item!.partNumber, quantity: 1, unitPrice: '1.00' }],
      contacts: {
        siteAdmin: { name: 'A', email: 'a@tailspin.example' },
        invoicing: { name: 'B', email: 'b@tailspin.example' },
      },
      attributes: { primaryDomain: 'tailspin.example' },
      termsAccepted: { version: '2025-01' },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      expect.objectContaining({
        path: 'lines[0].unitPrice',
        code: 'price.mismatch',
        expected: item!.netPrice,
        actual: '1.00',
      }),
    ]);
  });
});
