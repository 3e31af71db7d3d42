import { profileOf } from '../vendors/profile-cache.ts';
import {
  AmountOutOfRangeError,
  formatAmount,
  isQuoteExpired,
  multiplyMinor,
  multiplierFor,
  netUnitPrice,
  sumMinor,
  transitionQuote,
  type VendorProfile,
} from '@orderdesk/core';
import {
  enqueueOutbox,
  findCustomerInScope,
  findMultipliers,
  findPartnerById,
  findPartnership,
  findPricesInForce,
  findQuoteInScope,
  findQuoteRequestInScope,
  findSubscriptionInScope,
  findUserById,
  findVendorById,
  findVendorBySlug,
  insertAuditEvent,
  insertQuote,
  insertQuoteRequest,
  listPartnerScopeIds,
  listQuoteLines,
  listQuoteLinesOf,
  listQuoteRequests,
  listQuotes,
  listVendorUsers,
  newId,
  nextCounterValue,
  updateQuoteRequestStatus,
  updateQuoteStatus,
  type Executor,
  type Quote,
  type QuoteLine,
  type QuoteRequest,
  type QuoteScope,
  type SubscriptionScope,
  type VendorToday,
} from '@orderdesk/store';
import type { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { parseRoles, requirePartner, requireVendorStaff } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import {
  invalidInput,
  conflict,
  forbidden,
  AppError,
  notFound,
  unprocessable,
  type ProblemItem,
} from '../shared/errors.ts';
import { todayIn } from '../shared/time.ts';
import { contractingPartnerId, visibleVendorIds } from '../vendors/vendor-scope.ts';
import type {
  quoteActionBodySchema,
  quoteBodySchema,
  quoteRequestBodySchema,
  quoteRequestSchema,
  quoteSchema,
} from './quotes.schemas.ts';

export type QuoteView = z.infer<typeof quoteSchema>;
export type QuoteRequestView = z.infer<typeof quoteRequestSchema>;

/**
 * What a partner user sees of its partnership: the contracting partnership's (the distributor's,
 * for a tier-2 reseller) quotes, requests and subscriptions, but only for the customers it can
 * see — a distributor those of itself and its tier-2s, a tier-2 reseller only its own.
 */
function partnerSide(actor: Actor): { partnerIds: string[]; customerPartnerIds: string[] } {
  const contracting = actor.side === 'partner' ? contractingPartnerId(actor) : null;
  return {
    partnerIds: contracting ? [contracting] : [],
    customerPartnerIds: actor.side === 'partner' ? actor.partnerScopeIds : [],
  };
}

/** Vendor staff: their vendor's quotes. Partners: see partnerSide, and never a draft. */
export function quoteScope(actor: Actor): QuoteScope {
  if (actor.side === 'vendor' && actor.vendorId) return { vendorId: actor.vendorId };
  return { ...partnerSide(actor), issuedOnly: true };
}

/** Vendor staff: their vendor's quote requests. Partners: see partnerSide. */
export function requestScope(actor: Actor): QuoteScope {
  if (actor.side === 'vendor' && actor.vendorId) return { vendorId: actor.vendorId };
  return partnerSide(actor);
}

/** Vendor staff: their vendor's subscriptions. Partners: see partnerSide. */
export function subscriptionScope(actor: Actor): SubscriptionScope {
  if (actor.side === 'vendor' && actor.vendorId) return { vendorId: actor.vendorId };
  return partnerSide(actor);
}

async function vendorInfo(
  db: Executor,
  vendorId: string,
): Promise<{ slug: string; profile: VendorProfile }> {
  const v = await findVendorById(db, vendorId);
  if (!v) throw notFound('Vendor');
  return { slug: v.slug, profile: profileOf(v.profile) };
}

// ---- Quote requests -------------------------------------------------------------------

/** A partner asks for a quote; the request is routed to the CAM (or sales) by an outbox mail. */
export async function createQuoteRequest(
  ctx: AppContext,
  tx: Executor,
  actorIn: Actor,
  body: z.infer<typeof quoteRequestBodySchema>,
): Promise<QuoteRequestView> {
  const actor = requirePartner(actorIn);
  const vendor = await findVendorBySlug(tx, body.vendor);
  const contracting = contractingPartnerId(actor);
  const visible = vendor ? (await visibleVendorIds(tx, actor)).includes(vendor.id) : false;
  const partnership =
    vendor && visible && contracting
      ? await findPartnership(tx, vendor.id, contracting)
      : undefined;
  const customer = await findCustomerInScope(tx, body.customerId, actor.partnerScopeIds);
  const errors: ProblemItem[] = [];
  if (!vendor || !partnership)
    errors.push({
      path: 'vendor',
      code: 'invalid',
      message: `No partnership with vendor "${body.vendor}"`,
    });
  if (!customer)
    errors.push({ path: 'customerId', code: 'invalid', message: 'No such customer of yours' });
  const profile = vendor ? profileOf(vendor.profile) : undefined;
  if (profile && !profile.orderTypes.some((t) => t.key === body.orderType)) {
    errors.push({
      path: 'orderType',
      code: 'order_type.unknown',
      message: `Unknown order type; one of ${profile.orderTypes.map((t) => t.key).join(', ')}`,
    });
  }
  if (body.subscriptionId && vendor) {
    const sub = await findSubscriptionInScope(tx, body.subscriptionId, subscriptionScope(actor));
    if (!sub || sub.vendor_id !== vendor.id || sub.customer_id !== body.customerId)
      errors.push({
        path: 'subscriptionId',
        code: 'invalid',
        message: 'No such subscription of this customer',
      });
  }
  if (errors.length > 0 || !vendor || !partnership || !customer || !profile) {
    throw unprocessable('The quote request has problems', errors);
  }
  const at = ctx.now().toISOString();
  const row: QuoteRequest = {
    id: newId('qrq'),
    vendor_id: vendor.id,
    partner_id: partnership.partner_id,
    requested_by_partner_id: actor.partnerId,
    customer_id: customer.id,
    order_type: body.orderType,
    lines: JSON.stringify(body.lines ?? []),
    notes: body.notes ?? null,
    subscription_id: body.subscriptionId ?? null,
    status: 'open',
    created_by: actor.userId,
    created_at: at,
    updated_at: at,
  };
  await insertQuoteRequest(tx, row);
  const to = await quoteRequestRecipients(tx, vendor.id, partnership.cam_user_id, profile);
  if (to.length > 0) {
    await enqueueOutbox(tx, {
      vendorId: vendor.id,
      topic: 'mail',
      entityType: 'quote_request',
      entityId: row.id,
      payload: {
        template: 'quote.requested',
        to,
        subject: `Quote request from ${(await findPartnerById(tx, actor.partnerId))?.name ?? 'a partner'} for ${customer.name}`,
        quoteRequestId: row.id,
      },
    });
  }
  await insertAuditEvent(tx, {
    vendorId: vendor.id,
    partnerId: partnership.partner_id,
    entityType: 'quote_request',
    entityId: row.id,
    type: 'quote.requested',
    actorUserId: actor.userId,
    actorLabel: actor.email,
    at,
    data: { notified: to },
  });
  return toRequestView(row, vendor.slug, customer.name);
}

/**
 * Who hears of a quote request (API.md: "it notifies the CAM"): always the partnership's CAM;
 * with `quotePolicy.requestRouting: sales` also the vendor's sales staff; the sales staff alone
 * when the partnership has no (active) CAM, and the vendor's admins if there is no one else.
 */
async function quoteRequestRecipients(
  tx: Executor,
  vendorId: string,
  camUserId: string | null,
  profile: VendorProfile,
): Promise<string[]> {
  const to: string[] = [];
  const cam = camUserId ? await findUserById(tx, camUserId) : undefined;
  if (cam && cam.active !== 0 && cam.vendor_id === vendorId) to.push(cam.email);
  if (profile.quotePolicy.requestRouting === 'sales' || to.length === 0) {
    const staff = (await listVendorUsers(tx, vendorId)).filter((u) => u.active !== 0);
    const withRole = (role: string): string[] =>
      staff.filter((u) => (parseRoles(u) as string[]).includes(role)).map((u) => u.email);
    const extra = withRole('sales');
    if (to.length === 0 && extra.length === 0) extra.push(...withRole('vendor_admin'));
    for (const email of extra) if (!to.includes(email)) to.push(email);
  }
  return to;
}

function toRequestView(
  r: QuoteRequest,
  vendorSlug: string,
  customerName: string,
): QuoteRequestView {
  return {
    id: r.id,
    status: r.status as QuoteRequestView['status'],
    vendor: vendorSlug,
    partnerId: r.partner_id,
    requestedByPartnerId: r.requested_by_partner_id,
    customer: { id: r.customer_id, name: customerName },
    orderType: r.order_type,
    lines: JSON.parse(r.lines) as QuoteRequestView['lines'],
    subscriptionId: r.subscription_id,
    notes: r.notes,
    createdAt: r.created_at,
  };
}

async function requestView(db: Executor, r: QuoteRequest): Promise<QuoteRequestView> {
  const v = await vendorInfo(db, r.vendor_id);
  const c = await db
    .selectFrom('customers')
    .select('name')
    .where('id', '=', r.customer_id)
    .executeTakeFirst();
  return toRequestView(r, v.slug, c?.name ?? '');
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

export async function pageQuoteRequests(
  ctx: AppContext,
  actor: Actor,
  page: { limit: number; before?: string },
): Promise<{ items: QuoteRequestView[]; more: boolean; last?: string }> {
  const rows = await listQuoteRequests(ctx.store.db, requestScope(actor), {
    limit: page.limit + 1,
    ...(page.before ? { before: page.before } : {}),
  });
  const items = rows.slice(0, page.limit);
  const views = [];
  for (const r of items) views.push(await requestView(ctx.store.db, r));
  return {
    items: views,
    more: rows.length > page.limit,
    ...(items.at(-1) ? { last: items.at(-1)?.id } : {}),
  };
}

// ---- Quotes -----------------------------------------------------------------------------

interface PricedQuote {
  currency: string;
  lines: Omit<QuoteLine, 'quote_id'>[];
  totalMinor: number;
  priceListId: string | null;
}

/** Prices lines at the partnership's net prices from the price list in force today. */
async function priceQuoteLines(
  db: Executor,
  input: {
    vendorId: string;
    partnershipId: string;
    partnership: { legal_name: string; agreement_date: string; multiplier: string };
    currency: string;
    on: string;
  },
  lines: readonly { partNumber: string; quantity: number }[],
): Promise<PricedQuote> {
  const partNumbers = [...new Set(lines.map((l) => l.partNumber))];
  const [prices, multipliers] = await Promise.all([
    findPricesInForce(db, {
      vendorId: input.vendorId,
      currency: input.currency,
      partNumbers,
      on: input.on,
    }),
    findMultipliers(db, input.partnershipId, input.on),
  ]);
  const byPart = new Map(prices.map((p) => [p.partNumber, p]));
  const errors: ProblemItem[] = [];
  const out: Omit<QuoteLine, 'quote_id'>[] = [];
  let total = 0;
  let priceListId: string | null = null;
  lines.forEach((l, i) => {
    const p = byPart.get(l.partNumber);
    if (!p) {
      errors.push({
        path: `lines[${i}].partNumber`,
        code: 'part_number.unknown',
        message: `Unknown part number ${l.partNumber}`,
      });
      return;
    }
    if (!p.active) {
      errors.push({
        path: `lines[${i}].partNumber`,
        code: 'part_number.inactive',
        message: `${l.partNumber} is no longer sold`,
      });
      return;
    }
    if (p.listPriceMinor === null) {
      errors.push({
        path: `lines[${i}].partNumber`,
        code: 'part_number.unknown',
        message: `${l.partNumber} has no ${input.currency} price on ${input.on}`,
      });
      return;
    }
    const multiplier = multiplierFor(
      { categoryId: p.categoryId, categoryAncestorIds: p.categoryAncestorIds },
      {
        legalName: input.partnership.legal_name,
        agreementDate: input.partnership.agreement_date,
        multiplier: input.partnership.multiplier,
        multipliers,
      },
      input.on,
    );
    let net: number;
    let amount: number;
    try {
      net = netUnitPrice(p.listPriceMinor, multiplier, input.currency);
      amount = multiplyMinor(net, l.quantity);
      total = sumMinor([total, amount]);
    } catch (err) {
      if (!(err instanceof AmountOutOfRangeError)) throw err;
      errors.push({
        path: `lines[${i}].quantity`,
        code: 'invalid',
        message: `${l.quantity} × ${l.partNumber} takes the quote beyond the largest amount ${input.currency} supports; split the quote`,
      });
      return;
    }
    priceListId ??= p.priceListId;
    out.push({
      line_no: i + 1,
      product_id: p.productId,
      part_number: l.partNumber,
      name: p.name,
      quantity: l.quantity,
      list_price_minor: p.listPriceMinor,
      multiplier,
      net_price_minor: net,
      amount_minor: amount,
    });
  });
  if (errors.length > 0) throw unprocessable('Some lines cannot be quoted', errors);
  return { currency: input.currency, lines: out, totalMinor: total, priceListId };
}

function effectiveStatus(q: Quote, today: string): QuoteView['status'] {
  if ((q.status === 'draft' || q.status === 'approved') && isQuoteExpired(q.valid_until, today))
    return 'expired';
  return q.status as QuoteView['status'];
}

function toQuoteView(
  q: Quote,
  lines: readonly QuoteLine[],
  vendorSlug: string,
  today: string,
): QuoteView {
  return {
    id: q.id,
    number: q.number,
    version: q.version,
    status: effectiveStatus(q, today),
    vendor: vendorSlug,
    partnerId: q.partner_id,
    customerId: q.customer_id,
    orderType: q.order_type,
    currency: q.currency,
    validUntil: q.valid_until,
    quoteRequestId: q.quote_request_id,
    subscriptionId: q.subscription_id,
    previousId: q.previous_id,
    notes: q.notes,
    lines: lines.map((l) => ({
      partNumber: l.part_number,
      name: l.name,
      quantity: l.quantity,
      listPrice: formatAmount(l.list_price_minor, q.currency),
      multiplier: l.multiplier,
      netPrice: formatAmount(l.net_price_minor, q.currency),
      amount: formatAmount(l.amount_minor, q.currency),
    })),
    total: formatAmount(q.total_minor, q.currency),
    createdAt: q.created_at,
  };
}

function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Sales (or the CAM) builds a quote for a partner's customer at the partnership's net prices. */
export async function createQuote(
  ctx: AppContext,
  tx: Executor,
  actorIn: Actor,
  body: z.infer<typeof quoteBodySchema>,
): Promise<QuoteView> {
  const actor = requireVendorStaff(actorIn, ['sales', 'cam']);
  const { slug, profile } = await vendorInfo(tx, actor.vendorId);
  const errors: ProblemItem[] = [];
  if (body.vendor && body.vendor !== slug)
    errors.push({ path: 'vendor', code: 'invalid', message: `You quote for ${slug}` });
  const partnership = await findPartnership(tx, actor.vendorId, body.partnerId);
  if (!partnership)
    errors.push({ path: 'partnerId', code: 'invalid', message: 'Not one of your partners' });
  const scope = partnership ? await listPartnerScopeIds(tx, partnership.partner_id) : [];
  const customer = await findCustomerInScope(tx, body.customerId, scope);
  if (!customer)
    errors.push({
      path: 'customerId',
      code: 'invalid',
      message: 'Not a customer of this partner (or its resellers)',
    });
  if (!profile.orderTypes.some((t) => t.key === body.orderType)) {
    errors.push({
      path: 'orderType',
      code: 'order_type.unknown',
      message: `One of ${profile.orderTypes.map((t) => t.key).join(', ')}`,
    });
  }
  let request: QuoteRequest | undefined;
  if (body.quoteRequestId) {
    request = await findQuoteRequestInScope(tx, body.quoteRequestId, { vendorId: actor.vendorId });
    if (!request)
      errors.push({ path: 'quoteRequestId', code: 'invalid', message: 'No such quote request' });
    else if (request.partner_id !== body.partnerId || request.customer_id !== body.customerId)
      errors.push({
        path: 'quoteRequestId',
        code: 'invalid',
        message: 'The quote request is for another partner or customer than this quote',
      });
  }
  if (body.subscriptionId) {
    const sub = await findSubscriptionInScope(tx, body.subscriptionId, {
      vendorId: actor.vendorId,
    });
    if (!sub || sub.customer_id !== body.customerId)
      errors.push({
        path: 'subscriptionId',
        code: 'invalid',
        message: 'No such subscription of this customer',
      });
  }
  const today = todayIn(profile.sla.calendar.timeZone, ctx.now());
  if (body.validUntil && body.validUntil < today) {
    errors.push({
      path: 'validUntil',
      code: 'invalid',
      message: `Must not be before today (${today})`,
    });
  }
  if (errors.length > 0 || !partnership || !customer)
    throw unprocessable('The quote has problems', errors);
  const currency = body.currency ?? profile.currency;
  const priced = await priceQuoteLines(
    tx,
    { vendorId: actor.vendorId, partnershipId: partnership.id, partnership, currency, on: today },
    body.lines,
  );
  const seq = await nextCounterValue(tx, actor.vendorId, 'quote');
  const number = `Q-${profile.orderNumberPrefix.replace(/[^A-Z0-9]/gi, '')}-${String(seq).padStart(6, '0')}`;
  const quote = await storeQuote(ctx, tx, actor, {
    vendorId: actor.vendorId,
    partnerId: partnership.partner_id,
    customerId: customer.id,
    number,
    version: 1,
    orderType: body.orderType,
    validUntil: body.validUntil ?? addDays(today, profile.quotePolicy.validityDays),
    quoteRequestId: body.quoteRequestId ?? null,
    subscriptionId: body.subscriptionId ?? null,
    previousId: null,
    notes: body.notes ?? null,
    priced,
  });
  if (request) await updateQuoteRequestStatus(tx, request.id, 'quoted', quote.created_at);
  return toQuoteView(quote, await listQuoteLines(tx, quote.id), slug, today);
}

async function storeQuote(
  ctx: AppContext,
  tx: Executor,
  actor: Actor,
  q: {
    vendorId: string;
    partnerId: string;
    customerId: string;
    number: string;
    version: number;
    orderType: string;
    validUntil: string;
    quoteRequestId: string | null;
    subscriptionId: string | null;
    previousId: string | null;
    notes: string | null;
    priced: PricedQuote;
  },
): Promise<Quote> {
  const at = ctx.now().toISOString();
  const row: Quote = {
    id: newId('qt'),
    vendor_id: q.vendorId,
    partner_id: q.partnerId,
    customer_id: q.customerId,
    number: q.number,
    version: q.version,
    status: 'draft',
    order_type: q.orderType,
    currency: q.priced.currency,
    valid_until: q.validUntil,
    quote_request_id: q.quoteRequestId,
    subscription_id: q.subscriptionId,
    previous_id: q.previousId,
    price_list_id: q.priced.priceListId,
    total_minor: q.priced.totalMinor,
    notes: q.notes,
    created_by: actor.userId,
    created_at: at,
    updated_at: at,
  };
  await insertQuote(
    tx,
    row,
    q.priced.lines.map((l) => ({ ...l, quote_id: row.id })),
  );
  await insertAuditEvent(tx, {
    vendorId: q.vendorId,
    partnerId: q.partnerId,
    entityType: 'quote',
    entityId: row.id,
    type: q.version === 1 ? 'quote.created' : 'quote.revised',
    actorUserId: actor.userId,
    actorLabel: actor.email,
    toStatus: 'draft',
    at,
    data: { number: q.number, version: q.version },
  });
  return row;
}

export async function getQuote(ctx: AppContext, actor: Actor, id: string): Promise<QuoteView> {
  const q = await findQuoteInScope(ctx.store.db, id, quoteScope(actor));
  if (!q) throw notFound('Quote');
  const { slug, profile } = await vendorInfo(ctx.store.db, q.vendor_id);
  return toQuoteView(
    q,
    await listQuoteLines(ctx.store.db, q.id),
    slug,
    todayIn(profile.sla.calendar.timeZone, ctx.now()),
  );
}

export async function pageQuotes(
  ctx: AppContext,
  actor: Actor,
  filters: { status?: string; customerId?: string },
  page: { limit: number; before?: string },
): Promise<{ items: QuoteView[]; more: boolean; last?: string }> {
  const db = ctx.store.db;
  const vendors = new Map<string, { slug: string; today: string }>();
  const vendor = async (vendorId: string): Promise<{ slug: string; today: string }> => {
    let v = vendors.get(vendorId);
    if (!v) {
      const { slug, profile } = await vendorInfo(db, vendorId);
      v = { slug, today: todayIn(profile.sla.calendar.timeZone, ctx.now()) };
      vendors.set(vendorId, v);
    }
    return v;
  };
  // The status shown depends on each vendor's today: filter on it in SQL, vendor by vendor.
  const todays: VendorToday[] = [];
  if (filters.status !== undefined) {
    for (const vendorId of await visibleVendorIds(db, actor))
      todays.push({ vendorId, today: (await vendor(vendorId)).today });
  }
  const rows = await listQuotes(
    db,
    quoteScope(actor),
    { ...filters, todays },
    { limit: page.limit + 1, ...(page.before ? { before: page.before } : {}) },
  );
  const items = rows.slice(0, page.limit);
  const views = [];
  const lines = await listQuoteLinesOf(
    db,
    items.map((q) => q.id),
  );
  for (const q of items) {
    const { slug, today } = await vendor(q.vendor_id);
    views.push(toQuoteView(q, lines.get(q.id) ?? [], slug, today));
  }
  return {
    items: views,
    more: rows.length > page.limit,
    ...(items.at(-1) ? { last: items.at(-1)?.id } : {}),
  };
}

/** The version an `If-Match` header asks for; undefined when absent or `*` (no check). */
function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
  if (!m) {
    throw invalidInput('If-Match must be the quote version, e.g. If-Match: 2', [
      { path: 'headers.if-match', code: 'invalid', message: 'Not a version number' },
    ]);
  }
  return Number(m[1]);
}

/**
 * approve (sales, cam), decline (partner) or revise (sales: a new version supersedes this one),
 * if the quote is at the version `If-Match` names (absent or `*`: no check).
 */
export async function actOnQuote(
  ctx: AppContext,
  tx: Executor,
  actor: Actor,
  id: string,
  action: 'approve' | 'decline' | 'revise',
  input: z.infer<typeof quoteActionBodySchema>,
  ifMatch?: string,
): Promise<QuoteView> {
  const q = await findQuoteInScope(tx, id, quoteScope(actor));
  if (!q) throw notFound('Quote');
  const expected = parseIfMatch(ifMatch);
  if (expected !== undefined && expected !== q.version) {
    throw conflict(`The quote is at version ${q.version}, not ${expected}; reload and retry`, [
      {
        path: 'headers.if-match',
        code: 'invalid',
        message: 'Another version of the quote',
        expected: String(q.version),
        actual: String(expected),
      },
    ]);
  }
  const { slug, profile } = await vendorInfo(tx, q.vendor_id);
  const today = todayIn(profile.sla.calendar.timeZone, ctx.now());
  const status = effectiveStatus(q, today);
  const result = transitionQuote(status, action, actor.roles);
  if (!result.ok) {
    if (result.code === 'role.forbidden') throw forbidden(result.message);
    throw new AppError('conflict', 'action-not-allowed', result.message, [
      { path: 'action', code: result.code, message: result.message },
    ]);
  }
  if (action === 'revise' && !profile.quotePolicy.revisionsAllowed) {
    throw forbidden(`${profile.name} does not revise quotes; create a new one`);
  }
  const at = ctx.now().toISOString();
  if (!(await updateQuoteStatus(tx, q.id, q.status, result.to, at))) {
    throw conflict('The quote was changed by someone else; reload and retry');
  }
  await insertAuditEvent(tx, {
    vendorId: q.vendor_id,
    partnerId: q.partner_id,
    entityType: 'quote',
    entityId: q.id,
    type: `quote.${action === 'approve' ? 'approved' : action === 'decline' ? 'declined' : 'superseded'}`,
    actorUserId: actor.userId,
    actorLabel: actor.email,
    fromStatus: q.status,
    toStatus: result.to,
    reason: input.reason ?? null,
    at,
  });
  if (action === 'approve') {
    await enqueueOutbox(tx, {
      vendorId: q.vendor_id,
      topic: 'mail',
      entityType: 'quote',
      entityId: q.id,
      payload: {
        template: 'quote.approved',
        toPartnerId: q.partner_id,
        quoteId: q.id,
        attach: ['quote_pdf'],
      },
    });
  }
  if (action !== 'revise') {
    return toQuoteView(
      { ...q, status: result.to, updated_at: at },
      await listQuoteLines(tx, q.id),
      slug,
      today,
    );
  }
  const partnership = await findPartnership(tx, q.vendor_id, q.partner_id);
  if (!partnership) throw notFound('Partnership');
  const oldLines = await listQuoteLines(tx, q.id);
  const lines =
    input.lines ?? oldLines.map((l) => ({ partNumber: l.part_number, quantity: l.quantity }));
  const priced = await priceQuoteLines(
    tx,
    {
      vendorId: q.vendor_id,
      partnershipId: partnership.id,
      partnership,
      currency: q.currency,
      on: today,
    },
    lines,
  );
  const next = await storeQuote(ctx, tx, actor, {
    vendorId: q.vendor_id,
    partnerId: q.partner_id,
    customerId: q.customer_id,
    number: q.number,
    version: q.version + 1,
    orderType: q.order_type,
    validUntil:
      input.validUntil ??
      (q.valid_until < today ? addDays(today, profile.quotePolicy.validityDays) : q.valid_until),
    quoteRequestId: q.quote_request_id,
    subscriptionId: q.subscription_id,
    previousId: q.id,
    notes: input.notes ?? q.notes,
    priced,
  });
  return toQuoteView(next, await listQuoteLines(tx, next.id), slug, today);
}

/** Starts a renewal quote from an existing subscription (its lines, at today's prices). */
export async function createRenewalQuote(
  ctx: AppContext,
  tx: Executor,
  actorIn: Actor,
  subscriptionId: string,
): Promise<QuoteView> {
  const actor = requireVendorStaff(actorIn, ['sales', 'cam']);
  const sub = await findSubscriptionInScope(tx, subscriptionId, { vendorId: actor.vendorId });
  if (!sub) throw notFound('Subscription');
  const { profile } = await vendorInfo(tx, actor.vendorId);
  // The profile's renewal type, else its subscription-change type, else its first type.
  const renewal =
    profile.orderTypes.find((t) => t.key === 'renewal') ??
    profile.orderTypes.find((t) => t.key.includes('renewal')) ??
    profile.orderTypes.find((t) => t.key === 'change') ??
    profile.orderTypes[0];
  if (!renewal)
    throw unprocessable(`${profile.name} has no renewal order type`, [
      {
        path: 'orderType',
        code: 'order_type.unknown',
        message: 'No renewal order type in the profile',
      },
    ]);
  return createQuote(ctx, tx, actor, {
    partnerId: sub.partner_id,
    customerId: sub.customer_id,
    orderType: renewal.key,
    lines: JSON.parse(sub.lines) as { partNumber: string; quantity: number }[],
    subscriptionId: sub.id,
  });
}

/** The raw quote and its lines for the PDF, in the caller's scope. */
export async function quoteForDocument(
  ctx: AppContext,
  actor: Actor,
  id: string,
): Promise<{ view: QuoteView; vendorName: string; customerName: string; partnerName: string }> {
  const view = await getQuote(ctx, actor, id);
  const q = await findQuoteInScope(ctx.store.db, id, quoteScope(actor));
  if (!q) throw notFound('Quote');
  const vendor = await findVendorById(ctx.store.db, q.vendor_id);
  const customer = await ctx.store.db
    .selectFrom('customers')
    .select('name')
    .where('id', '=', q.customer_id)
    .executeTakeFirst();
  const partner = await findPartnerById(ctx.store.db, q.partner_id);
  return {
    view,
    vendorName: vendor?.name ?? '',
    customerName: customer?.name ?? '',
    partnerName: partner?.name ?? '',
  };
}
