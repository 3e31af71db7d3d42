// Licenses an OEM partner's licensing server registered (unauthorized until a license
// authorization order names them, or the weekly job authorizes pre-bundled ones).
import type { Executor } from './executor.ts';
import type { License } from './schema.ts';

/** Which of the license ids the vendor already has (any partner: ids are unique per vendor). */
export async function findExistingLicenseIds(
  db: Executor,
  vendorId: string,
  ids: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('licenses')
      .select('license_key')
      .where('vendor_id', '=', vendorId)
      .where('license_key', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) found.add(r.license_key);
  }
  return found;
}

export async function insertLicenses(db: Executor, rows: readonly License[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto('licenses')
      .values(rows.slice(i, i + 200))
      .execute();
  }
}

/** A page of licenses in a scope (vendor, or partner ids), newest first by id. */
export async function listLicensesPage(
  db: Executor,
  scope: { vendorId: string; partnerIds?: readonly string[] },
  filters: { authorized?: boolean },
  page: { limit: number; before?: string },
): Promise<License[]> {
  let q = db
    .selectFrom('licenses')
    .selectAll()
    .where('vendor_id', '=', scope.vendorId)
    .orderBy('id', 'desc')
    .limit(page.limit);
  if (scope.partnerIds !== undefined) {
    if (scope.partnerIds.length === 0) return [];
    q = q.where('partner_id', 'in', scope.partnerIds);
  }
  if (filters.authorized !== undefined) q = q.where('authorized', '=', filters.authorized ? 1 : 0);
  if (page.before !== undefined) q = q.where('id', '<', page.before);
  return q.execute();
}

/** Pre-bundled licenses of a vendor still unauthorized, registered by `registeredBy`. */
export async function listUnauthorizedPreBundled(
  db: Executor,
  input: { vendorId: string; registeredBy: string; limit: number },
): Promise<License[]> {
  return db
    .selectFrom('licenses')
    .selectAll()
    .where('vendor_id', '=', input.vendorId)
    .where('authorized', '=', 0)
    .where('pre_bundled', '=', 1)
    .where('created_at', '<=', input.registeredBy)
    .orderBy('created_at')
    .orderBy('id')
    .limit(input.limit)
    .execute();
}
