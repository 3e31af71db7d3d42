// A partnership's billing details (migration 0032): where the vendor bills the partner, the
// buyer of its invoices. Vendor admins and CAMs set them (validated, problems naming the bad
// fields, the country an ISO 3166-1 alpha-2 code), replaced as a whole or cleared; a vendor
// admin may also give them when creating the partnership (POST /partners, POST /partnerships),
// validated the same way; the vendor's staff and the partner itself see them, a tier-2 reseller
// does not; partners cannot change them (they decide the tax their invoices charge).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@orderdesk/store/testing';
import { createTestApp, type TestApp } from './harness.ts';

const ACME = 'buyer@acme.example';
const BETA = 'buyer@beta.example';

/** Bad billing details and the paths their problems name, wherever billing details are given. */
const BAD_BILLING: [unknown, string[]][] = [
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

/** A refusal of bad billing details: a 400 problem naming `paths`, and only billing fields. */
function expectBillingProblems(
  res: { statusCode: number; headers: Record<string, unknown>; json(): unknown; body: string },
  billing: unknown,
  paths: string[],
): void {
  expect(res.statusCode, `${JSON.stringify(billing)} ${res.body}`).toBe(400);
  expect(res.headers['content-type']).toContain('application/problem+json');
  const named = ((res.json() as { errors: { path: string }[] }).errors ?? []).map((e) => e.path);
  for (const path of paths) expect(named, JSON.stringify(billing)).toContain(path);
  expect(
    named.every((p) => p.startsWith('billing')),
    named.join(),
  ).toBe(true);
}

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
    for (const [billing, paths] of BAD_BILLING) {
      expectBillingProblems(await patch(billing), billing, paths);
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

  describe('given with a new partnership (POST /partners, POST /partnerships)', () => {
    const EDGEWORKS_ADMIN = 'admin@edgeworks.example';
    const SKYLINE_ADMIN = 'admin@skyline.example';
    const terms = {
      legalName: 'Fjord Trading AS',
      agreementDate: '2026-03-01',
      multiplier: '0.8',
      invoicingContact: { name: 'Fjord AP', email: 'ap@fjord.example' },
      provisioningCc: 'ops@fjord.example',
    };
    const newPartner = (name: string, extra: Record<string, unknown> = {}) => ({
      name,
      tier: 1,
      ...terms,
      camEmail: 'cam@edgeworks.example',
      ...extra,
    });
    const enrolment = (partnerId: string, extra: Record<string, unknown> = {}) => ({
      partnerId,
      ...terms,
      camEmail: 'cam@skyline.example',
      ...extra,
    });
    const columnsOf = (partnershipId: string) =>
      t.store.db
        .selectFrom('partnerships')
        .select(['billing_address', 'billing_country', 'tax_id'])
        .where('id', '=', partnershipId)
        .executeTakeFirstOrThrow();
    const listedBy = async (user: string, partnershipId: string) => {
      const res = await t.as(user).get('/api/v1/partnerships');
      expect(res.statusCode, res.body).toBe(200);
      return res.json().items.find((p: { id: string }) => p.id === partnershipId) as
        { billing: unknown } | undefined;
    };
    const partnershipsOf = async (name: string) =>
      t.store.db
        .selectFrom('partnerships')
        .innerJoin('partners', 'partners.id', 'partnerships.partner_id')
        .select('partnerships.id')
        .where('partners.name', '=', name)
        .execute();
    let fjordId = '';

    it('stores the billing details a new partner is given and shows them as GET does', async () => {
      const admin = t.as(EDGEWORKS_ADMIN);
      const body = newPartner('Fjord Trading', {
        billing: {
          country: 'no',
          address: { line1: ' Strandgata 1 ', city: 'Bergen', postalCode: '5013' },
          taxId: ' NO123456789MVA ',
        },
      });
      const key = { 'idempotency-key': 'fjord-billing-1' };
      const res = await admin.post('/api/v1/partners', body, key);
      expect(res.statusCode, res.body).toBe(201);
      // Read as PATCH reads them: the country in capitals, the values trimmed.
      const billing = {
        country: 'NO',
        address: { line1: 'Strandgata 1', city: 'Bergen', postalCode: '5013' },
        taxId: 'NO123456789MVA',
      };
      const { partner, partnership } = res.json();
      fjordId = partner.id;
      expect(partnership.billing).toEqual(billing);
      expect((await listedBy(EDGEWORKS_ADMIN, partnership.id))?.billing).toEqual(billing);
      expect((await listedBy('cam@edgeworks.example', partnership.id))?.billing).toEqual(billing);
      const row = await columnsOf(partnership.id);
      expect({ ...row, billing_address: JSON.parse(row.billing_address ?? 'null') }).toEqual({
        billing_address: { ...billing.address, country: 'NO' },
        billing_country: 'NO',
        tax_id: 'NO123456789MVA',
      });
      const replay = await admin.post('/api/v1/partners', body, key);
      expect([replay.statusCode, replay.json().partnership.billing]).toEqual([201, billing]);
      expect(await partnershipsOf('Fjord Trading')).toHaveLength(1);
    });

    it('stores the billing details a partner enrolled with another vendor is given', async () => {
      const res = await t
        .as(SKYLINE_ADMIN)
        .post(
          '/api/v1/partnerships',
          enrolment(fjordId, { billing: { country: 'de', taxId: 'DE123456789' } }),
        );
      expect(res.statusCode, res.body).toBe(201);
      const billing = { country: 'DE', address: null, taxId: 'DE123456789' };
      expect(res.json().billing).toEqual(billing);
      expect((await listedBy(SKYLINE_ADMIN, res.json().id))?.billing).toEqual(billing);
      expect(await columnsOf(res.json().id)).toEqual({
        billing_address: null,
        billing_country: 'DE',
        tax_id: 'DE123456789',
      });
      // Each partnership its own: edgeworks still bills the partner in Norway.
      const [edgeworks] = (await partnershipsOf('Fjord Trading')).filter(
        (p) => p.id !== res.json().id,
      );
      expect((await columnsOf(edgeworks?.id ?? '')).billing_country).toBe('NO');
    });

    it('creates partners and partnerships without billing details as before', async () => {
      const created = await t
        .as(EDGEWORKS_ADMIN)
        .post('/api/v1/partners', newPartner('Fjord Plain'));
      expect(created.statusCode, created.body).toBe(201);
      const { partner, partnership } = created.json();
      expect(partnership.billing).toBeNull();
      expect(await columnsOf(partnership.id)).toEqual({
        billing_address: null,
        billing_country: null,
        tax_id: null,
      });
      const enrolled = await t
        .as(SKYLINE_ADMIN)
        .post('/api/v1/partnerships', enrolment(partner.id));
      expect(enrolled.statusCode, enrolled.body).toBe(201);
      expect(enrolled.json().billing).toBeNull();
      expect((await listedBy(SKYLINE_ADMIN, enrolled.json().id))?.billing).toBeNull();
    });

    it('names bad billing details as PATCH does, creating no partner', async () => {
      const admin = t.as(EDGEWORKS_ADMIN);
      for (const [billing, paths] of BAD_BILLING) {
        const res = await admin.post('/api/v1/partners', newPartner('Fjord Bad', { billing }));
        expectBillingProblems(res, billing, paths);
      }
      // A tier-2 reseller has no partnership of its own to bill.
      const reseller = await admin.post('/api/v1/partners', {
        name: 'Fjord Bad',
        tier: 2,
        parentPartnerId: fjordId,
        billing: { country: 'NO' },
      });
      expect(reseller.statusCode, reseller.body).toBe(400);
      expect(reseller.json().errors).toEqual([
        expect.objectContaining({ path: 'billing', code: 'invalid' }),
      ]);
      // Good details with a problem only the database knows (the CAM): the same, nothing kept.
      const noCam = await admin.post(
        '/api/v1/partners',
        newPartner('Fjord Bad', { camEmail: 'cam@skyline.example', billing: { country: 'NO' } }),
      );
      expect([noCam.statusCode, noCam.json().errors[0].path]).toEqual([422, 'camEmail']);
      const partners = await t.store.db
        .selectFrom('partners')
        .select('id')
        .where('name', '=', 'Fjord Bad')
        .execute();
      expect(partners).toEqual([]);
      const listed = await admin.get('/api/v1/partners');
      expect(listed.json().items.map((p: { name: string }) => p.name)).not.toContain('Fjord Bad');
    });

    it('names bad billing details as PATCH does, enrolling no partner', async () => {
      const created = await t
        .as(EDGEWORKS_ADMIN)
        .post('/api/v1/partners', newPartner('Fjord Solo'));
      expect(created.statusCode, created.body).toBe(201);
      const partnerId = created.json().partner.id as string;
      const skyline = t.as(SKYLINE_ADMIN);
      for (const [billing, paths] of BAD_BILLING) {
        const res = await skyline.post('/api/v1/partnerships', enrolment(partnerId, { billing }));
        expectBillingProblems(res, billing, paths);
      }
      expect(await partnershipsOf('Fjord Solo')).toEqual([{ id: created.json().partnership.id }]);
      const listed = await skyline.get('/api/v1/partnerships');
      expect(
        listed.json().items.map((p: { partner: { id: string } }) => p.partner.id),
      ).not.toContain(partnerId);
    });
  });
});
