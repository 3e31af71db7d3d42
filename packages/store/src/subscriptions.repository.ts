import type { Executor } from './executor.ts';
import type { License, Subscription } from './schema.ts';

/** The customer's live subscription with a vendor, if any (the latest one). */
export async function findCurrentSubscription(
  db: Executor,
  vendorId: string,
  customerId: string,
): Promise<Subscription | undefined> {
  return db
    .selectFrom('subscriptions')
    .selectAll()
    .where('vendor_id', '=', vendorId)
    .where('customer_id', '=', customerId)
    .where('status', '=', 'active')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function findSubscriptionInScope(
  db: Executor,
  id: string,
  scope: { vendorId: string } | { partnerIds: readonly string[] },
): Promise<Subscription | undefined> {
  let q = db.selectFrom('subscriptions').selectAll().where('id', '=', id);
  if ('vendorId' in scope) q = q.where('vendor_id', '=', scope.vendorId);
  else {
    if (scope.partnerIds.length === 0) return undefined;
    q = q.where('partner_id', 'in', scope.partnerIds);
  }
  return q.executeTakeFirst();
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

export async function listSubscriptions(
  db: Executor,
  scope: { vendorId: string } | { partnerIds: readonly string[] },
  filters: { customerId?: string },
): Promise<Subscription[]> {
  let q = db.selectFrom('subscriptions').selectAll().orderBy('id', 'desc').limit(500);
  if ('vendorId' in scope) q = q.where('vendor_id', '=', scope.vendorId);
  else {
    if (scope.partnerIds.length === 0) return [];
    q = q.where('partner_id', 'in', scope.partnerIds);
  }
  if (filters.customerId) q = q.where('customer_id', '=', filters.customerId);
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
): Promise<number> {
  let n = 0;
  for (let i = 0; i < keys.length; i += 500) {
    const r = await db
      .updateTable('licenses')
      .set({ authorized: 1, authorized_at: at })
      .where('vendor_id', '=', vendorId)
      .where('license_key', 'in', keys.slice(i, i + 500))
      .where('authorized', '=', 0)
      .executeTakeFirst();
    n += Number(r.numUpdatedRows);
  }
  return n;
}
