// Login throttling that cannot be turned against users (issue 13, point 6), on both databases:
// growing delays per (account, client address), a ceiling per address and per account, the
// client address from X-Forwarded-For only behind a trusted proxy, and a known device (its
// cookie) let through with the right password while the account is throttled elsewhere.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { testDialects } from '@orderdesk/store/testing';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { DEVICE_COOKIE } from '../src/session/session.routes.ts';
import { createTestApp, DEMO_PASSWORD, type TestApp } from './harness.ts';
import { PARTNER_ISOLATION, VENDOR_ISOLATION } from './isolated-routes.ts';
import { expectIsolated } from './isolation.ts';

const DESK = 'desk@skyline.example';
const ADMIN = 'admin@skyline.example';
const WRONG = 'not-the-password';

interface From {
  /** The connection's address (the socket's). */
  from: string;
  xff?: string;
  device?: string;
}

async function login(
  t: TestApp,
  email: string,
  password: string,
  how: From,
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { email, password },
    remoteAddress: how.from,
    headers: {
      ...(how.xff ? { 'x-forwarded-for': how.xff } : {}),
      ...(how.device ? { cookie: `${DEVICE_COOKIE}=${how.device}` } : {}),
    },
  });
}

const statuses = (rs: LightMyRequestResponse[]) => rs.map((r) => r.statusCode);

async function fail(t: TestApp, email: string, times: number, how: From): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < times; i++) out.push((await login(t, email, WRONG, how)).statusCode);
  return out;
}

function deviceOf(res: LightMyRequestResponse): string {
  const c = res.cookies.find((k) => k.name === DEVICE_COOKIE);
  if (!c) throw new Error(`no ${DEVICE_COOKIE} cookie in ${JSON.stringify(res.headers)}`);
  return c.value;
}

describe.each(testDialects())('login throttling on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, {
      LOGIN_MAX_FAILURES: 3,
      LOGIN_MAX_DELAY_SECONDS: 5,
      LOGIN_ADDRESS_MAX_FAILURES: 12,
      LOGIN_ACCOUNT_MAX_FAILURES: 30,
    });
  });
  afterAll(async () => {
    await t.close();
  });
  // Each test starts from a clean slate in its own stretch of (frozen) time.
  let epoch = Date.parse('2026-06-01T08:00:00Z');
  afterEach(async () => {
    await t.store.db.deleteFrom('login_throttle').execute();
    epoch += 86_400_000;
  });
  const freeze = () => t.clock.set(new Date(epoch), { freeze: true });

  it("an attacker's failures from address A do not lock the user out at address B", async () => {
    freeze();
    const a = { from: '203.0.113.10' };
    expect(await fail(t, DESK, 3, a)).toEqual([401, 401, 401]);
    // A is now throttled for this account…
    const atA = await login(t, DESK, DEMO_PASSWORD, a);
    expect(atA.statusCode).toBe(429);
    // …while the user at B logs in at once, and A may still log in to another account.
    expect((await login(t, DESK, DEMO_PASSWORD, { from: '198.51.100.20' })).statusCode).toBe(200);
    expect((await login(t, ADMIN, DEMO_PASSWORD, a)).statusCode).toBe(200);
  });

  it('answers with growing delays (429, Retry-After, problem+json), capped', async () => {
    freeze();
    const a = { from: '203.0.113.11' };
    expect(await fail(t, DESK, 3, a)).toEqual([401, 401, 401]);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const refused = await login(t, DESK, WRONG, a);
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.json()).toMatchObject({
        type: 'urn:orderdesk:problem:too-many-login-attempts',
        status: 429,
        title: 'Too many requests',
      });
      const wait = Number(refused.headers['retry-after']);
      waits.push(wait);
      // Still refused a moment before the wait is over; a refused attempt does not count.
      t.clock.advance(wait * 1000 - 1);
      expect((await login(t, DESK, WRONG, a)).statusCode).toBe(429);
      t.clock.advance(1);
      expect((await login(t, DESK, WRONG, a)).statusCode).toBe(401);
    }
    // 1 s after the third failure, doubling each time, capped at LOGIN_MAX_DELAY_SECONDS (5).
    expect(waits).toEqual([1, 2, 4, 5, 5]);
    // The right password after the wait: in, and the pair's count starts again.
    t.clock.advance(5000);
    expect((await login(t, DESK, DEMO_PASSWORD, a)).statusCode).toBe(200);
    expect(await fail(t, DESK, 3, a)).toEqual([401, 401, 401]);
  });

  it('counts a burst of parallel guesses before checking any password', async () => {
    freeze();
    const a = { from: '203.0.113.12' };
    const burst = await Promise.all(Array.from({ length: 20 }, () => login(t, DESK, WRONG, a)));
    const codes = statuses(burst);
    expect(codes.filter((c) => c === 401)).toHaveLength(3);
    expect(codes.filter((c) => c === 429)).toHaveLength(17);
  });

  it('keeps a ceiling per client address over all accounts', async () => {
    freeze();
    const c = { from: '203.0.113.13' };
    const users = [
      'desk@northwind.example',
      'cam@northwind.example',
      'sales@northwind.example',
      'finance@northwind.example',
      'desk@edgeworks.example',
      'cam@edgeworks.example',
    ];
    // Two failures per account stay under each pair's limit; twelve in all reach the ceiling.
    for (const u of users) expect(await fail(t, u, 2, c)).toEqual([401, 401]);
    const refused = await login(t, 'buyer@contoso.example', DEMO_PASSWORD, c);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(60);
    // Another address is not affected; after the window the address may try again.
    expect(
      (await login(t, 'buyer@contoso.example', DEMO_PASSWORD, { from: '203.0.113.14' })).statusCode,
    ).toBe(200);
    t.clock.advance(15 * 60_000);
    expect((await login(t, 'buyer@contoso.example', DEMO_PASSWORD, c)).statusCode).toBe(200);
  });

  it('ignores X-Forwarded-For without a trusted proxy', async () => {
    freeze();
    // Every guess claims a fresh address; all are counted against the connection's address.
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      codes.push(
        (await login(t, DESK, WRONG, { from: '203.0.113.15', xff: `192.0.2.${i + 1}` })).statusCode,
      );
    }
    expect(codes).toEqual([401, 401, 401, 429, 429]);
  });

  it('the device cookie lets the right password through while the account is throttled', async () => {
    freeze();
    const office = { from: '203.0.113.16' };
    const first = await login(t, DESK, DEMO_PASSWORD, office);
    expect(first.statusCode).toBe(200);
    const device = deviceOf(first);
    const cookie = first.cookies.find((k) => k.name === DEVICE_COOKIE)!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/session' });
    // An attacker behind the same address (same NAT) throttles the account there…
    expect(await fail(t, DESK, 3, office)).toEqual([401, 401, 401]);
    expect((await login(t, DESK, DEMO_PASSWORD, office)).statusCode).toBe(429);
    // …and guesses from many other addresses reach the account's ceiling (30).
    for (let i = 0; i < 10; i++) await fail(t, DESK, 3, { from: `198.51.100.${100 + i}` });
    const elsewhere = await login(t, DESK, DEMO_PASSWORD, { from: '198.51.100.99' });
    expect(elsewhere.statusCode).toBe(429);
    // The user's browser, known from before, still gets in, here and from anywhere.
    const again = await login(t, DESK, DEMO_PASSWORD, { ...office, device });
    expect(again.statusCode).toBe(200);
    expect(deviceOf(again)).toBe(device);
    expect(
      (await login(t, DESK, DEMO_PASSWORD, { from: '198.51.100.98', device })).statusCode,
    ).toBe(200);
    // A device cookie of another account is no pass for this one.
    const adminDevice = deviceOf(await login(t, ADMIN, DEMO_PASSWORD, { from: '192.0.2.200' }));
    expect(
      (await login(t, DESK, DEMO_PASSWORD, { ...office, device: adminDevice })).statusCode,
    ).toBe(429);
    // A stolen device cookie still guesses slowly: its own failures are throttled.
    expect(await fail(t, DESK, 4, { from: '192.0.2.201', device })).toEqual([401, 401, 401, 429]);
  });

  it('records each lockout of an account as user.login_throttled and logs it without secrets', async () => {
    freeze();
    const email = 'finance@edgeworks.example';
    const user = await t.store.db
      .selectFrom('users')
      .select(['id', 'vendor_id'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    // The same database under a second app that logs (the harness's app logs nothing).
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const logged = await buildApp({ store: t.store, config: t.ctx.config, clock: t.clock, logger });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await logged.app.inject({
          method: 'POST',
          url: '/api/v1/session',
          payload: { email, password: WRONG },
          remoteAddress: '203.0.113.17',
        });
        codes.push(res.statusCode);
      }
      expect(codes).toEqual([401, 401, 401, 429]);
    } finally {
      await logged.app.close();
    }
    const events = await t.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('type', '=', 'user.login_throttled')
      .where('entity_id', '=', user.id)
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ vendor_id: user.vendor_id, entity_type: 'user' });
    expect(JSON.parse(events[0]!.data!)).toEqual({
      userId: user.id,
      scope: 'address',
      clientAddress: '203.0.113.17',
      failures: 3,
      blockedSeconds: 1,
    });
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.filter((e) => e.msg === 'login lockout')).toEqual([
      expect.objectContaining({ scope: 'address', userId: user.id, clientIp: '203.0.113.17' }),
    ]);
    expect(entries.filter((e) => e.msg === 'login refused: throttled')).toEqual([
      expect.objectContaining({ scope: 'address', retryAfterSeconds: 1 }),
    ]);
    const all = lines.join('\n');
    expect(all).not.toContain(WRONG);
    expect(all).not.toContain(email);
  });

  it("shows lockouts to the tenant's admin only (GET /login-lockouts)", async () => {
    freeze();
    const idOf = async (email: string) =>
      (
        await t.store.db
          .selectFrom('users')
          .select('id')
          .where('email', '=', email)
          .executeTakeFirstOrThrow()
      ).id;
    const locked = [
      'sales@skyline.example',
      'provisioning@skyline.example',
      'sales@northwind.example',
      'buyer@acme.example',
      'buyer@contoso.example',
    ];
    for (const [i, email] of locked.entries()) {
      expect(await fail(t, email, 3, { from: `203.0.113.${40 + i}` })).toEqual([401, 401, 401]);
    }
    const page = await t.as(ADMIN).get('/api/v1/login-lockouts?limit=1');
    expect(page.statusCode, page.body).toBe(200);
    const first = page.json<{ items: Record<string, unknown>[]; nextCursor: string | null }>();
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const rest = await t
      .as(ADMIN)
      .get(`/api/v1/login-lockouts?limit=50&cursor=${first.nextCursor}`);
    const emails = [...first.items, ...rest.json().items].map((i) => i.email);
    expect(emails).toContain('sales@skyline.example');
    expect(emails).toContain('provisioning@skyline.example');
    expect(emails.every((e) => String(e).endsWith('@skyline.example'))).toBe(true);
    expect(first.items[0]).toMatchObject({
      scope: 'address',
      failures: 3,
      blockedSeconds: 1,
      clientAddress: expect.stringMatching(/^203\.0\.113\./),
    });
    // Not an admin: refused.
    expect((await t.as(DESK).get('/api/v1/login-lockouts')).statusCode).toBe(403);
    await expectIsolated(
      t,
      VENDOR_ISOLATION.lockouts ?? [],
      { user: ADMIN, ids: { userId: await idOf('sales@skyline.example') } },
      { user: 'admin@northwind.example', ids: { userId: await idOf('sales@northwind.example') } },
    );
    await expectIsolated(
      t,
      PARTNER_ISOLATION.lockouts ?? [],
      { user: 'buyer@acme.example', ids: { userId: await idOf('buyer@acme.example') } },
      { user: 'buyer@contoso.example', ids: { userId: await idOf('buyer@contoso.example') } },
    );
    const acme = await t.as('buyer@acme.example').get('/api/v1/login-lockouts');
    expect(acme.json().items.map((i: { email: string }) => i.email)).toEqual([
      'buyer@acme.example',
    ]);
  });

  it('forgets stale rows when a lockout begins, but never a block still in force', async () => {
    freeze();
    const old = new Date(epoch - 2 * 86_400_000).toISOString();
    const later = new Date(epoch + 3600_000).toISOString();
    await t.store.db
      .insertInto('login_throttle')
      .values([
        { key: 'pair:gone@x.example|192.0.2.1', failures: 2, window_start: old, updated_at: old },
        {
          key: 'pair:kept@x.example|192.0.2.1',
          failures: 9,
          window_start: old,
          blocked_until: later,
          updated_at: old,
        },
      ])
      .execute();
    expect(await fail(t, DESK, 3, { from: '203.0.113.19' })).toEqual([401, 401, 401]);
    const keys = (await t.store.db.selectFrom('login_throttle').select('key').execute()).map(
      (r) => r.key,
    );
    expect(keys).not.toContain('pair:gone@x.example|192.0.2.1');
    expect(keys).toContain('pair:kept@x.example|192.0.2.1');
    expect(keys).toContain(`pair:${DESK}|203.0.113.19`);
  });

  it('keeps its counts in the database: another process (a restart) sees them', async () => {
    freeze();
    const a = { from: '203.0.113.18' };
    expect(await fail(t, DESK, 3, a)).toEqual([401, 401, 401]);
    const other = await buildApp({ store: t.store, config: t.ctx.config, clock: t.clock });
    try {
      const res = await other.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { email: DESK, password: DEMO_PASSWORD },
        remoteAddress: a.from,
      });
      expect(res.statusCode).toBe(429);
    } finally {
      await other.app.close();
    }
  });
});

describe.each(testDialects())('X-Forwarded-For behind a trusted proxy on %s', (dialect) => {
  let t: TestApp;
  const PROXY = '10.0.0.5';
  beforeAll(async () => {
    t = await createTestApp(dialect, { LOGIN_MAX_FAILURES: 3, TRUSTED_PROXIES: [PROXY] });
    t.clock.set(new Date('2026-07-01T08:00:00Z'), { freeze: true });
  });
  afterAll(async () => {
    await t.close();
  });

  it('takes the client address from X-Forwarded-For sent by the proxy, and only by it', async () => {
    const viaProxy = (client: string) => ({ from: PROXY, xff: client });
    expect(await fail(t, DESK, 3, viaProxy('203.0.113.50'))).toEqual([401, 401, 401]);
    expect((await login(t, DESK, DEMO_PASSWORD, viaProxy('203.0.113.50'))).statusCode).toBe(429);
    // Another client behind the same proxy is another address.
    expect((await login(t, DESK, DEMO_PASSWORD, viaProxy('203.0.113.51'))).statusCode).toBe(200);
    // A connection from elsewhere cannot borrow a header to pass as a fresh client.
    const direct = { from: '198.51.100.7' };
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      codes.push((await login(t, ADMIN, WRONG, { ...direct, xff: `192.0.2.${i}` })).statusCode);
    }
    expect(codes).toEqual([401, 401, 401, 429]);
  });
});

describe('TRUSTED_PROXIES', () => {
  it('takes addresses, CIDR ranges and the proxy-addr keywords, and names a bad entry', () => {
    expect(
      loadConfig({ TRUSTED_PROXIES: '10.0.0.5, 192.168.0.0/16,loopback, ::1' }).TRUSTED_PROXIES,
    ).toEqual(['10.0.0.5', '192.168.0.0/16', 'loopback', '::1']);
    expect(loadConfig({}).TRUSTED_PROXIES).toEqual([]);
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.5,proxy.example' })).toThrow(
      /TRUSTED_PROXIES\.1=.*each entry is an IP address/,
    );
  });
});
