// Returns judged by the vendor profile's policy (issue 11 point 7), on both databases. Seed 002
// (edgeworks): software licenses are not refundable once the order was invoiced, e-mailed or
// downloaded — the refusal says which happened and when; devices returned within the window
// of their shipment get an RMA number, and devices the order never shipped (completed without
// a fulfilment of them) are left to the desk. Also the walls around returns, escalations,
// licenses and GET /sla.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainOutbox, type MailTransport } from '@orderdesk/app';
import { testDialects } from '@orderdesk/store/testing';
import { createTestApp, type TestApp } from './harness.ts';
import { PARTNER_ISOLATION, VENDOR_ISOLATION } from './isolated-routes.ts';
import { expectIsolated } from './isolation.ts';
import {
  act,
  CONFIRMED_US_SHIP_TO,
  findProducts,
  firstCustomerId,
  totalOf,
} from './scenario-helpers.ts';

const ACME = 'buyer@acme.example';
const CONTOSO = 'buyer@contoso.example';
const BETA = 'buyer@beta.example';
const DESK = 'desk@edgeworks.example';
const today = new Date().toISOString().slice(0, 10);
const shipTo = CONFIRMED_US_SHIP_TO;

/** A multipart/form-data body with one `file` part and text fields. */
function multipart(name: string, bytes: Buffer, fields: Record<string, string>) {
  const boundary = `----orderdesk${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [key, value] of Object.entries(fields)) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n${value}\r\n`,
      ),
    );
  }
  chunks.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\n`,
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

interface ReturnView {
  id: string;
  status: string;
  decision: { code?: string; message: string };
  rmaNumber?: string;
}

describe.each(testDialects())('returns on %s', (dialect) => {
  let t: TestApp;
  let dir: string;
  let po = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orderdesk-returns-'));
    t = await createTestApp(dialect, { DOCUMENTS_DIR: dir });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** An edgeworks order of Acme's (or another partner's), taken through to completion. */
  async function booked(
    user: string,
    type: string,
    lines: { partNumber: string; quantity: number; unitPrice: string; attributes?: object }[],
    extra: Record<string, unknown> = {},
  ) {
    const res = await t.as(user).post('/api/v1/orders', {
      vendor: 'edgeworks',
      type,
      customerId: await firstCustomerId(t, user),
      purchaseOrder: {
        number: `RET-PO-${dialect}-${++po}`,
        date: today,
        currency: 'USD',
        total: totalOf(lines),
      },
      lines,
      ...extra,
    });
    expect(res.statusCode, res.body).toBe(201);
    let o = res.json();
    o = await act(t, DESK, o, 'approve', 'booking');
    o = await act(t, 'finance@edgeworks.example', o, 'book', 'provisioning');
    return o as { id: string; number: string; version: number };
  }
  async function completed(...args: Parameters<typeof booked>) {
    const o = await booked(...args);
    await act(t, 'provisioning@edgeworks.example', o, 'complete', 'completed');
    return o;
  }
  const ask = (user: string, body: unknown) => t.as(user).post('/api/v1/returns', body);

  /** Provisioning ships `quantity` of line 1 (a fulfilment with carrier and tracking number). */
  async function ship(order: { id: string }, quantity: number) {
    const res = await t
      .as('provisioning@edgeworks.example')
      .post(`/api/v1/orders/${order.id}/fulfilments`, {
        lines: [{ lineNo: 1, quantity }],
        carrier: 'UPS',
        trackingNumber: `1Z-${order.id}-${quantity}`,
      });
    expect(res.statusCode, res.body).toBe(201);
  }

  /** A device order of `user`'s: booked; with `complete`, shipped in full (which completes it). */
  async function deviceOrder(user = ACME, quantity = 2, complete = true) {
    const [device] = await findProducts(t, user, 'edgeworks', { type: 'device', count: 1 });
    const order = await booked(
      user,
      'device',
      [{ partNumber: device!.partNumber, quantity, unitPrice: device!.netPrice }],
      { shippingAddress: shipTo },
    );
    if (complete) await ship(order, quantity);
    return { ...order, partNumber: device!.partNumber };
  }

  it('refuses the return of a downloaded license with return.not_refundable, saying what happened and when', async () => {
    const [license] = await findProducts(t, ACME, 'edgeworks', {
      type: 'perpetual_license',
      count: 1,
    });
    const [maintenance] = await findProducts(t, ACME, 'edgeworks', {
      type: 'maintenance',
      count: 1,
    });
    const order = await completed(
      ACME,
      'license_maintenance',
      [
        {
          partNumber: license!.partNumber,
          quantity: 1,
          unitPrice: license!.netPrice,
          attributes: { hostId: 'HOST-R' },
        },
        {
          partNumber: maintenance!.partNumber,
          quantity: 1,
          unitPrice: maintenance!.netPrice,
          attributes: { hostId: 'HOST-R' },
        },
      ],
      { attributes: { endUserName: 'Fabrikam Health' } },
    );
    // The vendor attaches the license file; the partner downloads it.
    const upload = await t.as(DESK).request({
      method: 'POST',
      url: `/api/v1/orders/${order.id}/documents`,
      ...multipart('edge.lic', Buffer.from('EDGE license key 1234\n'), { kind: 'license' }),
    });
    expect(upload.statusCode, upload.body).toBe(201);
    const doc = upload.json<{ id: string }>();
    const download = await t.as(ACME).get(`/api/v1/orders/${order.id}/documents/${doc.id}`);
    expect(download.statusCode).toBe(200);
    const events = (await t.as(ACME).get(`/api/v1/orders/${order.id}/events`)).json().items as {
      type: string;
      at: string;
    }[];
    const downloadedAt = events.find((e) => e.type === 'order.document_downloaded')!.at;

    const res = await ask(ACME, {
      orderId: order.id,
      lines: [{ lineNo: 1, quantity: 1 }],
      reason: 'Bought the wrong edition',
    });
    expect(res.statusCode, res.body).toBe(201);
    const refused = res.json<ReturnView>();
    expect(refused).toMatchObject({
      status: 'refused',
      decision: { code: 'return.not_refundable' },
    });
    expect(refused.rmaNumber).toBeUndefined();
    expect(refused.decision.message).toContain(`downloaded on ${downloadedAt} (file edge.lic)`);
    expect(refused.decision.message).toContain('software license');
    expect(refused.decision.message).toContain(license!.partNumber);
    // The delivery mail carried it too (seed: "email you the order receipt and content").
    expect(refused.decision.message).toContain('e-mailed on');
    expect(refused.decision.message).toContain('order_delivery');

    // The partner sees the decision; the timeline has it.
    const again = await t.as(ACME).get(`/api/v1/returns/${refused.id}`);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(refused);
    const decided = (await t.as(ACME).get(`/api/v1/orders/${order.id}/events`))
      .json()
      .items.filter((e: { type: string }) => e.type === 'return.decided');
    expect(decided).toEqual([
      expect.objectContaining({
        reason: 'Bought the wrong edition',
        data: expect.objectContaining({ status: 'refused', code: 'return.not_refundable' }),
      }),
    ]);
    // Maintenance is refundable under this policy: the vendor decides.
    const service = await ask(ACME, {
      orderId: order.id,
      lines: [{ lineNo: 2, quantity: 1 }],
      reason: 'Not needed',
    });
    expect(service.json()).toMatchObject({ status: 'requested' });
    expect(service.json().decision.code).toBeUndefined();
  });

  it('does not count the receipt sent at submission as the license e-mailed: before delivery the vendor decides', async () => {
    const [license] = await findProducts(t, ACME, 'edgeworks', {
      type: 'perpetual_license',
      count: 1,
    });
    const [maintenance] = await findProducts(t, ACME, 'edgeworks', {
      type: 'maintenance',
      count: 1,
    });
    const lines = [
      {
        partNumber: license!.partNumber,
        quantity: 1,
        unitPrice: license!.netPrice,
        attributes: { hostId: 'HOST-S' },
      },
      {
        partNumber: maintenance!.partNumber,
        quantity: 1,
        unitPrice: maintenance!.netPrice,
        attributes: { hostId: 'HOST-S' },
      },
    ];
    const res = await t.as(ACME).post('/api/v1/orders', {
      vendor: 'edgeworks',
      type: 'license_maintenance',
      customerId: await firstCustomerId(t, ACME),
      purchaseOrder: {
        number: `RET-PO-${dialect}-${++po}`,
        date: today,
        currency: 'USD',
        total: totalOf(lines),
      },
      lines,
      attributes: { endUserName: 'Fabrikam Health' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const order = res.json<{ id: string }>();
    const thread = (await t.as(ACME).get(`/api/v1/orders/${order.id}/messages`)).json().items as {
      template: string;
    }[];
    expect(thread.map((m) => m.template)).toContain('order_receipt');
    const asked = await ask(ACME, {
      orderId: order.id,
      lines: [{ lineNo: 1, quantity: 1 }],
      reason: 'Ordered twice',
    });
    expect(asked.statusCode, asked.body).toBe(201);
    expect(asked.json()).toMatchObject({ status: 'requested' });
  });

  it('re-checks the policy when the desk approves a license return it left open: refused once the keys were e-mailed', async () => {
    const [license] = await findProducts(t, ACME, 'edgeworks', {
      type: 'perpetual_license',
      count: 1,
    });
    const lines = [
      {
        partNumber: license!.partNumber,
        quantity: 1,
        unitPrice: license!.netPrice,
        attributes: { hostId: 'HOST-A' },
      },
    ];
    const res = await t.as(ACME).post('/api/v1/orders', {
      vendor: 'edgeworks',
      type: 'license_maintenance',
      customerId: await firstCustomerId(t, ACME),
      purchaseOrder: {
        number: `RET-PO-${dialect}-${++po}`,
        date: today,
        currency: 'USD',
        total: totalOf(lines),
      },
      lines,
      attributes: { endUserName: 'Fabrikam Health' },
    });
    expect(res.statusCode, res.body).toBe(201);
    let order = res.json();
    // Asked back before the keys went out: the policy cannot decide yet.
    const asked = await ask(ACME, {
      orderId: order.id,
      lines: [{ lineNo: 1, quantity: 1 }],
      reason: 'Ordered twice',
    });
    expect(asked.statusCode, asked.body).toBe(201);
    const requested = asked.json<ReturnView>();
    expect(requested).toMatchObject({ status: 'requested' });
    // The order goes through: its delivery mail carries the license.
    order = await act(t, DESK, order, 'approve', 'booking');
    order = await act(t, 'finance@edgeworks.example', order, 'book', 'provisioning');
    order = await act(t, 'provisioning@edgeworks.example', order, 'complete', 'completed');
    const decidedEvents = async () =>
      (await t.as(ACME).get(`/api/v1/orders/${order.id}/events`))
        .json()
        .items.filter((e: { type: string }) => e.type === 'return.decided');
    const before = await decidedEvents();

    // The desk's approval is the policy's to refuse now: 422, nothing written.
    const approve = await t
      .as(DESK)
      .post(`/api/v1/returns/${requested.id}/actions/approve`, { reason: 'Goodwill' });
    expect(approve.statusCode, approve.body).toBe(422);
    expect(approve.json().errors).toEqual([
      expect.objectContaining({ path: 'lines', code: 'return.not_refundable' }),
    ]);
    const message = approve.json().errors[0].message as string;
    expect(message).toContain('e-mailed on');
    expect(message).toContain('order_delivery');
    expect(message).toContain(license!.partNumber);
    expect((await t.as(ACME).get(`/api/v1/returns/${requested.id}`)).json()).toEqual(requested);
    expect(await decidedEvents()).toEqual(before);

    // A request still open holds its quantity (only refused returns free it, returnedQuantities)…
    const twice = await ask(ACME, {
      orderId: order.id,
      lines: [{ lineNo: 1, quantity: 1 }],
      reason: 'Again',
    });
    expect(twice.statusCode).toBe(422);
    expect(twice.json().errors).toEqual([
      expect.objectContaining({ path: 'lines[0].quantity', expected: 'at most 0' }),
    ]);
    // …until the desk refuses it; a new request is then the policy's refusal.
    const refuse = await t
      .as(DESK)
      .post(`/api/v1/returns/${requested.id}/actions/refuse`, { reason: 'License delivered' });
    expect(refuse.statusCode, refuse.body).toBe(200);
    expect(refuse.json()).toMatchObject({
      status: 'refused',
      decision: { code: 'return.refused' },
    });
    const anew = await ask(ACME, {
      orderId: order.id,
      lines: [{ lineNo: 1, quantity: 1 }],
      reason: 'Again',
    });
    expect(anew.statusCode, anew.body).toBe(201);
    expect(anew.json()).toMatchObject({
      status: 'refused',
      decision: { code: 'return.not_refundable' },
    });
  });

  it('gives a device returned within the window an RMA number, and refuses one past it', async () => {
    const order = await deviceOrder();
    const res = await ask(ACME, {
      orderId: order.id,
      lines: [{ lineNo: 1, quantity: 1 }],
      reason: 'Dead on arrival',
    });
    expect(res.statusCode, res.body).toBe(201);
    const approved = res.json<ReturnView>();
    expect(approved).toMatchObject({
      status: 'approved',
      rmaNumber: expect.stringMatching(/^RMA-\d{6}$/),
    });
    expect(approved.decision.message).toContain('30 days');

    // The second unit once more is fine; a third is more than the line holds.
    const second = await ask(ACME, {
      orderId: order.id,
      lines: [{ lineNo: 1, quantity: 1 }],
      reason: 'Also broken',
    });
    expect(second.json().rmaNumber).not.toBe(approved.rmaNumber);
    const tooMany = await ask(ACME, {
      orderId: order.id,
      lines: [
        { lineNo: 1, quantity: 1 },
        { lineNo: 7, quantity: 1 },
      ],
      reason: 'x',
    });
    expect(tooMany.statusCode).toBe(422);
    expect(tooMany.json().errors).toEqual([
      expect.objectContaining({ path: 'lines[0].quantity', expected: 'at most 0', actual: '1' }),
      expect.objectContaining({ path: 'lines[1].lineNo', code: 'invalid' }),
    ]);

    // Thirty-one days after delivery: refused.
    const old = await deviceOrder();
    t.clock.set(new Date(Date.now() + 31 * 86_400_000), { freeze: true });
    const late = await ask(ACME, {
      orderId: old.id,
      lines: [{ lineNo: 1, quantity: 1 }],
      reason: 'Changed our mind',
    });
    t.clock.reset();
    expect(late.json()).toMatchObject({
      status: 'refused',
      decision: { code: 'return.not_refundable' },
    });
    expect(late.json().decision.message).toContain('within 30 days of delivery');
  });

  it('leaves the return of devices the order never shipped to the desk: completion is not delivery', async () => {
    // Completed by provisioning without a fulfilment: no shipment of the device was recorded.
    const unshipped = await deviceOrder(ACME, 2, false);
    await act(t, 'provisioning@edgeworks.example', unshipped, 'complete', 'completed');
    const res = await ask(ACME, {
      orderId: unshipped.id,
      lines: [{ lineNo: 1, quantity: 1 }],
      reason: 'Never arrived',
    });
    expect(res.statusCode, res.body).toBe(201);
    const left = res.json<ReturnView>();
    expect(left).toEqual({
      id: expect.any(String),
      orderId: unshipped.id,
      lines: [{ lineNo: 1, quantity: 1 }],
      reason: 'Never arrived',
      status: 'requested',
      decision: {
        message: `Line 1 (${unshipped.partNumber}) never shipped: no fulfilment of the order records it. The vendor will decide on the return.`,
      },
      createdAt: expect.any(String),
    });
    const events = (await t.as(DESK).get(`/api/v1/orders/${unshipped.id}/events`))
      .json()
      .items.filter((e: { type: string }) => e.type.startsWith('return.'));
    expect(events.map((e: { type: string }) => e.type)).toEqual(['return.requested']);
    // The desk decides; with nothing shipped there is nothing to send back: no RMA number.
    const approved = await t
      .as(DESK)
      .post(`/api/v1/returns/${left.id}/actions/approve`, { reason: 'Credit the unit not sent' });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved' });
    expect(approved.json().rmaNumber).toBeUndefined();

    // Half shipped, then completed: the shipped unit comes back with an RMA number, the other
    // one waits for the desk.
    const half = await deviceOrder(ACME, 2, false);
    await ship(half, 1);
    const now = (await t.as(DESK).get(`/api/v1/orders/${half.id}`)).json();
    await act(t, 'provisioning@edgeworks.example', now, 'complete', 'completed');
    const first = await ask(ACME, {
      orderId: half.id,
      lines: [{ lineNo: 1, quantity: 1 }],
      reason: 'Dead on arrival',
    });
    expect(first.json()).toMatchObject({
      status: 'approved',
      rmaNumber: expect.stringMatching(/^RMA-\d{6}$/),
    });
    const second = await ask(ACME, {
      orderId: half.id,
      lines: [{ lineNo: 1, quantity: 1 }],
      reason: 'Never arrived',
    });
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json().status).toBe('requested');
    expect(second.json().rmaNumber).toBeUndefined();
    expect(second.json().decision.message).toBe(
      `Line 1 (${half.partNumber}): 1 of the 2 units asked back shipped. The vendor will decide on the return.`,
    );
  });

  it('checks the request: bad fields named, only the partner that placed the order, vendors read', async () => {
    const bad = await ask(ACME, { orderId: '', lines: [], reason: '' });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['lines', 'orderId', 'reason']);
    const order = await deviceOrder();
    const foreign = await ask(CONTOSO, {
      orderId: order.id,
      lines: [{ lineNo: 1, quantity: 1 }],
      reason: 'x',
    });
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json().errors).toEqual([expect.objectContaining({ path: 'orderId' })]);
    expect(foreign.body).not.toContain(order.number);
    const staff = await ask(DESK, {
      orderId: order.id,
      lines: [{ lineNo: 1, quantity: 1 }],
      reason: 'x',
    });
    expect(staff.statusCode).toBe(403);
    const mine = await ask(ACME, {
      orderId: order.id,
      lines: [{ lineNo: 1, quantity: 1 }],
      reason: 'x',
    });
    const id = mine.json<ReturnView>().id;
    const listed = (await t.as(DESK).get(`/api/v1/returns?orderId=${order.id}`)).json().items;
    expect(listed.map((r: { id: string }) => r.id)).toEqual([id]);
    expect((await t.as('admin@northwind.example').get(`/api/v1/returns/${id}`)).statusCode).toBe(
      404,
    );
  });

  it('lets the order desk decide a return left to it, once: approve or refuse with the reason, on the timeline', async () => {
    const [maintenance] = await findProducts(t, ACME, 'edgeworks', {
      type: 'maintenance',
      count: 1,
    });
    const order = await completed(
      ACME,
      'license_maintenance',
      [
        {
          partNumber: maintenance!.partNumber,
          quantity: 2,
          unitPrice: maintenance!.netPrice,
          attributes: { hostId: 'HOST-D' },
        },
      ],
      { attributes: { endUserName: 'Fabrikam Health' } },
    );
    const askFor = async (quantity: number) => {
      const res = await ask(ACME, {
        orderId: order.id,
        lines: [{ lineNo: 1, quantity }],
        reason: 'Site closed',
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ status: 'requested' });
      return res.json<ReturnView>().id;
    };
    const first = await askFor(1);
    const decide = (user: string, id: string, action: string, body: unknown) =>
      t.as(user).post(`/api/v1/returns/${id}/actions/${action}`, body);

    // The partner does not decide; a reason is required; an unknown verb is a bad request.
    expect((await decide(ACME, first, 'approve', { reason: 'mine' })).statusCode).toBe(403);
    // Who asks is answered before what the body lacks: a partner, another vendor's admin.
    expect((await decide(ACME, first, 'approve', {})).statusCode).toBe(403);
    const stranger = await decide('admin@northwind.example', first, 'approve', {});
    expect(stranger.statusCode, stranger.body).toBe(404);
    const noReason = await decide(DESK, first, 'approve', {});
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors).toEqual([expect.objectContaining({ path: 'reason' })]);
    expect((await decide(DESK, first, 'maybe', { reason: 'x' })).statusCode).toBe(400);

    const approved = await decide(DESK, first, 'approve', { reason: 'Goodwill, first year' });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({
      id: first,
      status: 'approved',
      decision: { message: 'Approved by the vendor: Goodwill, first year' },
    });
    // Maintenance ships nothing: no RMA number.
    expect(approved.json().rmaNumber).toBeUndefined();
    // Decided once: a second decision is a conflict; the partner reads the decision.
    const again = await decide(DESK, first, 'refuse', { reason: 'Changed my mind' });
    expect(again.statusCode).toBe(409);
    expect((await t.as(ACME).get(`/api/v1/returns/${first}`)).json()).toEqual(approved.json());

    const second = await askFor(1);
    const refused = await decide('admin@edgeworks.example', second, 'refuse', {
      reason: 'Past the cancellation window',
    });
    expect(refused.statusCode, refused.body).toBe(200);
    expect(refused.json()).toMatchObject({
      status: 'refused',
      decision: {
        code: 'return.refused',
        message: 'Refused by the vendor: Past the cancellation window',
      },
    });
    // Both decisions are on the order's timeline with who decided and why.
    const decided = (await t.as(ACME).get(`/api/v1/orders/${order.id}/events`))
      .json()
      .items.filter((e: { type: string }) => e.type === 'return.decided');
    expect(decided).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          reason: 'Goodwill, first year',
          data: expect.objectContaining({ returnId: first, status: 'approved' }),
        }),
        expect.objectContaining({
          reason: 'Past the cancellation window',
          data: expect.objectContaining({ returnId: second, status: 'refused' }),
        }),
      ]),
    );
  });

  it('logs a return left to the vendor as return.requested by the partner, and return.decided only when decided', async () => {
    const [maintenance] = await findProducts(t, ACME, 'edgeworks', {
      type: 'maintenance',
      count: 1,
    });
    const order = await completed(
      ACME,
      'license_maintenance',
      [
        {
          partNumber: maintenance!.partNumber,
          quantity: 1,
          unitPrice: maintenance!.netPrice,
          attributes: { hostId: 'HOST-R' },
        },
      ],
      { attributes: { endUserName: 'Fabrikam Health' } },
    );
    const res = await ask(ACME, {
      orderId: order.id,
      lines: [{ lineNo: 1, quantity: 1 }],
      reason: 'Project cancelled',
    });
    expect(res.statusCode, res.body).toBe(201);
    const asked = res.json<ReturnView>();
    expect(asked).toMatchObject({ status: 'requested' });
    type Event = { type: string; actor: string; reason?: string; data?: Record<string, unknown> };
    const returnEvents = async (): Promise<Event[]> =>
      ((await t.as(DESK).get(`/api/v1/orders/${order.id}/events`)).json().items as Event[]).filter(
        (e) => e.type.startsWith('return.'),
      );
    // Asked for, not decided: the partner's request, pending.
    expect(await returnEvents()).toEqual([
      expect.objectContaining({
        type: 'return.requested',
        actor: ACME,
        reason: 'Project cancelled',
        data: expect.objectContaining({ returnId: asked.id, status: 'requested' }),
      }),
    ]);
    // The desk decides: that is the decision, by the desk.
    const refused = await t
      .as(DESK)
      .post(`/api/v1/returns/${asked.id}/actions/refuse`, { reason: 'Outside the terms' });
    expect(refused.statusCode, refused.body).toBe(200);
    expect(await returnEvents()).toEqual([
      expect.objectContaining({ type: 'return.requested', actor: ACME }),
      expect.objectContaining({
        type: 'return.decided',
        actor: DESK,
        reason: 'Outside the terms',
        data: expect.objectContaining({ returnId: asked.id, status: 'refused' }),
      }),
    ]);
  });

  it('refuses a license whose keys were delivered on the thread even when the mail never left: not_sent without SMTP_URL, or failed', async () => {
    const [license] = await findProducts(t, ACME, 'edgeworks', {
      type: 'perpetual_license',
      count: 1,
    });
    /** The outbox worker's passes until nothing is due: no SMTP, or a relay that refuses. */
    const drain = async (transport: MailTransport | null) => {
      for (;;) {
        const pass = await drainOutbox(t.ctx, {
          transport,
          maxAttempts: 1,
          backoffBaseMs: 60_000,
          backoffMaxMs: 60_000,
          leaseMs: 60_000,
          limit: 100,
          workerId: `returns-${dialect}`,
        });
        if (pass.claimed === 0) return;
      }
    };
    const refusing: MailTransport = {
      send: () => Promise.reject(new Error('550 relay refused')),
    };
    for (const [outcome, transport] of [
      ['not_sent', null],
      ['failed', refusing],
    ] as const) {
      const order = await booked(
        ACME,
        'license_maintenance',
        [
          {
            partNumber: license!.partNumber,
            quantity: 2,
            unitPrice: license!.netPrice,
            attributes: { hostId: `HOST-${outcome}` },
          },
        ],
        { attributes: { endUserName: 'Fabrikam Health' } },
      );
      const fulfilled = await t
        .as('provisioning@edgeworks.example')
        .post(`/api/v1/orders/${order.id}/fulfilments`, {
          lines: [{ lineNo: 1, quantity: 2 }],
          licenseKeys: [`K1-${outcome}`, `K2-${outcome}`],
        });
      expect(fulfilled.statusCode, fulfilled.body).toBe(201);
      expect(fulfilled.json()).toMatchObject({ orderCompleted: true });
      await drain(transport);
      // The keys are on the thread the partner reads in the app, though no mail went out.
      const thread = (await t.as(ACME).get(`/api/v1/orders/${order.id}/messages`)).json().items as {
        template: string;
        status: string;
        text: string;
        at: string;
      }[];
      const delivery = thread.find((m) => m.template === 'order_delivery');
      expect(delivery, 'the delivery mail').toBeDefined();
      expect(delivery!.status).toBe(outcome);
      expect(delivery!.text).toContain(`K1-${outcome}`);

      const res = await ask(ACME, {
        orderId: order.id,
        lines: [{ lineNo: 1, quantity: 1 }],
        reason: 'Bought one too many',
      });
      expect(res.statusCode, res.body).toBe(201);
      const refused = res.json<ReturnView>();
      expect(refused, outcome).toMatchObject({
        status: 'refused',
        decision: { code: 'return.not_refundable' },
      });
      expect(refused.decision.message).toContain(
        `e-mailed on ${delivery!.at} (the order_delivery mail)`,
      );
      expect(refused.decision.message).toContain(license!.partNumber);
    }
  });

  it('walls off returns, escalations, licenses and the SLA summary between tenants', async () => {
    const acmeOrder = await deviceOrder(ACME, 1);
    const contosoOrder = await deviceOrder(CONTOSO, 1);
    const returnOf = async (user: string, orderId: string) => {
      const res = await ask(user, {
        orderId,
        lines: [{ lineNo: 1, quantity: 1 }],
        reason: 'Isolation',
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<ReturnView>().id;
    };
    // Escalated: an order still being provisioned (a completed one is over, 409).
    const open = {
      acme: await deviceOrder(ACME, 1, false),
      contoso: await deviceOrder(CONTOSO, 1, false),
    };
    await expectIsolated(
      t,
      PARTNER_ISOLATION.afterBooking!,
      { user: ACME, ids: { orderId: open.acme.id, returnId: await returnOf(ACME, acmeOrder.id) } },
      {
        user: CONTOSO,
        ids: { orderId: open.contoso.id, returnId: await returnOf(CONTOSO, contosoOrder.id) },
      },
    );
    // Vendor side: an edgeworks return against a skyline one (Beta's subscription order).
    const [item] = await findProducts(t, BETA, 'skyline', { type: 'subscription', count: 1 });
    const placed = await t.as(BETA).post('/api/v1/orders', {
      vendor: 'skyline',
      type: 'new',
      customerId: await firstCustomerId(t, BETA),
      lines: [{ partNumber: item!.partNumber, quantity: 1, unitPrice: item!.netPrice }],
      contacts: {
        siteAdmin: { name: 'Site Admin', email: 'it@customer.example' },
        invoicing: { name: 'Accounts', email: 'ap@customer.example' },
      },
      attributes: { primaryDomain: 'customer.example' },
      termsAccepted: { version: '2025-01' },
    });
    expect(placed.statusCode, placed.body).toBe(201);
    const skylineReturn = await returnOf(BETA, placed.json<{ id: string }>().id);
    await expectIsolated(
      t,
      VENDOR_ISOLATION.afterBooking!,
      {
        user: 'admin@edgeworks.example',
        ids: {
          returnId: await returnOf(ACME, (await deviceOrder(ACME, 1)).id),
          orderId: acmeOrder.id,
          returnAction: 'refuse',
        },
      },
      {
        user: 'admin@skyline.example',
        ids: {
          returnId: skylineReturn,
          orderId: placed.json<{ id: string }>().id,
          returnAction: 'refuse',
        },
      },
    );
  });
});
