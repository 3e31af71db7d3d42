import {
  availableQuoteActionsFor,
  formatAmount,
  isQuoteExpired,
  type QuoteStatus,
  type VendorProfile,
} from '@orderdesk/core';
import {
  findVendorById,
  listQuoteRevisions,
  type Executor,
  type Quote,
  type QuoteLine,
  type QuoteRequest,
} from '@orderdesk/store';
import type { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { notFound } from '../shared/errors.ts';
import { partnershipVisibility } from '../partnerships/price-visibility.ts';
import { profileOfVendor } from '../vendors/profile-cache.ts';
import {
  QUOTE_USER_ACTIONS,
  type QuoteUserAction,
  type quoteRequestSchema,
  type quoteSchema,
} from './quotes.schemas.ts';

export type QuoteView = z.infer<typeof quoteSchema>;
export type QuoteRequestView = z.infer<typeof quoteRequestSchema>;

export async function vendorInfo(
  db: Executor,
  vendorId: string,
): Promise<{ slug: string; name: string; profile: VendorProfile }> {
  const v = await findVendorById(db, vendorId);
  if (!v) throw notFound('Vendor');
  return { slug: v.slug, name: v.name, profile: await profileOfVendor(db, v) };
}

/** The status a reader sees: a draft or approved quote past its date is expired. */
export function effectiveStatus(q: Quote, today: string): QuoteStatus {
  if ((q.status === 'draft' || q.status === 'approved') && isQuoteExpired(q.valid_until, today))
    return 'expired';
  return q.status as QuoteStatus;
}

/** The revision that superseded `q`, if any. */
export async function supersedingRevision(
  db: Executor,
  q: Quote,
): Promise<{ id: string; revision: number } | null> {
  if (q.status !== 'superseded') return null;
  const revisions = await listQuoteRevisions(
    db,
    { vendorId: q.vendor_id, number: q.number },
    {
      vendorId: q.vendor_id,
    },
  );
  const next = revisions.find((r) => r.previous_id === q.id);
  return next ? { id: next.id, revision: next.revision } : null;
}

/**
 * The API's view of a quote for `actor`: the actions open to it, and the list prices and
 * multipliers only where it may see them (a tier-2 reseller never sees its distributor's
 * multiplier; no partner sees list prices where the profile hides them).
 */
export function toQuoteView(
  q: Quote,
  lines: readonly QuoteLine[],
  view: {
    vendorSlug: string;
    profile: Pick<VendorProfile, 'pricing'>;
    today: string;
    actor: Actor;
    supersededBy?: { id: string; revision: number } | null;
  },
): QuoteView {
  const { vendorSlug, today, actor } = view;
  const supersededBy = view.supersededBy ?? null;
  const seen = partnershipVisibility(view.profile, actor, { partner_id: q.partner_id });
  const status = effectiveStatus(q, today);
  const side = actor.side;
  const actions = availableQuoteActionsFor(status, { roles: actor.roles, side }).filter(
    (a): a is QuoteUserAction => (QUOTE_USER_ACTIONS as readonly string[]).includes(a),
  );
  return {
    id: q.id,
    number: q.number,
    revision: q.revision,
    version: q.version,
    status,
    vendor: vendorSlug,
    partnerId: q.partner_id,
    customerId: q.customer_id,
    orderType: q.order_type,
    currency: q.currency,
    validUntil: q.valid_until,
    quoteRequestId: q.quote_request_id,
    subscriptionId: q.subscription_id,
    previousId: q.previous_id,
    supersededBy,
    notes: q.notes,
    availableActions: actions,
    lines: lines.map((l) => ({
      partNumber: l.part_number,
      name: l.name,
      quantity: l.quantity,
      listPrice: seen.listPrices ? formatAmount(l.list_price_minor, q.currency) : null,
      multiplier: seen.multipliers ? l.multiplier : null,
      netPrice: formatAmount(l.net_price_minor, q.currency),
      amount: formatAmount(l.amount_minor, q.currency),
    })),
    total: formatAmount(q.total_minor, q.currency),
    createdAt: q.created_at,
  };
}

export function toRequestView(
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
