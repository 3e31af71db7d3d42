// The cross-tenant matrix (issue 13, point 9): every tenant-scoped route of the isolation
// registry (isolated-routes.ts), probed by every role of another tenant, on both databases:
// partners (Acme, Contoso, each as partner_admin and partner_user), a tier-2 reseller (Beta)
// against its distributor and another distributor, the distributor against its tier-2 (it reads
// the reseller's customers and orders and acts on none of them), and vendors' staff of all six
// roles against another vendor. It counts the probes and requires 0 leaks; a leak is a 2xx on
// another tenant's record, an answer that differs from the one for a record that does not exist,
// or another tenant's ids or names in an answer (see probeWall in isolation.ts).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@orderdesk/store/testing';
import {
  insertIntakeItem,
  insertSubscription,
  listOutboxFor,
  markOutboxDead,
  newId,
} from '@orderdesk/store';
import { emptyExtraction, issueInvoiceForOrder } from '@orderdesk/app';
import { createTestApp, type TestApp } from './harness.ts';
import {
  newWallReport,
  probeWall,
  type IsolatedRoute,
  type Tenant,
  type WallReport,
} from './isolation.ts';
import {
  DISTRIBUTOR_ACCESS,
  PARTNER_ISOLATION,
  VENDOR_ISOLATION,
  normalizeRoute,
  type DistributorAccess,
} from './isolated-routes.ts';
import {
  findProducts,
  firstCustomerId,
  partnerIdOf,
  storedQuote,
  storedQuoteRequest,
  totalOf,
} from './scenario-helpers.ts';

const ACME = 'buyer@acme.example';
const BETA = 'buyer@beta.example';
const CONTOSO = 'buyer@contoso.example';
/** A partner_user of each partner, created in beforeAll: the second partner role. */
const MEMBER = {
  acme: 'member@acme.example',
  beta: 'member@beta.example',
  contoso: 'member@contoso.example',
};
const STAFF_ROLES = ['admin', 'cam', 'sales', 'desk', 'finance', 'provisioning'] as const;
const staffOf = (slug: string) => STAFF_ROLES.map((role) => `${role}@${slug}.example`);

const today = new Date().toISOString().slice(0, 10);
const SAMPLE_PO = new URL(
  '../../../bench/fixtures/po-pdf/Contoso-PO-Adatum-Adel.pdf',
  import.meta.url,
);
const partnerRoutes = Object.values(PARTNER_ISOLATION).flat();

/** The probes of one database, printed at the end. */
const totals: Record<string, { probes: number; leaks: number }> = {};

describe.each(testDialects())('isolation matrix on %s', (dialect) => {
  let t: TestApp;
  let documentsDir: string;
  const report: WallReport = newWallReport();
  const partnerIds: Record<string, string> = {};
  const customerIds: Record<string, string> = {};

  beforeAll(async () => {
    documentsDir = mkdtempSync(join(tmpdir(), 'orderdesk-matrix-'));
    t = await createTestApp(dialect, { DOCUMENTS_DIR: documentsDir });
    for (const user of [ACME, BETA, CONTOSO]) {
      partnerIds[user] = await partnerIdOf(t, user);
      customerIds[user] = await firstCustomerId(t, user);
    }
    for (const [admin, member] of [
      [ACME, MEMBER.acme],
      [BETA, MEMBER.beta],
      [CONTOSO, MEMBER.contoso],
    ] as const) {
      const res = await t
        .as(admin)
        .post('/api/v1/users', { email: member, name: 'Member', roles: ['partner_user'] });
      expect(res.statusCode, res.body).toBe(201);
    }
  });
  afterAll(async () => {
    totals[dialect] = { probes: report.probes, leaks: report.leaks.length };
    console.log(
      `isolation matrix on ${dialect}: ${report.probes} probes over ${report.routes.size} routes, ${report.leaks.length} leaks`,
    );
    await t?.close();
    rmSync(documentsDir, { recursive: true, force: true });
  });

  // --- fixtures -------------------------------------------------------------------------------

  async function spareUser(admin: string, email: string, roles: string[]): Promise<string> {
    const res = await t.as(admin).post('/api/v1/users', { email, name: 'Spare', roles });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ user: { id: string } }>().user.id;
  }

  async function token(user: string): Promise<string> {
    const res = await t.as(user).post('/api/v1/tokens', { name: 'matrix' });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  }

  async function vendorId(slug: string): Promise<string> {
    const v = await t.store.db
      .selectFrom('vendors')
      .select('id')
      .where('slug', '=', slug)
      .executeTakeFirstOrThrow();
    return v.id;
  }

  async function subscription(slug: string, partnerId: string, customerId: string) {
    const [p] = await findProducts(t, ACME, slug, { count: 1 });
    const id = newId('sub');
    const at = new Date().toISOString();
    await insertSubscription(t.store.db, {
      id,
      vendor_id: await vendorId(slug),
      partner_id: partnerId,
      customer_id: customerId,
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

  /** An order placed by `user`: an edgeworks kit renewal, or a skyline subscription. */
  async function order(user: string, slug: 'edgeworks' | 'skyline', po: string): Promise<string> {
    let body: Record<string, unknown>;
    if (slug === 'edgeworks') {
      const [kit] = await findProducts(t, user, 'edgeworks', {
        type: 'kit',
        count: 1,
        partNumberIncludes: '-RENEW-',
      });
      const lines = [{ partNumber: kit!.partNumber, quantity: 1, unitPrice: kit!.netPrice }];
      body = {
        vendor: 'edgeworks',
        type: 'kits_renewal',
        customerId: customerIds[user],
        purchaseOrder: { number: po, date: today, currency: 'USD', total: totalOf(lines) },
        lines,
      };
    } else {
      const [item] = await findProducts(t, user, 'skyline', { type: 'subscription', count: 1 });
      body = {
        vendor: 'skyline',
        type: 'new',
        customerId: customerIds[user],
        lines: [{ partNumber: item!.partNumber, quantity: 1, unitPrice: item!.netPrice }],
        contacts: {
          siteAdmin: { name: 'Site Admin', email: 'it@customer.example' },
          invoicing: { name: 'Accounts', email: 'ap@customer.example' },
        },
        attributes: { primaryDomain: 'customer.example' },
        termsAccepted: { version: '2025-01' },
      };
    }
    const res = await t.as(user).post('/api/v1/orders', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  }

  /** A quote of `slug` for a contracting partner's customer, approved or left a draft. */
  async function quote(slug: string, partnerId: string, customerId: string, approve: boolean) {
    const [p] = await findProducts(t, ACME, slug, { count: 1 });
    const sales = `sales@${slug}.example`;
    const lines = [{ partNumber: p!.partNumber, quantity: 1 }];
    let id: string;
    if (slug === 'skyline') {
      // Skyline takes no quotes (no order type of its profile does), so the API refuses to make
      // one; a quote made before its profile said so is walled off all the same.
      id = await storedQuote(t, slug, sales, { partnerId, customerId, lines });
    } else {
      const res = await t.as(sales).post('/api/v1/quotes', {
        partnerId,
        customerId,
        orderType: slug === 'edgeworks' ? 'kits_renewal' : 'new',
        lines,
      });
      expect(res.statusCode, res.body).toBe(201);
      id = res.json<{ id: string }>().id;
    }
    if (approve) {
      const approved = await t.as(sales).post(`/api/v1/quotes/${id}/actions/approve`, {});
      expect(approved.statusCode, approved.body).toBe(200);
    }
    return id;
  }

  async function quoteRequest(user: string, slug: string): Promise<string> {
    // Skyline takes no quotes (no order type of its profile does), so the API refuses to ask
    // it for one; a request made before its profile said so is walled off all the same.
    if (slug === 'skyline') {
      return storedQuoteRequest(t, slug, user, {
        partnerId: partnerIds[user]!,
        customerId: customerIds[user]!,
      });
    }
    const res = await t.as(user).post('/api/v1/quote-requests', {
      vendor: slug,
      customerId: customerIds[user],
      orderType: slug === 'edgeworks' ? 'kits_renewal' : 'new',
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  }

  /** A purchase-order PDF attached to an order by `user` (so it has an extraction too). */
  async function document(user: string, orderId: string): Promise<string> {
    const boundary = 'matrixboundary';
    const pdf = readFileSync(SAMPLE_PO);
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\npo\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="po.pdf"\r\n` +
          'Content-Type: application/pdf\r\n\r\n',
      ),
      pdf,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await t.as(user).request({
      method: 'POST',
      url: `/api/v1/orders/${orderId}/documents`,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  }

  /** The invoice of an order, issued now (as the invoice job would). */
  async function invoice(orderId: string, slug: string): Promise<string> {
    const vendor = await vendorId(slug);
    const outcome = await t.store.db
      .transaction()
      .execute((tx) => issueInvoiceForOrder(tx, { orderId, vendorId: vendor, at: new Date() }));
    expect(outcome.invoice, JSON.stringify(outcome)).toBeDefined();
    return outcome.invoice!.id;
  }

  /** A mail-intake item of a vendor, as the poller would leave an unreadable mail. */
  async function intakeItem(slug: string, n: number): Promise<string> {
    const at = new Date().toISOString();
    const item = await insertIntakeItem(t.store.db, {
      vendor_id: await vendorId(slug),
      partner_id: partnerIds[ACME]!,
      channel: 'email',
      message_id: `<matrix-${dialect}-${n}@acme.example>`,
      inbound_mail_id: null,
      from_addr: ACME,
      to_addrs: JSON.stringify([`orders@${slug}.example`]),
      cc_addrs: '[]',
      subject: `Matrix ${n}`,
      body_text: '',
      received_at: at,
      status: 'new',
      reason: null,
      flags: '[]',
      extracted: JSON.stringify(emptyExtraction()),
      draft: JSON.stringify({ vendor: slug, customerId: customerIds[ACME] }),
      validation: JSON.stringify({ valid: false, problems: [] }),
      attachments: '[]',
      order_id: null,
      decided_by: null,
      decided_at: null,
      created_at: at,
      updated_at: at,
    });
    return item.id;
  }

  async function partnershipOf(user: string, slug: string): Promise<string> {
    const res = await t.as(user).get(`/api/v1/partnerships?vendor=${slug}`);
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json<{ items: { id: string; partner: { id: string } }[] }>().items;
    const own = user.startsWith('buyer@')
      ? items[0]
      : items.find((p) => p.partner.id === partnerIds[ACME]);
    return own!.id;
  }

  /** A return of line 1 of an order, asked by the partner that placed it (issue 11, H9). */
  async function returnRequest(user: string, orderId: string): Promise<string> {
    const res = await t.as(user).post('/api/v1/returns', {
      orderId,
      lines: [{ lineNo: 1, quantity: 1 }],
      reason: 'Matrix',
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  }

  /** A partner's records, by the registry's parameter names. Beta orders under Acme's terms. */
  async function partnerTenant(user: string, n: number): Promise<Tenant> {
    const tier2 = user === BETA;
    const contracting = tier2 ? partnerIds[ACME]! : partnerIds[user]!;
    const vendor = tier2 ? 'skyline' : 'edgeworks';
    const ids: Record<string, string> = {
      slug: 'edgeworks',
      userId: await spareUser(user, `spare${n}@${user.split('@')[1]}`, ['partner_user']),
      tokenId: await token(user),
      customerId: customerIds[user]!,
      orderId: await order(user, vendor, `MATRIX-${n}`),
      action: 'cancel',
      returnAction: 'refuse',
      quoteId: await quote('edgeworks', contracting, customerIds[user]!, true),
      quoteAction: 'decline',
      quoteRequestId: await quoteRequest(user, 'edgeworks'),
      subscriptionId: await subscription('edgeworks', contracting, customerIds[user]!),
    };
    // The invoice is another order's: an order with an invoice not credited cannot be cancelled
    // (409), and the owner's `cancel` probe is to act on `orderId`.
    ids.invoiceId = await invoice(await order(user, vendor, `MATRIX-${n}-INV`), vendor);
    ids.documentId = await document(user, ids.orderId!);
    ids.returnId = await returnRequest(user, ids.orderId!);
    // A tier-2 reseller has no partnership of its own (it sees its distributor's).
    if (!tier2) ids.partnershipId = await partnershipOf(user, 'northwind');
    return { user, ids };
  }

  /** A vendor's records, by the registry's parameter names. */
  async function vendorTenant(slug: 'northwind' | 'skyline' | 'edgeworks', n: number) {
    const admin = `admin@${slug}.example`;
    const partnershipId = await partnershipOf(admin, slug);
    const rule = await t.as(admin).post(`/api/v1/partnerships/${partnershipId}/multipliers`, {
      multiplier: '0.9',
      effectiveFrom: '2030-06-01',
    });
    expect(rule.statusCode, rule.body).toBe(201);
    const lists = await t.as(admin).get(`/api/v1/vendors/${slug}/price-lists`);
    const products = await t.as(admin).get(`/api/v1/products?vendor=${slug}&limit=1`);
    const categories = await t.as(admin).get(`/api/v1/categories?vendor=${slug}`);
    // A dead letter: the invitation mail of a new colleague, given up on.
    const invited = await spareUser(admin, `dead${n}@${slug}.example`, ['order_desk']);
    const [row] = await listOutboxFor(t.store.db, 'user', invited);
    expect(row).toBeDefined();
    await markOutboxDead(t.store.db, row!.id, { error: 'matrix', at: new Date().toISOString() });
    const ids: Record<string, string> = {
      slug,
      userId: await spareUser(admin, `spare${n}@${slug}.example`, ['sales']),
      tokenId: await token(admin),
      partnershipId,
      multiplierId: rule.json<{ id: string }>().id,
      priceListId: lists.json<{ items: { id: string }[] }>().items[0]!.id,
      partNumber: products.json<{ items: { partNumber: string }[] }>().items[0]!.partNumber,
      categoryKey: categories.json<{ items: { key: string }[] }>().items[0]!.key,
      outboxId: row!.id,
      action: 'hold',
      returnAction: 'refuse',
      quoteId: await quote(slug, partnerIds[ACME]!, customerIds[ACME]!, false),
      quoteAction: 'approve',
      quoteRequestId: await quoteRequest(ACME, slug),
      subscriptionId: await subscription(slug, partnerIds[ACME]!, customerIds[ACME]!),
    };
    ids.intakeId = await intakeItem(slug, n);
    if (slug !== 'northwind') {
      ids.orderId = await order(ACME, slug, `MATRIX-V${n}`);
      ids.invoiceId = await invoice(ids.orderId, slug);
      ids.documentId = await document(`desk@${slug}.example`, ids.orderId);
      ids.returnId = await returnRequest(ACME, ids.orderId);
    }
    return ids;
  }

  /** No leak recorded since `start` (each test answers for its own probes). */
  const expectNoLeaks = (start: number) => {
    const found = report.leaks.slice(start);
    expect(found, found.join('\n')).toEqual([]);
  };

  // --- the matrix ------------------------------------------------------------------------------

  it('keeps tier-1 partners apart: every partner route, both partner roles, both ways', async () => {
    const start = report.leaks.length;
    const acme = await partnerTenant(ACME, 1);
    const contoso = await partnerTenant(CONTOSO, 2);
    const before = report.probes;
    await probeWall(t, report, partnerRoutes, acme, [CONTOSO, MEMBER.contoso], {
      secrets: ['Fabrikam Health'],
    });
    await probeWall(t, report, partnerRoutes, contoso, [ACME, MEMBER.acme], {
      secrets: ['Wingtip Labs'],
    });
    expect(report.probes - before).toBeGreaterThan(100);
    expectNoLeaks(start);
  });

  it("keeps a tier-2 reseller out of its distributor's own records and another partner's", async () => {
    const start = report.leaks.length;
    const acme = await partnerTenant(ACME, 3);
    const contoso = await partnerTenant(CONTOSO, 4);
    // Beta orders under Acme's partnerships and sees them (but never their multipliers).
    const shared = [acme.ids.partnershipId!];
    await probeWall(t, report, partnerRoutes, acme, [BETA, MEMBER.beta], {
      shared,
      secrets: ['Fabrikam Health'],
      checkOwner: false,
    });
    await probeWall(t, report, partnerRoutes, contoso, [BETA, MEMBER.beta], {
      secrets: ['Wingtip Labs'],
      checkOwner: false,
    });
    // And another distributor sees nothing of the reseller's.
    const beta = await partnerTenant(BETA, 5);
    await probeWall(t, report, partnerRoutes, beta, [CONTOSO, MEMBER.contoso], {
      secrets: ['Tailspin Toys'],
    });
    expectNoLeaks(start);
  });

  /**
   * The rows of DISTRIBUTOR_ACCESS (those `only` keeps) as Acme and its partner_user against a
   * fresh tier-2 tenant of Beta's: reads answer 200 (lists name the record), refusals 403, and
   * what it may act on a 2xx (a 409 once the first probe has acted: a quote declined is final).
   */
  async function probeDistributor(beta: Tenant, only: (row: DistributorAccess) => boolean) {
    const idOfList: Record<string, string | undefined> = {
      customers: beta.ids.customerId,
      orders: beta.ids.orderId,
      quotes: beta.ids.quoteId,
      'quote-requests': beta.ids.quoteRequestId,
      subscriptions: beta.ids.subscriptionId,
      invoices: beta.ids.invoiceId,
    };
    for (const row of DISTRIBUTOR_ACCESS.filter(only)) {
      report.routes.add(`${row.method} ${normalizeRoute(row.route)}`);
      const verbs = row.route.includes(':action')
        ? ['cancel', 'resubmit']
        : row.route.includes(':quoteAction')
          ? ['decline']
          : [''];
      for (const verb of verbs) {
        const url =
          row.route.replace(/:(\w+)/g, (_, p: string) =>
            p === 'action' || p === 'quoteAction' ? verb : (beta.ids[p] ?? `:${p}`),
          ) + (row.query ?? '');
        for (const user of [ACME, MEMBER.acme]) {
          const res = await t.as(user).request({
            method: row.method,
            url,
            payload: row.body as string,
          });
          report.probes++;
          const label = `${row.method} ${url} (${user} → Beta's)`;
          const listed = idOfList[/^\/api\/v1\/([a-z-]+)$/.exec(row.route)?.[1] ?? ''];
          if (row.expect === 'reads') {
            if (res.statusCode !== 200)
              report.leaks.push(`${label}: expected to read, got ${res.statusCode}`);
            else if (listed && !res.body.includes(listed))
              report.leaks.push(`${label}: the list lacks ${listed}`);
          } else if (row.expect === 'acts') {
            if (res.statusCode >= 300 && res.statusCode !== 409)
              report.leaks.push(`${label}: expected to act, got ${res.statusCode}`);
          } else if (res.statusCode !== 403) {
            report.leaks.push(
              `${label}: expected 403, got ${res.statusCode} ${res.body.slice(0, 200)}`,
            );
          }
        }
      }
    }
    return Object.values(idOfList).filter((id): id is string => id !== undefined);
  }

  const acts = (row: DistributorAccess) => row.expect === 'acts';

  it("lets a distributor read its tier-2 reseller's customers and orders, and act on none of them", async () => {
    const start = report.leaks.length;
    const beta = await partnerTenant(BETA, 6);
    const { customerId, orderId } = beta.ids;
    const orderBefore = (await t.as(BETA).get(`/api/v1/orders/${orderId}`)).json<{
      status: string;
      version: number;
    }>();
    const customerBefore = (await t.as(BETA).get(`/api/v1/customers/${customerId}`)).body;
    const readable = await probeDistributor(beta, (row) => !acts(row));
    // On the reseller's order the distributor is offered no action; the reseller is.
    const seen = (await t.as(ACME).get(`/api/v1/orders/${orderId}`)).json<{
      availableActions: string[];
    }>();
    expect(seen.availableActions).toEqual([]);
    const own = (await t.as(BETA).get(`/api/v1/orders/${orderId}`)).json<{
      status: string;
      version: number;
      availableActions: string[];
    }>();
    expect(own.availableActions).toContain('cancel');
    expect({ status: own.status, version: own.version }).toEqual({
      status: orderBefore.status,
      version: orderBefore.version,
    });
    expect((await t.as(BETA).get(`/api/v1/customers/${customerId}`)).body).toBe(customerBefore);

    // Everything else of the reseller's is a wall to the distributor (its users and tokens); the
    // records it reads are no secret to it.
    const covered = new Set(DISTRIBUTOR_ACCESS.map((r) => `${r.method} ${r.route}`));
    await probeWall(
      t,
      report,
      partnerRoutes.filter((r) => !covered.has(`${r.method} ${r.route}`)),
      beta,
      [ACME, MEMBER.acme],
      { checkOwner: false, shared: readable },
    );
    expectNoLeaks(start);
  });

  it("lets a distributor act where DISTRIBUTOR_ACCESS says it does today (its reseller's quotes, invoice copies)", async () => {
    const start = report.leaks.length;
    const beta = await partnerTenant(BETA, 7);
    await probeDistributor(beta, acts);
    const quote = (await t.as(BETA).get(`/api/v1/quotes/${beta.ids.quoteId}`)).json<{
      status: string;
    }>();
    expect(quote.status).toBe('declined');
    expectNoLeaks(start);
  });

  it("keeps vendors' staff apart: every vendor route, all six staff roles", async () => {
    const start = report.leaks.length;
    const tenants = {
      northwind: await vendorTenant('northwind', 1),
      skyline: await vendorTenant('skyline', 2),
      edgeworks: await vendorTenant('edgeworks', 3),
    };
    // Who owns what: order desk the orders, sales the quote actions, the admin all else.
    const salesRoute = (r: IsolatedRoute) =>
      r.route.includes('quoteAction') || r.route.includes('renewal-quote');
    const roleFor = (feature: string, r: IsolatedRoute): string => {
      if (r.route.endsWith('/fulfilments')) return 'provisioning';
      if (feature === 'orders') return salesRoute(r) ? 'sales' : 'desk';
      if (feature === 'intake') return 'desk';
      return 'admin';
    };
    const groups = Object.entries(VENDOR_ISOLATION).flatMap(([feature, routes]) =>
      ['admin', 'desk', 'sales', 'provisioning'].map((role) => ({
        routes: routes.filter((r) => roleFor(feature, r) === role),
        role,
      })),
    );
    // Each vendor's records, probed by every role of the next vendor round the ring.
    const ring = ['northwind', 'skyline', 'edgeworks'] as const;
    for (const [i, slug] of ring.entries()) {
      const intruders = staffOf(ring[(i + 1) % 3]!);
      for (const group of groups) {
        await probeWall(
          t,
          report,
          group.routes,
          { user: `${group.role}@${slug}.example`, ids: tenants[slug] },
          intruders,
        );
      }
    }
    expectNoLeaks(start);
  });

  it('probed every tenant-scoped route of the registry, and the distributor rules', () => {
    const registry = new Set(
      [...partnerRoutes, ...Object.values(VENDOR_ISOLATION).flat()].map(
        (r) => `${r.method} ${normalizeRoute(r.route)}`,
      ),
    );
    // A route is skipped when no tenant fixture names its parameters: a new feature's records
    // need a line in partnerTenant or vendorTenant above.
    const missing = [...registry].filter((r) => !report.routes.has(r));
    expect(
      missing,
      'routes without a fixture here (add their ids to partnerTenant/vendorTenant)',
    ).toEqual([]);
    expect(report.probes).toBeGreaterThan(1000);
  });
});
