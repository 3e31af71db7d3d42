// Partners and partnerships, set up by a vendor admin: a new partner (tier 1 with its
// partnership; tier 2 under an enrolled distributor), or an existing partner enrolled with the
// admin's vendor. The partner learns nothing of other vendors; the vendor nothing of partners
// it does not work with (an unknown partner id is refused as unknown).
import {
  findPartnerById,
  findPartnerByName,
  findPartnership,
  findUserByEmail,
  insertPartner,
  insertPartnership,
  type Executor,
  type Partner,
  type Partnership,
  type Vendor,
} from '@orderdesk/store';
import { requireAccess, type VendorAccess } from '../auth/access.ts';
import { parseRoles, type Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { eventActorOf, recordEvent } from '../events/record-event.ts';
import { senderOf } from '../events/notify-by-profile.ts';
import {
  findVisiblePartnership,
  storedBillingOf,
  toPartnershipView,
  type PartnershipView,
} from '../partnerships/partnerships.service.ts';
import { conflict, unprocessable, type ProblemItem } from '../shared/errors.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { profileOfVendor } from '../vendors/profile-cache.ts';
import { ownVendor, toUserView } from './admin-access.ts';
import {
  partnerTierProblems,
  type CreatedPartner,
  type PartnerCreateBody,
  type PartnershipCreateBody,
} from './admin.schemas.ts';
import { createUserWithInvitation } from './invitations.ts';

type Terms = Omit<PartnershipCreateBody, 'partnerId'>;

/** The CAM named by e-mail if it is an active cam of the vendor; else a problem at `camEmail`. */
async function camOf(
  db: Executor,
  vendorId: string,
  email: string,
): Promise<{ id: string } | ProblemItem> {
  const user = await findUserByEmail(db, email);
  if (
    !user ||
    user.vendor_id !== vendorId ||
    user.active !== 1 ||
    !parseRoles(user).includes('cam')
  ) {
    return { path: 'camEmail', code: 'invalid', message: 'Not a CAM of this vendor' };
  }
  return { id: user.id };
}

async function enrol(
  ctx: AppContext,
  tx: Executor,
  actor: Actor,
  vendor: Vendor,
  partner: Partner,
  terms: Terms,
  camUserId: string,
): Promise<PartnershipView> {
  const at = ctx.now().toISOString();
  const partnership: Partnership = await insertPartnership(tx, {
    vendorId: vendor.id,
    partnerId: partner.id,
    legalName: terms.legalName,
    agreementDate: terms.agreementDate,
    multiplier: terms.multiplier,
    camUserId,
    invoicingContactName: terms.invoicingContact.name,
    invoicingContactEmail: terms.invoicingContact.email,
    provisioningCc: terms.provisioningCc,
    // Stored as PATCH /partnerships/{id} stores them; none when not given.
    ...(terms.billing ? storedBillingOf(terms.billing) : {}),
    at,
  });
  await recordEvent(tx, {
    type: 'partnership.created',
    entityId: partnership.id,
    vendorId: vendor.id,
    partnerId: partner.id,
    actor: eventActorOf(actor),
    at,
    data: { partnershipId: partnership.id, vendorId: vendor.id, partnerId: partner.id },
  });
  const row = await findVisiblePartnership(tx, actor, partnership.id);
  return toPartnershipView(row, await profileOfVendor(tx, vendor), actor);
}

/** Partners are created and enrolled (createPartner, enrolPartner) by the vendor admin. */
export const PARTNER_ENROLMENT_ACCESS: VendorAccess = { vendor: ['vendor_admin'] };

/**
 * Creates a partner (vendor_admin): tier 1 with its partnership with the admin's vendor (and
 * its billing details, when given), or tier 2 under a tier-1 distributor enrolled with that
 * vendor (no partnership of its own: it orders under its distributor's). Optionally invites
 * its first partner_admin. Events `partner.created`, `partnership.created` (tier 1),
 * `user.invited`. A taken name → 409.
 */
export async function createPartner(
  ctx: AppContext,
  actor: Actor | null,
  body: PartnerCreateBody,
  options: WriteOptions = {},
): Promise<CreatedPartner> {
  const staff = requireAccess(actor, PARTNER_ENROLMENT_ACCESS);
  return inTransaction(ctx, options, async (tx) => {
    const vendor = await ownVendor(tx, staff.vendorId);
    // What the tier asks of the body (the HTTP schema says it first, with the other fields),
    // then what only the database knows: the CAM, the parent.
    const problems: ProblemItem[] = partnerTierProblems(body);
    let camUserId: string | null = null;
    let parent: Partner | undefined;
    if (body.tier === 1) {
      if (body.camEmail !== undefined) {
        const cam = await camOf(tx, vendor.id, body.camEmail);
        if ('path' in cam) problems.push(cam);
        else camUserId = cam.id;
      }
    } else if (body.parentPartnerId !== undefined) {
      // Only a distributor this vendor works with: other partners are not the admin's to see.
      parent = await findPartnerById(tx, body.parentPartnerId);
      const enrolled = parent ? await findPartnership(tx, vendor.id, parent.id) : undefined;
      if (!parent || !enrolled || parent.tier !== 1) {
        problems.push({
          path: 'parentPartnerId',
          code: 'invalid',
          message: 'Not a tier-1 partner of this vendor',
        });
      }
    }
    if (problems.length > 0)
      throw unprocessable('The partner has problems; nothing was created', problems);
    if (await findPartnerByName(tx, body.name)) {
      throw conflict(
        `A partner named "${body.name}" already exists; to work with it, enrol it with POST /partnerships using the partner id its admin sees in GET /me`,
        [{ path: 'name', code: 'duplicate', message: 'A partner of this name exists' }],
      );
    }
    const at = ctx.now().toISOString();
    const partner = await insertPartner(tx, {
      name: body.name,
      tier: body.tier,
      parentPartnerId: parent?.id ?? null,
      at,
    });
    await recordEvent(tx, {
      type: 'partner.created',
      entityId: partner.id,
      vendorId: vendor.id,
      partnerId: partner.id,
      actor: eventActorOf(staff),
      at,
      data: {
        partnerId: partner.id,
        name: partner.name,
        tier: body.tier,
        parentPartnerId: partner.parent_partner_id,
      },
    });
    let partnership: PartnershipView | null = null;
    const {
      legalName,
      agreementDate,
      multiplier,
      camEmail,
      invoicingContact,
      provisioningCc,
      billing,
    } = body;
    if (
      body.tier === 1 &&
      camUserId !== null &&
      legalName &&
      agreementDate &&
      multiplier &&
      camEmail &&
      invoicingContact &&
      provisioningCc
    ) {
      const terms = {
        legalName,
        agreementDate,
        multiplier,
        camEmail,
        invoicingContact,
        provisioningCc,
        billing,
      };
      partnership = await enrol(ctx, tx, staff, vendor, partner, terms, camUserId);
    }
    const result: CreatedPartner = {
      partner: {
        id: partner.id,
        name: partner.name,
        tier: partner.tier,
        parentPartnerId: partner.parent_partner_id,
      },
      partnership,
    };
    if (body.admin) {
      const invited = await createUserWithInvitation(ctx, tx, {
        email: body.admin.email,
        name: body.admin.name,
        roles: ['partner_admin'],
        vendorId: null,
        partnerId: partner.id,
        tenantName: partner.name,
        from: senderOf(await profileOfVendor(tx, vendor), vendor.slug),
        by: eventActorOf(staff),
        eventVendorId: vendor.id,
      });
      result.admin = { user: toUserView(invited.user), invitation: invited.invitation };
    }
    return result;
  });
}

/**
 * Enrols an existing tier-1 partner with the caller's vendor (vendor_admin), with its terms
 * (the billing details optional). An unknown partner id is refused as unknown (422 at
 * `partnerId`); already enrolled → 409. Event `partnership.created`.
 */
export async function enrolPartner(
  ctx: AppContext,
  actor: Actor | null,
  body: PartnershipCreateBody,
  options: WriteOptions = {},
): Promise<PartnershipView> {
  const staff = requireAccess(actor, PARTNER_ENROLMENT_ACCESS);
  return inTransaction(ctx, options, async (tx) => {
    const vendor = await ownVendor(tx, staff.vendorId);
    const partner = await findPartnerById(tx, body.partnerId);
    const problems: ProblemItem[] = [];
    if (!partner) {
      problems.push({ path: 'partnerId', code: 'invalid', message: 'No such partner' });
    } else if (partner.tier !== 1) {
      problems.push({
        path: 'partnerId',
        code: 'invalid',
        message: "A tier-2 reseller orders under its distributor's partnership",
      });
    }
    const cam = await camOf(tx, vendor.id, body.camEmail);
    if ('path' in cam) problems.push(cam);
    if (problems.length > 0 || !partner || 'path' in cam) {
      throw unprocessable('The partnership has problems; nothing was created', problems);
    }
    if (await findPartnership(tx, vendor.id, partner.id)) {
      throw conflict('This partner is already enrolled with your vendor', [
        { path: 'partnerId', code: 'duplicate', message: 'Already a partner of this vendor' },
      ]);
    }
    return enrol(ctx, tx, staff, vendor, partner, body, cam.id);
  });
}
