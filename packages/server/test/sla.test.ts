// SLA clocks, breaches and escalations (issue 11 points 4–5), on both databases: edgeworks
// promises acknowledgment within 24 business hours and fulfilment within 2 business days on
// its New York calendar (weekends and US holidays off). Time travels with the app's clock (for
// submission and GET /sla) and with runDueJobs' `now` (what `orderdesk jobs run --now` does).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDueJobs } from '@orderdesk/app';
import { testDialects } from '@orderdesk/store/testing';
import { createTestApp, type TestApp } from './harness.ts';
import { act, deviceOrderBody, findProducts, firstCustomerId } from './scenario-helpers.ts';

const ACME = 'buyer@acme.example';
const DESK = 'desk@edgeworks.example';
const CAM = 'cam@edgeworks.example';
const NY = 'America/New_York';
const ny = (local: string): Date => DateTime.fromISO(local, { zone: NY }).toJSDate();
// A Friday with an ordinary Monday after it (no US holiday), well after the demo data.
const FRIDAY = '2027-01-08';

interface TimelineEvent {
  type: string;
  at: string;
  actor: string;
  reason?: string;
  data?: { target?: string; to?: string[] };
}
interface Message {
  id: string;
  template: string | null;
  to: string[];
  subject: string;
  text: string;
}

describe.each(testDialects())('SLA clocks and escalations on %s', (dialect) => {
  let t: TestApp;
  let dir: string;
  let customerId: string;
  let po = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orderdesk-sla-'));
    t = await createTestApp(dialect, { DOCUMENTS_DIR: dir });
    customerId = await firstCustomerId(t, ACME);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const jobs = (at: Date, workerId = 'test') => runDueJobs(t.ctx, { now: at, workerId });
  const eventsOf = async (user: string, id: string): Promise<TimelineEvent[]> =>
    (await t.as(user).get(`/api/v1/orders/${id}/events`)).json().items;
  const messagesOf = async (id: string): Promise<Message[]> => {
    const res = await t.as(DESK).get(`/api/v1/orders/${id}/messages`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items;
  };

  /** An edgeworks device order submitted by Acme at `at`. */
  async function submittedAt(at: Date) {
    const [device] = await findProducts(t, ACME, 'edgeworks', { type: 'device', count: 1 });
    const { body } = deviceOrderBody(device!, customerId, `SLA-PO-${dialect}-${++po}`, {
      quantity: 1,
      date: DateTime.fromJSDate(at, { zone: NY }).toISODate() ?? undefined,
    });
    t.clock.set(at, { freeze: true });
    try {
      const res = await t.as(ACME).post('/api/v1/orders', body);
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ id: string; version: number; sla: Record<string, unknown> }>();
    } finally {
      t.clock.reset();
    }
  }

  it('counts a breach over a weekend in business hours, records it once and escalates to the CAM, then the escalation contact', async () => {
    const order = await submittedAt(ny(`${FRIDAY}T16:00`));
    // 24 business hours from Friday 16:00 is Monday 16:00 (the weekend does not count);
    // two business days is Tuesday 16:00.
    expect(order.sla).toEqual({
      acknowledgeBy: ny('2027-01-11T16:00').toISOString(),
      fulfilBy: ny('2027-01-12T16:00').toISOString(),
      breaches: [],
    });

    // Monday 15:59: 71 wall-clock hours later, but 23:59 business hours — no breach.
    await jobs(ny('2027-01-11T15:59'));
    const breachesOf = async () =>
      (await eventsOf(ACME, order.id)).filter((e) => e.type === 'sla.breached');
    expect(await breachesOf()).toEqual([]);

    // GET /sla on Monday morning: the order is open and due today, not yet overdue.
    t.clock.set(ny('2027-01-11T10:00'), { freeze: true });
    const monday = await t.as(DESK).get('/api/v1/sla?vendor=edgeworks');
    t.clock.reset();
    expect(monday.statusCode, monday.body).toBe(200);
    const mondayBody = monday.json();
    expect(mondayBody).toMatchObject({ vendor: 'edgeworks', timeZone: NY, today: '2027-01-11' });
    expect(mondayBody.stages.acknowledge.dueToday).toBeGreaterThanOrEqual(1);
    expect(mondayBody.overdue.map((o: { id: string }) => o.id)).not.toContain(order.id);

    // Monday 16:01: breached. Two passes at the same instant and a later one: one event.
    const breachAt = ny('2027-01-11T16:01');
    const [first] = await Promise.all([jobs(breachAt, 'worker-a'), jobs(breachAt, 'worker-b')]);
    expect(first.find((r) => r.job === 'sla.check-breaches')).toBeDefined();
    await jobs(ny('2027-01-11T16:30'));
    const breaches = await breachesOf();
    expect(breaches).toHaveLength(1);
    expect(breaches[0]).toMatchObject({
      actor: 'system',
      data: { target: 'acknowledge', dueAt: ny('2027-01-11T16:00').toISOString() },
    });
    const view = (await t.as(ACME).get(`/api/v1/orders/${order.id}`)).json();
    expect(view.sla.breaches).toEqual(['acknowledge']);
    expect(view.sla.acknowledgedAt).toBeUndefined();

    t.clock.set(ny('2027-01-11T17:00'), { freeze: true });
    const overdue = (await t.as(DESK).get('/api/v1/sla')).json();
    t.clock.reset();
    expect(overdue.overdue.map((o: { id: string }) => o.id)).toContain(order.id);
    expect(overdue.stages.acknowledge.overdue).toBeGreaterThanOrEqual(1);

    // The breach escalated automatically: on the timeline, and mailed to the CAM only.
    const raised = (await eventsOf(ACME, order.id)).filter((e) => e.type === 'escalation.raised');
    expect(raised).toHaveLength(1);
    let mails = await messagesOf(order.id);
    expect(mails.filter((m) => m.template === 'escalation_cam')).toEqual([
      expect.objectContaining({ to: [CAM], subject: expect.stringContaining('Escalation') }),
    ]);
    // The CAM reads the deadline in the vendor's time, not as an ISO instant.
    expect(mails.find((m) => m.template === 'escalation_cam')!.text).toContain(
      'Please act on the order by Tuesday, 12 January 2027, 00:01 (America/New_York)',
    );
    expect(mails.filter((m) => m.template === 'escalation_contact')).toEqual([]);

    // The CAM's window is 8 business hours (the default): Monday 16:01 → Tuesday 00:01.
    await jobs(ny('2027-01-11T23:59'));
    expect((await messagesOf(order.id)).filter((m) => m.template === 'escalation_contact')).toEqual(
      [],
    );
    await jobs(ny('2027-01-12T00:05'));
    await jobs(ny('2027-01-12T00:10'));
    mails = await messagesOf(order.id);
    expect(mails.filter((m) => m.template === 'escalation_contact')).toEqual([
      expect.objectContaining({ to: ['orders@edgeworks.example'] }),
    ]);
    const forwarded = (await eventsOf(ACME, order.id)).filter(
      (e) => e.type === 'escalation.forwarded',
    );
    expect(forwarded).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({ to: ['orders@edgeworks.example'] }),
      }),
    ]);
    // The mails are queued for the mail worker (outbox), one row each.
    const outbox = await t.store.db
      .selectFrom('outbox')
      .select('payload')
      .where('entity_id', '=', order.id)
      .execute();
    expect(outbox.filter((r) => r.payload.includes('"messageId"')).length).toBeGreaterThanOrEqual(
      2,
    );
  });

  it('meets the SLA when the vendor acts in time, and shows when it was acknowledged', async () => {
    const order = await submittedAt(ny(`${FRIDAY}T10:00`));
    t.clock.set(ny('2027-01-11T09:00'), { freeze: true });
    let o = await act(t, DESK, order, 'approve', 'booking');
    t.clock.reset();
    const view = (await t.as(ACME).get(`/api/v1/orders/${o.id}`)).json();
    expect(view.sla.acknowledgedAt).toBe(ny('2027-01-11T09:00').toISOString());
    // The action's answer is the same view as the order's GET, acknowledgment included.
    expect(o.sla).toEqual(view.sla);
    await jobs(ny('2027-01-11T10:30'));
    const after = (await t.as(ACME).get(`/api/v1/orders/${o.id}`)).json();
    expect(after.sla).toMatchObject({
      acknowledgedAt: ny('2027-01-11T09:00').toISOString(),
      breaches: [],
    });
    expect((await eventsOf(ACME, o.id)).map((e) => e.type)).not.toContain('sla.breached');
    // Completed on Tuesday before 10:00 (due Tuesday 10:00): fulfilled in time.
    t.clock.set(ny('2027-01-12T09:00'), { freeze: true });
    o = await act(t, 'finance@edgeworks.example', o, 'book', 'provisioning');
    expect(o.sla.acknowledgedAt).toBe(ny('2027-01-11T09:00').toISOString());
    o = await act(t, 'provisioning@edgeworks.example', o, 'complete', 'completed');
    t.clock.reset();
    await jobs(ny('2027-01-12T11:00'));
    const done = (await t.as(ACME).get(`/api/v1/orders/${o.id}`)).json();
    expect(done.sla).toMatchObject({ fulfilledAt: done.completedAt, breaches: [] });
  });

  it('lets the partner escalate, mailing the CAM; refuses vendor staff and strangers', async () => {
    const order = await submittedAt(ny(`${FRIDAY}T11:00`));
    const res = await t
      .as(ACME)
      .post(`/api/v1/orders/${order.id}/escalations`, { reason: 'Our customer is waiting' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      orderId: order.id,
      source: 'partner',
      status: 'awaiting_cam',
      camNotified: [CAM],
      reason: 'Our customer is waiting',
    });
    const events = await eventsOf(ACME, order.id);
    expect(events.filter((e) => e.type === 'escalation.raised')).toEqual([
      expect.objectContaining({ actor: ACME, reason: 'Our customer is waiting' }),
    ]);
    expect(
      (await messagesOf(order.id)).filter((m) => m.template === 'escalation_cam'),
    ).toHaveLength(1);

    const empty = await t.as(ACME).post(`/api/v1/orders/${order.id}/escalations`, { reason: ' ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors).toEqual([expect.objectContaining({ path: 'reason' })]);
    const staff = await t.as(DESK).post(`/api/v1/orders/${order.id}/escalations`, { reason: 'x' });
    expect(staff.statusCode).toBe(403);
    const stranger = await t
      .as('buyer@contoso.example')
      .post(`/api/v1/orders/${order.id}/escalations`, { reason: 'x' });
    expect(stranger.statusCode).toBe(404);
  });

  it('does not go on to the escalation contact when the CAM acted on the order in the window', async () => {
    const order = await submittedAt(ny('2027-01-13T10:00'));
    t.clock.set(ny('2027-01-13T11:00'), { freeze: true });
    const res = await t
      .as(ACME)
      .post(`/api/v1/orders/${order.id}/escalations`, { reason: 'Please call us' });
    expect(res.statusCode, res.body).toBe(201);
    // 8 business hours later (whole business days): Wednesday 19:00 New York.
    expect(res.json().contactDueAt).toBe(ny('2027-01-13T19:00').toISOString());
    // The CAM answers on the order (a note attached to it): an event of theirs on its timeline.
    t.clock.set(ny('2027-01-13T12:00'), { freeze: true });
    const boundary = '----orderdesk-sla';
    const note = await t.as(CAM).request({
      method: 'POST',
      url: `/api/v1/orders/${order.id}/documents`,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="call-notes.txt"\r\n` +
          `Content-Type: text/plain\r\n\r\nCalled the partner.\r\n--${boundary}--\r\n`,
      ),
    });
    t.clock.reset();
    expect(note.statusCode, note.body).toBe(201);
    await jobs(ny('2027-01-13T19:05'));
    const rows = await t.store.db
      .selectFrom('escalations')
      .select(['status', 'contact_notified'])
      .where('order_id', '=', order.id)
      .execute();
    expect(rows).toEqual([{ status: 'cam_acted', contact_notified: null }]);
    expect((await messagesOf(order.id)).filter((m) => m.template === 'escalation_contact')).toEqual(
      [],
    );
  });

  it('sorts order lists by due time, with a cursor', async () => {
    const late = await submittedAt(ny('2027-01-13T09:00'));
    const early = await submittedAt(ny('2027-01-05T09:00'));
    const all: { id: string; sla: { fulfilBy: string | null } }[] = [];
    let cursor: string | null = null;
    do {
      const url = `/api/v1/orders?vendor=edgeworks&sort=due&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await t.as(DESK).get(url);
      expect(res.statusCode, res.body).toBe(200);
      all.push(...res.json().items);
      cursor = res.json().nextCursor;
    } while (cursor);
    const dues = all.map((o) => o.sla.fulfilBy ?? '9999');
    expect(dues).toEqual([...dues].sort());
    expect(new Set(all.map((o) => o.id)).size).toBe(all.length);
    const ids = all.map((o) => o.id);
    expect(ids.indexOf(early.id)).toBeLessThan(ids.indexOf(late.id));
    expect((await t.as(DESK).get('/api/v1/orders?sort=soon')).statusCode).toBe(400);
  });

  const escalationsOf = (orderId: string) =>
    t.store.db
      .selectFrom('escalations')
      .select(['source', 'stage', 'status', 'reason', 'contact_notified'])
      .where('order_id', '=', orderId)
      .orderBy('raised_at')
      .orderBy('id')
      .execute();
  const mailsOf = async (orderId: string, template: string) =>
    (await messagesOf(orderId)).filter((m) => m.template === template);
  /** How many escalation mails each address got about an order; each is queued once. */
  const escalationMailsPerRecipient = async (orderId: string) => {
    const mails = (await messagesOf(orderId)).filter((m) => m.template?.startsWith('escalation'));
    const outbox = await t.store.db
      .selectFrom('outbox')
      .select('payload')
      .where('entity_id', '=', orderId)
      .execute();
    const counts: Record<string, number> = {};
    for (const m of mails) {
      expect(outbox.filter((r) => r.payload.includes(`"messageId":"${m.id}"`))).toHaveLength(1);
      for (const to of m.to) counts[to] = (counts[to] ?? 0) + 1;
    }
    return counts;
  };

  it('keeps one open escalation per order: a second breach in the same pass is added to it and told to the CAM once', async () => {
    // Friday 16:00: acknowledgment due Monday 16:00, fulfilment Tuesday 16:00. The first pass
    // after both finds the two stages breached (two workers at once: still one of each).
    const order = await submittedAt(ny('2027-02-05T16:00'));
    const pass = ny('2027-02-09T16:30');
    await Promise.all([jobs(pass, 'worker-a'), jobs(pass, 'worker-b')]);
    const events = await eventsOf(DESK, order.id);
    expect(events.filter((e) => e.type === 'sla.breached').map((e) => e.data?.target)).toEqual([
      'acknowledge',
      'fulfil',
    ]);
    expect(events.filter((e) => e.type === 'escalation.raised')).toHaveLength(1);
    // The CAM hears of each breach once: the escalation, then the breach added to it.
    expect(await escalationMailsPerRecipient(order.id)).toEqual({ [CAM]: 2 });
    expect(await mailsOf(order.id, 'escalation_cam')).toEqual([
      expect.objectContaining({ to: [CAM] }),
    ]);
    const added = await mailsOf(order.id, 'escalation_cam_update');
    expect(added).toEqual([
      expect.objectContaining({ to: [CAM], subject: expect.stringContaining('Escalation') }),
    ]);
    expect(added[0]!.text).toContain(
      `The fulfilment was due by ${ny('2027-02-09T16:00').toISOString()}`,
    );
    // The CAM's deadline is the escalation's, unchanged by the breach added to it.
    expect(added[0]!.text).toContain(
      'Please act on the order by Wednesday, 10 February 2027, 00:30 (America/New_York)',
    );
    const rows = await escalationsOf(order.id);
    expect(rows).toEqual([
      expect.objectContaining({ source: 'breach', stage: 'acknowledge', status: 'awaiting_cam' }),
    ]);
    expect(rows[0]!.reason).toBe(
      `The acknowledgment was due by ${ny('2027-02-08T16:00').toISOString()}\n` +
        `The fulfilment was due by ${ny('2027-02-09T16:00').toISOString()}`,
    );
    // A repeated pass adds nothing, and mails nobody.
    await jobs(ny('2027-02-09T16:31'));
    expect(await escalationsOf(order.id)).toHaveLength(1);
    expect(await escalationMailsPerRecipient(order.id)).toEqual({ [CAM]: 2 });
    // Nobody acts: one mail to the escalation contact, naming both breaches.
    await jobs(ny('2027-02-10T00:35'));
    const forwarded = await mailsOf(order.id, 'escalation_contact');
    expect(forwarded).toEqual([expect.objectContaining({ to: ['orders@edgeworks.example'] })]);
    expect(forwarded[0]!.text).toContain('The acknowledgment was due by');
    expect(forwarded[0]!.text).toContain('The fulfilment was due by');
    expect(await escalationMailsPerRecipient(order.id)).toEqual({
      [CAM]: 2,
      'orders@edgeworks.example': 1,
    });
  });

  it('escalates a later breach again once the open escalation was answered by vendor staff', async () => {
    const order = await submittedAt(ny('2027-03-05T16:00'));
    await jobs(ny('2027-03-08T16:01'));
    expect(await escalationsOf(order.id)).toEqual([
      expect.objectContaining({ stage: 'acknowledge', status: 'awaiting_cam' }),
    ]);
    // The desk (not the CAM) approves within the CAM's window: the escalation is answered.
    t.clock.set(ny('2027-03-08T17:00'), { freeze: true });
    await act(t, DESK, order, 'approve', 'booking');
    t.clock.reset();
    // The fulfilment breach on Tuesday finds no open escalation: it raises, and mails, its own.
    await jobs(ny('2027-03-09T16:01'));
    expect(await escalationsOf(order.id)).toEqual([
      expect.objectContaining({ stage: 'acknowledge', status: 'vendor_acted' }),
      expect.objectContaining({ stage: 'fulfil', status: 'awaiting_cam' }),
    ]);
    expect(await mailsOf(order.id, 'escalation_cam')).toHaveLength(2);
    expect(await mailsOf(order.id, 'escalation_contact')).toEqual([]);
  });

  it('records a stage done late as breached but escalates it to nobody', async () => {
    // Acknowledgment due Monday 16:00; the desk approves at 17:00, before the job's next pass.
    const order = await submittedAt(ny('2027-03-12T16:00'));
    t.clock.set(ny('2027-03-15T17:00'), { freeze: true });
    await act(t, DESK, order, 'approve', 'booking');
    t.clock.reset();
    await jobs(ny('2027-03-15T17:05'));
    const events = await eventsOf(DESK, order.id);
    expect(events.filter((e) => e.type === 'sla.breached').map((e) => e.data?.target)).toEqual([
      'acknowledge',
    ]);
    expect(await escalationsOf(order.id)).toEqual([]);
    expect(await mailsOf(order.id, 'escalation_cam')).toEqual([]);
  });

  it('does not forward an escalation the vendor answered: any staff acting on the order, up to completing it', async () => {
    const order = await submittedAt(ny('2027-03-22T09:00'));
    t.clock.set(ny('2027-03-22T10:00'), { freeze: true });
    const res = await t
      .as(ACME)
      .post(`/api/v1/orders/${order.id}/escalations`, { reason: 'Nobody has confirmed it' });
    expect(res.statusCode, res.body).toBe(201);
    // Desk, finance and provisioning complete the order minutes later; the CAM does nothing.
    t.clock.set(ny('2027-03-22T10:05'), { freeze: true });
    let o = await act(t, DESK, order, 'approve', 'booking');
    o = await act(t, 'finance@edgeworks.example', o, 'book', 'provisioning');
    await act(t, 'provisioning@edgeworks.example', o, 'complete', 'completed');
    t.clock.reset();
    await jobs(ny('2027-03-25T09:00'));
    expect(await escalationsOf(order.id)).toEqual([
      expect.objectContaining({
        source: 'partner',
        status: 'vendor_acted',
        contact_notified: null,
      }),
    ]);
    expect(await mailsOf(order.id, 'escalation_contact')).toEqual([]);
    expect((await eventsOf(DESK, order.id)).map((e) => e.type)).not.toContain(
      'escalation.forwarded',
    );
  });

  it('does not forward an escalation of an order that reached a final status unanswered', async () => {
    const order = await submittedAt(ny('2027-03-23T09:00'));
    t.clock.set(ny('2027-03-23T10:00'), { freeze: true });
    const res = await t
      .as(ACME)
      .post(`/api/v1/orders/${order.id}/escalations`, { reason: 'Still waiting' });
    expect(res.statusCode, res.body).toBe(201);
    // The partner gives up and cancels; nobody of the vendor touched the order.
    t.clock.set(ny('2027-03-23T10:30'), { freeze: true });
    await act(t, ACME, order, 'cancel', 'cancelled', { reason: 'Bought elsewhere' });
    t.clock.reset();
    await jobs(ny('2027-03-26T09:00'));
    expect(await escalationsOf(order.id)).toEqual([
      expect.objectContaining({ status: 'order_closed', contact_notified: null }),
    ]);
    expect(await mailsOf(order.id, 'escalation_contact')).toEqual([]);
    // Nor can the partner escalate it now that it is over: nobody would answer.
    const late = await t
      .as(ACME)
      .post(`/api/v1/orders/${order.id}/escalations`, { reason: 'Anyone there?' });
    expect(late.statusCode, late.body).toBe(409);
    expect(late.json().errors).toEqual([
      expect.objectContaining({ path: 'status', code: 'action.not_allowed', actual: 'cancelled' }),
    ]);
    expect(await escalationsOf(order.id)).toHaveLength(1);
  });

  it('counts an order due earlier today as overdue only, not also as due today', async () => {
    // Wednesday 16:00: acknowledgment due Thursday 16:00 (no other order is due that day).
    const order = await submittedAt(ny('2027-04-07T16:00'));
    expect(order.sla.acknowledgeBy).toBe(ny('2027-04-08T16:00').toISOString());
    const countsAt = async (at: Date) => {
      t.clock.set(at, { freeze: true });
      try {
        const res = await t.as(DESK).get('/api/v1/sla?vendor=edgeworks');
        expect(res.statusCode, res.body).toBe(200);
        return res.json().stages.acknowledge as { open: number; dueToday: number; overdue: number };
      } finally {
        t.clock.reset();
      }
    };
    const before = await countsAt(ny('2027-04-08T15:00'));
    const after = await countsAt(ny('2027-04-08T17:00'));
    expect(before.dueToday).toBeGreaterThanOrEqual(1);
    // At 17:00 the order moved from due today to overdue: it left one count for the other.
    expect(after).toEqual({
      open: before.open,
      dueToday: before.dueToday - 1,
      overdue: before.overdue + 1,
    });
    // Every open stage is counted in at most one of the two.
    expect(after.dueToday + after.overdue).toBeLessThanOrEqual(after.open);
  });

  it("tells the CAM of a breach added to the partner's open escalation", async () => {
    // Acknowledgment due Monday 16:00; the partner escalates on Monday morning, and the CAM's
    // window (8 business hours) runs to Monday 18:00.
    const order = await submittedAt(ny('2027-04-16T16:00'));
    t.clock.set(ny('2027-04-19T10:00'), { freeze: true });
    const res = await t
      .as(ACME)
      .post(`/api/v1/orders/${order.id}/escalations`, { reason: 'Nobody has confirmed it' });
    t.clock.reset();
    expect(res.statusCode, res.body).toBe(201);
    expect(await escalationMailsPerRecipient(order.id)).toEqual({ [CAM]: 1 });
    // The breach is added to the partner's escalation, and the CAM told of it.
    await jobs(ny('2027-04-19T16:01'));
    expect(await escalationsOf(order.id)).toEqual([
      expect.objectContaining({ source: 'partner', status: 'awaiting_cam' }),
    ]);
    expect(await escalationMailsPerRecipient(order.id)).toEqual({ [CAM]: 2 });
    const [added] = await mailsOf(order.id, 'escalation_cam_update');
    expect(added!.text).toContain('The acknowledgment SLA of order');
    await jobs(ny('2027-04-19T16:02'));
    expect(await escalationMailsPerRecipient(order.id)).toEqual({ [CAM]: 2 });
    // Unanswered by 18:00: the escalation contact, once.
    await jobs(ny('2027-04-19T18:05'));
    expect(await escalationMailsPerRecipient(order.id)).toEqual({
      [CAM]: 2,
      'orders@edgeworks.example': 1,
    });
  });

  it("adds a partner's escalation to the order's open one: the CAM told once more, the contact mailed once", async () => {
    // Acknowledgment due Monday 16:00: the breach raises an escalation (the CAM's window runs
    // to Tuesday 00:01); the partner escalates the same order on Monday evening.
    const order = await submittedAt(ny('2027-05-07T16:00'));
    await jobs(ny('2027-05-10T16:01'));
    expect(await escalationsOf(order.id)).toEqual([
      expect.objectContaining({ source: 'breach', status: 'awaiting_cam' }),
    ]);
    expect(await escalationMailsPerRecipient(order.id)).toEqual({ [CAM]: 1 });
    t.clock.set(ny('2027-05-10T18:00'), { freeze: true });
    const res = await t
      .as(ACME)
      .post(`/api/v1/orders/${order.id}/escalations`, { reason: 'Our customer is waiting' });
    t.clock.reset();
    // The answer is the order's one open escalation, with the partner's reason added.
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      orderId: order.id,
      source: 'breach',
      status: 'awaiting_cam',
      camNotified: [CAM],
      contactDueAt: ny('2027-05-11T00:01').toISOString(),
    });
    expect(res.json().reason).toContain('The partner escalated: Our customer is waiting');
    const rows = await escalationsOf(order.id);
    expect(rows).toEqual([expect.objectContaining({ source: 'breach', status: 'awaiting_cam' })]);
    expect(rows[0]!.reason).toBe(
      `The acknowledgment was due by ${ny('2027-05-10T16:00').toISOString()}\n` +
        'The partner escalated: Our customer is waiting',
    );
    // On the timeline as the partner's escalation, with its reason; the CAM told in a follow-up.
    expect((await eventsOf(ACME, order.id)).filter((e) => e.type === 'escalation.raised')).toEqual([
      expect.objectContaining({ actor: 'system' }),
      expect.objectContaining({ actor: ACME, reason: 'Our customer is waiting' }),
    ]);
    const [update] = await mailsOf(order.id, 'escalation_cam_update');
    expect(update).toMatchObject({ to: [CAM] });
    expect(update!.text).toContain('Reason: Our customer is waiting');
    expect(update!.text).toContain(
      'Please act on the order by Tuesday, 11 May 2027, 00:01 (America/New_York)',
    );
    expect(await escalationMailsPerRecipient(order.id)).toEqual({ [CAM]: 2 });
    // Nobody acts: one pass mails the escalation contact once, naming both reasons.
    await jobs(ny('2027-05-11T00:05'));
    await jobs(ny('2027-05-11T00:10'));
    const forwarded = await mailsOf(order.id, 'escalation_contact');
    expect(forwarded).toEqual([expect.objectContaining({ to: ['orders@edgeworks.example'] })]);
    expect(forwarded[0]!.text).toContain('The acknowledgment was due by');
    expect(forwarded[0]!.text).toContain('The partner escalated: Our customer is waiting');
    expect(await escalationMailsPerRecipient(order.id)).toEqual({
      [CAM]: 2,
      'orders@edgeworks.example': 1,
    });
    // Escalating again once that one is settled raises a new escalation.
    t.clock.set(ny('2027-05-11T09:00'), { freeze: true });
    const again = await t
      .as(ACME)
      .post(`/api/v1/orders/${order.id}/escalations`, { reason: 'Still nothing' });
    t.clock.reset();
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json()).toMatchObject({ source: 'partner', reason: 'Still nothing' });
    expect(await escalationsOf(order.id)).toEqual([
      expect.objectContaining({ status: 'escalated' }),
      expect.objectContaining({ source: 'partner', status: 'awaiting_cam' }),
    ]);
  });

  it("adds a partner's second escalation to its first: one mail to the contact", async () => {
    const order = await submittedAt(ny('2027-05-12T09:00'));
    t.clock.set(ny('2027-05-12T10:00'), { freeze: true });
    const first = await t
      .as(ACME)
      .post(`/api/v1/orders/${order.id}/escalations`, { reason: 'Nobody confirmed it' });
    t.clock.set(ny('2027-05-12T11:00'), { freeze: true });
    const second = await t
      .as(ACME)
      .post(`/api/v1/orders/${order.id}/escalations`, { reason: 'Really urgent now' });
    t.clock.reset();
    expect(first.statusCode, first.body).toBe(201);
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json().id).toBe(first.json().id);
    expect(second.json().reason).toBe(
      'Nobody confirmed it\nThe partner escalated: Really urgent now',
    );
    expect(await escalationMailsPerRecipient(order.id)).toEqual({ [CAM]: 2 });
    await jobs(ny('2027-05-12T18:05'));
    expect(await escalationMailsPerRecipient(order.id)).toEqual({
      [CAM]: 2,
      'orders@edgeworks.example': 1,
    });
  });

  // Needs packages/app/src/orders/read-orders.ts (outside this change) to page the order's thread
  // through listOrderThreadPage (packages/app/src/messages/thread-visibility.ts), as the quote
  // thread does: enable it with that one-line change.
  it('shows a partner only the order mails it sent or was sent: no escalation to the CAM or the contact', async () => {
    const order = await submittedAt(ny('2027-05-17T09:00'));
    t.clock.set(ny('2027-05-17T10:00'), { freeze: true });
    const res = await t
      .as(ACME)
      .post(`/api/v1/orders/${order.id}/escalations`, { reason: 'Please call us' });
    t.clock.reset();
    expect(res.statusCode, res.body).toBe(201);
    await jobs(ny('2027-05-17T18:05'));
    const thread = async (user: string, query = '') => {
      const page = await t.as(user).get(`/api/v1/orders/${order.id}/messages${query}`);
      expect(page.statusCode, page.body).toBe(200);
      return page.json<{ items: Message[]; nextCursor: string | null }>();
    };
    expect((await thread(DESK)).items.map((m) => m.template)).toEqual([
      'order_receipt',
      'escalation_cam',
      'escalation_contact',
    ]);
    const mine = await thread(ACME);
    expect(mine).toEqual({
      items: [expect.objectContaining({ template: 'order_receipt' })],
      nextCursor: null,
    });
    expect(mine.items.flatMap((m) => m.to)).toEqual([ACME]);
    // Paged: the partner's only page is full and the last.
    expect(await thread(ACME, '?limit=1')).toEqual(mine);
  });

  it('keeps GET /sla to vendor staff and their own vendor', async () => {
    expect((await t.as(ACME).get('/api/v1/sla')).statusCode).toBe(403);
    expect((await t.as(DESK).get('/api/v1/sla?vendor=northwind')).statusCode).toBe(404);
  });
});
