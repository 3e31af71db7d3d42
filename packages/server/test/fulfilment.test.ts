// Fulfilment (issue 11): per-line records — devices shipped with carrier and tracking number to
// the confirmed address, license keys issued — by the profile's provisioning role only; the
// order completes through the order machine when every line is fulfilled; seed 002's receipt
// (keys, tracking) goes to the partner on the order's thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@orderdesk/store/testing';
import { createTestApp, type TestApp } from './harness.ts';
import {
  act,
  CONFIRMED_US_SHIP_TO,
  findProducts,
  firstCustomerId,
  multipart,
  totalOf,
} from './scenario-helpers.ts';

const ACME = 'buyer@acme.example';
const PROVISIONING = 'provisioning@edgeworks.example';
const today = new Date().toISOString().slice(0, 10);
const shipTo = { ...CONFIRMED_US_SHIP_TO, name: 'Fabrikam Receiving' };

describe.each(testDialects())('fulfilment on %s', (dialect) => {
  let t: TestApp;
  let customerId: string;
  let po = 0;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    customerId = await firstCustomerId(t, ACME);
  });
  afterAll(async () => {
    await t.close();
  });

  async function submitted(type: string, lines: unknown[], extra: Record<string, unknown> = {}) {
    const res = await t.as(ACME).post('/api/v1/orders', {
      vendor: 'edgeworks',
      type,
      customerId,
      purchaseOrder: {
        number: `FUL-PO-${++po}`,
        date: today,
        currency: 'USD',
        total: totalOf(lines as { unitPrice: string; quantity: number }[]),
      },
      lines,
      ...extra,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string; version: number }>();
  }
  const fulfil = (user: string, orderId: string, body: unknown) =>
    t.as(user).post(`/api/v1/orders/${orderId}/fulfilments`, body);

  it('ships devices in parts with carrier and tracking, then completes the order', async () => {
    const [device] = await findProducts(t, ACME, 'edgeworks', { type: 'device', count: 1 });
    let o = await submitted(
      'device',
      [{ partNumber: device!.partNumber, quantity: 3, unitPrice: device!.netPrice }],
      { shippingAddress: shipTo },
    );
    // Not yet at the provisioning stage: a conflict, not a record.
    expect(
      (await fulfil(PROVISIONING, o.id, { lines: [{ lineNo: 1, quantity: 1 }] })).statusCode,
    ).toBe(409);
    o = await act(t, 'desk@edgeworks.example', o, 'approve', 'booking');
    o = await act(t, 'finance@edgeworks.example', o, 'book', 'provisioning');

    // Only the provisioning role fulfils; another vendor does not see the order.
    expect(
      (await fulfil('desk@edgeworks.example', o.id, { lines: [{ lineNo: 1, quantity: 1 }] }))
        .statusCode,
    ).toBe(403);
    expect((await fulfil(ACME, o.id, { lines: [{ lineNo: 1, quantity: 1 }] })).statusCode).toBe(
      403,
    );
    expect(
      (
        await fulfil('provisioning@northwind.example', o.id, {
          lines: [{ lineNo: 1, quantity: 1 }],
        })
      ).statusCode,
    ).toBe(404);

    // A shipment without carrier and tracking, a line that does not exist, too many units: 422.
    const bad = await fulfil(PROVISIONING, o.id, {
      lines: [
        { lineNo: 1, quantity: 4 },
        { lineNo: 9, quantity: 1 },
      ],
    });
    expect(bad.statusCode, bad.body).toBe(422);
    expect(bad.json().errors).toEqual([
      expect.objectContaining({
        path: 'lines[0].quantity',
        code: 'invalid',
        expected: 'at most 3',
        actual: '4',
      }),
      expect.objectContaining({ path: 'lines[1].lineNo', code: 'invalid' }),
    ]);
    const noTracking = await fulfil(PROVISIONING, o.id, { lines: [{ lineNo: 1, quantity: 1 }] });
    expect(noTracking.json().errors.map((e: { path: string }) => e.path)).toEqual([
      'carrier',
      'trackingNumber',
    ]);
    expect((await fulfil(PROVISIONING, o.id, { lines: [] })).statusCode).toBe(400);

    const first = await fulfil(PROVISIONING, o.id, {
      lines: [{ lineNo: 1, quantity: 2 }],
      carrier: 'UPS',
      trackingNumber: '1Z999AA10123456784',
    });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      lines: [{ lineNo: 1, quantity: 2, kind: 'device_shipped' }],
      carrier: 'UPS',
      trackingNumber: '1Z999AA10123456784',
      shippedTo: expect.objectContaining({ line1: '500 Dock Rd', postalCode: '78701' }),
      orderCompleted: false,
      orderStatus: 'provisioning',
    });
    expect((await t.as(ACME).get(`/api/v1/orders/${o.id}`)).json().status).toBe('provisioning');

    const rest = await fulfil(PROVISIONING, o.id, {
      lines: [{ lineNo: 1, quantity: 1 }],
      carrier: 'UPS',
      trackingNumber: '1Z999AA10123456785',
    });
    expect(rest.statusCode, rest.body).toBe(201);
    expect(rest.json()).toMatchObject({ orderCompleted: true, orderStatus: 'completed' });
    // Nothing left: a further unit is refused.
    expect(
      (await fulfil(PROVISIONING, o.id, { lines: [{ lineNo: 1, quantity: 1 }] })).statusCode,
    ).toBe(409);

    const events = (await t.as(ACME).get(`/api/v1/orders/${o.id}/events`)).json().items as {
      type: string;
    }[];
    expect(events.map((e) => e.type).slice(-3)).toEqual([
      'fulfilment.recorded',
      'fulfilment.recorded',
      'order.completed',
    ]);
    const thread = (await t.as(ACME).get(`/api/v1/orders/${o.id}/messages`)).json().items as {
      template: string;
      to: string[];
      subject: string;
      text: string;
    }[];
    // The part shipment gets its receipt; the shipment that completes the order is told by the
    // one completion mail (seed 002: "All order information and product files are issued by
    // email on the corresponding Sales Order email thread"), not by a receipt beside it.
    expect(thread.map((m) => m.template)).toEqual([
      'order_receipt',
      'sales_order_created',
      'fulfilment_receipt',
      'order_delivery',
    ]);
    const [receipt, delivery] = thread.slice(2);
    expect(receipt!.to).toEqual([ACME]);
    expect(receipt!.text).toContain('Shipped by UPS, tracking number 1Z999AA10123456784');
    expect(receipt!.text).toContain('Still to deliver: 1 unit');
    expect(receipt!.text).not.toContain('1Z999AA10123456785');
    expect(delivery!.to).toEqual([ACME]);
    expect(delivery!.subject).toMatch(/The order is complete$/);
    expect(delivery!.text).toContain(
      `line 1 ${device!.partNumber} × 2: device shipped by UPS, tracking number 1Z999AA10123456784`,
    );
    expect(delivery!.text).toContain(
      `line 1 ${device!.partNumber} × 1: device shipped by UPS, tracking number 1Z999AA10123456785`,
    );
    // No product file was put on the order: the mail says none, and claims none.
    expect(delivery!.text).not.toMatch(/product files follow|Attached/);
  });

  it('issues license keys for license lines and mails them to the partner', async () => {
    const [license] = await findProducts(t, ACME, 'edgeworks', {
      type: 'perpetual_license',
      count: 1,
    });
    const [maintenance] = await findProducts(t, ACME, 'edgeworks', {
      type: 'maintenance',
      count: 1,
    });
    let o = await submitted(
      'license_maintenance',
      [
        {
          partNumber: license!.partNumber,
          quantity: 1,
          unitPrice: license!.netPrice,
          attributes: { hostId: 'HOST-7' },
        },
        {
          partNumber: maintenance!.partNumber,
          quantity: 1,
          unitPrice: maintenance!.netPrice,
          attributes: { hostId: 'HOST-7' },
        },
      ],
      { attributes: { endUserName: 'Fabrikam Health' } },
    );
    o = await act(t, 'desk@edgeworks.example', o, 'approve', 'booking');
    o = await act(t, 'finance@edgeworks.example', o, 'book', 'provisioning');
    const lines = [
      { lineNo: 1, quantity: 1 },
      { lineNo: 2, quantity: 1 },
    ];
    const noKeys = await fulfil(PROVISIONING, o.id, { lines });
    expect(noKeys.statusCode).toBe(422);
    expect(noKeys.json().errors).toEqual([
      expect.objectContaining({ path: 'licenseKeys', code: 'required' }),
    ]);
    // The product files are documents of the order: an id of nothing, or of another order, is refused.
    const manual = await t.as(PROVISIONING).request({
      method: 'POST',
      url: `/api/v1/orders/${o.id}/documents`,
      ...multipart({
        name: 'manual.pdf',
        type: 'application/pdf',
        bytes: Buffer.from('%PDF-1.4\n%%EOF\n'),
      }),
    });
    expect(manual.statusCode, manual.body).toBe(201);
    const docId = manual.json<{ id: string }>().id;
    const unknownDoc = await fulfil(PROVISIONING, o.id, {
      lines,
      licenseKeys: ['EW-KEY-AAAA-BBBB'],
      documentIds: [docId, 'doc_nothing', docId],
    });
    expect(unknownDoc.statusCode).toBe(422);
    expect(unknownDoc.json().errors).toEqual([
      expect.objectContaining({ path: 'documentIds[1]', code: 'invalid' }),
      expect.objectContaining({ path: 'documentIds[2]', code: 'invalid' }),
    ]);
    const done = await fulfil(PROVISIONING, o.id, {
      lines,
      licenseKeys: ['EW-KEY-AAAA-BBBB'],
      documentIds: [docId],
    });
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json()).toMatchObject({
      lines: [
        { lineNo: 1, kind: 'license_keys_issued' },
        { lineNo: 2, kind: 'subscription_provisioned' },
      ],
      licenseKeys: ['EW-KEY-AAAA-BBBB'],
      documentIds: [docId],
      orderCompleted: true,
    });
    const thread = (await t.as(ACME).get(`/api/v1/orders/${o.id}/messages`)).json().items as {
      template: string;
      text: string;
      attachments: { name: string; contentType: string; size: number }[];
      messageId: string;
      inReplyTo: string | null;
    }[];
    // Delivered in one go: one mail says the order is complete and carries what was delivered.
    expect(thread.map((m) => m.template)).toEqual([
      'order_receipt',
      'sales_order_created',
      'order_delivery',
    ]);
    const delivery = thread[2]!;
    expect(delivery.text).toContain(`line 1 ${license!.partNumber} × 1: license keys issued`);
    expect(delivery.text).toContain(
      `line 2 ${maintenance!.partNumber} × 1: subscription provisioned`,
    );
    expect(delivery.text).toContain('License keys:\n- EW-KEY-AAAA-BBBB');
    expect(delivery.text).toContain('Attached: manual.pdf.');
    expect(delivery.attachments).toEqual([
      { name: 'manual.pdf', contentType: 'application/pdf', size: 15 },
    ]);
    // Seed 002: what was delivered goes on the sales order's thread, answering its mails only.
    const salesOrder = thread.find((m) => m.template === 'sales_order_created');
    expect(salesOrder, 'the sales order mail').toBeDefined();
    expect(delivery.messageId).toMatch(/\.so@edgeworks\.orderdesk>$/);
    expect(delivery.inReplyTo).toBe(salesOrder!.messageId);
  });

  it('completes a skyline subscription in one fulfilment with one mail that says so', async () => {
    const RESELLER = 'buyer@beta.example';
    const [item] = await findProducts(t, RESELLER, 'skyline', { type: 'subscription', count: 1 });
    const res = await t.as(RESELLER).post('/api/v1/orders', {
      vendor: 'skyline',
      type: 'new',
      channel: 'web_wizard',
      customerId: await firstCustomerId(t, RESELLER),
      lines: [{ partNumber: item!.partNumber, quantity: 2, unitPrice: item!.netPrice }],
      contacts: {
        siteAdmin: { name: 'Tia Admin', email: 'it@tailspin.example' },
        invoicing: { name: 'Tailspin AP', email: 'ap@tailspin.example' },
      },
      attributes: { primaryDomain: 'tailspin.example' },
      termsAccepted: { version: '2025-01' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const o = await act(t, 'desk@skyline.example', res.json(), 'approve', 'provisioning');
    const done = await fulfil('provisioning@skyline.example', o.id, {
      lines: [{ lineNo: 1, quantity: 2 }],
    });
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json()).toMatchObject({ orderCompleted: true });
    const thread = (await t.as(RESELLER).get(`/api/v1/orders/${o.id}/messages`)).json().items as {
      template: string;
      text: string;
    }[];
    expect(thread.map((m) => m.template)).toEqual(['order_number', 'subscription_ready']);
    expect(thread[1]!.text).toContain(`line 1 ${item!.partNumber} × 2: subscription provisioned`);
  });
});
