import { isVendorOnlyEvent } from '@orderdesk/core';
import {
  findOrderInScope,
  findVendorBySlug,
  listAuditEvents,
  listOrders,
  type AuditEvent,
} from '@orderdesk/store';
import { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import type { ThreadMessage } from '../messages/thread.ts';
import { listOrderThreadPage } from '../messages/thread-visibility.ts';
import { notFound } from '../shared/errors.ts';
import { decodeCursor, pageOf, type Page, type PageQuery } from '../shared/paging.ts';
import { orderScope } from './order-access.ts';
import { acknowledgmentsOf } from '../sla/order-sla.ts';
import { NO_DUE_TIME } from '@orderdesk/store';
import {
  pageWithUncreditedInvoice,
  toOrderView,
  vendorOf,
  viewOf,
  type OrderSummaryView,
  type OrderView,
  type VendorOfOrder,
} from './order-view.ts';
import type { orderListQuerySchema } from './orders.schemas.ts';

async function orderInScope(ctx: AppContext, actor: Actor, id: string) {
  const order = await findOrderInScope(ctx.store.db, id, orderScope(actor));
  if (!order) throw notFound('Order');
  return order;
}

/** One order as the caller may see it. */
export async function getOrder(ctx: AppContext, actor: Actor, id: string): Promise<OrderView> {
  return viewOf(ctx.store.db, await orderInScope(ctx, actor, id), actor);
}

/** Orders in the caller's scope, filtered: newest first, oldest first or soonest due first. */
export async function listOrdersPage(
  ctx: AppContext,
  actor: Actor,
  query: z.infer<typeof orderListQuerySchema>,
): Promise<Page<OrderSummaryView>> {
  const db = ctx.store.db;
  const byDue = query.sort === 'due';
  const oldest = query.sort === 'oldest';
  // Each order makes its own cursor: a newest-first one is no oldest-first one (400).
  const before =
    byDue || oldest ? undefined : decodeCursor(query.cursor, z.strictObject({ id: z.string() }));
  const after = oldest
    ? decodeCursor(query.cursor, z.strictObject({ after: z.string() }))
    : undefined;
  const dueAfter = byDue
    ? decodeCursor(query.cursor, z.object({ id: z.string(), due: z.string() }))
    : undefined;
  let vendorId: string | undefined;
  if (query.vendor) vendorId = (await findVendorBySlug(db, query.vendor))?.id ?? 'none';
  const rows = await listOrders(
    db,
    orderScope(actor),
    {
      ...(query.status ? { status: query.status } : {}),
      ...(vendorId ? { vendorId } : {}),
      ...(query.customerId ? { customerId: query.customerId } : {}),
      ...(query.partnerId ? { partnerId: query.partnerId } : {}),
    },
    {
      limit: query.limit + 1,
      ...(before ? { before: before.id } : {}),
      ...(after ? { after: after.after } : {}),
      ...(byDue ? { sort: 'due' as const } : oldest ? { sort: 'oldest' as const } : {}),
      ...(dueAfter ? { dueAfter } : {}),
    },
  );
  const acks = await acknowledgmentsOf(db, rows.slice(0, query.limit));
  const memo = new Map<string, VendorOfOrder>();
  const vendors = new Map<string, VendorOfOrder>();
  for (const o of rows.slice(0, query.limit)) vendors.set(o.id, await vendorOf(db, o, memo));
  // Cancel and reject are offered only where no invoice stands in the way: one read for the
  // page's orders that would offer them (none when the caller may end none of them).
  const uncredited = await pageWithUncreditedInvoice(
    db,
    rows.slice(0, query.limit),
    (o) => (vendors.get(o.id) as VendorOfOrder).profile,
    actor,
  );
  return pageOf(
    rows,
    query.limit,
    (o): Record<string, string> =>
      byDue
        ? { id: o.id, due: o.fulfil_by ?? NO_DUE_TIME }
        : oldest
          ? { after: o.id }
          : { id: o.id },
    (o) => {
      const v = vendors.get(o.id) as VendorOfOrder;
      const {
        lines: _l,
        problems: _p,
        ...summary
      } = toOrderView(o, [], v.slug, v.profile, actor, acks.get(o.id), uncredited.has(o.id));
      return summary;
    },
  );
}

/** One event of an order's timeline. */
export interface OrderTimelineEvent {
  at: string;
  actor: string;
  type: string;
  from?: string;
  to?: string;
  reason?: string;
  data?: unknown;
}

/** Where a page of an order's timeline or thread resumes: after this instant and id. */
const eventCursorSchema = z.object({ at: z.string(), id: z.string() });

/**
 * The order's timeline, oldest first, a page at a time: every event recorded for it for vendor
 * staff; for a partner, all but the vendor's own business (VENDOR_ONLY_EVENTS: an invoice the
 * scheduler could not issue). A partner's pages skip those and are read on until full, so every
 * page but the last is full and the cursor is the same (the last event shown).
 */
export async function listOrderEvents(
  ctx: AppContext,
  actor: Actor,
  id: string,
  query: PageQuery,
): Promise<Page<OrderTimelineEvent>> {
  const order = await orderInScope(ctx, actor, id);
  const shown =
    actor.side === 'vendor' ? () => true : (e: AuditEvent) => !isVendorOnlyEvent(e.type);
  const events: AuditEvent[] = [];
  let after = decodeCursor(query.cursor, eventCursorSchema);
  for (;;) {
    const read = await listAuditEvents(ctx.store.db, 'order', order.id, {
      limit: query.limit + 1,
      after,
    });
    events.push(...read.filter(shown));
    const last = read.at(-1);
    if (events.length > query.limit || read.length <= query.limit || !last) break;
    after = { at: last.at, id: last.id };
  }
  return pageOf(
    events,
    query.limit,
    (last) => ({ at: last.at, id: last.id }),
    (e) => ({
      at: e.at,
      actor: e.actor_label,
      type: e.type,
      ...(e.from_status ? { from: e.from_status } : {}),
      ...(e.to_status ? { to: e.to_status } : {}),
      ...(e.reason ? { reason: e.reason } : {}),
      ...(e.data ? { data: JSON.parse(e.data) as unknown } : {}),
    }),
  );
}

/**
 * The order's e-mail thread (GET /orders/{id}/messages), oldest first, a page at a time: all
 * of it for vendor staff, a partner's own mails for a partner (listOrderThreadPage).
 */
export async function listOrderMessages(
  ctx: AppContext,
  actor: Actor,
  id: string,
  query: PageQuery,
): Promise<Page<ThreadMessage>> {
  const order = await orderInScope(ctx, actor, id);
  return listOrderThreadPage(ctx.store.db, actor, order, query);
}
