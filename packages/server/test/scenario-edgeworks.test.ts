// Seed 002 (licenses and devices): every order type, net price = list × multiplier checked per
// line, devices only to a confirmed address with a tax ID, license authorization POs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@orderdesk/store/testing';
import { findVendorBySlug, insertLicense, newId } from '@orderdesk/store';
import { createTestApp, type TestApp } from './harness.ts';
import {
  act,
  CONFIRMED_US_SHIP_TO,
  findProducts,
  firstCustomerId,
  partnerIdOf,
  totalOf,
  type PricedProduct,
} from './scenario-helpers.ts';

const BUYER = 'buyer@acme.example';
const today = new Date().toISOString().slice(0, 10);
type Line = {
  partNumber: string;
  quantity: number;
  unitPrice: string;
  attributes?: Record<string, string | string[]>;
};

describe.each(testDialects())('edgeworks scenario on %s', (dialect) => {
  let t: TestApp;
  let customerId: string;
  let po = 0;
  const byType: Record<string, PricedProduct[]> = {};

  beforeAll(async () => {
    t = await createTestApp(dialect);
    customerId = await firstCustomerId(t, BUYER);
    for (const type of ['perpetual_license', 'maintenance', 'training_seat', 'kit', 'device']) {
      byType[type] = await findProducts(t, BUYER, 'edgeworks', { type, count: 2 });
    }
  });
  afterAll(async () => {
    await t.close();
  });

  const line = (
    type: string,
    i: number,
    quantity: number,
    attributes?: Record<string, string | string[]>,
  ): Line => {
    const p = byType[type]![i]!;
    return {
      partNumber: p.partNumber,
      quantity,
      unitPrice: p.netPrice,
      ...(attributes ? { attributes } : {}),
    };
  };
  const order = (type: string, lines: Line[], extra: Record<string, unknown> = {}) => ({
    vendor: 'edgeworks',
    type,
    customerId,
    purchaseOrder: { number: `EW-PO-${++po}`, date: today, currency: 'USD', total: totalOf(lines) },
    lines,
    ...extra,
  });
  const shipTo = { ...CONFIRMED_US_SHIP_TO, name: 'Fabrikam Receiving' };

  async function submitAndFulfil(body: Record<string, unknown>): Promise<string> {
    const res = await t.as(BUYER).post('/api/v1/orders', body);
    expect(res.statusCode, res.body).toBe(201);
    let o = res.json();
    expect(o.number).toMatch(/^EW-\d{6}$/);
    expect(o.sla.acknowledgeBy).not.toBeNull();
    expect(o.sla.fulfilBy).not.toBeNull();
    expect(Date.parse(o.sla.fulfilBy)).toBeGreaterThan(Date.parse(o.sla.acknowledgeBy) - 1);
    o = await act(t, 'desk@edgeworks.example', o, 'approve', 'booking');
    o = await act(t, 'finance@edgeworks.example', o, 'book', 'provisioning');
    expect(o.salesOrderNumber).toBeTruthy();
    o = await act(t, 'provisioning@edgeworks.example', o, 'complete', 'completed');
    return o.id;
  }

  it('takes each order type end to end', async () => {
    await submitAndFulfil(
      order(
        'license_maintenance',
        [
          line('perpetual_license', 0, 1, { hostId: 'HOST-1' }),
          line('maintenance', 0, 1, { hostId: 'HOST-1' }),
        ],
        {
          attributes: { endUserName: 'Fabrikam Health' },
        },
      ),
    );
    await submitAndFulfil(
      order('training_seat', [
        line('training_seat', 0, 2, {
          attendeeNames: ['Ana', 'Ben'],
          attendeeEmails: ['ana@fabrikam-health.example', 'ben@fabrikam-health.example'],
          courseDate: '2027-01-15',
        }),
      ]),
    );
    // A starter kit carries a gateway: it ships, so the kit order needs the address too.
    await submitAndFulfil(
      order(
        'kits_renewal',
        [line('kit', 0, 3), line('maintenance', 1, 1, { serialNumber: 'SN-42' })],
        { shippingAddress: shipTo },
      ),
    );
    await submitAndFulfil(order('device', [line('device', 0, 2)], { shippingAddress: shipTo }));

    const acme = await partnerIdOf(t, BUYER);
    const vendor = (await findVendorBySlug(t.store.db, 'edgeworks'))!;
    for (const key of ['LIC-SELF-1', 'LIC-SELF-2']) {
      await insertLicense(t.store.db, {
        id: newId('lic'),
        vendor_id: vendor.id,
        partner_id: acme,
        customer_id: customerId,
        license_key: key,
        part_number: byType.perpetual_license![0]!.partNumber,
        authorized: 0,
        pre_bundled: 0,
        order_id: null,
        created_at: new Date().toISOString(),
        authorized_at: null,
      });
    }
    const authorization = order('license_authorization', [line('perpetual_license', 0, 2)], {
      licenseIds: ['LIC-SELF-1', 'LIC-SELF-2'],
    });
    const noPhrase = await t.as(BUYER).post('/api/v1/orders/validate', authorization);
    expect(noPhrase.json().problems).toEqual([
      expect.objectContaining({ path: 'purchaseOrder.notes', code: 'required' }),
    ]);
    const withPhrase = {
      ...authorization,
      purchaseOrder: {
        ...authorization.purchaseOrder,
        notes: 'License Authorization Order for self-generated licenses',
      },
    };
    const unknown = await t.as(BUYER).post('/api/v1/orders/validate', {
      ...withPhrase,
      licenseIds: ['LIC-SELF-1', 'LIC-NOT-MINE'],
    });
    expect(unknown.json().problems).toEqual([
      expect.objectContaining({ path: 'licenseIds[1]', code: 'license.unknown' }),
    ]);
    await submitAndFulfil(withPhrase);
    const licenses = await t.store.db
      .selectFrom('licenses')
      .select(['license_key', 'authorized'])
      .where('vendor_id', '=', vendor.id)
      .orderBy('license_key')
      .execute();
    expect(licenses).toEqual([
      { license_key: 'LIC-SELF-1', authorized: 1 },
      { license_key: 'LIC-SELF-2', authorized: 1 },
    ]);
  });

  it('takes a License Authorization PO without a date (seed 002: optional), not a license and maintenance one', async () => {
    const acme = await partnerIdOf(t, BUYER);
    const vendor = (await findVendorBySlug(t.store.db, 'edgeworks'))!;
    await insertLicense(t.store.db, {
      id: newId('lic'),
      vendor_id: vendor.id,
      partner_id: acme,
      customer_id: customerId,
      license_key: 'LIC-UNDATED-1',
      part_number: byType.perpetual_license![0]!.partNumber,
      authorized: 0,
      pre_bundled: 0,
      order_id: null,
      created_at: new Date().toISOString(),
      authorized_at: null,
    });
    const undated = (body: ReturnType<typeof order>) => {
      const { date: _date, ...purchaseOrder } = body.purchaseOrder;
      return { ...body, purchaseOrder };
    };
    const authorization = undated(
      order('license_authorization', [line('perpetual_license', 0, 1)], {
        licenseIds: ['LIC-UNDATED-1'],
      }),
    );
    const placed = await t.as(BUYER).post('/api/v1/orders', {
      ...authorization,
      purchaseOrder: { ...authorization.purchaseOrder, notes: 'License Authorization Order' },
    });
    expect(placed.statusCode, placed.body).toBe(201);
    expect(placed.json().purchaseOrder).not.toHaveProperty('date');
    // Priced on the day of submission: the net price of today's price list.
    expect(placed.json().lines[0]).toMatchObject({
      expectedNetPrice: byType.perpetual_license![0]!.netPrice,
    });

    // License & Maintenance lists the PO date among its required fields.
    const maintenance = undated(
      order(
        'license_maintenance',
        [
          line('perpetual_license', 0, 1, { hostId: 'HOST-9' }),
          line('maintenance', 0, 1, { hostId: 'HOST-9' }),
        ],
        { attributes: { endUserName: 'Fabrikam Health' } },
      ),
    );
    const refused = await t.as(BUYER).post('/api/v1/orders', maintenance);
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json().errors).toEqual([
      expect.objectContaining({ path: 'purchaseOrder.date', code: 'required' }),
    ]);
  });

  it('flags a wrong net price on one line only, with expected and actual', async () => {
    const good = line('kit', 0, 1);
    const wrong = { ...line('kit', 1, 4), unitPrice: byType.kit![1]!.listPrice };
    const res = await t
      .as(BUYER)
      .post('/api/v1/orders', order('kits_renewal', [good, wrong], { shippingAddress: shipTo }));
    expect(res.statusCode).toBe(422);
    const kit = byType.kit![1]!;
    expect(res.json().errors).toEqual([
      {
        path: 'lines[1].unitPrice',
        code: 'price.mismatch',
        message: expect.stringContaining(kit.multiplier),
        expected: kit.netPrice,
        actual: kit.listPrice,
      },
    ]);
    // The hand computation: net = list × multiplier, half-up to the cent.
    const [whole, frac = ''] = kit.listPrice.split('.');
    const listCents = BigInt(whole!) * 100n + BigInt((frac + '00').slice(0, 2));
    const [mWhole, mFrac = ''] = kit.multiplier.split('.');
    const scale = 10n ** BigInt(mFrac.length);
    const m = BigInt(mWhole!) * scale + BigInt(mFrac || '0');
    const netCents = (listCents * m * 2n + scale) / (2n * scale);
    expect(kit.netPrice).toBe(`${netCents / 100n}.${String(netCents % 100n).padStart(2, '0')}`);
  });

  it('refuses a device order without a tax ID', async () => {
    const { taxId: _taxId, ...noTax } = shipTo;
    const res = await t
      .as(BUYER)
      .post('/api/v1/orders', order('device', [line('device', 0, 1)], { shippingAddress: noTax }));
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      expect.objectContaining({ path: 'shippingAddress.taxId', code: 'shipping.tax_id_required' }),
    ]);
    const unconfirmed = await t.as(BUYER).post(
      '/api/v1/orders',
      order('device', [line('device', 0, 1)], {
        shippingAddress: { ...shipTo, confirmed: false },
      }),
    );
    expect(unconfirmed.json().errors).toEqual([
      expect.objectContaining({ path: 'shippingAddress.confirmed', code: 'shipping.unconfirmed' }),
    ]);
  });

  it('asks for a confirmed address with a tax ID when a kit ships, as for a device', async () => {
    const res = await t
      .as(BUYER)
      .post('/api/v1/orders', order('kits_renewal', [line('kit', 0, 1)]));
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'shippingAddress.taxId',
          code: 'shipping.tax_id_required',
        }),
        expect.objectContaining({
          path: 'shippingAddress.confirmed',
          code: 'shipping.unconfirmed',
        }),
      ]),
    );
  });

  it('refuses a training line that names fewer attendees than seats', async () => {
    const res = await t.as(BUYER).post(
      '/api/v1/orders',
      order('training_seat', [
        line('training_seat', 0, 3, {
          attendeeNames: ['Ana'],
          attendeeEmails: ['ana@fabrikam-health.example'],
          courseDate: '2027-01-15',
        }),
      ]),
    );
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'lines[0].attributes.attendeeNames', code: 'invalid' }),
      ]),
    );
  });

  it('lets a partner cancel before booking but not after', async () => {
    const a = (
      await t
        .as(BUYER)
        .post(
          '/api/v1/orders',
          order('kits_renewal', [line('kit', 0, 1)], { shippingAddress: shipTo }),
        )
    ).json();
    await act(t, BUYER, a, 'cancel', 'cancelled', { reason: 'Ordered twice' });
    let b = (
      await t
        .as(BUYER)
        .post(
          '/api/v1/orders',
          order('kits_renewal', [line('kit', 0, 1)], { shippingAddress: shipTo }),
        )
    ).json();
    b = await act(t, 'desk@edgeworks.example', b, 'approve', 'booking');
    const refused = await t
      .as(BUYER)
      .post(`/api/v1/orders/${b.id}/actions/cancel`, { reason: 'late' });
    // The partner's role cancels, only not from here: the order's status is the reason (409),
    // and the answer says who may still cancel it.
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json().detail).toMatch(/only vendor_admin may from here/);
    await act(t, 'admin@edgeworks.example', b, 'cancel', 'cancelled', {
      reason: 'Customer withdrew',
    });
  });
});
