import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@orderdesk/store/testing';
import { csvField, neutraliseCsvCell, restoreCsvCell } from '@orderdesk/app';
import { badTextReason } from '../src/http/input-boundary.ts';
import { findUserByEmail } from '@orderdesk/store';
import { actorFromUser, createApiToken, hasAccess } from '@orderdesk/app';
import { createTestApp, DEMO_PASSWORD, type TestApp } from './harness.ts';

/** Issue 13: the hardening points that concern every request (headers, input, tokens, audit). */

const BUYER = 'buyer@acme.example';

/** The directives of a Content-Security-Policy header, by name. */
function cspDirectives(header: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of String(header).split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name, values);
  }
  return out;
}

describe.each(testDialects())('hardening on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('headers', () => {
    it('sends a same-origin CSP, nosniff, frame denial and no referrer on the web app', async () => {
      const res = await t.as(null).get('/');
      expect(res.statusCode).toBe(200);
      const csp = cspDirectives(res.headers['content-security-policy']);
      expect(csp.get('default-src')).toEqual(["'self'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('script-src')).not.toContain("'unsafe-inline'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    });

    it('sends the same headers on the problem answered before routing (a malformed URL escape)', async () => {
      const res = await t.as(null).get('/api/v1/orders/%E0%A4%A');
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cache-control']).toBe('no-store');
      const csp = cspDirectives(res.headers['content-security-policy']);
      expect(csp.get('default-src')).toEqual(["'none'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    });

    it("lets the invitation page's own inline script run (its hash), nothing else inline", async () => {
      const res = await t.as(null).get('/invitations/some-token');
      expect(res.statusCode).toBe(200);
      const script = /<script\b[^>]*>([\s\S]*?)<\/script>/.exec(res.body)?.[1];
      expect(script).toBeDefined();
      const { createHash } = await import('node:crypto');
      const hash = `'sha256-${createHash('sha256')
        .update(script ?? '')
        .digest('base64')}'`;
      const csp = cspDirectives(res.headers['content-security-policy']);
      expect(csp.get('script-src')).toContain(hash);
    });

    it('keeps the API reference page working: its scripts and styles load from the same origin', async () => {
      const page = await t.as(null).get('/api/docs/');
      expect(page.statusCode).toBe(200);
      const csp = cspDirectives(page.headers['content-security-policy']);
      expect(csp.get('default-src')).toEqual(["'self'"]);
      const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
      expect(assets.length).toBeGreaterThanOrEqual(4);
      for (const asset of assets) {
        // Relative ("./static/…") or same-origin absolute: nothing the CSP would refuse.
        expect(asset).not.toMatch(/^(https?:)?\/\//);
        const url = new URL(asset, 'http://localhost/api/docs/').pathname;
        const res = await t.as(null).get(url);
        expect(res.statusCode, url).toBe(200);
      }
      // The initializer loads the document from the same origin.
      const init = await t.as(null).get('/api/docs/static/swagger-initializer.js');
      expect(init.body).toContain("url: resolveUrl('./json')");
      const json = await t.as(null).get('/api/docs/json');
      expect(json.statusCode).toBe(200);
    });

    it('marks API answers Cache-Control: no-store, authenticated or not', async () => {
      const me = await t.as(BUYER).get('/api/v1/me');
      expect(me.statusCode).toBe(200);
      expect(me.headers['cache-control']).toBe('no-store');
      const orders = await t.as(BUYER).get('/api/v1/orders');
      expect(orders.headers['cache-control']).toBe('no-store');
      const refused = await t.as(null).get('/api/v1/orders');
      expect(refused.statusCode).toBe(401);
      expect(refused.headers['cache-control']).toBe('no-store');
      expect(refused.headers['x-content-type-options']).toBe('nosniff');
    });

    it('sends no CORS headers when no allow-list is configured', async () => {
      const simple = await t.as(BUYER).get('/api/v1/me', { origin: 'https://evil.example' });
      expect(simple.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await t.as(null).request({
        method: 'OPTIONS',
        url: '/api/v1/orders',
        headers: {
          origin: 'https://evil.example',
          'access-control-request-method': 'POST',
        },
      });
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('NUL characters and unpaired surrogates', () => {
    const ADMIN = 'admin@northwind.example';
    const apiRoutes = () =>
      t.ctx.routes.filter((r) => r.url.startsWith('/api/v1/') && !r.url.includes('/test/'));
    interface Item {
      path: string;
      code: string;
      message: string;
    }
    const expectRefused = (
      res: { statusCode: number; body: string; json: () => unknown },
      path: string,
      what: string,
    ) => {
      expect(res.statusCode, `${what}: ${res.body}`).toBe(400);
      const problem = res.json() as { type: string; errors: Item[] };
      expect(problem.type, what).toBe('urn:orderdesk:problem:invalid-text');
      expect(
        problem.errors.map((e) => e.path),
        what,
      ).toContain(path);
    };

    it('refuses a NUL in any path parameter with 400 naming it', async () => {
      const withParams = apiRoutes().filter((r) => r.url.includes('/:'));
      expect(withParams.length).toBeGreaterThan(20);
      for (const route of withParams) {
        const names = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1] ?? '');
        const url = route.url.replace(/:(\w+)/g, 'a%00b');
        const res = await t.as(ADMIN).request({
          method: route.method,
          url,
          ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
        });
        expectRefused(res, `params.${names[0]}`, `${route.method} ${route.url}`);
      }
    });

    it('refuses a NUL in the query of every read with 400 naming the parameter', async () => {
      const reads = apiRoutes().filter((r) => r.method === 'GET');
      for (const route of reads) {
        const url = `${route.url.replace(/:(\w+)/g, 'x')}?q=a%00b`;
        const res = await t.as(ADMIN).get(url);
        expectRefused(res, 'querystring.q', `GET ${route.url}`);
      }
    });

    it('refuses a NUL or a lone surrogate anywhere in a JSON body, on every write', async () => {
      const writes = apiRoutes().filter((r) => ['POST', 'PUT', 'PATCH'].includes(r.method));
      expect(writes.length).toBeGreaterThan(20);
      // Each route is sent as a demo user it admits (`config.access`): anyone else is refused
      // (403) before the body is read.
      const senders = await Promise.all(
        [ADMIN, BUYER, 'sales@northwind.example'].map(async (email) => {
          const user = await findUserByEmail(t.store.db, email);
          if (!user) throw new Error(`no demo user ${email}`);
          return { email, actor: await actorFromUser(t.store.db, user, 'token') };
        }),
      );
      for (const route of writes) {
        const sender = senders.find(
          ({ actor }) => route.access === undefined || hasAccess(actor, route.access),
        );
        if (!sender) throw new Error(`${route.method} ${route.url}: no demo user may send it`);
        // A real vendor, so that routes which authorise before reading the body get to it.
        const url = route.url.replace(':slug', 'northwind').replace(/:(\w+)/g, 'x');
        if (route.url.endsWith('/profile')) {
          // The profile is source text: a raw NUL in it is refused as the body.
          const raw = await t.as(sender.email).put(url, 'name: a\u0000b\n', {
            'content-type': 'application/yaml',
          });
          expectRefused(raw, 'body', `${route.method} ${route.url}`);
          continue;
        }
        const res = await t.as(sender.email).request({
          method: route.method,
          url,
          headers: { 'content-type': 'application/json' },
          payload: '{"name":"a\\u0000b","lines":[{"note":"\\ud800x"}]}',
        });
        expect(res.statusCode, `${route.method} ${route.url}: ${res.body}`).toBe(400);
        const errors = res.json<{ errors: Item[] }>().errors.map((e) => e.path);
        expect(errors, `${route.method} ${route.url}`).toEqual(['name', 'lines[0].note']);
      }
    });

    it('keeps a NUL out of the database: creating a customer with one is a 400, not a 500', async () => {
      const vendors = t.as(BUYER);
      const res = await vendors.post('/api/v1/customers', {
        name: 'Null\u0000Corp',
        country: 'DE',
      });
      expectRefused(res, 'name', 'POST /customers');
      const search = await vendors.get('/api/v1/customers?q=%00');
      expectRefused(search, 'querystring.q', 'GET /customers');
      // A well-formed pair (an emoji) is fine.
      expect(badTextReason('ok \u{1F600}')).toBeUndefined();
      expect(badTextReason('\udc00')).toBeDefined();
    });

    it('checks the strings of a JSON body whatever its text looks like: escapes, keys, plain text', async () => {
      const buyer = t.as(BUYER);
      const send = (payload: string) =>
        buyer.request({
          method: 'POST',
          url: '/api/v1/customers',
          headers: { 'content-type': 'application/json' },
          payload,
        });
      // A harmless escape and plain UTF-8 text are stored as the characters they stand for.
      const escaped = await send('{"name":"Caf\\u00e9 \u00e9t\u00e9"}');
      expect(escaped.statusCode, escaped.body).toBe(201);
      expect(escaped.json<{ name: string }>().name).toBe('Café été');
      // A NUL in a key, or a lone surrogate beside a harmless escape, is refused by name.
      const key = await send('{"name":"Key Corp","n\\u0000":1}');
      expect(key.statusCode, key.body).toBe(400);
      expect(key.json<{ errors: Item[] }>().errors.map((e) => e.path)).toEqual(['n\u0000']);
      const lone = await send('{"name":"Caf\\u00e9\\udc00"}');
      expectRefused(lone, 'name', 'POST /customers');
    });

    it('refuses a NUL in an uploaded price list with 422 naming the cell', async () => {
      const res = await t
        .as(ADMIN)
        .post(
          '/api/v1/vendors/northwind/price-lists?effectiveFrom=2031-01-01',
          'partNumber,name,type,category,listPrice\nNW-NUL-1,A\u0000B,service,Services,1.00\n',
          { 'content-type': 'text/csv' },
        );
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json<{ errors: Item[] }>().errors[0]?.path).toBe('row 2/name');
    });

    it('decodes only UTF-8 JSON: another declared charset is a 415', async () => {
      const send = (contentType: string) =>
        t.as(BUYER).request({
          method: 'POST',
          url: '/api/v1/customers',
          headers: { 'content-type': contentType },
          payload: Buffer.from('{"name":"Caf\xe9"}', 'latin1'),
        });
      const latin1 = await send('application/json; charset=iso-8859-1');
      expect(latin1.statusCode, latin1.body).toBe(415);
      expect(latin1.headers['content-type']).toContain('application/problem+json');
      const utf16 = await send('application/json; charset="UTF-16"');
      expect(utf16.statusCode).toBe(415);
      const utf8 = await send('application/json; charset=UTF-8');
      expect(utf8.statusCode).not.toBe(415);
    });
  });

  describe('token minting', () => {
    const countTokens = async () =>
      Number(
        (
          await t.store.db
            .selectFrom('api_tokens')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    it('refuses a bearer token without the right to mint another (403), and creates nothing', async () => {
      const user = await findUserByEmail(t.store.db, BUYER);
      if (!user) throw new Error('no demo buyer');
      const plain = await createApiToken(t.ctx, await actorFromUser(t.store.db, user, 'session'), {
        name: 'erp',
      });
      expect(plain.canMint).toBe(false);
      const before = await countTokens();
      const res = await t
        .as(null)
        .post('/api/v1/tokens', { name: 'successor' }, bearer(plain.token));
      expect(res.statusCode, res.body).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(await countTokens()).toBe(before);
    });

    it('lets a logged-in session mint; its token cannot mint in turn unless created with canMint', async () => {
      const login = await t
        .as(null)
        .post('/api/v1/session', { email: BUYER, password: DEMO_PASSWORD });
      expect(login.statusCode, login.body).toBe(200);
      const cookie = login.cookies.find((c) => c.name === 'od_session');
      expect(cookie).toBeDefined();
      const session = {
        cookie: `od_session=${cookie?.value ?? ''}`,
        'x-csrf-token': login.json<{ csrfToken: string }>().csrfToken,
      };
      const minted = await t.as(null).post('/api/v1/tokens', { name: 'ci' }, session);
      expect(minted.statusCode, minted.body).toBe(201);
      const plain = minted.json<{ token: string; canMint: boolean }>();
      expect(plain.canMint).toBe(false);
      const again = await t.as(null).post('/api/v1/tokens', { name: 'x' }, bearer(plain.token));
      expect(again.statusCode).toBe(403);
      // A session may grant the right; that token then mints.
      const asked = await t
        .as(null)
        .post('/api/v1/tokens', { name: 'ci-minter', canMint: true }, session);
      expect(asked.statusCode, asked.body).toBe(201);
      const minter = asked.json<{ token: string; canMint: boolean }>();
      expect(minter.canMint).toBe(true);
      const child = await t
        .as(null)
        .post('/api/v1/tokens', { name: 'child' }, bearer(minter.token));
      expect(child.statusCode, child.body).toBe(201);
    });

    it('lets a token created with canMint mint', async () => {
      const user = await findUserByEmail(t.store.db, BUYER);
      if (!user) throw new Error('no demo buyer');
      const actor = await actorFromUser(t.store.db, user, 'session');
      const minter = await createApiToken(t.ctx, actor, { name: 'minter', canMint: true });
      expect(minter.canMint).toBe(true);
      const res = await t.as(null).post('/api/v1/tokens', { name: 'child' }, bearer(minter.token));
      expect(res.statusCode, res.body).toBe(201);
      // A token that lacks the right cannot grant it either.
      const child = res.json<{ token: string }>().token;
      const grandchild = await t
        .as(null)
        .post('/api/v1/tokens', { name: 'grandchild', canMint: true }, bearer(child));
      expect(grandchild.statusCode).toBe(403);
    });
  });

  describe('audit log', () => {
    it('is append-only: the database refuses to change or delete an event', async () => {
      // An action that records an event, so the log is not empty.
      const minted = await t.as(BUYER).post('/api/v1/tokens', { name: 'audit-probe' });
      expect(minted.statusCode, minted.body).toBe(201);
      const event = await t.store.db
        .selectFrom('audit_events')
        .select(['id', 'type'])
        .where('entity_id', '=', minted.json<{ id: string }>().id)
        .executeTakeFirstOrThrow();
      expect(event.type).toBe('token.created');
      await expect(
        t.store.db
          .updateTable('audit_events')
          .set({ actor_label: 'someone else' })
          .where('id', '=', event.id)
          .execute(),
      ).rejects.toThrow(/append-only/);
      await expect(
        t.store.db.deleteFrom('audit_events').where('id', '=', event.id).execute(),
      ).rejects.toThrow(/append-only/);
      if (dialect === 'postgres') {
        await expect(sql`TRUNCATE audit_events`.execute(t.store.db)).rejects.toThrow(/append-only/);
      }
      const still = await t.store.db
        .selectFrom('audit_events')
        .select('actor_label')
        .where('id', '=', event.id)
        .executeTakeFirstOrThrow();
      expect(still.actor_label).not.toBe('someone else');
    });
  });

  describe('CSV injection', () => {
    const NAMES = [
      '=HYPERLINK("http://evil.example","click")',
      '-Foo',
      '+Plus',
      '@SUM(A1)',
      '\t=tabbed',
      'Plain',
    ];
    const exportCsv = async (id: string) => {
      const res = await t
        .as('admin@northwind.example')
        .get(`/api/v1/vendors/northwind/price-lists/${id}/export?format=csv`);
      expect(res.statusCode, res.body).toBe(200);
      return res.body;
    };
    const uploadCsv = async (content: string, effectiveFrom: string) => {
      const res = await t
        .as('admin@northwind.example')
        .post(`/api/v1/vendors/northwind/price-lists?effectiveFrom=${effectiveFrom}`, content, {
          'content-type': 'text/csv',
        });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ id: string; productsCreated: number; productsUpdated: number }>();
    };

    it('strips on import exactly the apostrophe the export adds, even before apostrophes', () => {
      for (const value of ['=1+1', "'=1+1", "''-2", '-Foo', "'plain", 'plain', '@x', '\r=x']) {
        expect(restoreCsvCell(neutraliseCsvCell(value))).toBe(value);
      }
      expect(neutraliseCsvCell("'=1+1")).toBe("''=1+1");
      expect(neutraliseCsvCell("'plain")).toBe("'plain");
      expect(csvField('=1+1')).toBe("'=1+1");
      expect(csvField('\tx')).toBe('"\'\tx"');
    });

    it('neutralises formula-like cells in a CSV export, and the export re-imports unchanged', async () => {
      const rows = NAMES.map(
        (name, i) => `NW-CSV-${i},"${name.replace(/"/g, '""')}",service,Services,${i + 1}.00`,
      );
      const first = await uploadCsv(
        `partNumber,name,type,category,listPrice\n${rows.join('\n')}\n`,
        '2031-06-01',
      );
      expect(first.productsCreated).toBe(NAMES.length);
      const csv = await exportCsv(first.id);
      const lines = csv.split('\r\n');
      const cellOf = (part: string) => lines.find((l) => l.startsWith(`${part},`));
      expect(cellOf('NW-CSV-0')).toContain(`,"'=HYPERLINK(""http://evil.example"",""click"")",`);
      expect(cellOf('NW-CSV-1')).toContain(",'-Foo,");
      expect(cellOf('NW-CSV-2')).toContain(",'+Plus,");
      expect(cellOf('NW-CSV-3')).toContain(",'@SUM(A1),");
      // Trimmed on import like every cell; the "=" then gets its apostrophe.
      expect(cellOf('NW-CSV-4')).toContain(",'=tabbed,");
      expect(cellOf('NW-CSV-5')).toContain(',Plain,');
      // No cell of any line starts with a formula character.
      for (const line of lines) {
        for (const cell of line.split(',')) expect(cell).not.toMatch(/^"?[=+\-@\t\r]/);
      }

      const again = await uploadCsv(csv, '2031-07-01');
      expect(again).toMatchObject({ productsCreated: 0, productsUpdated: 0 });
      const names = await t.store.db
        .selectFrom('products')
        .select(['part_number', 'name'])
        .where('part_number', 'like', 'NW-CSV-%')
        .orderBy('part_number')
        .execute();
      expect(names.map((p) => p.name)).toEqual(NAMES.map((n) => n.trim()));
      const dateless = (text: string) => text.replace(/,\d{4}-\d{2}-\d{2},/g, ',');
      expect(dateless(await exportCsv(again.id))).toBe(dateless(csv));
    });
  });
});

describe('CORS with an allow-list', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { CORS_ORIGINS: ['https://admin.example'] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers a listed origin and only it', async () => {
    const preflight = await t.as(null).request({
      method: 'OPTIONS',
      url: '/api/v1/orders',
      headers: {
        origin: 'https://admin.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, idempotency-key',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://admin.example');
    expect(String(preflight.headers['access-control-allow-headers'])).toContain('idempotency-key');
    const listed = await t.as(BUYER).get('/api/v1/me', { origin: 'https://admin.example' });
    expect(listed.headers['access-control-allow-origin']).toBe('https://admin.example');
    const other = await t.as(BUYER).get('/api/v1/me', { origin: 'https://evil.example' });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('configuration', () => {
  it('reads CORS_ORIGINS as a comma list of origins and refuses a path', async () => {
    const { loadConfig, ConfigError } = await import('../src/config.ts');
    expect(loadConfig({}).CORS_ORIGINS).toEqual([]);
    expect(
      loadConfig({ CORS_ORIGINS: 'https://a.example, http://localhost:5173' }).CORS_ORIGINS,
    ).toEqual(['https://a.example', 'http://localhost:5173']);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://a.example/app' })).toThrow(ConfigError);
  });
});
