// Lists page (API.md Conventions: `?limit=&cursor=` → `{ items, nextCursor }`): every list that
// answered whole before paging was added, read whole and then a page of one at a time, gives
// the same items in the same order, each once, and a null nextCursor at the end; a cursor this
// list did not make is a 400 naming `cursor`. Both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOutboxFor, markOutboxDead } from '@orderdesk/store';
import { testDialects } from '@orderdesk/store/testing';
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

  it('answers a cursor the list did not make with a 400 naming `cursor`', async () => {
    for (const list of lists) {
      const join = list.url.includes('?') ? '&' : '?';
      const res = await t.as(list.user).get(`${list.url}${join}limit=1&cursor=not-a-cursor`);
      expect(res.statusCode, `${list.name}: ${res.body}`).toBe(400);
      expect(res.json().errors, list.name).toContainEqual(
        expect.objectContaining({ path: 'cursor' }),
      );
    }
  });

  it('answers 400, never 500, to a well-formed cursor with values no page has', async () => {
    const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    // A text key with a NUL (PostgreSQL refuses it in text), a version past its integer column.
    const vendors = await t.as(ACME).get(`/api/v1/vendors?cursor=${cursorOf({ slug: 'a\u0000' })}`);
    expect(vendors.statusCode, vendors.body).toBe(400);
    const versions = await t
      .as('admin@northwind.example')
      .get(`/api/v1/vendors/northwind/profile/versions?cursor=${cursorOf({ version: 1e15 })}`);
    expect(versions.statusCode, versions.body).toBe(400);
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
