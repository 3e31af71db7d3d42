// Lists page (API.md Conventions: `?limit=&cursor=` → `{ items, nextCursor }`): every list that
// answered whole before paging was added, read whole and then a page of one at a time, gives
// the same items in the same order, each once, and a null nextCursor at the end; a cursor this
// list did not make (another list's too) is a 400 naming `querystring.cursor`. Both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOutboxFor, markOutboxDead } from '@orderdesk/store';
import { testDialects } from '@orderdesk/store/testing';
import { bindCursor } from '../src/http/list-cursors.ts';
import { createTestApp, type TestApp } from './harness.ts';
import { act, findProducts, firstCustomerId, partnerIdOf, totalOf } from './scenario-helpers.ts';

const ACME = 'buyer@acme.example';
const EDGE_ADMIN = 'admin@edgeworks.example';
const EDGE_DESK = 'desk@edgeworks.example';
const NW_ADMIN = 'admin@northwind.example';
const NW_SALES = 'sales@northwind.example';
// The smallest PNG header the upload's sniffer recognises.
const PNG = Buffer.concat([
  Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'),
  Buffer.alloc(64),
]);

interface ListPage {
  items: unknown[];
  nextCursor: string | null;
}

describe.each(testDialects())('paged lists on %s', (dialect) => {
  let t: TestApp;
  /** Each list, as a user who sees at least two of its items. */
  const lists: { name: string; user: string; url: string }[] = [];

  async function ok<T>(res: { statusCode: number; body: string; json: () => T }): Promise<T> {
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json();
  }

  /** An edgeworks kit renewal of Acme's, put on hold and then rejected: events and mails. */
  async function placeOrder(): Promise<string> {
    const [kit] = await findProducts(t, ACME, 'edgeworks', {
      type: 'kit',
      count: 1,
      partNumberIncludes: '-RENEW-',
    });
    const lines = [{ partNumber: kit!.partNumber, quantity: 2, unitPrice: kit!.netPrice }];
    const today = new Date().toISOString().slice(0, 10);
    const order = await ok<{ id: string; version: number }>(
      await t.as(ACME).post('/api/v1/orders', {
        vendor: 'edgeworks',
        type: 'kits_renewal',
        customerId: await firstCustomerId(t, ACME),
        purchaseOrder: {
          number: 'LISTS-PO-1',
          date: today,
          currency: 'USD',
          total: totalOf(lines),
        },
        lines,
      }),
    );
    const held = await act(t, EDGE_DESK, order, 'hold', 'on_hold', {
      problems: [{ path: 'purchaseOrder', code: 'invalid', message: 'Send the signed PO' }],
    });
    await act(t, EDGE_DESK, held, 'reject', 'rejected', { reason: 'No signed PO' });
    for (const name of ['one.png', 'two.png']) {
      const boundary = `lists${name.length}${name}`;
      await ok(
        await t.as(ACME).request({
          method: 'POST',
          url: `/api/v1/orders/${order.id}/documents`,
          headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
          payload: Buffer.concat([
            Buffer.from(
              `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n` +
                'Content-Type: image/png\r\n\r\n',
            ),
            PNG,
            Buffer.from(`\r\n--${boundary}--\r\n`),
          ]),
        }),
      );
    }
    return order.id;
  }

  /** A northwind quote made from Acme's request and approved: a mail on each thread. */
  async function approvedQuote(): Promise<string> {
    const customerId = await firstCustomerId(t, ACME);
    const request = await ok<{ id: string }>(
      await t
        .as(ACME)
        .post('/api/v1/quote-requests', { vendor: 'northwind', customerId, orderType: 'new' }),
    );
    const [product] = await findProducts(t, ACME, 'northwind', { count: 1 });
    const quote = await ok<{ id: string }>(
      await t.as(NW_SALES).post('/api/v1/quotes', {
        partnerId: await partnerIdOf(t, ACME),
        customerId,
        quoteRequestId: request.id,
        orderType: 'new',
        lines: [{ partNumber: product!.partNumber, quantity: 1 }],
      }),
    );
    await ok(await t.as(NW_SALES).post(`/api/v1/quotes/${quote.id}/actions/approve`, {}));
    return quote.id;
  }

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const orderId = await placeOrder();
    const quoteId = await approvedQuote();

    // A second token of the admin's (the harness made the first).
    await ok(await t.as(EDGE_ADMIN).post('/api/v1/tokens', { name: 'second' }));
    // Two contacts of Acme's first customer.
    const customerId = await firstCustomerId(t, ACME);
    for (const name of ['Pat Admin', 'Sam Billing']) {
      const email = `${name.split(' ')[0]!.toLowerCase()}@customer.example`;
      await ok(
        await t
          .as(ACME)
          .post(`/api/v1/customers/${customerId}/contacts`, { name, email, roles: ['billing'] }),
      );
    }
    // Two multiplier rules on edgeworks' partnership with Acme.
    const partnerships = await ok<{ items: { id: string; partner: { name: string } }[] }>(
      await t.as(EDGE_ADMIN).get('/api/v1/partnerships'),
    );
    const partnershipId = partnerships.items[0]!.id;
    for (const effectiveFrom of ['2030-01-01', '2031-01-01']) {
      await ok(
        await t.as(EDGE_ADMIN).post(`/api/v1/partnerships/${partnershipId}/multipliers`, {
          multiplier: '0.9',
          effectiveFrom,
        }),
      );
    }
    // A second profile version: the current source published again, with a comment (YAML) or
    // a trailing space (JSON) so that it is a new text.
    const source = await ok<{ source: string; format: string }>(
      await t.as(EDGE_ADMIN).get('/api/v1/vendors/edgeworks/profile/source'),
    );
    await ok(
      await t.as(EDGE_ADMIN).request({
        method: 'PUT',
        url: '/api/v1/vendors/edgeworks/profile',
        headers: {
          'content-type': source.format === 'json' ? 'application/json' : 'application/yaml',
        },
        payload: `${source.source}${source.format === 'json' ? ' ' : '\n# again\n'}`,
      }),
    );
    // Two dead letters: the invitation mails of two new colleagues, given up on.
    for (const n of [1, 2]) {
      const invited = await ok<{ user: { id: string } }>(
        await t.as(EDGE_ADMIN).post('/api/v1/users', {
          email: `dead${n}@edgeworks.example`,
          name: `Dead ${n}`,
          roles: ['order_desk'],
        }),
      );
      const [row] = await listOutboxFor(t.store.db, 'user', invited.user.id);
      await markOutboxDead(t.store.db, row!.id, { error: 'lists', at: new Date().toISOString() });
    }

    lists.push(
      { name: 'vendors', user: ACME, url: '/api/v1/vendors' },
      { name: 'partnerships (partner)', user: ACME, url: '/api/v1/partnerships' },
      { name: 'partnerships (vendor)', user: EDGE_ADMIN, url: '/api/v1/partnerships' },
      { name: 'partners', user: EDGE_ADMIN, url: '/api/v1/partners' },
      { name: 'users', user: EDGE_ADMIN, url: '/api/v1/users' },
      { name: 'tokens', user: EDGE_ADMIN, url: '/api/v1/tokens' },
      { name: 'categories', user: ACME, url: '/api/v1/categories?vendor=edgeworks' },
      {
        name: 'profile versions',
        user: EDGE_ADMIN,
        url: '/api/v1/vendors/edgeworks/profile/versions',
      },
      { name: 'outbox', user: EDGE_ADMIN, url: '/api/v1/outbox?status=dead' },
      { name: 'contacts', user: ACME, url: `/api/v1/customers/${customerId}/contacts` },
      { name: 'order events', user: ACME, url: `/api/v1/orders/${orderId}/events` },
      { name: 'order messages', user: ACME, url: `/api/v1/orders/${orderId}/messages` },
      { name: 'order documents', user: EDGE_DESK, url: `/api/v1/orders/${orderId}/documents` },
      { name: 'quote messages', user: NW_ADMIN, url: `/api/v1/quotes/${quoteId}/messages` },
      {
        name: 'multipliers',
        user: EDGE_ADMIN,
        url: `/api/v1/partnerships/${partnershipId}/multipliers`,
      },
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('pages every list one item at a time: the whole list, in order, each item once', async () => {
    expect(lists.length).toBe(15);
    for (const list of lists) {
      const whole = await ok<ListPage>(await t.as(list.user).get(list.url));
      expect(whole.items.length, list.name).toBeGreaterThanOrEqual(2);
      expect(whole.nextCursor, list.name).toBeNull();

      const paged: unknown[] = [];
      const join = list.url.includes('?') ? '&' : '?';
      let cursor: string | null = null;
      let pages = 0;
      do {
        const url = `${list.url}${join}limit=1${cursor ? `&cursor=${cursor}` : ''}`;
        const page: ListPage = await ok<ListPage>(await t.as(list.user).get(url));
        expect(page.items.length, `${list.name}: ${url}`).toBe(1);
        paged.push(...page.items);
        cursor = page.nextCursor;
        pages += 1;
        expect(pages, list.name).toBeLessThanOrEqual(whole.items.length);
      } while (cursor !== null);
      expect(paged, list.name).toEqual(whole.items);
    }
  });

  it('lists orders oldest first too, by cursor, for a distributor and for a vendor desk', async () => {
    // Orders of Acme and of its tier-2 Beta, in turns: the distributor's list merges both.
    const [kit] = await findProducts(t, ACME, 'edgeworks', {
      type: 'kit',
      count: 1,
      partNumberIncludes: '-RENEW-',
    });
    const lines = [{ partNumber: kit!.partNumber, quantity: 1, unitPrice: kit!.netPrice }];
    const today = new Date().toISOString().slice(0, 10);
    for (const [n, user] of [ACME, 'buyer@beta.example', ACME].entries()) {
      await ok(
        await t.as(user).post('/api/v1/orders', {
          vendor: 'edgeworks',
          type: 'kits_renewal',
          customerId: await firstCustomerId(t, user),
          purchaseOrder: {
            number: `LISTS-OLDEST-${n}`,
            date: today,
            currency: 'USD',
            total: totalOf(lines),
          },
          lines,
        }),
      );
    }
    for (const [user, query] of [
      [ACME, ''],
      [EDGE_DESK, '&status=submitted'],
    ] as const) {
      const newest = await ok<{ items: { id: string }[] }>(
        await t.as(user).get(`/api/v1/orders?limit=500${query}`),
      );
      expect(newest.items.length, user).toBeGreaterThanOrEqual(2);
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const url = `/api/v1/orders?sort=oldest&limit=1${query}${cursor ? `&cursor=${cursor}` : ''}`;
        const page: ListPage = await ok<ListPage>(await t.as(user).get(url));
        paged.push(...(page.items as { id: string }[]).map((o) => o.id));
        cursor = page.nextCursor;
        expect(paged.length, user).toBeLessThanOrEqual(newest.items.length);
      } while (cursor !== null);
      expect(paged, user).toEqual(newest.items.map((o) => o.id).reverse());
    }
    // A newest-first cursor is no oldest-first one.
    const first = await ok<ListPage>(await t.as(ACME).get('/api/v1/orders?limit=1'));
    const mixed = await t.as(ACME).get(`/api/v1/orders?sort=oldest&cursor=${first.nextCursor}`);
    expect(mixed.statusCode, mixed.body).toBe(400);
  });

  it('answers a cursor the list did not make with a 400 naming `querystring.cursor`', async () => {
    for (const list of lists) {
      const join = list.url.includes('?') ? '&' : '?';
      const res = await t.as(list.user).get(`${list.url}${join}limit=1&cursor=not-a-cursor`);
      expect(res.statusCode, `${list.name}: ${res.body}`).toBe(400);
      expect(res.json().errors, list.name).toEqual([
        {
          path: 'querystring.cursor',
          code: 'invalid',
          message: 'Not a cursor returned by this list',
        },
      ]);
    }
  });

  it("refuses another list's cursor as a forged one, whatever the two lists are keyed by", async () => {
    const all = [
      ...lists,
      { name: 'orders', user: ACME, url: '/api/v1/orders' },
      { name: 'orders by due time', user: ACME, url: '/api/v1/orders?sort=due' },
      { name: 'orders oldest first', user: ACME, url: '/api/v1/orders?sort=oldest' },
      { name: 'invoices', user: ACME, url: '/api/v1/invoices' },
      { name: 'customers', user: ACME, url: '/api/v1/customers' },
      { name: 'price lists', user: EDGE_ADMIN, url: '/api/v1/vendors/edgeworks/price-lists' },
    ];
    const withLimit = (url: string, rest: string) =>
      `${url}${url.includes('?') ? '&' : '?'}limit=1${rest}`;
    const issued: { name: string; url: string; cursor: string }[] = [];
    for (const list of all) {
      const page = await ok<ListPage>(await t.as(list.user).get(withLimit(list.url, '')));
      if (page.nextCursor !== null) issued.push({ ...list, cursor: page.nextCursor });
    }
    expect(issued.map((c) => c.name)).toEqual(
      expect.arrayContaining([...lists.map((l) => l.name), 'orders', 'orders by due time']),
    );
    for (const list of all) {
      for (const other of issued) {
        // The partner's and the vendor's partnerships are one list, read by two sides.
        if (other.url === list.url) continue;
        const url = withLimit(list.url, `&cursor=${other.cursor}`);
        const res = await t.as(list.user).get(url);
        expect(res.statusCode, `${other.name}'s cursor on ${list.name}: ${res.body}`).toBe(400);
        expect(res.json().errors, `${other.name}'s cursor on ${list.name}`).toEqual([
          expect.objectContaining({ path: 'querystring.cursor', code: 'invalid' }),
        ]);
      }
    }
  });

  it('binds the cursors of every operation that takes one: each answers pages', async () => {
    interface Operation {
      parameters?: { name: string; in: string }[];
      responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
    }
    const doc = (await t.as(null).get('/api/v1/openapi.json')).json<{
      paths: Record<string, Record<string, Operation>>;
    }>();
    const takesCursor: string[] = [];
    const answersPages: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const name = `${method.toUpperCase()} ${path}`;
        if (op.parameters?.some((p) => p.in === 'query' && p.name === 'cursor')) {
          takesCursor.push(name);
        }
        const ok = JSON.stringify(op.responses?.['200']?.content ?? {});
        if (/"nextCursor"/.test(ok)) answersPages.push(name);
      }
    }
    expect(takesCursor.length).toBeGreaterThanOrEqual(20);
    expect(takesCursor.sort()).toEqual(answersPages.sort());
    // Each reads only cursors it gave out: one it did not is refused before the query's
    // schema is (here a limit of 0, which the list would refuse too), after 401 and 403.
    for (const name of takesCursor) {
      const url = `${name.replace(/^GET /, '').replace(/\{\w+\}/g, 'x')}?limit=0&cursor=e30`;
      let res = await t.as(EDGE_ADMIN).get(url);
      if (res.statusCode === 403) res = await t.as(ACME).get(url);
      expect(res.statusCode, `${name}: ${res.body}`).toBe(400);
      expect(res.json().errors, name).toEqual([
        {
          path: 'querystring.cursor',
          code: 'invalid',
          message: 'Not a cursor returned by this list',
        },
      ]);
    }
    expect((await t.as(null).get('/api/v1/customers?cursor=e30')).statusCode).toBe(401);
    expect((await t.as(EDGE_ADMIN).get('/api/v1/customers?cursor=e30')).statusCode).toBe(403);
  });

  it('answers 400, never 500, to a well-formed cursor with values no page has', async () => {
    // Forged for the list it is sent to (its digest is no secret), so the use case reads it.
    const cursorOf = (list: string, value: unknown) =>
      bindCursor(`/api/v1${list}`, Buffer.from(JSON.stringify(value)).toString('base64url'));
    // A text key with a NUL (PostgreSQL refuses it in text), a version past its integer column.
    const vendors = await t
      .as(ACME)
      .get(`/api/v1/vendors?cursor=${cursorOf('/vendors', { slug: 'a\u0000' })}`);
    expect(vendors.statusCode, vendors.body).toBe(400);
    expect(vendors.json().errors).toEqual([
      expect.objectContaining({ path: 'querystring.cursor' }),
    ]);
    const versions = await t
      .as('admin@northwind.example')
      .get(
        `/api/v1/vendors/northwind/profile/versions?cursor=${cursorOf(
          '/vendors/:slug/profile/versions',
          { version: 1e15 },
        )}`,
      );
    expect(versions.statusCode, versions.body).toBe(400);
    expect(versions.json().errors).toEqual([
      expect.objectContaining({ path: 'querystring.cursor' }),
    ]);
    // Read by the use case: a well-formed cursor of this list's shape pages on.
    const forged = await t
      .as(ACME)
      .get(`/api/v1/vendors?limit=1&cursor=${cursorOf('/vendors', { slug: 'a' })}`);
    expect(forged.statusCode, forged.body).toBe(200);
  });

  it('bounds limit: 1 to 10,000 for the lists that were whole (what a client gets without one)', async () => {
    for (const limit of ['0', '10001', 'x']) {
      const res = await t.as(ACME).get(`/api/v1/vendors?limit=${limit}`);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().errors).toContainEqual(
        expect.objectContaining({ path: 'querystring.limit' }),
      );
    }
  });
});
