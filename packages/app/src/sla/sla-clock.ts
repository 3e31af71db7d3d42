// The SLA clocks of an order. The due instants are fixed at submission on the vendor's business
// calendar (core computeSlaDueDates, stored on the order). The acknowledgment stage stops at
// the first vendor action in the order's timeline or the acknowledgment mail on its thread;
// the fulfilment stage at completion. The breach job (sla-job.ts) gives each overdue stage its
// outcome once; GET /sla counts what is open, due today and overdue in the vendor's day — due
// today and overdue are disjoint: due today is still ahead (due at or after now, before the
// vendor's midnight), overdue is behind (due before now), whatever day it was due on.
import { DateTime } from 'luxon';
import { countSlaStage, findVendorBySlug, listOverdueOrders } from '@orderdesk/store';
import { requireAccess, type VendorAccess } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import {
  pageWithUncreditedInvoice,
  toOrderView,
  vendorOf,
  type VendorOfOrder,
} from '../orders/order-view.ts';
import { notFound } from '../shared/errors.ts';
import { ACKNOWLEDGMENT_SIGNALS, acknowledgmentsOf } from './order-sla.ts';
import type { SlaSummary } from './sla.schemas.ts';

/** The SLA summary is for vendor staff. */
export const SLA_SUMMARY_ACCESS: VendorAccess = { vendor: 'any' };

/** GET /sla: per stage open, due today and overdue, and the overdue orders (vendor staff). */
export async function readSlaSummary(
  ctx: AppContext,
  actor: Actor,
  query: { vendor?: string | undefined; limit: number },
): Promise<SlaSummary> {
  const staff = requireAccess(actor, SLA_SUMMARY_ACCESS);
  const db = ctx.store.db;
  let slug: string;
  if (query.vendor !== undefined) {
    const vendor = await findVendorBySlug(db, query.vendor);
    if (!vendor || vendor.id !== staff.vendorId) throw notFound('Vendor');
    slug = vendor.slug;
  } else {
    slug = (await vendorOf(db, { vendor_id: staff.vendorId, profile_version: null })).slug;
  }
  const { profile } = await vendorOf(db, { vendor_id: staff.vendorId, profile_version: null });
  const now = ctx.now();
  const zone = profile.sla.calendar.timeZone;
  const local = DateTime.fromJSDate(now, { zone });
  const dayEnd = local.plus({ days: 1 }).startOf('day').toJSDate().toISOString();
  const common = {
    vendorId: staff.vendorId,
    now: now.toISOString(),
    // Due today counts [now, dayEnd): what was due earlier today is overdue, and only that.
    dayStart: now.toISOString(),
    dayEnd,
    signals: ACKNOWLEDGMENT_SIGNALS,
  };
  const acknowledge = await countSlaStage(db, { ...common, stage: 'acknowledge' });
  const fulfil = await countSlaStage(db, { ...common, stage: 'fulfil' });
  const rows = await listOverdueOrders(db, {
    vendorId: staff.vendorId,
    now: now.toISOString(),
    limit: query.limit,
    signals: ACKNOWLEDGMENT_SIGNALS,
  });
  const acks = await acknowledgmentsOf(db, rows);
  const memo = new Map<string, VendorOfOrder>();
  const vendors = new Map<string, VendorOfOrder>();
  for (const o of rows) vendors.set(o.id, await vendorOf(db, o, memo));
  // As in the order list: cancel and reject are not offered while an invoice stands.
  const uncredited = await pageWithUncreditedInvoice(
    db,
    rows,
    (o) => (vendors.get(o.id) as VendorOfOrder).profile,
    actor,
  );
  const overdue = [];
  for (const o of rows) {
    const v = vendors.get(o.id) as VendorOfOrder;
    const view = toOrderView(o, [], v.slug, v.profile, actor, acks.get(o.id), uncredited.has(o.id));
    const { lines: _l, problems: _p, ...summary } = view;
    overdue.push(summary);
  }
  return {
    vendor: slug,
    at: now.toISOString(),
    timeZone: zone,
    today: local.toISODate() ?? '',
    stages: { acknowledge, fulfil },
    overdue,
  };
}
