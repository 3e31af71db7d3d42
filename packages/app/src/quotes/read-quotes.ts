import {
  findCustomerById,
  findPartnerById,
  findQuoteInScope,
  findQuoteRequestInScope,
  listMessages,
  listQuoteLines,
  listQuoteLinesOf,
  listQuoteRequests,
  listQuotes,
  type Executor,
  type QuoteRequest,
  type VendorToday,
} from '@orderdesk/store';
import type { VendorProfile } from '@orderdesk/core';
import { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { threadMessageOf, type ThreadMessage } from '../messages/thread.ts';
import { visibleMessages } from '../messages/thread-visibility.ts';
import { notFound } from '../shared/errors.ts';
import { decodeCursor, pageInMemory, pageOf, type Page, type PageQuery } from '../shared/paging.ts';
import { todayIn } from '../shared/time.ts';
import { visibleVendorIds } from '../vendors/vendor-scope.ts';
import { quoteScope, requestScope } from './quote-access.ts';
import {
  supersedingRevision,
  toQuoteView,
  toRequestView,
  vendorInfo,
  type QuoteRequestView,
  type QuoteView,
} from './quote-view.ts';
import type { quoteListQuerySchema } from './quotes.schemas.ts';

const cursorSchema = z.object({ id: z.string() });

async function requestView(
  db: Executor,
  r: QuoteRequest,
  slugs = new Map<string, string>(),
): Promise<QuoteRequestView> {
  let slug = slugs.get(r.vendor_id);
  if (slug === undefined) {
    slug = (await vendorInfo(db, r.vendor_id)).slug;
    slugs.set(r.vendor_id, slug);
  }
  const c = await findCustomerById(db, r.customer_id);
  return toRequestView(r, slug, c?.name ?? '');
}

export async function getQuoteRequest(
  ctx: AppContext,
  actor: Actor,
  id: string,
): Promise<QuoteRequestView> {
  const r = await findQuoteRequestInScope(ctx.store.db, id, requestScope(actor));
  if (!r) throw notFound('Quote request');
  return requestView(ctx.store.db, r);
}

export async function listQuoteRequestsPage(
  ctx: AppContext,
  actor: Actor,
  query: { limit: number; cursor?: string | undefined },
): Promise<Page<QuoteRequestView>> {
  const before = decodeCursor(query.cursor, cursorSchema);
  const rows = await listQuoteRequests(ctx.store.db, requestScope(actor), {
    limit: query.limit + 1,
    ...(before ? { before: before.id } : {}),
  });
  const views = new Map<string, QuoteRequestView>();
  const slugs = new Map<string, string>(); // one vendor look-up per vendor, not per request
  for (const r of rows.slice(0, query.limit)) {
    views.set(r.id, await requestView(ctx.store.db, r, slugs));
  }
  return pageOf(
    rows,
    query.limit,
    (r) => ({ id: r.id }),
    (r) => views.get(r.id) as QuoteRequestView,
  );
}

export async function getQuote(ctx: AppContext, actor: Actor, id: string): Promise<QuoteView> {
  const db = ctx.store.db;
  const q = await findQuoteInScope(db, id, quoteScope(actor));
  if (!q) throw notFound('Quote');
  const { slug, profile } = await vendorInfo(db, q.vendor_id);
  return toQuoteView(q, await listQuoteLines(db, q.id), {
    vendorSlug: slug,
    profile,
    today: todayIn(profile.sla.calendar.timeZone, ctx.now()),
    actor,
    supersededBy: await supersedingRevision(db, q),
  });
}

export async function listQuotesPage(
  ctx: AppContext,
  actor: Actor,
  query: z.infer<typeof quoteListQuerySchema>,
): Promise<Page<QuoteView>> {
  const db = ctx.store.db;
  const before = decodeCursor(query.cursor, cursorSchema);
  type VendorOfQuote = { slug: string; today: string; profile: VendorProfile };
  const vendors = new Map<string, VendorOfQuote>();
  const vendor = async (vendorId: string): Promise<VendorOfQuote> => {
    let v = vendors.get(vendorId);
    if (!v) {
      const { slug, profile } = await vendorInfo(db, vendorId);
      v = { slug, profile, today: todayIn(profile.sla.calendar.timeZone, ctx.now()) };
      vendors.set(vendorId, v);
    }
    return v;
  };
  // The status shown depends on each vendor's today: filter on it in SQL, vendor by vendor.
  const todays: VendorToday[] = [];
  if (query.status !== undefined) {
    for (const vendorId of await visibleVendorIds(db, actor))
      todays.push({ vendorId, today: (await vendor(vendorId)).today });
  }
  const rows = await listQuotes(
    db,
    quoteScope(actor),
    {
      ...(query.status ? { status: query.status } : {}),
      ...(query.customerId ? { customerId: query.customerId } : {}),
      todays,
    },
    { limit: query.limit + 1, ...(before ? { before: before.id } : {}) },
  );
  const shown = rows.slice(0, query.limit);
  const lines = await listQuoteLinesOf(
    db,
    shown.map((q) => q.id),
  );
  const views = new Map<string, QuoteView>();
  for (const q of shown) {
    const { slug, today, profile } = await vendor(q.vendor_id);
    views.set(
      q.id,
      toQuoteView(q, lines.get(q.id) ?? [], {
        vendorSlug: slug,
        profile,
        today,
        actor,
        supersededBy: await supersedingRevision(db, q),
      }),
    );
  }
  return pageOf(
    rows,
    query.limit,
    (q) => ({ id: q.id }),
    (q) => views.get(q.id) as QuoteView,
  );
}

/**
 * The quote's e-mail thread (GET /quotes/{id}/messages), its request's messages first, a page
 * at a time (two threads joined: paged in memory). A partner sees only the messages it sent
 * or was sent, not the vendor's internal ones (the request to the CAM, the decline to sales):
 * they are left out before paging, so pages stay full.
 */
export async function listQuoteMessages(
  ctx: AppContext,
  actor: Actor,
  id: string,
  query: PageQuery,
): Promise<Page<ThreadMessage>> {
  const db = ctx.store.db;
  const q = await findQuoteInScope(db, id, quoteScope(actor));
  if (!q) throw notFound('Quote');
  const request = q.quote_request_id
    ? await findQuoteRequestInScope(db, q.quote_request_id, { vendorId: q.vendor_id })
    : undefined;
  const thread = [
    ...(request ? await listMessages(db, { entityType: 'quote', entityId: request.id }) : []),
    ...(await listMessages(db, { entityType: 'quote', entityId: q.id })),
  ];
  const { profile } = await vendorInfo(db, q.vendor_id);
  const visible = await visibleMessages(
    db,
    actor,
    {
      vendorId: q.vendor_id,
      profile,
      partnerIds: [q.partner_id, ...(request ? [request.requested_by_partner_id] : [])],
      customerId: q.customer_id,
      given: [],
    },
    thread,
  );
  return pageInMemory(visible.map(threadMessageOf), query);
}

/** The quote with the names its PDF shows, in the caller's scope. */
export async function quoteForDocument(
  ctx: AppContext,
  actor: Actor,
  id: string,
): Promise<{ view: QuoteView; vendorName: string; customerName: string; partnerName: string }> {
  const view = await getQuote(ctx, actor, id);
  const db = ctx.store.db;
  const { name } = await vendorInfo(
    db,
    (await findQuoteInScope(db, id, quoteScope(actor)))?.vendor_id ?? '',
  );
  const customer = await findCustomerById(db, view.customerId);
  const partner = await findPartnerById(db, view.partnerId);
  return {
    view,
    vendorName: name,
    customerName: customer?.name ?? '',
    partnerName: partner?.name ?? '',
  };
}
