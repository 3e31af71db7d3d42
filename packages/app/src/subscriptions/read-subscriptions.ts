import {
  findSubscriptionInScope,
  findVendorById,
  findVendorBySlug,
  listSubscriptions,
  type Executor,
  type Subscription,
} from '@orderdesk/store';
import { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { subscriptionScope } from '../quotes/quote-access.ts';
import { notFound } from '../shared/errors.ts';
import { decodeCursor, pageOf, pageQuerySchema, type Page } from '../shared/paging.ts';

export const subscriptionSchema = z
  .object({
    id: z.string(),
    vendor: z.string(),
    partnerId: z.string(),
    customerId: z.string(),
    status: z.string(),
    termMonths: z.number().int(),
    startsOn: z.string(),
    endsOn: z.string(),
    autoRenew: z.boolean(),
    lines: z.array(z.object({ partNumber: z.string(), quantity: z.number().int() })),
    lastOrderId: z.string().nullable(),
  })
  .meta({ id: 'Subscription' });

export const subscriptionListQuery = z.strictObject({
  ...pageQuerySchema.shape,
  /** A vendor's slug: only that vendor's subscriptions (none for a vendor not known). */
  vendor: z.string().min(1).max(100).optional(),
  customerId: z.string().min(1).max(100).optional(),
});

export type SubscriptionView = z.infer<typeof subscriptionSchema>;

function toSubscriptionView(s: Subscription, vendorSlug: string): SubscriptionView {
  return {
    id: s.id,
    vendor: vendorSlug,
    partnerId: s.partner_id,
    customerId: s.customer_id,
    status: s.status,
    termMonths: s.term_months,
    startsOn: s.starts_on,
    endsOn: s.ends_on,
    autoRenew: s.auto_renew === 1,
    lines: JSON.parse(s.lines) as { partNumber: string; quantity: number }[],
    lastOrderId: s.last_order_id,
  };
}

/** The slugs of the vendors of some subscriptions, each looked up once. */
async function vendorSlugs(
  db: Executor,
  subscriptions: readonly Subscription[],
): Promise<Map<string, string>> {
  const slugs = new Map<string, string>();
  for (const s of subscriptions) {
    if (!slugs.has(s.vendor_id)) {
      slugs.set(s.vendor_id, (await findVendorById(db, s.vendor_id))?.slug ?? '');
    }
  }
  return slugs;
}

/** Subscriptions in the caller's scope, newest first (the base for renewals). */
export async function listSubscriptionsPage(
  ctx: AppContext,
  actor: Actor,
  query: z.infer<typeof subscriptionListQuery>,
): Promise<Page<SubscriptionView>> {
  const db = ctx.store.db;
  const before = decodeCursor(query.cursor, z.object({ id: z.string() }));
  // An unknown slug matches nothing (as the order list does), within the caller's scope.
  const vendorId = query.vendor
    ? ((await findVendorBySlug(db, query.vendor))?.id ?? 'none')
    : undefined;
  const rows = await listSubscriptions(
    db,
    subscriptionScope(actor),
    {
      ...(query.customerId ? { customerId: query.customerId } : {}),
      ...(vendorId ? { vendorId } : {}),
    },
    { limit: query.limit + 1, ...(before ? { before: before.id } : {}) },
  );
  const slugs = await vendorSlugs(db, rows.slice(0, query.limit));
  return pageOf(
    rows,
    query.limit,
    (last) => ({ id: last.id }),
    (s) => toSubscriptionView(s, slugs.get(s.vendor_id) ?? ''),
  );
}

/** One subscription in the caller's scope. */
export async function getSubscription(
  ctx: AppContext,
  actor: Actor,
  id: string,
): Promise<SubscriptionView> {
  const s = await findSubscriptionInScope(ctx.store.db, id, subscriptionScope(actor));
  if (!s) throw notFound('Subscription');
  return toSubscriptionView(s, (await vendorSlugs(ctx.store.db, [s])).get(s.vendor_id) ?? '');
}
