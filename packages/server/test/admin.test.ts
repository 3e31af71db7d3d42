// Administration through the API (API.md "Administration"): each route's allowed and refused
// paths, and tenant isolation, on both databases.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUserByEmail, listMessages } from '@orderdesk/store';
import { testDialects } from '@orderdesk/store/testing';
import { createTestApp, type TestApp } from './harness.ts';
import { expectIsolated } from './isolation.ts';
import { PARTNER_ISOLATION, VENDOR_ISOLATION } from './isolated-routes.ts';

const ROOT = new URL('../../../', import.meta.url);
const NORTHWIND = readFileSync(new URL('examples/profiles/northwind.yaml', ROOT), 'utf8');
const YAML = { 'content-type': 'application/yaml' };

/** The secret of the link in a user's last invitation mail, as the user reads it. */
async function linkSecretOf(t: TestApp, email: string): Promise<string> {
  const user = await findUserByEmail(t.store.db, email);
  const mails = await listMessages(t.store.db, { entityType: 'user', entityId: user?.id ?? '' });
  const match = /\/invitations\/(\S+)/.exec(mails.at(-1)?.text ?? '');
  if (!match?.[1]) throw new Error(`no invitation mail for ${email}`);
  return match[1];
}

describe.each(testDialects())('administration API on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    // A server that sends mail (nothing here sends it: the outbox worker runs in `serve`).
    t = await createTestApp(dialect, {
      SMTP_URL: 'smtp://127.0.0.1:2525',
      MAIL_FROM: 'accounts@orderdesk.example',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('vendor profiles', () => {
    it('publishes YAML and JSON as written, as new versions, and reads them back', async () => {
      const admin = t.as('admin@northwind.example');
      const yaml = NORTHWIND.replace('orderNumberPrefix: NW-', 'orderNumberPrefix: NWX-');
      expect(yaml).not.toBe(NORTHWIND);
      const v2 = await admin.put('/api/v1/vendors/northwind/profile', yaml, YAML);
      expect(v2.statusCode, v2.body).toBe(200);
      expect(v2.json()).toEqual({ version: 2 });
      const profile = await admin.get('/api/v1/vendors/northwind/profile');
      expect(profile.json().orderNumberPrefix).toBe('NWX-');

      const source = await admin.get('/api/v1/vendors/northwind/profile/source');
      expect(source.json()).toMatchObject({ version: 2, format: 'yaml', source: yaml });

      // JSON is kept as sent too (its layout and key order), not re-serialised.
      const json = `${JSON.stringify(parseYaml(yaml), null, 4)}\n`;
      const v3 = await admin.put('/api/v1/vendors/northwind/profile', json, {
        'content-type': 'application/json',
      });
      expect(v3.statusCode, v3.body).toBe(200);
      expect(v3.json()).toEqual({ version: 3 });
      const back = await admin.get('/api/v1/vendors/northwind/profile/source');
      expect(back.json()).toMatchObject({ version: 3, format: 'json', source: json });
      const v1 = await admin.get('/api/v1/vendors/northwind/profile/source?version=1');
      expect(v1.json().version).toBe(1);

      const versions = await admin.get('/api/v1/vendors/northwind/profile/versions');
      expect(versions.statusCode).toBe(200);
      expect(
        versions
          .json()
          .items.map((v: { version: number; current: boolean }) => [v.version, v.current]),
      ).toEqual([
        [3, true],
        [2, false],
        [1, false],
      ]);

      // The profile as GET shows it (resolved: every status labelled) goes back as it is.
      const shown = (await admin.get('/api/v1/vendors/northwind/profile')).json();
      const same = await admin.put('/api/v1/vendors/northwind/profile', JSON.stringify(shown), {
        'content-type': 'application/json',
      });
      expect(same.statusCode, same.body).toBe(200);
      expect((await admin.get('/api/v1/vendors/northwind/profile')).json()).toEqual(shown);
      // Staff may read the versions; only a vendor_admin publishes.
      expect(
        (await t.as('desk@northwind.example').get('/api/v1/vendors/northwind/profile/versions'))
          .statusCode,
      ).toBe(200);
    });

    it('answers 422 with line:column paths and publishes nothing', async () => {
      const admin = t.as('admin@northwind.example');
      const before = (await admin.get('/api/v1/vendors/northwind/profile/versions')).json().items
        .length;
      const bad = NORTHWIND.replace(/quote: required/, 'quote: sometimes').replace(
        'currency: USD',
        'currency: dollars',
      );
      const res = await admin.put('/api/v1/vendors/northwind/profile', bad, YAML);
      expect(res.statusCode, res.body).toBe(422);
      const paths = res.json().errors.map((e: { path: string }) => e.path) as string[];
      expect(paths.some((p) => /^\d+:\d+ orderTypes\[\d+\]\.quote$/.test(p))).toBe(true);
      expect(paths.some((p) => /^\d+:\d+ currency$/.test(p))).toBe(true);
      const syntax = await admin.put('/api/v1/vendors/northwind/profile', 'slug: [northwind', YAML);
      expect(syntax.statusCode).toBe(422);
      expect(syntax.json().errors[0].path).toMatch(/^\d+:\d+/);
      const other = await admin.put(
        '/api/v1/vendors/northwind/profile',
        NORTHWIND.replace('slug: northwind', 'slug: skyline'),
        YAML,
      );
      expect(other.statusCode).toBe(422);
      expect(other.json().errors[0].path).toMatch(/^\d+:1 slug$/);
      expect(
        (await admin.get('/api/v1/vendors/northwind/profile/versions')).json().items,
      ).toHaveLength(before);
    });

    it('refuses callers who may not publish, and other content types', async () => {
      const put = (user: string | null, slug = 'northwind') =>
        t.as(user).put(`/api/v1/vendors/${slug}/profile`, NORTHWIND, YAML);
      expect((await put(null)).statusCode).toBe(401);
      expect((await put('desk@northwind.example')).statusCode).toBe(403);
      expect((await put('buyer@acme.example')).statusCode).toBe(403);
      expect((await put('admin@skyline.example')).statusCode).toBe(404);
      expect((await put('admin@northwind.example', 'nope')).statusCode).toBe(404);
      const csv = await t
        .as('admin@northwind.example')
        .put('/api/v1/vendors/northwind/profile', 'a,b', { 'content-type': 'text/csv' });
      expect(csv.statusCode).toBe(415);
      expect(
        (await t.as('buyer@acme.example').get('/api/v1/vendors/northwind/profile/source'))
          .statusCode,
      ).toBe(403);
    });
  });

  describe('partners and partnerships', () => {
    const partner = {
      name: 'Orbit Resale',
      tier: 1,
      legalName: 'Orbit Resale B.V.',
      agreementDate: '2026-01-05',
      multiplier: '0.85',
      camEmail: 'cam@northwind.example',
      invoicingContact: { name: 'Orbit AP', email: 'ap@orbit.example' },
      provisioningCc: 'ops@orbit.example',
      admin: { email: 'admin@orbit.example', name: 'Orbit Admin' },
    };
    let orbitId = '';

    it('creates a tier-1 partner with its partnership and invites its admin (idempotent)', async () => {
      const admin = t.as('admin@northwind.example');
      const key = { 'idempotency-key': 'orbit-1' };
      const res = await admin.post('/api/v1/partners', partner, key);
      expect(res.statusCode, res.body).toBe(201);
      const body = res.json();
      orbitId = body.partner.id;
      expect(body.partnership).toMatchObject({
        vendor: 'northwind',
        legalName: 'Orbit Resale B.V.',
        multiplier: '0.85',
        cam: { email: 'cam@northwind.example' },
        provisioningCc: 'ops@orbit.example',
      });
      expect(body.admin.user).toMatchObject({ email: 'admin@orbit.example', status: 'invited' });
      expect(res.body).not.toMatch(/invitations\//);
      const replay = await admin.post('/api/v1/partners', partner, key);
      expect([replay.statusCode, replay.json().partner.id]).toEqual([201, orbitId]);

      const listed = await admin.get('/api/v1/partnerships');
      expect(listed.json().items.map((p: { partner: { id: string } }) => p.partner.id)).toContain(
        orbitId,
      );
      const dup = await admin.post('/api/v1/partners', { ...partner, admin: undefined });
      expect(dup.statusCode).toBe(409);
    });

    it('validates tier, parent and CAM, and is for vendor admins only', async () => {
      const admin = t.as('admin@northwind.example');
      const noCam = await admin.post('/api/v1/partners', {
        ...partner,
        name: 'Orbit Two',
        admin: undefined,
        camEmail: 'cam@skyline.example',
      });
      expect(noCam.statusCode).toBe(422);
      expect(noCam.json().errors[0].path).toBe('camEmail');
      const tier2 = await admin.post('/api/v1/partners', { name: 'Orbit Kids', tier: 2 });
      expect([tier2.statusCode, tier2.json().errors]).toEqual([
        400,
        [expect.objectContaining({ path: 'parentPartnerId', code: 'required' })],
      ]);
      // A tier-1 partner the vendor does not work with is unknown to it.
      const beta = (await t.as('buyer@beta.example').get('/api/v1/me')).json().partner.id as string;
      const foreign = await admin.post('/api/v1/partners', {
        name: 'Orbit Kids',
        tier: 2,
        parentPartnerId: beta,
      });
      expect([foreign.statusCode, foreign.json().errors[0].path]).toEqual([422, 'parentPartnerId']);
      expect(foreign.body).not.toContain('Beta');
      const child = await admin.post('/api/v1/partners', {
        name: 'Orbit Kids',
        tier: 2,
        parentPartnerId: orbitId,
        admin: { email: 'admin@orbitkids.example', name: 'Kids Admin' },
      });
      expect(child.statusCode, child.body).toBe(201);
      expect(child.json()).toMatchObject({
        partner: { tier: 2, parentPartnerId: orbitId },
        partnership: null,
      });

      for (const user of ['cam@northwind.example', 'buyer@acme.example']) {
        const res = await t
          .as(user)
          .post('/api/v1/partners', { ...partner, name: 'Nope', admin: undefined });
        expect(res.statusCode, user).toBe(403);
      }
      expect((await t.as(null).post('/api/v1/partners', partner)).statusCode).toBe(401);
    });

    it('names every missing or misplaced field of a partner in one 400, whatever else is missing', async () => {
      const admin = t.as('admin@northwind.example');
      const terms = [
        'legalName',
        'agreementDate',
        'multiplier',
        'camEmail',
        'invoicingContact',
        'provisioningCc',
      ];
      const refusal = async (body: unknown) => {
        const res = await admin.post('/api/v1/partners', body);
        expect(res.statusCode, res.body).toBe(400);
        return (res.json().errors as { path: string; code: string }[])
          .map((e) => `${e.path} ${e.code}`)
          .sort();
      };
      const required = (...paths: string[]) => paths.map((p) => `${p} required`).sort();
      // Without a tier, the body reads as a tier-1 partner's (it names no parent).
      expect(await refusal({})).toEqual(required('name', 'tier', ...terms));
      expect(await refusal({ tier: 1 })).toEqual(required('name', ...terms));
      expect(await refusal({ name: 'Q', tier: 1 })).toEqual(required(...terms));
      expect(await refusal({ name: 'Q', tier: 1, legalName: 'Q Ltd', multiplier: 'x' })).toEqual(
        [
          ...required('agreementDate', 'camEmail', 'invoicingContact', 'provisioningCc'),
          'multiplier invalid',
        ].sort(),
      );
      // A tier-2 reseller: its parent, and none of the terms (it orders under its parent's).
      expect(await refusal({ tier: 2, legalName: 'Q Ltd', multiplier: '0.9' })).toEqual(
        [...required('name', 'parentPartnerId'), 'legalName invalid', 'multiplier invalid'].sort(),
      );
      expect(await refusal({ parentPartnerId: orbitId })).toEqual(required('name', 'tier'));
      const { admin: _admin, ...tier1 } = partner;
      expect(await refusal({ ...tier1, name: 'Q', parentPartnerId: orbitId })).toEqual([
        'parentPartnerId invalid',
      ]);
      // The same for enrolling: a missing agreement date is `required` like the other fields.
      const enrol = await admin.post('/api/v1/partnerships', {});
      expect(enrol.statusCode, enrol.body).toBe(400);
      expect(
        (enrol.json().errors as { path: string; code: string }[])
          .map((e) => `${e.path} ${e.code}`)
          .sort(),
      ).toEqual(required('partnerId', ...terms));
    });

    it('enrols an existing partner with another vendor once', async () => {
      const terms = {
        partnerId: orbitId,
        legalName: 'Orbit Resale B.V.',
        agreementDate: '2026-02-01',
        multiplier: '0.9',
        camEmail: 'cam@skyline.example',
        invoicingContact: { name: 'Orbit AP', email: 'ap@orbit.example' },
        provisioningCc: 'ops@orbit.example',
      };
      const skyline = t.as('admin@skyline.example');
      const res = await skyline.post('/api/v1/partnerships', terms);
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({
        vendor: 'skyline',
        partner: { id: orbitId },
        multiplier: '0.9',
      });
      expect((await skyline.post('/api/v1/partnerships', terms)).statusCode).toBe(409);
      const unknown = await skyline.post('/api/v1/partnerships', {
        ...terms,
        partnerId: 'ptn_unknown',
      });
      expect([unknown.statusCode, unknown.json().errors[0].path]).toEqual([422, 'partnerId']);
      expect(
        (await t.as('desk@skyline.example').post('/api/v1/partnerships', terms)).statusCode,
      ).toBe(403);
      expect(
        (await t.as('buyer@acme.example').post('/api/v1/partnerships', terms)).statusCode,
      ).toBe(403);
    });
  });

  describe('users and invitations', () => {
    it('invites staff by mail; the link sets the password once; then the user logs in', async () => {
      const admin = t.as('admin@northwind.example');
      const res = await admin.post('/api/v1/users', {
        email: 'analyst@northwind.example',
        name: 'Ana Lyst',
        roles: ['sales'],
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().user).toMatchObject({ status: 'invited', roles: ['sales'] });
      // With mail, the link is in the mail alone.
      expect(res.json().invitation).not.toHaveProperty('link');
      expect(res.body).not.toMatch(/invitations\//);
      const secret = await linkSecretOf(t, 'analyst@northwind.example');

      const weak = await t.as(null).post(`/api/v1/invitations/${secret}`, { password: 'short' });
      expect(weak.statusCode).toBe(400);
      const ok = await t
        .as(null)
        .post(`/api/v1/invitations/${secret}`, { password: 'a long pass phrase' });
      expect(ok.statusCode, ok.body).toBe(200);
      const again = await t
        .as(null)
        .post(`/api/v1/invitations/${secret}`, { password: 'a long pass phrase' });
      expect(again.statusCode).toBe(404);
      expect(again.json().type).toBe('urn:orderdesk:problem:invitation-used');
      expect(again.json().detail).toMatch(/already used/);
      const login = await t.as(null).post('/api/v1/session', {
        email: 'analyst@northwind.example',
        password: 'a long pass phrase',
      });
      expect(login.statusCode, login.body).toBe(200);

      const listed = await admin.get('/api/v1/users');
      const row = listed
        .json()
        .items.find((u: { email: string }) => u.email === 'analyst@northwind.example');
      expect(row.status).toBe('active');
      expect(listed.body).not.toContain('password');
    });

    it('keeps each admin to its own side and tenant', async () => {
      const cross = await t.as('admin@northwind.example').post('/api/v1/users', {
        email: 'p@northwind.example',
        name: 'P',
        roles: ['partner_admin'],
      });
      expect(cross.statusCode).toBe(403);
      const crossBack = await t
        .as('buyer@acme.example')
        .post('/api/v1/users', { email: 'v@acme.example', name: 'V', roles: ['vendor_admin'] });
      expect(crossBack.statusCode).toBe(403);
      const clerk = await t.as('buyer@acme.example').post('/api/v1/users', {
        email: 'clerk@acme.example',
        name: 'Clerk',
        roles: ['partner_user'],
      });
      expect(clerk.statusCode, clerk.body).toBe(201);
      // A partner's invitation comes from OrderDesk itself: MAIL_FROM, not a vendor's address.
      const clerkMails = await listMessages(t.store.db, {
        entityType: 'user',
        entityId: clerk.json().user.id,
      });
      expect(clerkMails.map((m) => m.from_addr)).toEqual(['accounts@orderdesk.example']);
      const dup = await t.as('buyer@contoso.example').post('/api/v1/users', {
        email: 'clerk@acme.example',
        name: 'Clerk',
        roles: ['partner_user'],
      });
      expect(dup.statusCode).toBe(409);
      expect((await t.as('desk@northwind.example').get('/api/v1/users')).statusCode).toBe(403);
      const bad = await t
        .as('admin@northwind.example')
        .post('/api/v1/users', { email: 'not-an-email', name: 'X', roles: [] });
      expect(bad.statusCode).toBe(400);
      // Roles: each once, and a single role sent as a string is one problem, at `roles`.
      for (const [roles, message] of [
        [['sales', 'sales'], 'Each role once'],
        ['order_desk', 'Invalid input: expected array, received string'],
      ] as const) {
        const res = await t
          .as('admin@northwind.example')
          .post('/api/v1/users', { email: 'roles@northwind.example', name: 'R', roles });
        expect(res.statusCode, res.body).toBe(400);
        expect(res.json().errors).toEqual([{ path: 'roles', code: 'invalid', message }]);
      }
    });

    it('deactivates a user: its session and token stop at once', async () => {
      const admin = t.as('admin@northwind.example');
      await admin.post('/api/v1/users', {
        email: 'temp@northwind.example',
        name: 'Temp',
        roles: ['finance'],
      });
      const secret = await linkSecretOf(t, 'temp@northwind.example');
      await t.as(null).post(`/api/v1/invitations/${secret}`, { password: 'temporary pass' });
      const login = await t.as(null).post('/api/v1/session', {
        email: 'temp@northwind.example',
        password: 'temporary pass',
      });
      const cookie = String(login.headers['set-cookie']).split(';')[0] ?? '';
      const temp = t.as('temp@northwind.example');
      expect((await temp.get('/api/v1/me')).statusCode).toBe(200);
      expect((await t.as(null).get('/api/v1/me', { cookie })).statusCode).toBe(200);
      const id = (await temp.get('/api/v1/me')).json().id as string;

      expect((await t.as('admin@skyline.example').delete(`/api/v1/users/${id}`)).statusCode).toBe(
        404,
      );
      expect((await t.as('buyer@acme.example').delete(`/api/v1/users/${id}`)).statusCode).toBe(404);
      expect((await t.as('desk@northwind.example').delete(`/api/v1/users/${id}`)).statusCode).toBe(
        403,
      );
      const self = (await admin.get('/api/v1/me')).json().id as string;
      expect((await admin.delete(`/api/v1/users/${self}`)).statusCode).toBe(409);

      expect((await admin.delete(`/api/v1/users/${id}`)).statusCode).toBe(204);
      expect((await temp.get('/api/v1/me')).statusCode).toBe(401);
      expect((await t.as(null).get('/api/v1/me', { cookie })).statusCode).toBe(401);
      const relogin = await t.as(null).post('/api/v1/session', {
        email: 'temp@northwind.example',
        password: 'temporary pass',
      });
      expect(relogin.statusCode).toBe(401);
    });
    it('refuses an admin deactivating itself with a 409 naming the id, and still deactivates others', async () => {
      for (const [email, spare, roles] of [
        ['admin@edgeworks.example', 'spare-self@edgeworks.example', ['cam']],
        ['buyer@contoso.example', 'spare-self@contoso.example', ['partner_user']],
      ] as const) {
        const admin = t.as(email);
        const self = (await admin.get('/api/v1/me')).json().id as string;
        const refused = await admin.delete(`/api/v1/users/${self}`);
        expect(refused.statusCode, refused.body).toBe(409);
        expect(refused.headers['content-type']).toContain('application/problem+json');
        expect(refused.json()).toMatchObject({
          type: 'urn:orderdesk:problem:conflict',
          status: 409,
          detail:
            'You cannot deactivate your own account: you would be locked out. Another admin of your organization can deactivate it.',
          errors: [
            {
              path: 'params.id',
              code: 'user.self',
              message: 'This is your own account',
              actual: self,
            },
          ],
        });
        // Still in: its token works and it still administers its users.
        expect((await admin.get('/api/v1/me')).statusCode).toBe(200);
        const created = await admin.post('/api/v1/users', { email: spare, name: 'Spare', roles });
        expect(created.statusCode, created.body).toBe(201);
        const other = created.json().user.id as string;
        expect((await admin.delete(`/api/v1/users/${other}`)).statusCode).toBe(204);
        const listed = (await admin.get('/api/v1/users')).json().items as {
          id: string;
          status: string;
        }[];
        expect(listed.find((u) => u.id === self)?.status).toBe('active');
        expect(listed.find((u) => u.id === other)?.status).toBe('deactivated');
      }
    });
  });

  describe('tokens', () => {
    it('lists the caller’s tokens without secrets and revokes one at once', async () => {
      const finance = t.as('finance@northwind.example');
      const created = await finance.post('/api/v1/tokens', { name: 'ledger sync' });
      expect(created.statusCode, created.body).toBe(201);
      const { id, token } = created.json<{ id: string; token: string }>();
      const list = await finance.get('/api/v1/tokens');
      expect(list.statusCode).toBe(200);
      expect(list.body).not.toContain(token);
      const mine = list.json().items.find((x: { id: string }) => x.id === id);
      expect(mine).toMatchObject({ name: 'ledger sync', revokedAt: null, lastUsedAt: null });
      expect(Object.keys(mine).sort()).toEqual(
        ['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'revokedAt'].sort(),
      );

      const bearer = { authorization: `Bearer ${token}` };
      expect((await t.as(null).get('/api/v1/me', bearer)).statusCode).toBe(200);
      expect((await t.as('admin@skyline.example').delete(`/api/v1/tokens/${id}`)).statusCode).toBe(
        404,
      );
      expect((await t.as('desk@northwind.example').delete(`/api/v1/tokens/${id}`)).statusCode).toBe(
        404,
      );
      expect((await finance.delete(`/api/v1/tokens/${id}`)).statusCode).toBe(204);
      expect((await t.as(null).get('/api/v1/me', bearer)).statusCode).toBe(401);
      const after = (await finance.get('/api/v1/tokens'))
        .json()
        .items.find((x: { id: string }) => x.id === id);
      expect(after.revokedAt).not.toBeNull();
    });

    it('creates a token that expires, refused from that instant; an expiry in the past is a 400', async () => {
      const finance = t.as('finance@northwind.example');
      const expiresAt = new Date(t.clock.now().getTime() + 60 * 60_000).toISOString();
      const created = await finance.post('/api/v1/tokens', { name: 'one hour', expiresAt });
      expect(created.statusCode, created.body).toBe(201);
      expect(created.json().expiresAt).toBe(expiresAt);
      const bearer = { authorization: `Bearer ${created.json().token}` };
      expect((await t.as(null).get('/api/v1/me', bearer)).statusCode).toBe(200);
      t.clock.advance(60 * 60_000 + 1);
      expect((await t.as(null).get('/api/v1/me', bearer)).statusCode).toBe(401);

      const past = await finance.post('/api/v1/tokens', {
        name: 'too late',
        expiresAt: new Date(t.clock.now().getTime() - 1).toISOString(),
      });
      expect(past.statusCode).toBe(400);
      expect(past.json().errors).toEqual([expect.objectContaining({ path: 'expiresAt' })]);
      const garbled = await finance.post('/api/v1/tokens', { name: 'x', expiresAt: 'tomorrow' });
      expect(garbled.statusCode).toBe(400);
      expect(garbled.json().errors[0].path).toBe('expiresAt');
    });

    it('lets a vendor admin see and revoke its staff’s tokens, not another vendor’s', async () => {
      const desk = await t
        .as('provisioning@northwind.example')
        .post('/api/v1/tokens', { name: 'bot' });
      const { id, token } = desk.json<{ id: string; token: string }>();
      const userId = (await t.as('provisioning@northwind.example').get('/api/v1/me')).json()
        .id as string;
      const admin = t.as('admin@northwind.example');
      const listed = await admin.get(`/api/v1/tokens?userId=${userId}`);
      expect(listed.json().items.map((x: { id: string }) => x.id)).toContain(id);
      expect(
        (await t.as('admin@skyline.example').get(`/api/v1/tokens?userId=${userId}`)).statusCode,
      ).toBe(404);
      expect(
        (await t.as('cam@northwind.example').get(`/api/v1/tokens?userId=${userId}`)).statusCode,
      ).toBe(403);
      expect((await admin.delete(`/api/v1/tokens/${id}`)).statusCode).toBe(204);
      expect(
        (await t.as(null).get('/api/v1/me', { authorization: `Bearer ${token}` })).statusCode,
      ).toBe(401);
    });
  });

  describe('isolation', () => {
    /** A tenant fixture: a spare user to deactivate and a spare token to revoke. */
    async function tenant(adminEmail: string, spareEmail: string, roles: string[], slug?: string) {
      const admin = t.as(adminEmail);
      const user = await admin.post('/api/v1/users', { email: spareEmail, name: 'Spare', roles });
      expect(user.statusCode, user.body).toBe(201);
      const token = await admin.post('/api/v1/tokens', { name: 'spare' });
      return {
        user: adminEmail,
        ids: {
          ...(slug ? { slug } : {}),
          userId: user.json().user.id as string,
          tokenId: token.json().id as string,
        },
      };
    }

    it("keeps vendors' administration apart", async () => {
      await expectIsolated(
        t,
        VENDOR_ISOLATION.admin ?? [],
        await tenant('admin@northwind.example', 'spare@northwind.example', ['sales'], 'northwind'),
        await tenant('admin@skyline.example', 'spare@skyline.example', ['sales'], 'skyline'),
      );
    });

    it("keeps partners' administration apart", async () => {
      await expectIsolated(
        t,
        PARTNER_ISOLATION.admin ?? [],
        await tenant('buyer@acme.example', 'spare@acme.example', ['partner_user']),
        await tenant('buyer@contoso.example', 'spare@contoso.example', ['partner_user']),
      );
    });
  });
});
