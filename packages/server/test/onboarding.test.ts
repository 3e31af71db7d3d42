// A new vendor from scratch, as a real one would be set up: the CLI creates it from a profile
// file, then everything else happens through the API — no demo seed. The mailbox is the
// user's thread in the messages table (there is no SMTP server in tests).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findUserByEmail,
  listMessages,
  listVendors,
  openStore,
  type Store,
} from '@orderdesk/store';
import { createTestDatabaseUrl, testDialects } from '@orderdesk/store/testing';
import { buildApp } from '../src/app.ts';
import { configSchema } from '../src/config.ts';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;
const bin = join(root, 'packages/cli/bin/orderdesk.js');
const PROFILE = 'packages/server/test/fixtures/brightline.yaml';

interface Client {
  authorization: string;
  get(url: string): Promise<LightMyRequestResponse>;
  post(
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
}

describe.each(testDialects())('onboarding a new vendor on %s', (dialect) => {
  let dir: string;
  let url: string;
  let store: Store;
  let app: FastifyInstance;
  let cliOutput = '';

  /** The secret of the link in a user's invitation mail. */
  async function mailedLinkOf(email: string): Promise<string> {
    const user = await findUserByEmail(store.db, email);
    const mails = await listMessages(store.db, { entityType: 'user', entityId: user?.id ?? '' });
    expect(mails.at(-1)?.to_addrs).toContain(email);
    const match = /\/invitations\/(\S+)/.exec(mails.at(-1)?.text ?? '');
    if (!match?.[1]) throw new Error(`no invitation mail for ${email}`);
    return match[1];
  }

  function client(token: string): Client {
    const authorization = `Bearer ${token}`;
    return {
      authorization,
      get: (path) => app.inject({ method: 'GET', url: path, headers: { authorization } }),
      post: (path, body, headers = {}) =>
        app.inject({
          method: 'POST',
          url: path,
          payload: body as string,
          headers: { authorization, ...headers },
        }),
    };
  }

  /** Accepts the invitation, logs in as a browser would, and takes an API token. */
  async function onboard(email: string, secret: string): Promise<Client> {
    const password = `${email} has a long password`;
    const accepted = await app.inject({
      method: 'POST',
      url: `/api/v1/invitations/${secret}`,
      payload: { password },
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email, password },
    });
    expect(login.statusCode, login.body).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0] ?? '';
    const token = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { name: 'onboarding' },
      headers: { cookie, 'x-csrf-token': login.json<{ csrfToken: string }>().csrfToken },
    });
    expect(token.statusCode, token.body).toBe(201);
    return client(token.json<{ token: string }>().token);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orderdesk-onboarding-'));
    url = await createTestDatabaseUrl(dialect, join(dir, 'onboarding.db'));
    const { stdout } = await run(
      'node',
      [
        bin,
        'vendor',
        'create',
        '--slug',
        'brightline',
        '--name',
        'Brightline Software',
        '--profile',
        PROFILE,
        '--admin',
        'boss@brightline.example',
      ],
      { cwd: root, env: { ...process.env, DATABASE_URL: url, PUBLIC_URL: 'https://desk.example' } },
    );
    cliOutput = stdout;
    store = openStore(url);
    const config = { ...configSchema.parse({}), DATABASE_URL: url };
    ({ app } = await buildApp({ store, config }));
    await app.ready();
  }, 120_000);

  afterAll(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sets up the vendor, its staff and a partner, then takes an order to completion', async () => {
    // The CLI made the vendor and printed its admin's single-use link; nothing else exists.
    expect(cliOutput).toContain('Created vendor brightline (Brightline Software)');
    const link = /https:\/\/desk\.example\/invitations\/(\S+)/.exec(cliOutput)?.[1];
    expect(link).toBeTruthy();
    expect((await listVendors(store.db, {})).map((v) => v.slug)).toEqual(['brightline']);
    // The link opens a page that sets the password.
    const page = await app.inject({ method: 'GET', url: `/invitations/${link}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('/api/v1/invitations/');
    const boss = await onboard('boss@brightline.example', link ?? '');
    const again = await app.inject({
      method: 'POST',
      url: `/api/v1/invitations/${link}`,
      payload: { password: 'a second try at this' },
    });
    expect(again.statusCode).toBe(404);

    // The admin uploads a price list and invites the staff.
    const csv = [
      'partNumber,name,type,category,listPrice',
      'BL-SEAT-1Y,Brightline seat (1 year),subscription,Software,120.00',
      'BL-ONBOARD,Onboarding workshop,service,Services,950.00',
      '',
    ].join('\n');
    const priceList = await boss.post('/api/v1/vendors/brightline/price-lists', csv, {
      'content-type': 'text/csv',
    });
    expect(priceList.statusCode, priceList.body).toBe(201);

    const staff: Record<string, Client> = {};
    for (const [local, role] of [
      ['cam', 'cam'],
      ['desk', 'order_desk'],
      ['finance', 'finance'],
      ['provisioning', 'provisioning'],
    ] as const) {
      const email = `${local}@brightline.example`;
      const invited = await boss.post('/api/v1/users', {
        email,
        name: `Bright ${local}`,
        roles: [role],
      });
      expect(invited.statusCode, invited.body).toBe(201);
      // This server sends no mail (no SMTP_URL): the answer shows the admin the mailed link.
      const secret = await mailedLinkOf(email);
      expect(invited.json().invitation.link).toBe(`http://localhost:3000/invitations/${secret}`);
      staff[role] = await onboard(email, secret);
    }
    const users = await boss.get('/api/v1/users');
    expect(users.json<{ items: { status: string }[] }>().items.map((u) => u.status)).toEqual(
      Array(5).fill('active'),
    );

    // A partner with its partnership, and its admin by invitation.
    const partner = await boss.post('/api/v1/partners', {
      name: 'Lumen Partners',
      tier: 1,
      legalName: 'Lumen Partners GmbH',
      agreementDate: '2026-01-15',
      multiplier: '0.80',
      camEmail: 'cam@brightline.example',
      invoicingContact: { name: 'Lumen AP', email: 'ap@lumen.example' },
      provisioningCc: 'ops@lumen.example',
      admin: { email: 'admin@lumen.example', name: 'Lumen Admin' },
    });
    expect(partner.statusCode, partner.body).toBe(201);
    const lumenSecret = await mailedLinkOf('admin@lumen.example');
    expect(partner.json().admin.invitation.link).toBe(
      `http://localhost:3000/invitations/${lumenSecret}`,
    );
    const lumen = await onboard('admin@lumen.example', lumenSecret);
    const partnerships = await lumen.get('/api/v1/partnerships');
    expect(partnerships.json().items).toEqual([
      expect.objectContaining({
        vendor: 'brightline',
        cam: expect.objectContaining({ email: 'cam@brightline.example' }),
      }),
    ]);

    // The admin publishes version 2 of the profile: the partner is also told of approval.
    const source = await boss.get('/api/v1/vendors/brightline/profile/source');
    expect(source.json()).toMatchObject({ version: 1, format: 'yaml' });
    const v2 = `${source.json<{ source: string }>().source}  - event: order.approved\n    to: [partner]\n`;
    const published = await app.inject({
      method: 'PUT',
      url: '/api/v1/vendors/brightline/profile',
      payload: v2,
      headers: { authorization: boss.authorization, 'content-type': 'application/yaml' },
    });
    expect(published.statusCode, published.body).toBe(200);
    expect(published.json()).toEqual({ version: 2 });

    // The partner admin creates its customer and orders at its net prices.
    const customer = await lumen.post('/api/v1/customers', {
      name: 'Initech',
      domains: ['initech.example'],
    });
    expect(customer.statusCode, customer.body).toBe(201);
    const prices = await lumen.get(
      '/api/v1/prices?vendor=brightline&partNumbers=BL-SEAT-1Y,BL-ONBOARD',
    );
    expect(prices.statusCode, prices.body).toBe(200);
    const net = new Map(
      prices
        .json<{ items: { partNumber: string; netPrice: string }[] }>()
        .items.map((p) => [p.partNumber, p.netPrice]),
    );
    expect(net.get('BL-SEAT-1Y')).toBe('96.00');
    const lines = [
      { partNumber: 'BL-SEAT-1Y', quantity: 25, unitPrice: net.get('BL-SEAT-1Y') },
      { partNumber: 'BL-ONBOARD', quantity: 1, unitPrice: net.get('BL-ONBOARD') },
    ];
    const submitted = await lumen.post(
      '/api/v1/orders',
      {
        vendor: 'brightline',
        type: 'new',
        customerId: customer.json<{ id: string }>().id,
        purchaseOrder: {
          number: 'LUMEN-PO-0001',
          date: new Date().toISOString().slice(0, 10),
          currency: 'USD',
          total: '3160.00',
        },
        contacts: { siteAdmin: { name: 'Initech IT', email: 'it@initech.example' } },
        lines,
      },
      { 'idempotency-key': 'lumen-po-0001' },
    );
    expect(submitted.statusCode, submitted.body).toBe(201);
    let order = submitted.json<{ id: string; number: string; version: number; status: string }>();
    expect(order.number).toMatch(/^BL-\d{6}$/);
    expect(submitted.json()).toMatchObject({ profileVersion: 2 });

    // The staff take it through the default workflow.
    const act = async (who: Client, action: string, status: string): Promise<void> => {
      const res = await who.post(
        `/api/v1/orders/${order.id}/actions/${action}`,
        {},
        {
          'if-match': String(order.version),
        },
      );
      expect(res.statusCode, `${action}: ${res.body}`).toBe(200);
      order = res.json();
      expect(order.status).toBe(status);
    };
    await act(staff.order_desk as Client, 'approve', 'booking');
    await act(staff.finance as Client, 'book', 'provisioning');
    expect(order).toMatchObject({ salesOrderNumber: expect.stringMatching(/^BLS-/) });
    await act(staff.provisioning as Client, 'complete', 'completed');

    const events = await lumen.get(`/api/v1/orders/${order.id}/events`);
    expect(events.json<{ items: { type: string }[] }>().items.map((e) => e.type)).toEqual([
      'order.submitted',
      'order.approved',
      'order.booked',
      'order.completed',
    ]);
    // The profile's notifications reached the partner admin, copying the CAM.
    const thread = await lumen.get(`/api/v1/orders/${order.id}/messages`);
    const mails = thread.json<{ items: { to: string[]; cc: string[] }[] }>().items;
    expect(mails[0]).toMatchObject({ to: ['admin@lumen.example'], cc: ['cam@brightline.example'] });
    // submitted, approved (added in version 2), completed
    expect(mails).toHaveLength(3);
  });
});

describe('orderdesk vendor create refusing bad input', () => {
  it('prints file:line:column path: message per profile error, exits 1 and creates nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orderdesk-vendor-create-'));
    try {
      const url = `sqlite:${join(dir, 'v.db')}`;
      const bad = join(dir, 'bad.yaml');
      writeFileSync(
        bad,
        readFileSync(join(root, PROFILE), 'utf8')
          .replace('quote: not_applicable', 'quote: sometimes')
          .replace('currency: USD', 'currency: dollars'),
      );
      const args = [
        'vendor',
        'create',
        '--slug',
        'brightline',
        '--name',
        'B',
        '--admin',
        'a@b.example',
      ];
      const failed = await run('node', [bin, ...args, '--profile', bad], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: url },
      }).catch((error: unknown) => error as { code: number; stderr: string });
      expect('code' in failed && failed.code).toBe(1);
      const lines = (failed as { stderr: string }).stderr.trim().split('\n');
      expect(lines).toContainEqual(expect.stringMatching(/bad\.yaml:\d+:\d+ currency: /));
      expect(lines).toContainEqual(
        expect.stringMatching(/bad\.yaml:\d+:5 orderTypes\[0\]\.quote: /),
      );

      const store = openStore(url);
      try {
        expect(await listVendors(store.db, {})).toEqual([]);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
