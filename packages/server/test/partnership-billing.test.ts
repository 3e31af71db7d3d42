// A partnership's billing details (migration 0032): where the vendor bills the partner, the
// buyer of its invoices. Vendor admins and CAMs set them (validated, problems naming the bad
// fields, the country an ISO 3166-1 alpha-2 code), replaced as a whole or cleared; the vendor's
// staff and the partner itself see them, a tier-2 reseller does not; partners cannot change
// them (they decide the tax their invoices charge).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@orderdesk/store/testing';
import { createTestApp, type TestApp } from './harness.ts';

const ACME = 'buyer@acme.example';
const BETA = 'buyer@beta.example';

describe.each(testDialects())('partnership billing details on %s', (dialect) => {
  let t: TestApp;
  let id: string;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    const list = await t.as('admin@edgeworks.example').get('/api/v1/partnerships');
    id = list
      .json()
      .items.find((p: { partner: { name: string } }) => p.partner.name === 'Acme Distribution')
      .id as string;
  });
  afterAll(async () => {
    await t.close();
  });

  const viewOf = async (user: string) => {
    const res = await t.as(user).get('/api/v1/partnerships?vendor=edgeworks');
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items.find((p: { id: string }) => p.id === id) as { billing: unknown };
  };

  it('shows the seeded details to the vendor’s staff and the partner, not to its reseller', async () => {
    const seeded = {
      country: 'US',
      address: { line1: '1200 Commerce St', city: 'Dallas', region: 'TX', postalCode: '75202' },
      taxId: 'US-47-1234567',
    };
    expect((await viewOf('cam@edgeworks.example')).billing).toEqual(seeded);
    expect((await viewOf(ACME)).billing).toEqual(seeded);
    expect((await viewOf(BETA)).billing).toBeNull();
  });

  it('lets a vendor admin or CAM replace them as a whole and clear them, audited', async () => {
    const set = await t.as('admin@edgeworks.example').patch(`/api/v1/partnerships/${id}`, {
      billing: { country: 'gb', taxId: ' GB123456789 ' },
    });
    expect(set.statusCode, set.body).toBe(200);
    // No address given: none kept (a whole replacement), the country in capitals, trimmed.
    expect(set.json().billing).toEqual({ country: 'GB', address: null, taxId: 'GB123456789' });
    const row = await t.store.db
      .selectFrom('partnerships')
      .select(['billing_address', 'billing_country', 'tax_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ billing_address: null, billing_country: 'GB', tax_id: 'GB123456789' });

    const byCam = await t.as('cam@edgeworks.example').patch(`/api/v1/partnerships/${id}`, {
      billing: {
        country: 'US',
        address: { line1: '9 Lake Rd', line2: 'Suite 4', city: 'Chicago', postalCode: '60601' },
      },
    });
    expect(byCam.statusCode, byCam.body).toBe(200);
    expect(byCam.json().billing).toEqual({
      country: 'US',
      address: { line1: '9 Lake Rd', line2: 'Suite 4', city: 'Chicago', postalCode: '60601' },
      taxId: null,
    });
    expect((await viewOf(ACME)).billing).toEqual(byCam.json().billing);
    const stored = await t.store.db
      .selectFrom('partnerships')
      .select('billing_address')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(stored.billing_address!)).toEqual({
      line1: '9 Lake Rd',
      line2: 'Suite 4',
      city: 'Chicago',
      postalCode: '60601',
      country: 'US',
    });

    const cleared = await t
      .as('admin@edgeworks.example')
      .patch(`/api/v1/partnerships/${id}`, { billing: null });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json().billing).toBeNull();
    const events = await t.store.db
      .selectFrom('audit_events')
      .select(['type', 'data'])
      .where('entity_id', '=', id)
      .orderBy('id')
      .execute();
    expect(events.map((e) => [e.type, JSON.parse(e.data ?? '{}').fields])).toEqual([
      ['partnership.updated', ['billing']],
      ['partnership.updated', ['billing']],
      ['partnership.updated', ['billing']],
    ]);
  });

  it('names the bad fields of billing details, writing nothing', async () => {
    const before = (await viewOf('admin@edgeworks.example')).billing;
    const patch = (billing: unknown) =>
      t.as('admin@edgeworks.example').patch(`/api/v1/partnerships/${id}`, { billing });
    const cases: [unknown, string[]][] = [
      [{ country: 'Germany' }, ['billing.country']],
      [{ country: 'D1' }, ['billing.country']],
      [{ taxId: 'DE1' }, ['billing.country']],
      [{ country: 'DE', taxId: 'X' }, ['billing.taxId']],
      [
        { country: 'DE', address: { line1: '', city: 'Berlin' } },
        ['billing.address.line1', 'billing.address.postalCode'],
      ],
      // The address's country is the billing country: it has none of its own.
      [
        { country: 'DE', address: { line1: 'a', city: 'b', postalCode: 'c', country: 'FR' } },
        ['billing.address.country'],
      ],
      [{ country: 'DE', vat: 'DE1' }, ['billing.vat']],
    ];
    for (const [billing, paths] of cases) {
      const res = await patch(billing);
      expect(res.statusCode, JSON.stringify(billing)).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const named = (res.json().errors as { path: string }[]).map((e) => e.path);
      for (const path of paths) expect(named, JSON.stringify(billing)).toContain(path);
      expect(
        named.every((p) => p.startsWith('billing')),
        named.join(),
      ).toBe(true);
    }
    expect((await viewOf('admin@edgeworks.example')).billing).toEqual(before);
  });

  it('keeps them from partners, whose invoices’ tax they decide', async () => {
    const before = (await viewOf(ACME)).billing;
    const res = await t.as(ACME).patch(`/api/v1/partnerships/${id}`, {
      billing: { country: 'KY', taxId: 'KY-0000' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toMatch(/not billing/);
    expect((await viewOf(ACME)).billing).toEqual(before);
  });
});
