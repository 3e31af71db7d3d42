import { profileOf } from '../vendors/profile-cache.ts';
import {
  findUserByEmail,
  insertAuditEvent,
  listPartnerships,
  updatePartnership,
  type Executor,
  type PartnershipRow,
} from '@orderdesk/store';
import type { z } from 'zod';
import { renderSpecialTerms } from '@orderdesk/core';
import type { Actor } from '../auth/actor.ts';
import { forbidden, notFound, unprocessable } from '../shared/errors.ts';
import { contractingPartnerId } from '../vendors/vendor-scope.ts';
import type { partnershipPatchSchema, partnershipSchema } from './partnerships.schemas.ts';

export type PartnershipView = z.infer<typeof partnershipSchema>;

/** The special-terms clause a PO under this partnership must carry, or null if the vendor has none. */
export function specialTermsFor(row: PartnershipRow): string | null {
  const profile = profileOf(row.vendor_profile);
  if (!profile.specialTerms) return null;
  return renderSpecialTerms(
    profile.specialTerms.template,
    { agreementDate: row.agreement_date, partnerLegalName: row.legal_name },
    profile.specialTerms.dateFormat,
  );
}

export function toPartnershipView(row: PartnershipRow): PartnershipView {
  return {
    id: row.id,
    vendor: row.vendor_slug,
    partner: { id: row.partner_id, name: row.partner_name },
    tier: row.partner_tier,
    legalName: row.legal_name,
    agreementDate: row.agreement_date,
    multiplier: row.multiplier,
    cam: row.cam_name && row.cam_email ? { name: row.cam_name, email: row.cam_email } : null,
    invoicingContact:
      row.invoicing_contact_name && row.invoicing_contact_email
        ? { name: row.invoicing_contact_name, email: row.invoicing_contact_email }
        : null,
    provisioningCc: row.provisioning_cc,
    specialTerms: specialTermsFor(row),
  };
}

/** The partnerships a caller may see: a vendor's partners, or the partner's own (a tier-2 its distributor's). */
export async function listVisiblePartnerships(
  db: Executor,
  actor: Actor,
  vendorSlug?: string,
): Promise<PartnershipRow[]> {
  if (actor.side === 'vendor') {
    if (!actor.vendorId) return [];
    return listPartnerships(db, {
      vendorId: actor.vendorId,
      ...(vendorSlug ? { vendorSlug } : {}),
    });
  }
  const partnerId = contractingPartnerId(actor);
  if (!partnerId) return [];
  return listPartnerships(db, { partnerIds: [partnerId], ...(vendorSlug ? { vendorSlug } : {}) });
}

/**
 * Updates a partnership: partner admins keep their invoicing contact and provisioning CC up to
 * date; vendor admins and CAMs manage the commercial terms. Audited.
 */
export async function patchPartnership(
  db: Executor,
  actor: Actor,
  id: string,
  patch: z.infer<typeof partnershipPatchSchema>,
): Promise<PartnershipView> {
  const rows = await listVisiblePartnerships(db, actor);
  const row = rows.find((r) => r.id === id);
  if (!row) throw notFound('Partnership');
  const partnerFields = ['invoicingContact', 'provisioningCc'] as const;
  const vendorFields = ['legalName', 'agreementDate', 'multiplier', 'camEmail'] as const;
  const touched = Object.keys(patch);
  if (actor.side === 'partner') {
    if (!actor.roles.includes('partner_admin') || row.partner_id !== actor.partnerId) {
      throw forbidden('Only a partner admin of this partner may change its partnership details');
    }
    const bad = touched.filter((k) => !(partnerFields as readonly string[]).includes(k));
    if (bad.length > 0) {
      throw forbidden(
        `Partners may change only ${partnerFields.join(', ')}; not ${bad.join(', ')}`,
      );
    }
  } else if (!actor.roles.some((r) => r === 'vendor_admin' || r === 'cam')) {
    throw forbidden('Only a vendor admin or CAM may change partnerships');
  } else {
    const bad = touched.filter(
      (k) =>
        !(vendorFields as readonly string[]).includes(k) &&
        !(partnerFields as readonly string[]).includes(k),
    );
    if (bad.length > 0) throw forbidden(`Not changeable: ${bad.join(', ')}`);
  }
  let camUserId: string | undefined;
  if (patch.camEmail !== undefined) {
    const cam = await findUserByEmail(db, patch.camEmail);
    if (
      !cam ||
      cam.vendor_id !== row.vendor_id ||
      !(JSON.parse(cam.roles) as string[]).includes('cam')
    ) {
      throw unprocessable('Unknown CAM', [
        { path: 'camEmail', code: 'invalid', message: 'Not a CAM of this vendor' },
      ]);
    }
    camUserId = cam.id;
  }
  await updatePartnership(db, id, {
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
  });
  await insertAuditEvent(db, {
    vendorId: row.vendor_id,
    partnerId: row.partner_id,
    entityType: 'partnership',
    entityId: id,
    type: 'partnership.updated',
    actorUserId: actor.userId,
    actorLabel: actor.email,
    data: patch,
  });
  const updated = (await listVisiblePartnerships(db, actor)).find((r) => r.id === id);
  if (!updated) throw notFound('Partnership');
  return toPartnershipView(updated);
}
