import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@orderdesk/store/testing';
import { findUserByEmail } from '@orderdesk/store';
import { actorFromUser, hasAccess } from '@orderdesk/app';
import { createTestApp, DEMO_PASSWORD, type TestApp } from './harness.ts';
import { apiRoutes, expectIsolated } from './isolation.ts';
import {
  coveredRoutes,
  normalizeRoute,
  PARTNER_ISOLATION,
  TENANT_FREE_ROUTES,
  VENDOR_ISOLATION,
} from './isolated-routes.ts';

describe.each(testDialects())('foundation API on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { LOGIN_MAX_FAILURES: 3 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers health with the database kind and version', async () => {
    const res = await t.as(null).get('/api/v1/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ok',
      db: dialect,
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
  });

  it('serves the OpenAPI 3.1 document and the reference page', async () => {
    const doc = await t.as(null).get('/api/v1/openapi.json');
    expect(doc.statusCode).toBe(200);
    const body = doc.json();
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/session', '/api/v1/partnerships', '/api/v1/me']),
    );
    expect(
      body.paths['/api/v1/session'].post.requestBody.content['application/json'].schema.required,
    ).toEqual(['email', 'password']);
    const submit = body.paths['/api/v1/orders'].post;
    expect(submit.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'Idempotency-Key' })]),
    );
    expect(Object.keys(submit.responses['422'].content)).toEqual(['application/problem+json']);
    const action = body.paths['/api/v1/orders/{id}/actions/{action}'].post;
    expect(action.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'If-Match' })]),
    );
    const page = await t.as(null).get('/api/docs/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
  });

  describe('login', () => {
    it('logs in with a session cookie and a CSRF token, and enforces CSRF on cookie writes', async () => {
      const login = await t
        .as(null)
        .post('/api/v1/session', { email: 'buyer@acme.example', password: DEMO_PASSWORD });
      expect(login.statusCode).toBe(200);
      const { user, csrfToken } = login.json();
      expect(user).toMatchObject({
        email: 'buyer@acme.example',
        roles: ['partner_admin'],
        partner: { name: 'Acme Distribution', tier: 1 },
      });
      const setCookie = String(login.headers['set-cookie']);
      expect(setCookie).toMatch(/od_session=/);
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Lax/i);
      const cookie = setCookie.split(';')[0] as string;

      const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
      expect(me.statusCode).toBe(200);
      expect(me.json().email).toBe('buyer@acme.example');

      const noCsrf = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { cookie },
        payload: { name: 'erp' },
      });
      expect(noCsrf.statusCode).toBe(403);
      expect(noCsrf.headers['content-type']).toContain('application/problem+json');
      const withCsrf = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { cookie, 'x-csrf-token': csrfToken },
        payload: { name: 'erp' },
      });
      expect(withCsrf.statusCode).toBe(201);
      const { token } = withCsrf.json();
      expect(token).toMatch(/^od_/);
      const viaToken = await t.app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(viaToken.json().email).toBe('buyer@acme.example');

      const out = await t.app.inject({
        method: 'DELETE',
        url: '/api/v1/session',
        headers: { cookie, 'x-csrf-token': csrfToken },
      });
      expect(out.statusCode).toBe(204);
      const after = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
      expect(after.statusCode).toBe(401);
    });

    it('says whether the caller is logged in with 200 either way, while GET /me keeps its 401', async () => {
      // The web app's question on every load: nobody logged in is an answer, not an error.
      const anonymous = await t.as(null).get('/api/v1/session');
      expect(anonymous.statusCode).toBe(200);
      expect(anonymous.json()).toEqual({ user: null });
      expect((await t.as(null).get('/api/v1/me')).statusCode).toBe(401);

      const login = await t
        .as(null)
        .post('/api/v1/session', { email: 'buyer@acme.example', password: DEMO_PASSWORD });
      expect(login.statusCode).toBe(200);
      const { user, csrfToken } = login.json();
      const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
      const session = await t.app.inject({
        method: 'GET',
        url: '/api/v1/session',
        headers: { cookie },
      });
      expect(session.statusCode).toBe(200);
      // The caller as GET /me and the log-in answer describe it; never the CSRF token again.
      expect(session.json()).toEqual({ user });
      const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
      expect(session.json().user).toEqual(me.json());

      // A session that ended (logged out, expired) is nobody, though the browser still sends it.
      await t.app.inject({
        method: 'DELETE',
        url: '/api/v1/session',
        headers: { cookie, 'x-csrf-token': csrfToken },
      });
      const ended = await t.app.inject({
        method: 'GET',
        url: '/api/v1/session',
        headers: { cookie },
      });
      expect(ended.statusCode).toBe(200);
      expect(ended.json()).toEqual({ user: null });
      const again = await t
        .as(null)
        .post('/api/v1/session', { email: 'buyer@acme.example', password: DEMO_PASSWORD });
      const live = String(again.headers['set-cookie']).split(';')[0] as string;
      const before = await t.app.inject({
        method: 'GET',
        url: '/api/v1/session',
        headers: { cookie: live },
      });
      expect(before.json().user.email).toBe('buyer@acme.example');
      try {
        t.clock.advance(12 * 3600_000 + 60_000); // past SESSION_TTL_HOURS
        const expired = await t.app.inject({
          method: 'GET',
          url: '/api/v1/session',
          headers: { cookie: live },
        });
        expect(expired.json()).toEqual({ user: null });
      } finally {
        t.clock.reset();
      }
      // A bearer token that is unknown is still refused, as on every route.
      const badToken = await t.app.inject({
        method: 'GET',
        url: '/api/v1/session',
        headers: { authorization: 'Bearer nope' },
      });
      expect(badToken.statusCode).toBe(401);
    });

    it('answers 401 to a wrong password and 429 after repeated failures', async () => {
      const email = 'desk@skyline.example';
      for (let i = 0; i < 3; i++) {
        const res = await t.as(null).post('/api/v1/session', { email, password: 'wrong' });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toMatchObject({ status: 401, title: 'Not logged in' });
      }
      const limited = await t.as(null).post('/api/v1/session', { email, password: DEMO_PASSWORD });
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // The lock is per account: another user from the same address still logs in.
      const other = await t.as(null).post('/api/v1/session', {
        email: 'desk@edgeworks.example',
        password: DEMO_PASSWORD,
      });
      expect(other.statusCode).toBe(200);
    });

    it('rejects an unknown bearer token and anonymous calls with 401', async () => {
      expect(
        (
          await t.app.inject({
            method: 'GET',
            url: '/api/v1/me',
            headers: { authorization: 'Bearer nope' },
          })
        ).statusCode,
      ).toBe(401);
      const anonymous = await t.as(null).get('/api/v1/partnerships');
      expect(anonymous.statusCode).toBe(401);
      // API.md's problem shape: errors is always there, empty when no field is at fault.
      expect(anonymous.json()).toMatchObject({ status: 401, errors: [] });
    });

    it('answers 401 to anonymous callers before reading the body, on every route but the public ones', async () => {
      // API.md: 400 is a malformed request, 401 not logged in. A caller who is not logged in
      // learns neither the body's schema nor the route's roles.
      const publicRoutes = new Set([
        'POST /api/v1/session',
        'GET /api/v1/session',
        'DELETE /api/v1/session',
        'GET /api/v1/health',
        'GET /api/v1/openapi.json',
        'GET /api/v1/demo-logins',
        'POST /api/v1/invitations/:token',
      ]);
      const routes = t.ctx.routes.filter(
        (r) => r.url.startsWith('/api/v1/') && r.method !== 'OPTIONS',
      );
      expect(routes.length).toBeGreaterThan(60);
      const answers: string[] = [];
      for (const { method, url } of routes) {
        const res = await t.app.inject({
          method: method as 'GET',
          url: url.replace(/:[A-Za-z]+/g, 'x'),
          ...(method === 'GET' || method === 'DELETE' ? {} : { payload: { unknown: [1] } }),
        });
        const key = `${method} ${url}`;
        const expected = publicRoutes.has(key) ? 'public' : 401;
        const got = publicRoutes.has(key)
          ? res.statusCode === 401
            ? 401
            : 'public'
          : res.statusCode;
        answers.push(`${key} → ${got === expected ? 'ok' : res.statusCode}`);
      }
      expect(answers.filter((a) => !a.endsWith('→ ok'))).toEqual([]);
      // An unknown path is still a 404, logged in or not.
      expect((await t.as(null).get('/api/v1/no-such-thing')).statusCode).toBe(404);
    });

    it('answers 403 before reading the body to a caller whose side or role never uses the route', async () => {
      // API.md: 400 is a malformed request, 403 a role not allowed. A route that names who may
      // use it (`config: { access }`, the app's constant its use case checks too) refuses anyone
      // else before its body, query and parameters are validated: the schema of a request the
      // caller may never make is no business of theirs. Every demo user a route refuses is sent
      // a junk body, a junk query and junk parameters.
      const staff = ['admin', 'cam', 'sales', 'desk', 'finance', 'provisioning'];
      const demoUsers = ['buyer@acme.example', ...staff.map((role) => `${role}@northwind.example`)];
      const actors = await Promise.all(
        demoUsers.map(async (email) => {
          const user = await findUserByEmail(t.store.db, email);
          if (!user) throw new Error(`no demo user ${email}`);
          return { email, actor: await actorFromUser(t.store.db, user, 'token') };
        }),
      );
      const declared = t.ctx.routes.flatMap(({ method, url, access }) =>
        access ? [{ method, url, access }] : [],
      );
      // Not vacuous: most of the routes whose roles are known from the route alone say so.
      expect(declared.length).toBeGreaterThanOrEqual(40);
      const answers: string[] = [];
      for (const { method, url, access } of declared) {
        const refused = actors.filter(({ actor }) => !hasAccess(actor, access));
        expect(refused.length, `${method} ${url}: no demo user is refused`).toBeGreaterThan(0);
        for (const { email } of refused) {
          const res = await t.as(email).request({
            method,
            url: `${url.replace(/:[A-Za-z]+/g, 'x')}?limit=-1&junk=1`,
            ...(method === 'GET' || method === 'DELETE' ? {} : { payload: { unknown: [1] } }),
          });
          const ok = res.statusCode === 403 && res.json().errors?.length === 0;
          answers.push(
            `${method} ${url} as ${email} → ${ok ? 'ok' : `${res.statusCode} ${res.body.slice(0, 160)}`}`,
          );
        }
      }
      expect(answers.filter((a) => !a.endsWith('→ ok'))).toEqual([]);
    });

    it("refuses a partner's POST /quotes with 403 before its body is checked", async () => {
      // Quotes are built by sales and the CAM: a partner's empty body is a 403, not a 400 listing
      // the fields of a quote.
      const partner = await t.as('buyer@acme.example').post('/api/v1/quotes', {});
      expect(partner.statusCode).toBe(403);
      expect(partner.json()).toMatchObject({ status: 403, errors: [] });
      // Whoever may build quotes still gets the body's problems.
      const sales = await t.as('sales@northwind.example').post('/api/v1/quotes', {});
      expect(sales.statusCode).toBe(400);
      expect(sales.json().errors.length).toBeGreaterThan(0);
    });

    it('every problem carries errors[], empty when no field is at fault', async () => {
      const notFound = await t.as('buyer@acme.example').get('/api/v1/orders/ord_nope');
      expect(notFound.statusCode).toBe(404);
      expect(notFound.json()).toMatchObject({ status: 404, errors: [] });
      const noRoute = await t.as('buyer@acme.example').get('/api/v1/no-such-thing');
      expect(noRoute.statusCode).toBe(404);
      expect(noRoute.json()).toMatchObject({ status: 404, errors: [] });
      const forbidden = await t.as('buyer@acme.example').get('/api/v1/intake');
      expect(forbidden.statusCode).toBe(403);
      expect(forbidden.json()).toMatchObject({ status: 403, errors: [] });
    });
  });

  describe('bad input never gives a 500', () => {
    const url = '/api/v1/session';
    it('malformed JSON → 400 problem', async () => {
      const res = await t.as(null).request({
        method: 'POST',
        url,
        payload: '{"email":',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({
        status: 400,
        type: expect.any(String),
        title: expect.any(String),
      });
    });
    it('wrong content type → 415 problem', async () => {
      const res = await t.as(null).request({
        method: 'POST',
        url,
        payload: 'email=a',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.statusCode).toBe(415);
      expect(res.json().status).toBe(415);
    });
    it('body over the limit → 413 problem', async () => {
      const res = await t
        .as(null)
        .post(url, { email: 'a@b.example', password: 'x'.repeat(1_100_000) });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({
        status: 413,
        errors: [{ path: 'body', code: 'invalid', message: expect.any(String) }],
      });
    });
    it('unknown fields and wrong types name each field', async () => {
      const res = await t.as(null).post(url, { email: 42, password: 'x', extra: 1, other: true });
      expect(res.statusCode).toBe(400);
      const paths = res
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort();
      expect(paths).toEqual(['email', 'extra', 'other']);
    });
    it('missing fields are "required"', async () => {
      const res = await t.as(null).post(url, {});
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: 'email', code: 'required' }),
          expect.objectContaining({ path: 'password', code: 'required' }),
        ]),
      );
    });
    it('unknown route → 404 problem', async () => {
      const res = await t.as('buyer@acme.example').get('/api/v1/nope');
      expect(res.statusCode).toBe(404);
      expect(res.json().status).toBe(404);
    });
  });

  describe('roles', () => {
    it('a partner calling a vendor-staff route gets 403', async () => {
      const res = await t.as('buyer@acme.example').get('/api/v1/partners');
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ status: 403 });
      const staff = await t.as('cam@northwind.example').get('/api/v1/partners');
      expect(staff.statusCode).toBe(200);
      expect(
        staff
          .json()
          .items.map((p: { name: string }) => p.name)
          .sort(),
      ).toEqual(['Acme Distribution', 'Contoso Channel']);
    });
    it('a partner may not change commercial terms of its partnership', async () => {
      const list = await t.as('buyer@acme.example').get('/api/v1/partnerships?vendor=northwind');
      const id = list.json().items[0].id as string;
      const res = await t
        .as('buyer@acme.example')
        .patch(`/api/v1/partnerships/${id}`, { multiplier: '0.10' });
      expect(res.statusCode).toBe(403);
    });
  });

  describe('partnerships', () => {
    it('shows a partner its partnerships with the rendered special-terms clause', async () => {
      const res = await t.as('buyer@acme.example').get('/api/v1/partnerships');
      expect(res.statusCode).toBe(200);
      const items = res.json().items as {
        vendor: string;
        legalName: string;
        multiplier: string;
        specialTerms: string | null;
        agreementDate: string;
      }[];
      expect(items.map((i) => i.vendor).sort()).toEqual(['edgeworks', 'northwind', 'skyline']);
      const nw = items.find((i) => i.vendor === 'northwind');
      expect(nw).toMatchObject({
        legalName: 'Acme Distribution Ltd.',
        agreementDate: '2021-03-03',
        multiplier: '0.70',
      });
      expect(nw?.specialTerms).toContain('Acme Distribution Ltd.');
      expect(nw?.specialTerms).toContain('March 3, 2021');
    });
    it('lets a partner admin set the invoicing contact and provisioning CC, audited', async () => {
      const list = await t.as('buyer@contoso.example').get('/api/v1/partnerships?vendor=edgeworks');
      const id = list.json().items[0].id as string;
      const res = await t.as('buyer@contoso.example').patch(`/api/v1/partnerships/${id}`, {
        invoicingContact: { name: 'Contoso AP', email: 'ap@contoso.example' },
        provisioningCc: 'licensing@contoso.example',
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        invoicingContact: { email: 'ap@contoso.example' },
        provisioningCc: 'licensing@contoso.example',
      });
      const bad = await t
        .as('buyer@contoso.example')
        .patch(`/api/v1/partnerships/${id}`, { provisioningCc: 'not-an-email' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors[0].path).toBe('provisioningCc');
      const events = await t.store.db
        .selectFrom('audit_events')
        .selectAll()
        .where('entity_id', '=', id)
        .execute();
      expect(events.map((e) => e.type)).toEqual(['partnership.updated']);
    });
    it("keeps the multiplier to the vendor admin; the CAM keeps the agreement's details", async () => {
      const list = await t.as('cam@northwind.example').get('/api/v1/partnerships');
      const { id, multiplier, agreementDate } = list.json().items[0] as {
        id: string;
        multiplier: string;
        agreementDate: string;
      };
      const byCam = await t
        .as('cam@northwind.example')
        .patch(`/api/v1/partnerships/${id}`, { multiplier: '0.10' });
      expect(byCam.statusCode).toBe(403);
      expect(byCam.json().detail).toMatch(/vendor admin/);
      const unchanged = (await t.as('admin@northwind.example').get('/api/v1/partnerships')).json();
      expect(unchanged.items.find((p: { id: string }) => p.id === id).multiplier).toBe(multiplier);
      const camDetails = await t
        .as('cam@northwind.example')
        .patch(`/api/v1/partnerships/${id}`, { agreementDate: '2024-03-01' });
      expect(camDetails.statusCode, camDetails.body).toBe(200);
      const byAdmin = await t
        .as('admin@northwind.example')
        .patch(`/api/v1/partnerships/${id}`, { multiplier: '0.71' });
      expect(byAdmin.statusCode, byAdmin.body).toBe(200);
      expect(byAdmin.json().multiplier).toBe('0.71');
      // As they were, for the tests that follow.
      const restored = await t
        .as('admin@northwind.example')
        .patch(`/api/v1/partnerships/${id}`, { multiplier, agreementDate });
      expect(restored.statusCode, restored.body).toBe(200);
    });

    it('a tier-2 reseller sees the partnerships of its distributor', async () => {
      const res = await t.as('buyer@beta.example').get('/api/v1/partnerships');
      expect(res.json().items.map((i: { partner: { name: string } }) => i.partner.name)).toEqual([
        'Acme Distribution',
        'Acme Distribution',
        'Acme Distribution',
      ]);
    });
  });

  describe('isolation', () => {
    async function partnershipOf(user: string, vendor: string): Promise<string> {
      const res = await t.as(user).get(`/api/v1/partnerships?vendor=${vendor}`);
      return res.json().items[0].id as string;
    }

    it('keeps partners apart', async () => {
      await expectIsolated(
        t,
        PARTNER_ISOLATION.partnerships ?? [],
        {
          user: 'buyer@acme.example',
          ids: { partnershipId: await partnershipOf('buyer@acme.example', 'northwind') },
        },
        {
          user: 'buyer@contoso.example',
          ids: { partnershipId: await partnershipOf('buyer@contoso.example', 'northwind') },
        },
      );
    });

    it("keeps vendors' staff apart", async () => {
      await expectIsolated(
        t,
        [...(VENDOR_ISOLATION.vendors ?? []), ...(VENDOR_ISOLATION.partnerships ?? [])],
        {
          user: 'admin@northwind.example',
          ids: {
            slug: 'northwind',
            partnershipId: await partnershipOf('admin@northwind.example', 'northwind'),
          },
        },
        {
          user: 'admin@skyline.example',
          ids: {
            slug: 'skyline',
            partnershipId: await partnershipOf('admin@skyline.example', 'skyline'),
          },
        },
      );
    });

    it('covers every API route', () => {
      const covered = coveredRoutes();
      const missing = apiRoutes(t)
        .filter((r) => !TENANT_FREE_ROUTES.has(r))
        .filter((r) => !covered.has(normalizeRoute(r)));
      expect(missing).toEqual([]);
    });
  });
});
