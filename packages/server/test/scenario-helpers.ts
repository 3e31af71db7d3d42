import { expect } from 'vitest';
import { addDays } from '@orderdesk/core';
import {
  findPartnership,
  findVendorBySlug,
  insertQuote,
  insertQuoteRequest,
  newId,
  nextCounterValue,
} from '@orderdesk/store';
import { priceQuoteLines, profileOfVendor, todayIn } from '@orderdesk/app';
import type { TestApp } from './harness.ts';

export interface PricedProduct {
  partNumber: string;
  name: string;
  type: string;
  netPrice: string;
  listPrice: string;
  multiplier: string;
}

/** Finds active products of a vendor through the catalog API, with the caller's net prices. */
export async function findProducts(
  t: TestApp,
  user: string,
  vendor: string,
  filter: { type?: string; count: number; partNumberIncludes?: string },
): Promise<PricedProduct[]> {
  const found: { partNumber: string; name: string; type: string }[] = [];
  let cursor: string | null = null;
  do {
    const url = `/api/v1/products?vendor=${vendor}&limit=200${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await t.as(user).get(url);
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json<{
      items: { partNumber: string; name: string; type: string; active: boolean }[];
      nextCursor: string | null;
    }>();
    for (const p of page.items)
      if (
        p.active &&
        (!filter.type || p.type === filter.type) &&
        (!filter.partNumberIncludes || p.partNumber.includes(filter.partNumberIncludes))
      )
        found.push(p);
    cursor = page.nextCursor;
  } while (cursor && found.length < filter.count);
  const chosen = found.slice(0, filter.count);
  expect(chosen.length, `${vendor} has ${filter.count} ${filter.type ?? ''} products`).toBe(
    filter.count,
  );
  const prices = await t
    .as(user)
    .get(
      `/api/v1/prices?vendor=${vendor}&partNumbers=${chosen.map((p) => encodeURIComponent(p.partNumber)).join(',')}`,
    );
  expect(prices.statusCode, prices.body).toBe(200);
  const byPart = new Map(
    (
      prices.json().items as {
        partNumber: string;
        netPrice: string;
        listPrice: string;
        multiplier: string;
      }[]
    ).map((p) => [p.partNumber, p]),
  );
  return chosen.map((p) => {
    const price = byPart.get(p.partNumber);
    if (!price) throw new Error(`no price for ${p.partNumber}`);
    return {
      ...p,
      netPrice: price.netPrice,
      listPrice: price.listPrice,
      multiplier: price.multiplier,
    };
  });
}

/**
 * An open quote request of a tier-1 partner `user` to `vendor`, written through the store: one
 * the API would no longer take (the vendor's order types take no quote), as made before its
 * profile said so.
 */
export async function storedQuoteRequest(
  t: TestApp,
  vendor: string,
  user: string,
  of: { partnerId: string; customerId: string },
): Promise<string> {
  const db = t.store.db;
  const v = await db
    .selectFrom('vendors')
    .select('id')
    .where('slug', '=', vendor)
    .executeTakeFirstOrThrow();
  const u = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', user)
    .executeTakeFirstOrThrow();
  const at = new Date().toISOString();
  const id = newId('qrq');
  await insertQuoteRequest(db, {
    id,
    vendor_id: v.id,
    partner_id: of.partnerId,
    requested_by_partner_id: of.partnerId,
    customer_id: of.customerId,
    order_type: 'new',
    lines: '[]',
    notes: null,
    subscription_id: null,
    status: 'open',
    created_by: u.id,
    created_at: at,
    updated_at: at,
  });
  return id;
}

/**
 * A draft quote of `vendor`'s, made by its staff member `user` for a partner's customer and
 * written through the store with its lines: one the API would no longer take (the vendor's
 * order types take no quote), as made before its profile said so. Its lines carry the
 * partnership's net prices and its number the vendor's next quote number, as POST /quotes
 * gives them; actions on it (approve, decline…) go through the API as on any quote.
 */
export async function storedQuote(
  t: TestApp,
  vendor: string,
  user: string,
  of: {
    partnerId: string;
    customerId: string;
    lines: readonly { partNumber: string; quantity: number }[];
    orderType?: string;
  },
): Promise<string> {
  const db = t.store.db;
  const v = await findVendorBySlug(db, vendor);
  if (!v) throw new Error(`no vendor ${vendor}`);
  const u = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', user)
    .executeTakeFirstOrThrow();
  const partnership = await findPartnership(db, v.id, of.partnerId);
  if (!partnership) throw new Error(`${of.partnerId} is no partner of ${vendor}`);
  const profile = await profileOfVendor(db, v);
  const now = t.ctx.now();
  const today = todayIn(profile.sla.calendar.timeZone, now);
  const priced = await priceQuoteLines(
    db,
    {
      vendorId: v.id,
      partnership,
      currency: profile.currency,
      on: today,
      rounding: profile.pricing.rounding,
      perCategory: profile.pricing.multipliersPerCategory,
      profile,
    },
    of.lines,
  );
  const at = now.toISOString();
  const id = newId('qt');
  await db.transaction().execute(async (tx) => {
    const seq = await nextCounterValue(tx, v.id, 'quote');
    await insertQuote(
      tx,
      {
        id,
        vendor_id: v.id,
        partner_id: partnership.partner_id,
        customer_id: of.customerId,
        number: `Q-${profile.orderNumberPrefix.replace(/[^A-Z0-9]/gi, '')}-${String(seq).padStart(6, '0')}`,
        revision: 1,
        version: 1,
        status: 'draft',
        order_type: of.orderType ?? 'new',
        currency: priced.currency,
        valid_until: addDays(today, profile.quotePolicy.validityDays),
        quote_request_id: null,
        subscription_id: null,
        previous_id: null,
        price_list_id: priced.priceListId,
        total_minor: priced.totalMinor,
        notes: null,
        created_by: u.id,
        created_at: at,
        updated_at: at,
      },
      priced.lines.map((l) => ({ ...l, quote_id: id })),
    );
  });
  return id;
}

/** "123.4" → 12340 cents, exactly (no floats). */
export function cents(amount: string): bigint {
  const [whole = '0', frac = ''] = amount.split('.');
  return BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2));
}

/** Sum of unit × quantity, exactly, as a decimal string with two decimals. */
export function totalOf(lines: readonly { unitPrice: string; quantity: number }[]): string {
  const sum = lines.reduce((acc, l) => acc + cents(l.unitPrice) * BigInt(l.quantity), 0n);
  return `${sum / 100n}.${String(sum % 100n).padStart(2, '0')}`;
}

/** A confirmed US ship-to with a tax ID: what an edgeworks device order needs. */
export const CONFIRMED_US_SHIP_TO = {
  name: 'Receiving',
  line1: '500 Dock Rd',
  city: 'Austin',
  region: 'TX',
  postalCode: '78701',
  country: 'US',
  taxId: 'US-12-3456789',
  confirmed: true,
};

/**
 * The body of an edgeworks device order of `quantity` of `device` at its net price: PO
 * `poNumber` dated `date`, shipped to a confirmed US address with a tax ID (what a device order
 * needs). `lines` are the order's, for the caller's totals.
 */
export function deviceOrderBody(
  device: Pick<PricedProduct, 'partNumber' | 'netPrice'>,
  customerId: string,
  poNumber: string,
  { quantity = 2, date = new Date().toISOString().slice(0, 10) } = {},
) {
  const lines = [{ partNumber: device.partNumber, quantity, unitPrice: device.netPrice }];
  return {
    lines,
    body: {
      vendor: 'edgeworks',
      type: 'device',
      customerId,
      purchaseOrder: { number: poNumber, date, currency: 'USD', total: totalOf(lines) },
      lines,
      shippingAddress: CONFIRMED_US_SHIP_TO,
    },
  };
}

/**
 * An edgeworks kit renewal of one kit at its net price, placed by `user` for its first customer
 * with PO `poNumber` (its receipt mail opens the order's thread).
 */
export async function placeKitRenewal(
  t: TestApp,
  user: string,
  poNumber: string,
): Promise<{ id: string; number: string; version: number }> {
  const [kit] = await findProducts(t, user, 'edgeworks', {
    type: 'kit',
    count: 1,
    partNumberIncludes: '-RENEW-',
  });
  if (!kit) throw new Error('no edgeworks renewal kit in the demo catalog');
  const lines = [{ partNumber: kit.partNumber, quantity: 1, unitPrice: kit.netPrice }];
  const res = await t.as(user).post('/api/v1/orders', {
    vendor: 'edgeworks',
    type: 'kits_renewal',
    customerId: await firstCustomerId(t, user),
    purchaseOrder: {
      number: poNumber,
      date: new Date().toISOString().slice(0, 10),
      currency: 'USD',
      total: totalOf(lines),
    },
    lines,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

export async function firstCustomerId(t: TestApp, user: string): Promise<string> {
  const res = await t.as(user).get('/api/v1/customers');
  expect(res.statusCode).toBe(200);
  return res.json().items[0].id as string;
}

export async function partnerIdOf(t: TestApp, user: string): Promise<string> {
  return (await t.as(user).get('/api/v1/me')).json().partner.id as string;
}

/** Takes a workflow action with If-Match and expects the given status. */
export async function act(
  t: TestApp,
  user: string,
  order: { id: string; version: number },
  action: string,
  expectedStatus: string,
  body: Record<string, unknown> = {},
): Promise<{
  id: string;
  version: number;
  status: string;
  salesOrderNumber: string | null;
  sla: { acknowledgeBy: string | null; acknowledgedAt?: string; breaches: string[] };
}> {
  const res = await t.as(user).post(`/api/v1/orders/${order.id}/actions/${action}`, body, {
    'if-match': String(order.version),
  });
  expect(res.statusCode, `${action} by ${user}: ${res.body}`).toBe(200);
  const next = res.json();
  expect(next.status).toBe(expectedStatus);
  return next;
}

export interface FilePart {
  name?: string;
  type?: string;
  bytes: Buffer;
  fields?: Record<string, string>;
}

/** A multipart/form-data body with one `file` part and text fields, as a browser sends it. */
export function multipart(part: FilePart): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----orderdesk${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(part.fields ?? {})) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      ),
    );
  }
  chunks.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${part.name ?? 'file.bin'}"\r\n` +
        `Content-Type: ${part.type ?? 'application/octet-stream'}\r\n\r\n`,
    ),
    part.bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}
