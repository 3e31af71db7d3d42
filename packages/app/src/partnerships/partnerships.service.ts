import {
  findUserByEmail,
  findVendorById,
  listPartnerships,
  updatePartnership,
  type BillingAddress,
  type Executor,
  type Partnership,
  type PartnershipRow,
} from '@orderdesk/store';
import { z } from 'zod';
import { renderSpecialTerms, type VendorProfile } from '@orderdesk/core';
import { requireAccess, type Access, type VendorAccess } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { eventActorOf, recordEvent } from '../events/record-event.ts';
import { forbidden, notFound, unprocessable } from '../shared/errors.ts';
import { decodeCursor, pageOf, type Page, type PageQuery } from '../shared/paging.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { profileOfVendor } from '../vendors/profile-cache.ts';
import { contractingPartnerId } from '../vendors/vendor-scope.ts';
import type {
  partnerSchema,
  PartnershipBillingInput,
  partnershipListQuery,
  partnershipPatchSchema,
  partnershipSchema,
} from './partnerships.schemas.ts';
import { partnershipVisibility } from './price-visibility.ts';

export type PartnershipView = z.infer<typeof partnershipSchema>;
export type PartnerView = z.infer<typeof partnerSchema>;

/** The partner's billing details under a partnership, or null when the vendor has set none. */
export function billingOf(
  row: Pick<Partnership, 'billing_address' | 'billing_country' | 'tax_id'>,
): { country: string; address: BillingAddress | null; taxId: string | null } | null {
  if (!row.billing_country) return null;
  return {
    country: row.billing_country,
    address: row.billing_address ? (JSON.parse(row.billing_address) as BillingAddress) : null,
    taxId: row.tax_id,
  };
}

/** The special-terms clause a PO under this partnership must carry, or null if the vendor has none. */
export function specialTermsFor(profile: VendorProfile, row: PartnershipRow): string | null {
  if (!profile.specialTerms) return null;
  return renderSpecialTerms(
    profile.specialTerms.template,
    { agreementDate: row.agreement_date, partnerLegalName: row.legal_name },
    profile.specialTerms.dateFormat,
  );
}

/** Profiles of the vendors of some partnerships, each read once. */
export function profileReader(db: Executor): (vendorId: string) => Promise<VendorProfile> {
  const memo = new Map<string, Promise<VendorProfile>>();
  return (vendorId) => {
    let found = memo.get(vendorId);
    if (!found) {
      found = (async () => {
        const vendor = await findVendorById(db, vendorId);
        if (!vendor) throw notFound('Vendor');
        return profileOfVendor(db, vendor);
      })();
      memo.set(vendorId, found);
    }
    return found;
  };
}

/**
 * A partnership as `actor` may see it. The vendor's staff and the partner see everything of
 * their own, except that partners see the multiplier only when the profile says
 * `pricing.partnerVisible`. A tier-2 reseller looking at its distributor's partnership sees
 * neither the multiplier (the distributor's buy price) nor the agreement (legal name, date,
 * invoicing contact, billing details); it keeps the special-terms clause, which its own POs
 * must carry.
 */
export function toPartnershipView(
  row: PartnershipRow,
  profile: VendorProfile,
  actor: Actor,
): PartnershipView {
  const seen = partnershipVisibility(profile, actor, row);
  const billing = seen.agreement ? billingOf(row) : null;
  return {
    id: row.id,
    vendor: row.vendor_slug,
    partner: { id: row.partner_id, name: row.partner_name },
    tier: row.partner_tier,
    legalName: seen.agreement ? row.legal_name : null,
    agreementDate: seen.agreement ? row.agreement_date : null,
    multiplier: seen.multipliers ? row.multiplier : null,
    cam: row.cam_name && row.cam_email ? { name: row.cam_name, email: row.cam_email } : null,
    invoicingContact:
      seen.agreement && row.invoicing_contact_name && row.invoicing_contact_email
        ? { name: row.invoicing_contact_name, email: row.invoicing_contact_email }
        : null,
    provisioningCc: row.provisioning_cc,
    billing: billing && {
      country: billing.country,
      address: billing.address && {
        line1: billing.address.line1,
        ...(billing.address.line2 ? { line2: billing.address.line2 } : {}),
        city: billing.address.city,
        ...(billing.address.region ? { region: billing.address.region } : {}),
        postalCode: billing.address.postalCode,
      },
      taxId: billing.taxId,
    },
    specialTerms: specialTermsFor(profile, row),
  };
}

/**
 * The partnership rows a caller may see: a vendor's partners, or the partner's own (a tier-2
 * its distributor's); all of them, or a page (`limit` rows after a key).
 */
export async function visiblePartnershipRows(
  db: Executor,
  actor: Actor,
  vendorSlug?: string,
  page?: Parameters<typeof listPartnerships>[2],
): Promise<PartnershipRow[]> {
  if (actor.side === 'vendor') {
    if (!actor.vendorId) return [];
    return listPartnerships(
      db,
      { vendorId: actor.vendorId, ...(vendorSlug ? { vendorSlug } : {}) },
      page,
    );
  }
  const partnerId = contractingPartnerId(actor);
  if (!partnerId) return [];
  return listPartnerships(
    db,
    { partnerIds: [partnerId], ...(vendorSlug ? { vendorSlug } : {}) },
    page,
  );
}

/** A partnership the caller may see (its partner's, its distributor's, or its vendor's); 404 otherwise. */
export async function findVisiblePartnership(
  db: Executor,
  actor: Actor,
  id: string,
): Promise<PartnershipRow> {
  const row = (await visiblePartnershipRows(db, actor)).find((p) => p.id === id);
  if (!row) throw notFound('Partnership');
  return row;
}

const partnershipCursorSchema = z.object({
  vendorSlug: z.string(),
  partnerName: z.string(),
  id: z.string(),
});

function partnershipCursorOf(row: PartnershipRow): z.infer<typeof partnershipCursorSchema> {
  return { vendorSlug: row.vendor_slug, partnerName: row.partner_name, id: row.id };
}

/** `GET /partnerships`: the partnerships the caller may see, as it may see them, a page at a time. */
export async function listVisiblePartnerships(
  ctx: AppContext,
  actor: Actor,
  query: z.infer<typeof partnershipListQuery>,
): Promise<Page<PartnershipView>> {
  const db = ctx.store.db;
  const after = decodeCursor(query.cursor, partnershipCursorSchema);
  const rows = await visiblePartnershipRows(db, actor, query.vendor, {
    limit: query.limit + 1,
    after,
  });
  const profileOf = profileReader(db);
  const shown: { row: PartnershipRow; view: PartnershipView }[] = [];
  for (const row of rows) {
    shown.push({ row, view: toPartnershipView(row, await profileOf(row.vendor_id), actor) });
  }
  return pageOf(
    shown,
    query.limit,
    (last) => partnershipCursorOf(last.row),
    (s) => s.view,
  );
}

/** A vendor's list of its partners is for its staff. */
export const VENDOR_PARTNERS_ACCESS: VendorAccess = { vendor: 'any' };

/** `GET /partners`: the partners of the caller's vendor (vendor staff only), a page at a time. */
export async function listVendorPartners(
  ctx: AppContext,
  actor: Actor,
  query: PageQuery,
): Promise<Page<PartnerView>> {
  const staff = requireAccess(actor, VENDOR_PARTNERS_ACCESS);
  const rows = await listPartnerships(
    ctx.store.db,
    { vendorId: staff.vendorId },
    { limit: query.limit + 1, after: decodeCursor(query.cursor, partnershipCursorSchema) },
  );
  return pageOf(rows, query.limit, partnershipCursorOf, (r) => ({
    id: r.partner_id,
    name: r.partner_name,
    tier: r.partner_tier,
    partnershipId: r.id,
  }));
}

const PARTNER_FIELDS = ['invoicingContact', 'provisioningCc'] as const;
// The billing details are the vendor's, as the legal name is: they decide the tax its invoices
// charge (a partner moving itself abroad would stop paying it).
const VENDOR_FIELDS = ['legalName', 'agreementDate', 'multiplier', 'camEmail', 'billing'] as const;

/**
 * Partnership details are changed by the partner's admin (its contacts) and by the vendor's
 * admin or CAM (the agreement and billing details; the multiplier the admin alone):
 * checkPatchRights says which.
 */
export const PARTNERSHIP_UPDATE_ACCESS: Access = {
  partner: ['partner_admin'],
  vendor: ['vendor_admin', 'cam'],
};

/**
 * Refuses the fields of a patch the actor's side and role may not change (the roles of
 * PARTNERSHIP_UPDATE_ACCESS checked already), and another partner's partnership.
 */
function checkPatchRights(actor: Actor, row: PartnershipRow, touched: readonly string[]): void {
  if (actor.side === 'partner') {
    // A tier-2 reseller sees its distributor's partnership; it is not the reseller's to change.
    if (row.partner_id !== actor.partnerId) {
      throw forbidden('Only a partner admin of this partner may change its partnership details');
    }
    const bad = touched.filter((k) => !(PARTNER_FIELDS as readonly string[]).includes(k));
    if (bad.length > 0) {
      throw forbidden(
        `Partners may change only ${PARTNER_FIELDS.join(', ')}; not ${bad.join(', ')}`,
      );
    }
    return;
  }
  const allowed: readonly string[] = [...VENDOR_FIELDS, ...PARTNER_FIELDS];
  const bad = touched.filter((k) => !allowed.includes(k));
  if (bad.length > 0) throw forbidden(`Not changeable: ${bad.join(', ')}`);
  // Prices are the vendor admin's (PRODUCT.md: "vendor admin (catalog, price lists,
  // multipliers …)"), as the multiplier rules are; a CAM keeps the relationship's details.
  if (touched.includes('multiplier') && !actor.roles.includes('vendor_admin')) {
    throw forbidden('Only a vendor admin may change the multiplier');
  }
}

/**
 * Billing details as given (at creation or in a patch) as a partnership keeps them: the address
 * stored with the billing country, a missing address or tax ID as none.
 */
export function storedBillingOf(billing: PartnershipBillingInput): {
  billingAddress: BillingAddress | null;
  billingCountry: string;
  taxId: string | null;
} {
  const { address, country, taxId } = billing;
  return {
    billingAddress: address ? { ...address, country } : null,
    billingCountry: country,
    taxId: taxId ?? null,
  };
}

/** The partnership columns of a billing patch: all three replaced, or cleared by null. */
function billingColumnsOf(
  billing: PartnershipBillingInput | null,
): Pick<Partnership, 'billing_address' | 'billing_country' | 'tax_id'> {
  if (!billing) return { billing_address: null, billing_country: null, tax_id: null };
  const stored = storedBillingOf(billing);
  return {
    billing_address: stored.billingAddress ? JSON.stringify(stored.billingAddress) : null,
    billing_country: stored.billingCountry,
    tax_id: stored.taxId,
  };
}

/**
 * Updates a partnership: partner admins keep their invoicing contact and provisioning CC up to
 * date; vendor admins and CAMs manage the agreement (legal name, date, CAM) and the partner's
 * billing details (address, country, tax ID: its invoices' buyer), the multiplier is the vendor
 * admin's alone. Records `partnership.updated`.
 */
export async function updatePartnershipDetails(
  ctx: AppContext,
  actor: Actor,
  input: { partnershipId: string; patch: z.infer<typeof partnershipPatchSchema> },
  options: WriteOptions = {},
): Promise<PartnershipView> {
  const { partnershipId: id, patch } = input;
  requireAccess(actor, PARTNERSHIP_UPDATE_ACCESS);
  return inTransaction(ctx, options, async (tx) => {
    const row = await findVisiblePartnership(tx, actor, id);
    const touched = Object.keys(patch);
    checkPatchRights(actor, row, touched);
    let camUserId: string | undefined;
    if (patch.camEmail !== undefined) {
      const cam = await findUserByEmail(tx, patch.camEmail);
      if (
        !cam ||
        cam.vendor_id !== row.vendor_id ||
        cam.active !== 1 ||
        !(JSON.parse(cam.roles) as string[]).includes('cam')
      ) {
        throw unprocessable('Unknown CAM', [
          { path: 'camEmail', code: 'invalid', message: 'Not a CAM of this vendor' },
        ]);
      }
      camUserId = cam.id;
    }
    const at = ctx.now().toISOString();
    await updatePartnership(
      tx,
      id,
      {
        ...(patch.invoicingContact
          ? {
              invoicing_contact_name: patch.invoicingContact.name,
              invoicing_contact_email: patch.invoicingContact.email,
            }
          : {}),
        ...(patch.provisioningCc !== undefined ? { provisioning_cc: patch.provisioningCc } : {}),
        ...(patch.legalName !== undefined ? { legal_name: patch.legalName } : {}),
        ...(patch.agreementDate !== undefined ? { agreement_date: patch.agreementDate } : {}),
        ...(patch.multiplier !== undefined ? { multiplier: patch.multiplier } : {}),
        ...(camUserId !== undefined ? { cam_user_id: camUserId } : {}),
        ...(patch.billing !== undefined ? billingColumnsOf(patch.billing) : {}),
      },
      at,
    );
    await recordEvent(tx, {
      type: 'partnership.updated',
      entityId: id,
      vendorId: row.vendor_id,
      partnerId: row.partner_id,
      actor: eventActorOf(actor),
      at,
      data: { partnershipId: id, fields: touched },
    });
    const updated = await findVisiblePartnership(tx, actor, id);
    return toPartnershipView(updated, await profileReader(tx)(row.vendor_id), actor);
  });
}
