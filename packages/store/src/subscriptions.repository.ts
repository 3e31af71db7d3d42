import type { SelectQueryBuilder } from 'kysely';
import type { Executor } from './executor.ts';
import type { Database, License, Subscription } from './schema.ts';
import { customerOfPartners } from './customers.repository.ts';
import { prepared } from './prepared-query.ts';

/** The customer's live subscription with a vendor, if any (the latest one). */
export async function findCurrentSubscription(
  db: Executor,
  vendorId: string,
  customerId: string,
): Promise<Subscription | undefined> {
  return (await selectCurrentSubscription(db, { vendorId, customerId })).rows[0];
}

const selectCurrentSubscription = prepared((db, a: { vendorId: string; customerId: string }) =>
  db
    .selectFrom('subscriptions')
    .selectAll()
    .where('vendor_id', '=', a.vendorId)
    .where('customer_id', '=', a.customerId)
    .where('status', '=', 'active')
    .orderBy('id', 'desc')
    .limit(1),
);

/**
 * Who sees which subscriptions. Vendor staff: their vendor's. A partner: those of its contracting
 * partnership (`partnerIds`) and, when `customerPartnerIds` is given, only those of customers
 * owned by one of these partners (a distributor: itself and its tier-2s; a tier-2: itself).
 */
export type SubscriptionScope =
  { vendorId: string } | { partnerIds: readonly string[]; customerPartnerIds?: readonly string[] };

type SubscriptionsQuery = SelectQueryBuilder<Database, 'subscriptions', Subscription>;

function scopeSubscriptions(
  q: SubscriptionsQuery,
  scope: SubscriptionScope,
): SubscriptionsQuery | undefined {
  if ('vendorId' in scope) return q.where('subscriptions.vendor_id', '=', scope.vendorId);
  if (scope.partnerIds.length === 0) return undefined;
  let out = q.where('subscriptions.partner_id', 'in', scope.partnerIds);
  const customerPartnerIds = scope.customerPartnerIds;
  if (customerPartnerIds !== undefined) {
    if (customerPartnerIds.length === 0) return undefined;
    out = out.where(customerOfPartners('subscriptions.customer_id', customerPartnerIds));
  }
  return out;
}

export async function findSubscriptionInScope(
  db: Executor,
  id: string,
  scope: SubscriptionScope,
): Promise<Subscription | undefined> {
  const q = scopeSubscriptions(
    db.selectFrom('subscriptions').selectAll().where('subscriptions.id', '=', id),
    scope,
  );
  return q?.executeTakeFirst();
}

export async function insertSubscription(db: Executor, row: Subscription): Promise<void> {
  await db.insertInto('subscriptions').values(row).execute();
}

export async function updateSubscription(
  db: Executor,
  id: string,
  fields: Partial<Omit<Subscription, 'id'>>,
): Promise<void> {
  await db.updateTable('subscriptions').set(fields).where('id', '=', id).execute();
}

/** Subscriptions in scope, newest first, a page at a time (keyset on id). */
export async function listSubscriptions(
  db: Executor,
  scope: SubscriptionScope,
  filters: { customerId?: string; vendorId?: string },
  page: { limit: number; before?: string },
): Promise<Subscription[]> {
  let q = scopeSubscriptions(
    db
      .selectFrom('subscriptions')
      .selectAll()
      .orderBy('subscriptions.id', 'desc')
      .limit(page.limit),
    scope,
  );
  if (!q) return [];
  if (filters.customerId) q = q.where('subscriptions.customer_id', '=', filters.customerId);
  if (filters.vendorId) q = q.where('subscriptions.vendor_id', '=', filters.vendorId);
  if (page.before !== undefined) q = q.where('subscriptions.id', '<', page.before);
  return q.execute();
}

/** Which of the license keys are known licenses of the vendor × partner. */
export async function findKnownLicenseKeys(
  db: Executor,
  vendorId: string,
  partnerId: string,
  keys: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await db
      .selectFrom('licenses')
      .select('license_key')
      .where('vendor_id', '=', vendorId)
      .where('partner_id', '=', partnerId)
      .where('license_key', 'in', keys.slice(i, i + 500))
      .execute();
    for (const r of rows) found.add(r.license_key);
  }
  return found;
}

export async function insertLicense(db: Executor, row: License): Promise<void> {
  await db.insertInto('licenses').values(row).execute();
}

/** Marks licenses authorized (a license authorization order completed, or the weekly job). */
export async function authorizeLicenses(
  db: Executor,
  vendorId: string,
  keys: readonly string[],
  at: string,
  /** The order that authorizes them, kept where a license names no order yet. */
  orderId?: string,
): Promise<number> {
  let n = 0;
  for (let i = 0; i < keys.length; i += 500) {
    const r = await db
      .updateTable('licenses')
      .set((eb) => ({
        authorized: 1,
        authorized_at: at,
        ...(orderId === undefined ? {} : { order_id: eb.fn.coalesce('order_id', eb.val(orderId)) }),
      }))
      .where('vendor_id', '=', vendorId)
      .where('license_key', 'in', keys.slice(i, i + 500))
      .where('authorized', '=', 0)
      .executeTakeFirst();
    n += Number(r.numUpdatedRows);
  }
  return n;
}
