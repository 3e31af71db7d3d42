// A submission's field-level problems (a bad e-mail, a missing customerId, no lines, a quantity
// of 0, money sent as a JSON number) are problems of the order, said together with every
// business problem that can still be checked (API.md "Orders": validate → 200 { valid,
// problems }, submit → 422 with every problem in errors). Only a body that is not a JSON object
// is a malformed request (400). Both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@orderdesk/store/testing';
import { createTestApp, type TestApp } from './harness.ts';
import { findProducts, partnerIdOf, totalOf, type PricedProduct } from './scenario-helpers.ts';

const CONTOSO = 'buyer@contoso.example';
const ACME = 'buyer@acme.example';
const SALES = 'sales@northwind.example';
const VALIDATE = '/api/v1/orders/validate';
const SUBMIT = '/api/v1/orders';

interface ProblemOut {
  path: string;
  code: string;
  message: string;
  severity?: string;
  expected?: string;
  actual?: string;
}

/** Each problem's `path code`, for comparing whole lists. */
const keys = (problems: readonly ProblemOut[]): string[] =>
  problems.map((p) => `${p.path} ${p.code}`);

/** No path carries the same code twice. */
function expectNoDuplicates(problems: readonly ProblemOut[]): void {
  const all = keys(problems);
  expect(all, JSON.stringify(problems)).toEqual([...new Set(all)]);
}

/** A price other than `netPrice` with the same number of decimals. */
const wrongPrice = (netPrice: string): string => (netPrice === '1.00' ? '2.00' : '1.00');

describe.each(testDialects())('field problems of a submission on %s', (dialect) => {
  let t: TestApp;
  let customerId: string;
  let items: PricedProduct[];

  beforeAll(async () => {
    t = await createTestApp(dialect);
    customerId = (await t.as(CONTOSO).get('/api/v1/customers')).json().items[0].id;
    items = await findProducts(t, CONTOSO, 'skyline', { type: 'subscription', count: 3 });
  });
  afterAll(async () => {
    await t.close();
  });

  /** A skyline new subscription of Contoso's with nothing wrong in it. */
  function skylineOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      vendor: 'skyline',
      type: 'new',
      customerId,
      lines: [{ partNumber: items[0]!.partNumber, quantity: 5, unitPrice: items[0]!.netPrice }],
      contacts: {
        siteAdmin: { name: 'Wendy Admin', email: 'wendy@wingtip.example' },
        invoicing: { name: 'Wingtip AP', email: 'ap@wingtip.example' },
      },
      attributes: { primaryDomain: 'wingtip.example' },
      termsAccepted: { version: '2025-01' },
      ...overrides,
    };
  }

  const ordersOfContoso = async (): Promise<number> => {
    const res = await t.as(CONTOSO).get('/api/v1/orders?vendor=skyline&limit=200');
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().items as unknown[]).length;
  };

  /** Validate answers 200 with the problems; submit 422 with the same errors, nothing written. */
  async function problemsOf(body: unknown): Promise<ProblemOut[]> {
    const checked = await t.as(CONTOSO).post(VALIDATE, body);
    expect(checked.statusCode, checked.body).toBe(200);
    expect(checked.json().valid).toBe(false);
    const problems = checked.json().problems as ProblemOut[];
    expectNoDuplicates(problems);
    const before = await ordersOfContoso();
    const submitted = await t.as(CONTOSO).post(SUBMIT, body);
    expect(submitted.statusCode, submitted.body).toBe(422);
    expect(String(submitted.headers['content-type'])).toMatch(/^application\/problem\+json/);
    const errors = submitted.json().errors as ProblemOut[];
    expect(keys(errors)).toEqual(keys(problems.filter((p) => p.severity === 'error')));
    expect(await ordersOfContoso()).toBe(before);
    return problems;
  }

  it('the body it starts from is valid', async () => {
    const res = await t.as(CONTOSO).post(VALIDATE, skylineOrder());
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ valid: true, problems: [] });
  });

  it('says a bad e-mail and a wrong price together: one problem at the e-mail, though the profile requires it', async () => {
    const body = skylineOrder({
      lines: [
        {
          partNumber: items[0]!.partNumber,
          quantity: 5,
          unitPrice: wrongPrice(items[0]!.netPrice),
        },
      ],
      contacts: {
        siteAdmin: { name: 'W', email: 'wendy-at-wingtip' },
        invoicing: { name: 'Wingtip AP', email: 'ap@wingtip.example' },
      },
    });
    const problems = await problemsOf(body);
    expect(keys(problems).sort()).toEqual(
      ['contacts.siteAdmin.email invalid', 'lines[0].unitPrice price.mismatch'].sort(),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({
        path: 'lines[0].unitPrice',
        code: 'price.mismatch',
        severity: 'error',
        expected: items[0]!.netPrice,
        actual: wrongPrice(items[0]!.netPrice),
      }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ path: 'contacts.siteAdmin.email', severity: 'error' }),
    );
  });

  it('says a missing customerId is required, and still checks the prices', async () => {
    const { customerId: _dropped, ...body } = skylineOrder({
      lines: [
        {
          partNumber: items[0]!.partNumber,
          quantity: 5,
          unitPrice: wrongPrice(items[0]!.netPrice),
        },
      ],
    });
    const problems = await problemsOf(body);
    expect(keys(problems).sort()).toEqual(
      ['customerId required', 'lines[0].unitPrice price.mismatch'].sort(),
    );
  });

  it('says a missing order type is required, and nothing else about the type', async () => {
    const { type: _dropped, ...body } = skylineOrder();
    const problems = await problemsOf(body);
    expect(keys(problems)).toEqual(['type required']);
  });

  it('says an order without lines needs one, with the other problems', async () => {
    const problems = await problemsOf(
      skylineOrder({
        lines: [],
        contacts: { siteAdmin: { name: 'W', email: 'wendy-at-wingtip' } },
      }),
    );
    expect(keys(problems).sort()).toEqual(
      [
        'lines required',
        'contacts.siteAdmin.email invalid',
        'contacts.invoicing.name required',
        'contacts.invoicing.email required',
      ].sort(),
    );
  });

  it('keeps the other lines’ paths when line 2 of 3 has a quantity of 0', async () => {
    const lines = items.map((p) => ({
      partNumber: p.partNumber,
      quantity: 2,
      unitPrice: p.netPrice,
    }));
    lines[1] = { ...lines[1]!, quantity: 0 };
    lines[2] = { ...lines[2]!, unitPrice: wrongPrice(items[2]!.netPrice) };
    const problems = await problemsOf(
      skylineOrder({
        lines,
        purchaseOrder: {
          number: `PO-FP-${dialect}`,
          currency: 'GBP',
          total: totalOf(lines),
        },
      }),
    );
    // Line 2's quantity is unreadable: no amount, so no PO total is compared; line 3's price
    // problem stays at line 3.
    expect(keys(problems)).toEqual([
      'lines[1].quantity invalid',
      'lines[2].unitPrice price.mismatch',
    ]);
    expect(problems[1]).toMatchObject({
      expected: items[2]!.netPrice,
      actual: wrongPrice(items[2]!.netPrice),
    });
  });

  it('says money sent as a JSON number is invalid, and checks the rest', async () => {
    const body = skylineOrder({
      lines: [
        { partNumber: items[0]!.partNumber, quantity: 5, unitPrice: Number(items[0]!.netPrice) },
        {
          partNumber: items[1]!.partNumber,
          quantity: 1,
          unitPrice: wrongPrice(items[1]!.netPrice),
        },
      ],
      purchaseOrder: { number: `PO-NUM-${dialect}`, currency: 'GBP', total: 1430 },
    });
    const problems = await problemsOf(body);
    expect(keys(problems).sort()).toEqual(
      [
        'purchaseOrder.total invalid',
        'lines[0].unitPrice invalid',
        'lines[1].unitPrice price.mismatch',
      ].sort(),
    );
  });

  it('says a signed zero as a unit price is invalid rather than reading it as 0.00', async () => {
    for (const unitPrice of ['-0', '-0.00']) {
      const body = skylineOrder({
        lines: [{ partNumber: items[0]!.partNumber, quantity: 5, unitPrice }],
      });
      const problems = await problemsOf(body);
      expect(problems).toContainEqual(
        expect.objectContaining({
          path: 'lines[0].unitPrice',
          code: 'invalid',
          actual: unitPrice,
        }),
      );
      expect(keys(problems)).not.toContain('lines[0].unitPrice price.mismatch');
    }
  });

  it('says a missing vendor is required, with what can be known without it', async () => {
    const { vendor: _dropped, ...body } = skylineOrder({
      customerId: 'cus_not_yours',
      contacts: { siteAdmin: { name: 'W', email: 'wendy-at-wingtip' } },
    });
    const problems = await problemsOf(body);
    expect(keys(problems).sort()).toEqual(
      ['vendor required', 'contacts.siteAdmin.email invalid', 'customerId invalid'].sort(),
    );
  });

  it('judges a body with field problems the same when the desk places it for the partner', async () => {
    const partnerId = await partnerIdOf(t, CONTOSO);
    const body = skylineOrder({
      partnerId,
      lines: [
        {
          partNumber: items[0]!.partNumber,
          quantity: 5,
          unitPrice: wrongPrice(items[0]!.netPrice),
        },
      ],
      contacts: {
        siteAdmin: { name: 'W', email: 'wendy-at-wingtip' },
        invoicing: { name: 'Wingtip AP', email: 'ap@wingtip.example' },
      },
    });
    const res = await t.as('desk@skyline.example').post(VALIDATE, body);
    expect(res.statusCode, res.body).toBe(200);
    expect(keys(res.json().problems).sort()).toEqual(
      ['contacts.siteAdmin.email invalid', 'lines[0].unitPrice price.mismatch'].sort(),
    );
    const submitted = await t.as('desk@skyline.example').post(SUBMIT, body);
    expect(submitted.statusCode, submitted.body).toBe(422);
  });

  it('keeps no Idempotency-Key with a 422: the corrected body places the order under it', async () => {
    const key = { 'idempotency-key': `field-problems-${dialect}` };
    const bad = skylineOrder({
      contacts: {
        siteAdmin: { name: 'W', email: 'wendy-at-wingtip' },
        invoicing: { name: 'Wingtip AP', email: 'ap@wingtip.example' },
      },
    });
    const refused = await t.as(CONTOSO).post(SUBMIT, bad, key);
    expect(refused.statusCode, refused.body).toBe(422);
    expect(keys(refused.json().errors)).toEqual(['contacts.siteAdmin.email invalid']);
    const placed = await t.as(CONTOSO).post(SUBMIT, skylineOrder(), key);
    expect(placed.statusCode, placed.body).toBe(201);
    const again = await t.as(CONTOSO).post(SUBMIT, skylineOrder(), key);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('still refuses a body that is not a JSON object with a 400', async () => {
    for (const payload of ['[]', '"an order"', '42', 'null', '[{"vendor":"skyline"}]']) {
      for (const url of [VALIDATE, SUBMIT]) {
        const res = await t.as(CONTOSO).request({
          method: 'POST',
          url,
          payload,
          headers: { 'content-type': 'application/json' },
        });
        expect(res.statusCode, `${url} ${payload}: ${res.body}`).toBe(400);
        expect(res.json().errors.length).toBeGreaterThan(0);
      }
    }
    const malformed = await t.as(CONTOSO).request({
      method: 'POST',
      url: SUBMIT,
      payload: '{"vendor":',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.statusCode).toBe(400);
  });

  it('says a PO in another currency than its quote’s once', async () => {
    const [product] = await findProducts(t, ACME, 'northwind', { type: 'subscription', count: 1 });
    const acme = await partnerIdOf(t, ACME);
    const fabrikam = (await t.as(ACME).get('/api/v1/customers')).json().items[0].id as string;
    const created = await t.as(SALES).post('/api/v1/quotes', {
      partnerId: acme,
      customerId: fabrikam,
      orderType: 'new',
      lines: [{ partNumber: product!.partNumber, quantity: 2 }],
    });
    expect(created.statusCode, created.body).toBe(201);
    const quote = (
      await t.as(SALES).post(`/api/v1/quotes/${created.json().id}/actions/approve`, {})
    ).json();
    const lines = [
      { partNumber: product!.partNumber, quantity: 2, unitPrice: quote.lines[0].netPrice },
    ];
    const res = await t.as(ACME).post(VALIDATE, {
      vendor: 'northwind',
      type: 'new',
      customerId: fabrikam,
      quoteId: quote.id,
      purchaseOrder: {
        number: `PO-EUR-${dialect}`,
        date: new Date().toISOString().slice(0, 10),
        currency: 'EUR',
        total: totalOf(lines),
      },
      lines,
    });
    expect(res.statusCode, res.body).toBe(200);
    const currency = (res.json().problems as ProblemOut[]).filter(
      (p) => p.path === 'purchaseOrder.currency',
    );
    expect(currency).toEqual([
      expect.objectContaining({ code: 'currency.mismatch', message: 'The quote is in USD' }),
    ]);
  });
});
