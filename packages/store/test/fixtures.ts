import { sql } from 'kysely';
import type { Executor } from '../src/executor.ts';
import { newId } from '../src/ids.ts';
import type {
  Customer,
  Order,
  OrderLine,
  Partner,
  Quote,
  QuoteLine,
  Vendor,
} from '../src/schema.ts';
import { insertCustomer } from '../src/customers.repository.ts';
import { insertPartner, insertPartnership, insertVendor } from '../src/tenancy.repository.ts';

/** The instant the store tests write with (repositories take the caller's clock). */
export const AT = '2026-01-01T00:00:00.000Z';

/** A partners row (no parent), for tests that write it themselves. */
export function partnerRow(id: string, at: string = AT, name: string = id) {
  return { id, name, tier: 1, parent_partner_id: null, created_at: at };
}

/**
 * The names of the prepared statements this PostgreSQL session holds that start with
 * `prefix` (`od_`: the connection's own; `odp_`: the pipelines'), in name order.
 */
export async function preparedStatementNames(db: Executor, prefix: string): Promise<string[]> {
  const rows = await sql<{ name: string }>`select name from pg_prepared_statements
    where starts_with(name, ${prefix}) order by name`.execute(db);
  return rows.rows.map((r) => r.name);
}

/** Runs `work` `n` times in turn; each attempt's outcome: its rows' count, or its error's message. */
export async function attempts(n: number, work: () => Promise<unknown[]>): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      await work().then(
        (rows) => `rows ${rows.length}`,
        (error: Error) => error.message,
      ),
    );
  }
  return out;
}

/** An instant `minutes` after AT. */
export function later(minutes: number): string {
  return new Date(Date.parse(AT) + minutes * 60_000).toISOString();
}

export interface Tenancy {
  vendor: Vendor;
  otherVendor: Vendor;
  /** A distributor (tier 1) with a partnership with `vendor`. */
  acme: Partner;
  /** A tier-2 reseller under acme. */
  beta: Partner;
  /** An unrelated tier-1 partner. */
  other: Partner;
  acmeCustomer: Customer;
  betaCustomer: Customer;
}

/** Two vendors, a distributor with a tier-2 reseller, an unrelated partner, and customers. */
export async function seedTenancy(db: Executor, tag: string): Promise<Tenancy> {
  const vendor = await insertVendor(db, {
    slug: `v-${tag}`,
    name: 'Vendor',
    profile: '{}',
    schemaVersion: 1,
    at: AT,
  });
  const otherVendor = await insertVendor(db, {
    slug: `w-${tag}`,
    name: 'Other vendor',
    profile: '{}',
    schemaVersion: 1,
    at: AT,
  });
  const acme = await insertPartner(db, { name: `Acme ${tag}`, tier: 1, at: AT });
  const beta = await insertPartner(db, {
    name: `Beta ${tag}`,
    tier: 2,
    parentPartnerId: acme.id,
    at: AT,
  });
  const other = await insertPartner(db, { name: `Other ${tag}`, tier: 1, at: AT });
  await insertPartnership(db, {
    vendorId: vendor.id,
    partnerId: acme.id,
    legalName: 'Acme Ltd',
    agreementDate: '2021-01-01',
    multiplier: '0.75',
    at: AT,
  });
  const acmeCustomer = await insertCustomer(db, {
    partnerId: acme.id,
    name: 'Acme customer',
    at: AT,
  });
  const betaCustomer = await insertCustomer(db, {
    partnerId: beta.id,
    name: 'Beta customer',
    at: AT,
  });
  return { vendor, otherVendor, acme, beta, other, acmeCustomer, betaCustomer };
}

/** An order row of the tenancy (acme's, for acme's customer) with `over` applied. */
export function orderRow(t: Tenancy, over: Partial<Order> = {}): Order {
  return {
    id: newId('ord'),
    vendor_id: t.vendor.id,
    partner_id: t.acme.id,
    ordering_partner_id: t.acme.id,
    customer_id: t.acmeCustomer.id,
    number: `O-${newId('n')}`,
    sales_order_number: null,
    type: 'new',
    channel: 'api',
    status: 'submitted',
    version: 1,
    quote_id: null,
    currency: 'USD',
    po_number: null,
    total_minor: 1000,
    price_list_id: null,
    profile_version: 1,
    body: '{}',
    problems: '[]',
    hold_reasons: null,
    acknowledge_by: null,
    fulfil_by: null,
    acknowledged_at: null,
    sla_acknowledge_state: null,
    sla_fulfil_state: null,
    submitted_by: 'usr_x',
    submitted_at: AT,
    completed_at: null,
    created_at: AT,
    updated_at: AT,
    ...over,
  };
}

export function orderLine(
  orderId: string,
  lineNo: number,
  over: Partial<OrderLine> = {},
): OrderLine {
  return {
    order_id: orderId,
    line_no: lineNo,
    product_id: null,
    part_number: `P-${lineNo}`,
    name: null,
    quantity: 1,
    unit_price_minor: 100,
    list_price_minor: null,
    multiplier: null,
    expected_net_minor: null,
    amount_minor: 100,
    attributes: null,
    ...over,
  };
}

/** A draft quote (revision 1, version 1) of the tenancy with `over` applied. */
export function quoteRow(t: Tenancy, over: Partial<Quote> = {}): Quote {
  return {
    id: newId('quo'),
    vendor_id: t.vendor.id,
    partner_id: t.acme.id,
    customer_id: t.acmeCustomer.id,
    number: `Q-${newId('n')}`,
    version: 1,
    revision: 1,
    status: 'draft',
    order_type: 'new',
    currency: 'USD',
    valid_until: '2026-03-01',
    quote_request_id: null,
    subscription_id: null,
    previous_id: null,
    price_list_id: null,
    total_minor: 1000,
    notes: null,
    created_by: 'usr_x',
    created_at: AT,
    updated_at: AT,
    ...over,
  };
}

export function quoteLine(quoteId: string, lineNo: number): QuoteLine {
  return {
    quote_id: quoteId,
    line_no: lineNo,
    product_id: null,
    part_number: `P-${lineNo}`,
    name: `Product ${lineNo}`,
    quantity: 1,
    list_price_minor: 1000,
    multiplier: '1',
    net_price_minor: 1000,
    amount_minor: 1000,
  };
}
