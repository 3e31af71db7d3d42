import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFromUser, addContact, createCustomer, patchCustomer } from '@orderdesk/app';
import { findUserByEmail } from '@orderdesk/store';
import { testDialects } from '@orderdesk/store/testing';
import { createTestApp, type TestApp } from './harness.ts';
import { expectIsolated } from './isolation.ts';
import { PARTNER_ISOLATION } from './isolated-routes.ts';

describe.each(testDialects())('customers and contacts on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  async function firstCustomer(
    user: string,
  ): Promise<{ id: string; name: string; partnerId: string }> {
    const res = await t.as(user).get('/api/v1/customers');
    expect(res.statusCode).toBe(200);
    return res.json().items[0];
  }

  it('creates a customer with domains, Microsoft tenant domain and addresses, idempotently', async () => {
    const body = {
      name: 'Adatum Clinics',
      domains: ['Adatum.example'],
      microsoftDomain: 'adatum.onmicrosoft.example',
      employeeCount: 250,
      taxId: 'US-98-7654321',
      addresses: [
        {
          kind: 'shipping',
          line1: '1 Main St',
          city: 'Springfield',
          postalCode: '12345',
          country: 'us',
        },
      ],
    };
    const headers = { 'idempotency-key': 'cust-1' };
    const first = await t.as('buyer@contoso.example').post('/api/v1/customers', body, headers);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      name: 'Adatum Clinics',
      domains: ['adatum.example'],
      addresses: [{ kind: 'shipping', country: 'US' }],
    });
    const again = await t.as('buyer@contoso.example').post('/api/v1/customers', body, headers);
    expect(again.statusCode).toBe(201);
    expect(again.json().id).toBe(first.json().id);
    const other = await t
      .as('buyer@contoso.example')
      .post('/api/v1/customers', { ...body, name: 'Other' }, headers);
    expect(other.statusCode).toBe(409);
    const list = await t.as('buyer@contoso.example').get('/api/v1/customers');
    expect(list.json().items.map((c: { name: string }) => c.name)).toEqual([
      'Wingtip Labs',
      'Adatum Clinics',
    ]);
  });

  it('names every bad field', async () => {
    const res = await t.as('buyer@contoso.example').post('/api/v1/customers', {
      name: '',
      domains: ['not a domain'],
      employeeCount: -3,
      addresses: [{ line1: 'x', city: 'y', postalCode: '1', country: 'USA' }],
    });
    expect(res.statusCode).toBe(400);
    const paths = res
      .json()
      .errors.map((e: { path: string }) => e.path)
      .sort();
    expect(paths).toEqual(['addresses[0].country', 'domains[0]', 'employeeCount', 'name']);
  });

  it('lets a distributor see its tier-2 reseller’s customers, but not the reverse', async () => {
    const beta = await firstCustomer('buyer@beta.example');
    expect(beta.name).toBe('Tailspin Toys');
    const acmeView = await t.as('buyer@acme.example').get(`/api/v1/customers/${beta.id}`);
    expect(acmeView.statusCode).toBe(200);
    const acmeList0 = (await t.as('buyer@acme.example').get('/api/v1/customers')).json().items as {
      id: string;
      name: string;
    }[];
    const acme = acmeList0.find((c) => c.name === 'Fabrikam Health')!;
    expect((await t.as('buyer@beta.example').get(`/api/v1/customers/${acme.id}`)).statusCode).toBe(
      404,
    );
    const acmeList = await t.as('buyer@acme.example').get('/api/v1/customers');
    expect(
      acmeList
        .json()
        .items.map((c: { name: string }) => c.name)
        .sort(),
    ).toEqual(['Fabrikam Health', 'Tailspin Toys']);
  });

  it('manages contacts with roles', async () => {
    const c = await firstCustomer('buyer@acme.example');
    const add = await t.as('buyer@acme.example').post(`/api/v1/customers/${c.id}/contacts`, {
      name: 'Sam Site',
      email: 'sam@fabrikam-health.example',
      roles: ['site_admin', 'technical'],
    });
    expect(add.statusCode).toBe(201);
    const bad = await t.as('buyer@acme.example').post(`/api/v1/customers/${c.id}/contacts`, {
      name: 'X',
      email: 'x',
      roles: ['ceo'],
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['email', 'roles[0]']);
    const list = await t.as('buyer@acme.example').get(`/api/v1/customers/${c.id}/contacts`);
    expect(list.json().items).toEqual([
      expect.objectContaining({ name: 'Sam Site', roles: ['site_admin', 'technical'] }),
    ]);
  });

  it('refuses a contact with a role twice, roles not in a list, or an e-mail the customer has', async () => {
    const c = await firstCustomer('buyer@contoso.example');
    const post = (body: unknown) =>
      t.as('buyer@contoso.example').post(`/api/v1/customers/${c.id}/contacts`, body);
    const twice = await post({
      name: 'Bo',
      email: 'bo@contoso.example',
      roles: ['billing', 'billing'],
    });
    expect(twice.statusCode, twice.body).toBe(400);
    expect(twice.json().errors).toEqual([
      { path: 'roles', code: 'invalid', message: 'Each role once' },
    ]);
    // One role as a string: one problem at `roles`, not a second about the string's length.
    const text = await post({ name: 'Bo', email: 'bo@contoso.example', roles: 'billing' });
    expect(text.statusCode, text.body).toBe(400);
    expect(text.json().errors).toEqual([
      expect.objectContaining({
        path: 'roles',
        code: 'invalid',
        message: expect.stringMatching(/array/),
      }),
    ]);

    const first = await post({
      name: 'Bo Billing',
      email: 'Bo.Billing@contoso.example',
      roles: ['billing'],
    });
    expect(first.statusCode, first.body).toBe(201);
    const again = await post({
      name: 'Bo',
      email: 'bo.billing@CONTOSO.example',
      roles: ['technical'],
    });
    expect(again.statusCode, again.body).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.json().errors).toEqual([
      expect.objectContaining({ path: 'email', code: 'duplicate' }),
    ]);
    expect(again.json().detail).toContain('Bo.Billing@contoso.example');
    const list = await t.as('buyer@contoso.example').get(`/api/v1/customers/${c.id}/contacts`);
    expect(
      (list.json().items as { email: string }[]).filter((i) => /bo\.billing/i.test(i.email)),
    ).toHaveLength(1);
    // Two at once: one is added, the other told so.
    const racing = await Promise.all(
      ['Al.Race@contoso.example', 'al.race@contoso.example'].map((email) =>
        post({ name: 'Al Race', email, roles: ['technical'] }),
      ),
    );
    expect(racing.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    // Another customer may have the same person as a contact; the other tenant's customers
    // are none of this one's business (their e-mails are not looked at, nor named).
    const other = await t
      .as('buyer@contoso.example')
      .post('/api/v1/customers', { name: 'Second Co' });
    expect(other.statusCode, other.body).toBe(201);
    const elsewhere = await t
      .as('buyer@contoso.example')
      .post(`/api/v1/customers/${other.json().id}/contacts`, {
        name: 'Bo Billing',
        email: 'bo.billing@contoso.example',
        roles: ['billing'],
      });
    expect(elsewhere.statusCode, elsewhere.body).toBe(201);
  });

  it('records one catalogue event per change, on the customer’s own partner', async () => {
    const events = async (customerId: string) =>
      (
        await t.store.db
          .selectFrom('audit_events')
          .select(['type', 'partner_id', 'actor_label', 'data'])
          .where('entity_id', '=', customerId)
          .orderBy('id')
          .execute()
      ).map((e) => ({ ...e, data: JSON.parse(e.data ?? 'null') as unknown }));
    // The use cases straight from the application layer, as a worker or intake channel calls them.
    const user = await findUserByEmail(t.store.db, 'buyer@acme.example');
    const acme = await actorFromUser(t.store.db, user!, 'session');
    const created = await createCustomer(t.ctx, acme, { name: 'Litware Labs' });
    expect(await events(created.id)).toEqual([
      {
        type: 'customer.created',
        partner_id: acme.partnerId,
        actor_label: 'buyer@acme.example',
        data: { customerId: created.id, name: 'Litware Labs' },
      },
    ]);
    // A distributor reads its tier-2 reseller's customer but does not edit it (issue 13,
    // point 7): the reseller does, and the events are the reseller's.
    const tailspin = await firstCustomer('buyer@beta.example');
    const refused = await patchCustomer(t.ctx, acme, {
      customerId: tailspin.id,
      patch: { employeeCount: 40 },
    }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ kind: 'forbidden' });
    expect(
      (await t.as('buyer@acme.example').get(`/api/v1/customers/${tailspin.id}`)).statusCode,
    ).toBe(200);
    expect(
      (
        await t.as('buyer@acme.example').post(`/api/v1/customers/${tailspin.id}/contacts`, {
          name: 'X',
          email: 'x@tailspin.example',
          roles: ['billing'],
        })
      ).statusCode,
    ).toBe(403);
    const betaUser = await findUserByEmail(t.store.db, 'buyer@beta.example');
    const beta = await actorFromUser(t.store.db, betaUser!, 'session');
    await patchCustomer(t.ctx, beta, { customerId: tailspin.id, patch: { employeeCount: 40 } });
    const contact = await addContact(t.ctx, beta, {
      customerId: tailspin.id,
      contact: { name: 'Bo Billing', email: 'bo@tailspin.example', roles: ['billing'] },
    });
    expect(await events(tailspin.id)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'customer.updated',
          partner_id: tailspin.partnerId,
          data: { customerId: tailspin.id, fields: ['employeeCount'] },
        }),
        expect.objectContaining({
          type: 'contact.added',
          partner_id: tailspin.partnerId,
          data: { customerId: tailspin.id, contactId: contact.id, role: 'billing' },
        }),
      ]),
    );
  });

  it('pages with a cursor', async () => {
    for (let i = 0; i < 3; i++) {
      await t.as('buyer@beta.example').post('/api/v1/customers', { name: `Beta customer ${i}` });
    }
    const p1 = await t.as('buyer@beta.example').get('/api/v1/customers?limit=2');
    expect(p1.json().items).toHaveLength(2);
    const p2 = await t
      .as('buyer@beta.example')
      .get(`/api/v1/customers?limit=2&cursor=${p1.json().nextCursor}`);
    expect(p2.json().items).toHaveLength(2);
    expect(p2.json().nextCursor).toBeNull();
    const bad = await t.as('buyer@beta.example').get('/api/v1/customers?cursor=garbage');
    expect(bad.statusCode).toBe(400);
  });

  it('is for partners: vendor staff get 403', async () => {
    expect((await t.as('desk@northwind.example').get('/api/v1/customers')).statusCode).toBe(403);
  });

  it('keeps partners apart', async () => {
    await expectIsolated(
      t,
      PARTNER_ISOLATION.customers ?? [],
      {
        user: 'buyer@acme.example',
        ids: { customerId: (await firstCustomer('buyer@acme.example')).id },
      },
      {
        user: 'buyer@contoso.example',
        ids: { customerId: (await firstCustomer('buyer@contoso.example')).id },
      },
    );
  });
});
