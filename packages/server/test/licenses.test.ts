// Licenses from an OEM partner's licensing server (seed 002), on both databases: registered
// unauthorized; authorized by the License Authorization order that names them (with the
// confirmation mail) and, when pre-bundled, by the weekly job at edgeworks' Monday 09:00 New
// York cron; the report of those still unauthorized as JSON and as CSV with neutralised cells.
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDueJobs } from '@orderdesk/app';
import { testDialects } from '@orderdesk/store/testing';
import { createTestApp, type TestApp } from './harness.ts';
import {
  act,
  findProducts,
  firstCustomerId,
  totalOf,
  type PricedProduct,
} from './scenario-helpers.ts';

const ACME = 'buyer@acme.example';
const CONTOSO = 'buyer@contoso.example';
const NY = 'America/New_York';
const ny = (local: string): Date => DateTime.fromISO(local, { zone: NY }).toJSDate();
const today = new Date().toISOString().slice(0, 10);

interface License {
  licenseId: string;
  authorized: boolean;
  authorizedAt: string | null;
  preBundled: boolean;
  hostId: string | null;
  orderId: string | null;
}

describe.each(testDialects())('licenses on %s', (dialect) => {
  let t: TestApp;
  let customerId: string;
  let license: PricedProduct;
  let device: PricedProduct;
  let po = 0;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    customerId = await firstCustomerId(t, ACME);
    license = (
      await findProducts(t, ACME, 'edgeworks', { type: 'perpetual_license', count: 1 })
    )[0]!;
    device = (await findProducts(t, ACME, 'edgeworks', { type: 'device', count: 1 }))[0]!;
  });
  afterAll(async () => {
    await t.close();
  });

  const register = (user: string, body: unknown) => t.as(user).post('/api/v1/licenses', body);
  const listOf = async (user: string, query: string): Promise<License[]> => {
    const res = await t.as(user).get(`/api/v1/licenses?vendor=edgeworks${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items;
  };

  it('registers self-generated licenses unauthorized, each problem named', async () => {
    const res = await register(ACME, {
      vendor: 'edgeworks',
      licenses: [
        { licenseId: `REG-${dialect}-1`, partNumber: license.partNumber, hostId: 'HOST-A' },
        { licenseId: `REG-${dialect}-2`, partNumber: license.partNumber },
      ],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().licenses).toEqual([
      expect.objectContaining({
        licenseId: `REG-${dialect}-1`,
        authorized: false,
        hostId: 'HOST-A',
      }),
      expect.objectContaining({ licenseId: `REG-${dialect}-2`, authorized: false, hostId: null }),
    ]);
    // Registered again: a conflict; wrong parts and ids: every problem at once.
    const again = await register(ACME, {
      vendor: 'edgeworks',
      licenses: [{ licenseId: `REG-${dialect}-1`, partNumber: license.partNumber }],
    });
    expect(again.statusCode).toBe(409);
    const bad = await register(ACME, {
      vendor: 'edgeworks',
      licenses: [
        { licenseId: 'NEW-1', partNumber: 'NO-SUCH-PART' },
        { licenseId: 'NEW-2', partNumber: device.partNumber },
        { licenseId: 'NEW-2', partNumber: license.partNumber },
      ],
    });
    expect(bad.statusCode, bad.body).toBe(422);
    expect(
      bad.json().errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`),
    ).toEqual([
      'licenses[0].partNumber part_number.unknown',
      'licenses[1].partNumber invalid',
      'licenses[2].licenseId invalid',
    ]);
    const shape = await register(ACME, { vendor: 'edgeworks', licenses: [{ licenseId: '=1+1' }] });
    expect(shape.statusCode).toBe(400);
    expect(
      shape
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['licenses[0].licenseId', 'licenses[0].partNumber']);
    // Vendor staff do not register; a vendor without a licensing server takes none.
    expect(
      (
        await register('desk@edgeworks.example', {
          vendor: 'edgeworks',
          licenses: [{ licenseId: 'X-1', partNumber: license.partNumber }],
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await register(ACME, {
          vendor: 'northwind',
          licenses: [{ licenseId: 'X-1', partNumber: license.partNumber }],
        })
      ).statusCode,
    ).toBe(403);

    // Each partner sees its own; the vendor's staff see all.
    expect((await listOf(ACME, '&authorized=false')).map((l) => l.licenseId)).toEqual(
      expect.arrayContaining([`REG-${dialect}-1`, `REG-${dialect}-2`]),
    );
    expect(await listOf(CONTOSO, '')).toEqual([]);
    expect((await listOf('desk@edgeworks.example', '')).length).toBeGreaterThanOrEqual(2);
    expect(
      (await t.as('desk@northwind.example').get('/api/v1/licenses?vendor=edgeworks')).statusCode,
    ).toBe(404);
  });

  it('authorizes the licenses a License Authorization order names, and mails the confirmation', async () => {
    const ids = [`AUTH-${dialect}-1`, `AUTH-${dialect}-2`];
    const res = await register(ACME, {
      vendor: 'edgeworks',
      licenses: ids.map((licenseId) => ({ licenseId, partNumber: license.partNumber })),
    });
    expect(res.statusCode, res.body).toBe(201);
    const lines = [{ partNumber: license.partNumber, quantity: 2, unitPrice: license.netPrice }];
    const placed = await t.as(ACME).post('/api/v1/orders', {
      vendor: 'edgeworks',
      type: 'license_authorization',
      customerId,
      purchaseOrder: {
        number: `LIC-PO-${dialect}-${++po}`,
        date: today,
        currency: 'USD',
        total: totalOf(lines),
        notes: 'License Authorization Order',
      },
      lines,
      licenseIds: ids,
    });
    expect(placed.statusCode, placed.body).toBe(201);
    let o = placed.json();
    o = await act(t, 'desk@edgeworks.example', o, 'approve', 'booking');
    o = await act(t, 'finance@edgeworks.example', o, 'book', 'provisioning');
    expect((await listOf(ACME, '&authorized=false')).map((l) => l.licenseId)).toEqual(
      expect.arrayContaining(ids),
    );
    o = await act(t, 'provisioning@edgeworks.example', o, 'complete', 'completed');
    const now = await listOf(ACME, '&authorized=true');
    expect(now.map((l) => l.licenseId)).toEqual(expect.arrayContaining(ids));
    // Each names the order that authorized it.
    expect(now.filter((l) => ids.includes(l.licenseId)).map((l) => l.orderId)).toEqual([
      o.id,
      o.id,
    ]);
    expect((await listOf(ACME, '&authorized=false')).map((l) => l.licenseId)).not.toContain(ids[0]);
    const mails = (await t.as(ACME).get(`/api/v1/orders/${o.id}/messages`)).json().items as {
      template: string;
      to: string[];
      subject: string;
      text: string;
    }[];
    // One follow-up mail confirms the authorization (seed 002), in words, not an event key.
    const authorized = mails.filter((m) => m.template === 'licenses_authorized');
    expect(authorized).toHaveLength(1);
    expect(authorized[0]?.subject).toMatch(/: The licenses are authorized$/);
    expect(authorized[0]?.text).not.toContain('license.authorized');
    expect(authorized[0]?.text).toContain('are authorized in the licensing server');
  });

  it('authorizes pre-bundled licenses at the weekly job, once, and not before their slot', async () => {
    // Registered on Tuesday; the cron is Monday 09:00 New York.
    t.clock.set(ny('2027-02-02T10:00'), { freeze: true });
    const ids = [`PB-${dialect}-1`, `PB-${dialect}-2`];
    const res = await register(ACME, {
      vendor: 'edgeworks',
      licenses: [
        ...ids.map((licenseId) => ({
          licenseId,
          partNumber: license.partNumber,
          preBundled: true,
        })),
        { licenseId: `SELF-${dialect}-1`, partNumber: license.partNumber },
      ],
    });
    t.clock.reset();
    expect(res.statusCode, res.body).toBe(201);
    const state = async () =>
      Object.fromEntries(
        (await listOf(ACME, '')).map((l) => [l.licenseId, l.authorizedAt]),
      ) as Record<string, string | null>;

    await runDueJobs(t.ctx, { now: ny('2027-02-08T08:59'), workerId: 'test' });
    expect((await state())[ids[0]!]).toBeNull();
    const [a, b] = await Promise.all([
      runDueJobs(t.ctx, { now: ny('2027-02-08T09:00'), workerId: 'w1' }),
      runDueJobs(t.ctx, { now: ny('2027-02-08T09:00'), workerId: 'w2' }),
    ]);
    const ran = [...a, ...b].filter((r) => r.job === 'licenses.authorize-pre-bundled');
    // Two processes at the same slot: one runs it, the other finds it taken.
    expect(ran.filter((r) => r.outcome === 'ran')).toHaveLength(1);
    expect(ran.map((r) => r.outcome)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(busy|done_already)$/)]),
    );
    let after = await state();
    expect(after[ids[0]!]).toBe(ny('2027-02-08T09:00').toISOString());
    expect(after[ids[1]!]).toBe(ny('2027-02-08T09:00').toISOString());
    // Not pre-bundled: waits for its authorization order.
    expect(after[`SELF-${dialect}-1`]).toBeNull();
    // A later pass changes nothing.
    await runDueJobs(t.ctx, { now: ny('2027-02-08T10:00'), workerId: 'test' });
    after = await state();
    expect(after[ids[0]!]).toBe(ny('2027-02-08T09:00').toISOString());
    const events = await t.store.db
      .selectFrom('audit_events')
      .select('data')
      .where('type', '=', 'license.authorized')
      .execute();
    expect(events.filter((e) => (e.data ?? '').includes(ids[0]!))).toHaveLength(1);
  });

  it('reports the unauthorized licenses as CSV, formulas neutralised', async () => {
    const res = await register(ACME, {
      vendor: 'edgeworks',
      licenses: [
        {
          licenseId: `CSV-${dialect}-1`,
          partNumber: license.partNumber,
          hostId: '=HYPERLINK("x")',
        },
      ],
    });
    expect(res.statusCode, res.body).toBe(201);
    const csv = await t
      .as('desk@edgeworks.example')
      .get('/api/v1/licenses?vendor=edgeworks&authorized=false&format=csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toContain('edgeworks-licenses-unauthorized.csv');
    const rows = csv.body.trim().split('\r\n');
    expect(rows[0]).toBe(
      'licenseId,partNumber,hostId,partnerId,preBundled,orderId,authorized,registeredAt,authorizedAt',
    );
    const row = rows.find((r) => r.startsWith(`"CSV-${dialect}-1"`));
    expect(row).toContain(`"'=HYPERLINK(""x"")"`);
    // Only unauthorized licenses are in the report.
    expect(rows.slice(1).every((r) => r.endsWith(',""'))).toBe(true);
  });
});
