// `orderdesk jobs run --now` as a user runs it: real child processes against one real database.
// An order booked on a Friday before a Monday holiday is invoiced by the run at Tuesday 00:00
// in New York and not by the run a minute earlier; two processes started at once issue one
// invoice between them (PostgreSQL and a SQLite file alike), and a further run issues nothing.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  actOnOrder,
  actorFromUser,
  priceParts,
  seedDemo,
  SettableClock,
  submitOrder,
  type AppContext,
} from '@orderdesk/app';
import { businessCalendar, isBusinessDate } from '@orderdesk/core';
import { loadConfig } from '@orderdesk/server';
import { findUserByEmail, migrateToLatest, openStore, type Store } from '@orderdesk/store';
import { createTestDatabaseUrl, testDialects } from '@orderdesk/store/testing';
import { cliAppContext } from './commands/shared.ts';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;
const bin = join(root, 'packages/cli/bin/orderdesk.js');
const NY = 'America/New_York';

async function jobsRun(
  url: string,
  now: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run('node', [bin, 'jobs', 'run', '--now', now], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function fridayBeforeMondayHoliday(): { friday: string; tuesday: string } {
  const calendar = businessCalendar({ timeZone: NY, holidays: { country: 'US' } });
  let day = DateTime.now().setZone(NY).startOf('day').plus({ days: 7 });
  for (let i = 0; i < 800; i++, day = day.plus({ days: 1 })) {
    if (day.weekday !== 5) continue;
    const monday = day.plus({ days: 3 }).toISODate()!;
    const tuesday = day.plus({ days: 4 }).toISODate()!;
    if (!isBusinessDate(calendar, monday) && isBusinessDate(calendar, tuesday)) {
      return { friday: day.toISODate()!, tuesday };
    }
  }
  throw new Error('no Friday before a Monday holiday within two years');
}

describe.each(testDialects())('orderdesk jobs run on %s', (dialect) => {
  let dir: string;
  let url: string;
  let store: Store;
  let ctx: AppContext;
  let orderId: string;
  const { friday, tuesday } = fridayBeforeMondayHoliday();
  const tuesdayStart = DateTime.fromISO(`${tuesday}T00:00`, { zone: NY }).toUTC().toISO()!;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'od-jobs-'));
    url = await createTestDatabaseUrl(dialect, join(dir, 'orderdesk.db'));
    store = openStore(url);
    await migrateToLatest(store);
    await store.db.transaction().execute((tx) => seedDemo(tx, 'demo', new Date()));
    const clock = new SettableClock();
    ctx = {
      ...cliAppContext(store, loadConfig({ DATABASE_URL: url })),
      clock,
      now: () => clock.now(),
    };
    orderId = await bookedOrder('JOBS-PO-1');
  });

  /** An edgeworks device order of Acme's, booked on the Friday (the app's clock set there). */
  async function bookedOrder(po: string): Promise<string> {
    const actor = async (email: string) =>
      actorFromUser(store.db, (await findUserByEmail(store.db, email))!, 'token');
    const buyer = await actor('buyer@acme.example');
    const device = await store.db
      .selectFrom('products as p')
      .innerJoin('vendors as v', 'v.id', 'p.vendor_id')
      .select('p.part_number')
      .where('v.slug', '=', 'edgeworks')
      .where('p.type', '=', 'device')
      .where('p.active', '=', 1)
      .orderBy('p.part_number')
      .executeTakeFirstOrThrow();
    const price = await priceParts(ctx, buyer, {
      vendor: 'edgeworks',
      partNumbers: device.part_number,
    });
    const unitPrice = price.items[0]!.netPrice;
    const customer = await store.db
      .selectFrom('customers')
      .select('id')
      .where('partner_id', '=', buyer.partnerId!)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    (ctx.clock as SettableClock).set(DateTime.fromISO(`${friday}T16:30`, { zone: NY }).toJSDate());
    const order = await submitOrder(ctx, buyer, {
      vendor: 'edgeworks',
      type: 'device',
      customerId: customer.id,
      purchaseOrder: {
        number: po,
        date: new Date().toISOString().slice(0, 10),
        currency: 'USD',
        total: unitPrice,
      },
      lines: [{ partNumber: device.part_number, quantity: 1, unitPrice }],
      shippingAddress: {
        name: 'Receiving',
        line1: '500 Dock Rd',
        city: 'Austin',
        region: 'TX',
        postalCode: '78701',
        country: 'US',
        taxId: 'US-12-3456789',
        confirmed: true,
      },
    });
    await actOnOrder(ctx, await actor('desk@edgeworks.example'), {
      orderId: order.id,
      action: 'approve',
      body: {},
    });
    await actOnOrder(ctx, await actor('finance@edgeworks.example'), {
      orderId: order.id,
      action: 'book',
      body: {},
    });
    return order.id;
  }

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const invoices = () =>
    store.db
      .selectFrom('invoices')
      .select(['number', 'issue_date'])
      .where('order_id', '=', orderId)
      .execute();

  it('issues the invoice at Tuesday 00:00 New York time, once, with two processes at once', async () => {
    const early = await jobsRun(url, DateTime.fromISO(tuesdayStart).minus({ minutes: 1 }).toISO()!);
    expect(early.code, early.stderr).toBe(0);
    expect(early.stdout).toContain('invoices.issue-due');
    expect(early.stdout).toContain('issued 0');
    expect(await invoices()).toEqual([]);

    const [a, b] = await Promise.all([jobsRun(url, tuesdayStart), jobsRun(url, tuesdayStart)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(await invoices()).toEqual([
      { number: expect.stringMatching(/^EW-INV-\d{6}$/), issue_date: tuesday },
    ]);
    // One of the two ran the slot; the other found it running or done.
    expect(`${a.stdout}\n${b.stdout}`).toMatch(/issued 1/);
    expect(`${a.stdout}\n${b.stdout}`).toMatch(
      /already done for this slot|running in another process|issued 0/,
    );

    const again = await jobsRun(url, DateTime.fromISO(tuesdayStart).plus({ hours: 1 }).toISO()!);
    expect(again.stdout).toContain('issued 0');
    expect(await invoices()).toHaveLength(1);
  });

  it('issues one invoice when two processes run different slots at once', async () => {
    const second = await bookedOrder('JOBS-PO-2');
    const at = DateTime.fromISO(tuesdayStart).plus({ hours: 2 });
    const [a, b] = await Promise.all([
      jobsRun(url, at.toISO()!),
      jobsRun(url, at.plus({ minutes: 1 }).toISO()!),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const rows = await store.db
      .selectFrom('invoices')
      .select('number')
      .where('order_id', '=', second)
      .execute();
    expect(rows).toHaveLength(1);
    // Gapless: the next number after the first order's.
    const [first] = await invoices();
    const seq = (n: string) => Number(n.replace(/\D/g, ''));
    expect(seq(rows[0]!.number)).toBe(seq(first!.number) + 1);
  });

  it('refuses a --now that is not an instant', async () => {
    const bad = await jobsRun(url, 'next tuesday');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--now');
  });
});
