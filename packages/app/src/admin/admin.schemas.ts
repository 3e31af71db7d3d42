import { calendarDate, PARTNER_ROLES, ROLES, VENDOR_ROLES } from '@orderdesk/core';
import { z } from 'zod';
import { partnershipSchema } from '../partnerships/partnerships.schemas.ts';
import { wholeListQuerySchema } from '../shared/paging.ts';

// The shapes of the administration use cases (API.md "Administration"), shared by the HTTP
// adapter (request/response schemas, OpenAPI) and the other callers (CLI).

const multiplier = z
  .string()
  .regex(/^(0|[1-9]\d?)(\.\d{1,6})?$/, 'A decimal like "0.75" (at most 6 decimals)')
  .refine((m) => Number(m) > 0 && Number(m) <= 10, 'Between 0 (exclusive) and 10');
const contact = z.strictObject({ name: z.string().trim().min(1).max(200), email: z.email() });
const personName = z.string().trim().min(1).max(200);

/** A vendor slug: what URLs and order numbers are keyed by. */
export const vendorSlugSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'Lower-case letters, digits and dashes (2 to 63)');

// ---- profiles ----

export const profileVersionSchema = z
  .object({
    version: z.number().int(),
    schemaVersion: z.number().int(),
    format: z.enum(['yaml', 'json']),
    createdAt: z.string(),
    /** E-mail of who published it; null for the version the CLI created. */
    createdBy: z.string().nullable(),
    current: z.boolean(),
  })
  .meta({ id: 'VendorProfileVersion' });
export type ProfileVersionView = z.infer<typeof profileVersionSchema>;

export const profileSourceSchema = z
  .object({
    version: z.number().int(),
    schemaVersion: z.number().int(),
    format: z.enum(['yaml', 'json']),
    source: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'VendorProfileSource' });
export type ProfileSourceView = z.infer<typeof profileSourceSchema>;

export const profileSourceQuerySchema = z.strictObject({
  version: z.coerce.number().int().positive().optional(),
});

export const profilePublishedSchema = z.object({ version: z.number().int() });

// ---- invitations and users ----

export const USER_STATUSES = ['invited', 'active', 'deactivated'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    roles: z.array(z.enum(ROLES)),
    /** `invited` until the invitation is accepted (no password yet). */
    status: z.enum(USER_STATUSES),
    createdAt: z.string(),
    deactivatedAt: z.string().nullable(),
  })
  .meta({ id: 'User' });
export type UserView = z.infer<typeof userSchema>;

export const invitationSchema = z
  .object({
    id: z.string(),
    expiresAt: z.string(),
    /** The invitation mail on the user's thread. */
    messageId: z.string(),
    /**
     * The single-use link, only when this server sends no mail (no SMTP_URL): the inviter
     * passes it on. With mail, the link is in the mail alone.
     */
    link: z.string().optional(),
  })
  .meta({ id: 'Invitation' });
export type InvitationView = z.infer<typeof invitationSchema>;

export const invitedUserSchema = z
  .object({ user: userSchema, invitation: invitationSchema })
  .meta({ id: 'InvitedUser' });
export type InvitedUser = z.infer<typeof invitedUserSchema>;

export const userCreateBodySchema = z.strictObject({
  email: z.email().max(320),
  name: personName,
  roles: z
    .array(z.enum(ROLES))
    .min(1)
    .max(ROLES.length)
    .refine((r) => new Set(r).size === r.length, 'Each role once'),
});
export type UserCreateBody = z.infer<typeof userCreateBodySchema>;

export const userIdParams = z.object({ id: z.string().min(1).max(100) });

export const invitationParams = z.object({ token: z.string().min(1).max(200) });

export const invitationAcceptBodySchema = z.strictObject({
  password: z.string().min(8, 'At least 8 characters').max(1024),
});

export const invitationAcceptedSchema = z.object({ userId: z.string(), email: z.string() });

// ---- partners and partnerships ----

/** The partnership terms a vendor admin sets when enrolling a partner. */
const partnershipTerms = {
  legalName: z.string().trim().min(1).max(300),
  agreementDate: calendarDate,
  multiplier,
  camEmail: z.email(),
  invoicingContact: contact,
  provisioningCc: z.email(),
};

export const partnerCreateBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  tier: z.union([z.literal(1), z.literal(2)]),
  /** Tier 2: the tier-1 distributor it buys through. */
  parentPartnerId: z.string().min(1).max(100).optional(),
  // Required for tier 1; a tier-2 reseller orders under its distributor's partnership.
  legalName: partnershipTerms.legalName.optional(),
  agreementDate: partnershipTerms.agreementDate.optional(),
  multiplier: partnershipTerms.multiplier.optional(),
  camEmail: partnershipTerms.camEmail.optional(),
  invoicingContact: partnershipTerms.invoicingContact.optional(),
  provisioningCc: partnershipTerms.provisioningCc.optional(),
  /** The partner's first partner_admin, invited by mail. */
  admin: z.strictObject({ email: z.email().max(320), name: personName }).optional(),
});
export type PartnerCreateBody = z.infer<typeof partnerCreateBodySchema>;

export const partnershipCreateBodySchema = z.strictObject({
  partnerId: z.string().min(1).max(100),
  ...partnershipTerms,
});
export type PartnershipCreateBody = z.infer<typeof partnershipCreateBodySchema>;

export const createdPartnerSchema = z
  .object({
    partner: z.object({
      id: z.string(),
      name: z.string(),
      tier: z.number().int(),
      parentPartnerId: z.string().nullable(),
    }),
    /** Null for a tier-2 reseller (it orders under its distributor's). */
    partnership: partnershipSchema.nullable(),
    admin: invitedUserSchema.optional(),
  })
  .meta({ id: 'CreatedPartner' });
export type CreatedPartner = z.infer<typeof createdPartnerSchema>;

// ---- tokens ----

export const tokenSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiTokenSummary' });
export type TokenSummary = z.infer<typeof tokenSummarySchema>;

export const tokenListQuerySchema = z.strictObject({
  /** An admin: the tokens of a user of its own tenant (default: the caller's own). */
  userId: z.string().min(1).max(100).optional(),
  ...wholeListQuerySchema.shape,
});

export const tokenIdParams = z.object({ id: z.string().min(1).max(100) });

/** Roles each side may hand out: an admin never creates users of the other side. */
export const ROLES_OF_SIDE = { vendor: VENDOR_ROLES, partner: PARTNER_ROLES } as const;
