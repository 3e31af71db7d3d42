// An invoice the scheduler cannot issue reaches people, once per reason: the invoice job records
// `invoice.failed` on the order's timeline (vendor staff see it, the partner does not) and the
// profile's rule mails the vendor's finance users the order number and the reason, through the
// outbox to a real SMTP server. The same failure on the next runs records and mails nothing
// more; another reason does; the other orders of the batch are invoiced meanwhile. The failure
// is real: an order line whose amount the invoice cannot carry, written through the store.
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDueJobs, type JobPassResult } from '@orderdesk/app';
import { listMessages } from '@orderdesk/store';
import { testDialects } from '@orderdesk/store/testing';
import { configSchema } from '../src/config.ts';
import { mailWorkerSettings, startMailWorker } from '../src/mail/mail-worker.ts';
import { createSmtpTransport } from '../src/mail/smtp-transport.ts';
import { createTestApp, type TestApp } from './harness.ts';
import { act, deviceOrderBody, findProducts, firstCustomerId } from './scenario-helpers.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';

const ACME = 'buyer@acme.example';
const FINANCE = 'finance@edgeworks.example';
const DESK = 'desk@edgeworks.example';
const today = new Date().toISOString().slice(0, 10);

interface TimelineEvent {
  at: string;
  actor: string;
  type: string;
  reason?: string;
  data?: Record<string, unknown>;
}

describe.each(testDialects())('an invoice that cannot be issued, on %s', (dialect) => {
  let t: TestApp;
  let sink: SmtpSink;
  let po = 0;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  /** One pass of every job at `at`: the invoice job's outcome. */
  const jobs = async (at: Date): Promise<JobPassResult> => {
    const results = await runDueJobs(t.ctx, { now: at, workerId: `test-${dialect}` });
    const invoices = results.find((r) => r.job === 'invoices.issue-due');
    if (!invoices) throw new Error('the invoice job did not run');
    return invoices;
  };

  /** An edgeworks device order of Acme's, approved and booked now. */
  async function bookedDeviceOrder(customerId: string) {
    const [device] = await findProducts(t, ACME, 'edgeworks', { type: 'device', count: 1 });
    const { body } = deviceOrderBody(device!, customerId, `FAIL-PO-${++po}`, { date: today });
    const res = await t.as(ACME).post('/api/v1/orders', body);
    expect(res.statusCode, res.body).toBe(201);
    let o = res.json<{ id: string; version: number; number: string }>();
    o = { ...o, ...(await act(t, DESK, o, 'approve', 'booking')) };
    o = { ...o, ...(await act(t, FINANCE, o, 'book', 'provisioning')) };
    return o;
  }

  const invoicesOf = async (orderId: string): Promise<unknown[]> => {
    const res = await t.as(FINANCE).get(`/api/v1/invoices?orderId=${orderId}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items;
  };
  /** The whole timeline as `user` sees it, read `limit` events a page. */
  const timelineAs = async (user: string, orderId: string, limit = 100) => {
    const items: TimelineEvent[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url = `/api/v1/orders/${orderId}/events?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await t.as(user).get(url);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json<{ items: TimelineEvent[]; nextCursor: string | null }>();
      items.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    return { items, pages };
  };
  const failuresAs = async (user: string, orderId: string) =>
    (await timelineAs(user, orderId)).items.filter((e) => e.type === 'invoice.failed');
  const financeMails = async (orderId: string) =>
    (await listMessages(t.store.db, { entityType: 'order', entityId: orderId })).filter(
      (m) => m.template === 'invoice_failed',
    );
  /** Makes issuing the order's invoice throw: a line amount beyond the safe-integer range. */
  const breakLines = (orderId: string, quantity: number) =>
    t.store.db
      .updateTable('order_lines')
      .set({ unit_price_minor: Number.MAX_SAFE_INTEGER, quantity })
      .where('order_id', '=', orderId)
      .execute();

  it('records invoice.failed once per reason, mails finance, hides it from the partner, and invoices the rest', async () => {
    const customerId = await firstCustomerId(t, ACME);
    const good = await bookedDeviceOrder(customerId);
    const bad = await bookedDeviceOrder(customerId);
    const alsoGood = await bookedDeviceOrder(customerId);
    const [line] = await t.store.db
      .selectFrom('order_lines')
      .select(['unit_price_minor', 'quantity'])
      .where('order_id', '=', bad.id)
      .execute();
    await breakLines(bad.id, 2);
    const reason = `${Number.MAX_SAFE_INTEGER} × 2 is beyond the safe range`;

    // Two runs of the job (two slots, a minute apart), both past the invoice's due day.
    const due = DateTime.now().plus({ days: 30 });
    const first = await jobs(due.toJSDate());
    expect(first).toMatchObject({ outcome: 'ran', summary: { failed: 1, failuresRecorded: 1 } });
    expect(first.summary!.issued).toBeGreaterThanOrEqual(2);
    const second = await jobs(due.plus({ minutes: 1 }).toJSDate());
    expect(second).toMatchObject({
      outcome: 'ran',
      summary: { issued: 0, failed: 1, failuresRecorded: 0 },
    });

    // The other orders of the batch were invoiced; the broken one was not.
    expect(await invoicesOf(good.id)).toHaveLength(1);
    expect(await invoicesOf(alsoGood.id)).toHaveLength(1);
    expect(await invoicesOf(bad.id)).toEqual([]);

    // One event after two runs, with the message, on the timeline vendor staff read.
    for (const user of [FINANCE, DESK]) {
      expect(await failuresAs(user, bad.id), user).toEqual([
        {
          at: due.toJSDate().toISOString(),
          actor: 'system',
          type: 'invoice.failed',
          reason,
          data: {
            orderId: bad.id,
            number: bad.number,
            orderType: 'device',
            message: reason,
          },
        },
      ]);
    }
    // Not the partner's business: not on its timeline, whatever the page size, and every page
    // of it full but the last.
    const partner = await timelineAs(ACME, bad.id);
    expect(partner.items.map((e) => e.type)).not.toContain('invoice.failed');
    const staff = await timelineAs(DESK, bad.id);
    expect(partner.items).toEqual(staff.items.filter((e) => e.type !== 'invoice.failed'));
    const paged = await timelineAs(ACME, bad.id, 1);
    expect(paged.items).toEqual(partner.items);
    expect(paged.pages).toBe(partner.items.length);

    // Finance is mailed once, on the order's thread, with the order number and the reason;
    // the partner's view of the thread does not show it.
    const [mail, ...more] = await financeMails(bad.id);
    expect(more).toEqual([]);
    expect(mail).toMatchObject({ direction: 'out', status: 'queued' });
    expect(JSON.parse(mail!.to_addrs)).toEqual([FINANCE]);
    expect(mail!.subject).toContain(bad.number);
    expect(mail!.text).toContain(bad.number);
    expect(mail!.text).toContain(`Reason: ${reason}`);
    const partnerThread = (await t.as(ACME).get(`/api/v1/orders/${bad.id}/messages`)).json()
      .items as { template: string | null }[];
    expect(partnerThread.map((m) => m.template)).not.toContain('invoice_failed');
    const financeThread = (await t.as(FINANCE).get(`/api/v1/orders/${bad.id}/messages`)).json()
      .items as { template: string | null }[];
    expect(financeThread.map((m) => m.template)).toContain('invoice_failed');

    // Sent through the outbox to the SMTP server, as finance receives it (the worker's clock
    // at the job's instant, when the mail was written).
    const config = { ...configSchema.parse({}), SMTP_URL: sink.url, SMTP_TIMEOUT_MS: 5000 };
    const worker = startMailWorker(t.ctx, config, {
      autoStart: false,
      settings: mailWorkerSettings(config, createSmtpTransport(sink.url, { timeoutMs: 5000 })),
    });
    t.clock.set(due.plus({ minutes: 1, seconds: 30 }).toJSDate());
    try {
      while ((await worker.drainNow()).claimed > 0);
    } finally {
      t.clock.reset();
      await worker.stop();
    }
    const received = sink.received.filter((r) => r.headers['message-id'] === mail!.message_id);
    expect(received).toHaveLength(1);
    expect(received[0]!.rcptTo).toEqual([FINANCE]);
    expect(received[0]!.headers.subject).toContain(bad.number);
    expect(received[0]!.text).toContain(`Reason: ${reason}`);

    // Another reason is news: recorded and mailed again, once.
    await breakLines(bad.id, 3);
    const other = `${Number.MAX_SAFE_INTEGER} × 3 is beyond the safe range`;
    await jobs(due.plus({ minutes: 2 }).toJSDate());
    await jobs(due.plus({ minutes: 3 }).toJSDate());
    expect((await failuresAs(FINANCE, bad.id)).map((e) => e.reason)).toEqual([reason, other]);
    expect((await financeMails(bad.id)).map((m) => m.text.includes(`Reason: ${other}`))).toEqual([
      false,
      true,
    ]);

    // Once the data is put right, the next run issues the invoice and records no failure.
    await t.store.db
      .updateTable('order_lines')
      .set({ unit_price_minor: line!.unit_price_minor, quantity: line!.quantity })
      .where('order_id', '=', bad.id)
      .execute();
    const mended = await jobs(due.plus({ minutes: 4 }).toJSDate());
    expect(mended.summary).toMatchObject({ issued: 1, failed: 0 });
    expect(await invoicesOf(bad.id)).toHaveLength(1);
    expect(await failuresAs(FINANCE, bad.id)).toHaveLength(2);
  }, 120_000);
});
