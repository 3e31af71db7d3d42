import type { VendorProfile } from '@orderdesk/core';
import {
  findVendorBySlug,
  listPartnerships,
  listVendors,
  type Executor,
  type Vendor,
} from '@orderdesk/store';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { z } from 'zod';
import { notFound } from '../shared/errors.ts';
import { decodeCursor, pageOf, type Page, type PageQuery } from '../shared/paging.ts';
import { profileOfVendor } from './profile-cache.ts';

/** The partner whose partnerships a partner user acts under: a tier-2 reseller uses its distributor's. */
export function contractingPartnerId(actor: Actor): string | null {
  return actor.parentPartnerId ?? actor.partnerId;
}

/** The vendor ids a caller may see: its own (staff), or those it has a partnership with. */
export async function visibleVendorIds(db: Executor, actor: Actor): Promise<string[]> {
  if (actor.side === 'vendor') return actor.vendorId ? [actor.vendorId] : [];
  const partnerId = contractingPartnerId(actor);
  if (!partnerId) return [];
  const rows = await listPartnerships(db, { partnerIds: [partnerId] });
  return rows.map((r) => r.vendor_id);
}

/** A vendor by slug if the caller may see it; 404 otherwise (never reveals other tenants). */
export async function findVisibleVendor(db: Executor, actor: Actor, slug: string): Promise<Vendor> {
  const vendor = await findVendorBySlug(db, slug);
  if (!vendor) throw notFound('Vendor');
  const visible = await visibleVendorIds(db, actor);
  if (!visible.includes(vendor.id)) throw notFound('Vendor');
  return vendor;
}

/** A vendor as `GET /vendors` lists it. */
export interface VendorSummaryView {
  slug: string;
  name: string;
}

const vendorCursorSchema = z.object({ slug: z.string() });

/** The vendors the caller works with (its own as staff, or its partnerships'), by slug, a page at a time. */
export async function listVisibleVendors(
  ctx: AppContext,
  actor: Actor,
  query: PageQuery,
): Promise<Page<VendorSummaryView>> {
  const db = ctx.store.db;
  const after = decodeCursor(query.cursor, vendorCursorSchema);
  const rows = await listVendors(
    db,
    { vendorIds: await visibleVendorIds(db, actor) },
    { limit: query.limit + 1, afterSlug: after?.slug },
  );
  return pageOf(
    rows,
    query.limit,
    (last) => ({ slug: last.slug }),
    (v) => ({ slug: v.slug, name: v.name }),
  );
}

/** The current profile of a vendor the caller may see, parsed through the schema. */
export async function getVendorProfile(
  ctx: AppContext,
  actor: Actor,
  slug: string,
): Promise<VendorProfile> {
  const vendor = await findVisibleVendor(ctx.store.db, actor, slug);
  return profileOfVendor(ctx.store.db, vendor);
}
