import type { Executor } from './executor.ts';
import { newId } from './ids.ts';
import { insertProfileRow, type ProfileFormat } from './profiles.repository.ts';
import type { Partner, Partnership, Vendor } from './schema.ts';
import { prepared } from './prepared-query.ts';

export interface VendorInput {
  slug: string;
  name: string;
  /** The parsed profile as JSON (what readers use). */
  profile: string;
  /** What the vendor wrote; by default the JSON profile itself. */
  source?: { text: string; format: ProfileFormat };
  /** The version of the profile schema the source was checked against. */
  schemaVersion: number;
  createdBy?: string | null;
  at: string;
}

/** Inserts a vendor with its profile as version 1, and returns it. */
export async function insertVendor(db: Executor, input: VendorInput): Promise<Vendor> {
  const row: Vendor = {
    id: newId('ven'),
    slug: input.slug,
    name: input.name,
    profile: input.profile,
    profile_version: 1,
    created_at: input.at,
    updated_at: input.at,
  };
  await db.insertInto('vendors').values(row).execute();
  await insertProfileRow(db, {
    vendorId: row.id,
    version: 1,
    schemaVersion: input.schemaVersion,
    source: input.source?.text ?? input.profile,
    format: input.source?.format ?? 'json',
    createdBy: input.createdBy ?? null,
    at: input.at,
  });
  return row;
}

export async function findVendorBySlug(db: Executor, slug: string): Promise<Vendor | undefined> {
  return db.selectFrom('vendors').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export async function findVendorById(db: Executor, id: string): Promise<Vendor | undefined> {
  return db.selectFrom('vendors').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Vendors visible to a caller: all of them for partners' discovery, filtered by the caller's scope. */
export async function listVendors(
  db: Executor,
  scope: { vendorIds?: readonly string[] },
  page?: { limit: number; afterSlug?: string | undefined },
): Promise<Pick<Vendor, 'id' | 'slug' | 'name'>[]> {
  let q = db.selectFrom('vendors').select(['id', 'slug', 'name']).orderBy('slug');
  if (scope.vendorIds) {
    if (scope.vendorIds.length === 0) return [];
    q = q.where('id', 'in', scope.vendorIds);
  }
  if (page) {
    q = q.limit(page.limit);
    if (page.afterSlug !== undefined) q = q.where('slug', '>', page.afterSlug);
  }
  return q.execute();
}

export async function insertPartner(
  db: Executor,
  input: { name: string; tier: 1 | 2; parentPartnerId?: string | null; at: string },
): Promise<Partner> {
  const row = {
    id: newId('ptn'),
    name: input.name,
    tier: input.tier,
    parent_partner_id: input.parentPartnerId ?? null,
    created_at: input.at,
  };
  await db.insertInto('partners').values(row).execute();
  return row;
}

export async function findPartnerById(db: Executor, id: string): Promise<Partner | undefined> {
  return db.selectFrom('partners').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findPartnerByName(db: Executor, name: string): Promise<Partner | undefined> {
  return db.selectFrom('partners').selectAll().where('name', '=', name).executeTakeFirst();
}

/** The ids of a partner and of the tier-2 resellers under it (a distributor sees both). */
export async function listPartnerScopeIds(db: Executor, partnerId: string): Promise<string[]> {
  const children = await db
    .selectFrom('partners')
    .select('id')
    .where('parent_partner_id', '=', partnerId)
    .execute();
  return [partnerId, ...children.map((c) => c.id)];
}

/** A postal address a partner is billed at (partnerships.billing_address, stored as JSON). */
export interface BillingAddress {
  line1: string;
  line2?: string | undefined;
  city: string;
  region?: string | undefined;
  postalCode: string;
  /** ISO 3166-1 alpha-2: the partnership's billing_country. */
  country: string;
}

export interface PartnershipInput {
  vendorId: string;
  partnerId: string;
  legalName: string;
  agreementDate: string;
  multiplier: string;
  camUserId?: string | null;
  invoicingContactName?: string | null;
  invoicingContactEmail?: string | null;
  provisioningCc?: string | null;
  /** The partner's billing details with the vendor; its invoices' buyer (and their tax). */
  billingAddress?: BillingAddress | null;
  billingCountry?: string | null;
  taxId?: string | null;
  at: string;
}

export async function insertPartnership(
  db: Executor,
  input: PartnershipInput,
): Promise<Partnership> {
  const now = input.at;
  const row: Partnership = {
    id: newId('pts'),
    vendor_id: input.vendorId,
    partner_id: input.partnerId,
    legal_name: input.legalName,
    agreement_date: input.agreementDate,
    multiplier: input.multiplier,
    cam_user_id: input.camUserId ?? null,
    invoicing_contact_name: input.invoicingContactName ?? null,
    invoicing_contact_email: input.invoicingContactEmail ?? null,
    provisioning_cc: input.provisioningCc ?? null,
    billing_address: input.billingAddress ? JSON.stringify(input.billingAddress) : null,
    billing_country: input.billingCountry ?? input.billingAddress?.country ?? null,
    tax_id: input.taxId ?? null,
    created_at: now,
    updated_at: now,
  };
  await db.insertInto('partnerships').values(row).execute();
  return row;
}

export interface PartnershipRow extends Partnership {
  vendor_slug: string;
  vendor_name: string;
  vendor_profile: string;
  partner_name: string;
  partner_tier: number;
  cam_name: string | null;
  cam_email: string | null;
}

/** Where a page of partnerships resumes: after this one, in the order vendor slug, partner name, id. */
export interface PartnershipKey {
  vendorSlug: string;
  partnerName: string;
  id: string;
}

/**
 * Partnerships in a scope: a vendor's, or those of a set of partners; optionally one vendor.
 * Ordered by vendor slug, partner name and id; `page` reads `limit` of them after a key.
 */
export async function listPartnerships(
  db: Executor,
  scope: { vendorId?: string; partnerIds?: readonly string[]; vendorSlug?: string },
  page?: { limit: number; after?: PartnershipKey | undefined },
): Promise<PartnershipRow[]> {
  let q = db
    .selectFrom('partnerships as ps')
    .innerJoin('vendors as v', 'v.id', 'ps.vendor_id')
    .innerJoin('partners as p', 'p.id', 'ps.partner_id')
    .leftJoin('users as cam', 'cam.id', 'ps.cam_user_id')
    .selectAll('ps')
    .select([
      'v.slug as vendor_slug',
      'v.name as vendor_name',
      'v.profile as vendor_profile',
      'p.name as partner_name',
      'p.tier as partner_tier',
      'cam.name as cam_name',
      'cam.email as cam_email',
    ])
    .orderBy('v.slug')
    .orderBy('p.name')
    .orderBy('ps.id');
  if (scope.vendorId !== undefined) q = q.where('ps.vendor_id', '=', scope.vendorId);
  if (scope.partnerIds !== undefined) {
    if (scope.partnerIds.length === 0) return [];
    q = q.where('ps.partner_id', 'in', scope.partnerIds);
  }
  if (scope.vendorSlug !== undefined) q = q.where('v.slug', '=', scope.vendorSlug);
  if (page) {
    q = q.limit(page.limit);
    const after = page.after;
    if (after) {
      q = q.where((eb) =>
        eb(
          eb.refTuple('v.slug', 'p.name', 'ps.id'),
          '>',
          eb.tuple(after.vendorSlug, after.partnerName, after.id),
        ),
      );
    }
  }
  return q.execute();
}

export async function findPartnership(
  db: Executor,
  vendorId: string,
  partnerId: string,
): Promise<Partnership | undefined> {
  return db
    .selectFrom('partnerships')
    .selectAll()
    .where('vendor_id', '=', vendorId)
    .where('partner_id', '=', partnerId)
    .executeTakeFirst();
}

export async function updatePartnership(
  db: Executor,
  id: string,
  fields: Partial<
    Pick<
      Partnership,
      | 'invoicing_contact_name'
      | 'invoicing_contact_email'
      | 'provisioning_cc'
      | 'legal_name'
      | 'agreement_date'
      | 'multiplier'
      | 'cam_user_id'
      | 'billing_address'
      | 'billing_country'
      | 'tax_id'
    >
  >,
  at: string,
): Promise<void> {
  await db
    .updateTable('partnerships')
    .set({ ...fields, updated_at: at })
    .where('id', '=', id)
    .execute();
}

/** Whether the database holds no vendor yet (a first start). */
export async function hasNoVendors(db: Executor): Promise<boolean> {
  const row = await db.selectFrom('vendors').select('id').limit(1).executeTakeFirst();
  return row === undefined;
}

const PARTNERSHIP_COLUMNS = [
  'id',
  'vendor_id',
  'partner_id',
  'legal_name',
  'agreement_date',
  'multiplier',
  'cam_user_id',
  'invoicing_contact_name',
  'invoicing_contact_email',
  'provisioning_cc',
  'billing_address',
  'billing_country',
  'tax_id',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof Partnership)[];

const selectOrderParties = prepared(
  (db, a: { vendorSlug: string; contractingPartnerId: string; orderingPartnerId: string }) =>
    db
      .selectFrom('vendors as v')
      .leftJoin('partnerships as ps', (join) =>
        join.onRef('ps.vendor_id', '=', 'v.id').on('ps.partner_id', '=', a.contractingPartnerId),
      )
      .leftJoin('partners as me', (join) => join.on('me.id', '=', a.orderingPartnerId))
      .selectAll('v')
      .select(PARTNERSHIP_COLUMNS.map((c) => `ps.${c} as ps_${c}` as const))
      .select('me.tier as ordering_partner_tier')
      .where('v.slug', '=', a.vendorSlug),
);

/**
 * Who an order is between, in one query: the vendor by slug, the partnership of the
 * contracting partner with it (none when `contractingPartnerId` is null or has none) and the
 * tier of the partner that places the order. Undefined when no vendor has the slug.
 */
export async function findOrderParties(
  db: Executor,
  input: { vendorSlug: string; contractingPartnerId: string | null; orderingPartnerId: string },
): Promise<
  | { vendor: Vendor; partnership: Partnership | undefined; orderingPartnerTier: number | null }
  | undefined
> {
  const row = (
    await selectOrderParties(db, {
      vendorSlug: input.vendorSlug,
      contractingPartnerId: input.contractingPartnerId ?? '',
      orderingPartnerId: input.orderingPartnerId,
    })
  ).rows[0];
  if (!row) return undefined;
  const {
    ps_id,
    ps_vendor_id,
    ps_partner_id,
    ps_legal_name,
    ps_agreement_date,
    ps_multiplier,
    ps_cam_user_id,
    ps_invoicing_contact_name,
    ps_invoicing_contact_email,
    ps_provisioning_cc,
    ps_billing_address,
    ps_billing_country,
    ps_tax_id,
    ps_created_at,
    ps_updated_at,
    ordering_partner_tier,
    ...vendor
  } = row;
  const partnership: Partnership | undefined =
    ps_id === null ||
    ps_vendor_id === null ||
    ps_partner_id === null ||
    ps_legal_name === null ||
    ps_agreement_date === null ||
    ps_multiplier === null ||
    ps_created_at === null ||
    ps_updated_at === null
      ? undefined
      : {
          id: ps_id,
          vendor_id: ps_vendor_id,
          partner_id: ps_partner_id,
          legal_name: ps_legal_name,
          agreement_date: ps_agreement_date,
          multiplier: ps_multiplier,
          cam_user_id: ps_cam_user_id,
          invoicing_contact_name: ps_invoicing_contact_name,
          invoicing_contact_email: ps_invoicing_contact_email,
          provisioning_cc: ps_provisioning_cc,
          billing_address: ps_billing_address,
          billing_country: ps_billing_country,
          tax_id: ps_tax_id,
          created_at: ps_created_at,
          updated_at: ps_updated_at,
        };
  return {
    vendor,
    partnership,
    orderingPartnerTier: ordering_partner_tier === null ? null : Number(ordering_partner_tier),
  };
}
