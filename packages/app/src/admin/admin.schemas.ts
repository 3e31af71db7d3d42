import { calendarDate, PARTNER_ROLES, ROLES, VENDOR_ROLES } from '@orderdesk/core';
import { z } from 'zod';
import {
  partnershipBillingInputSchema,
  partnershipSchema,
} from '../partnerships/partnerships.schemas.ts';
import type { ProblemItem } from '../shared/errors.ts';
import { wholeListQuerySchema } from '../shared/paging.ts';
import { roleListSchema } from '../shared/role-list.ts';

// The shapes of the administration use cases (API.md "Administration"), shared by the HTTP
// adapter (request/response schemas, OpenAPI) and the other callers (CLI).

const MULTIPLIER = /^(0|[1-9]\d?)(\.\d{1,6})?$/;
const multiplier = z
  .string()
  .regex(MULTIPLIER, 'A decimal like "0.75" (at most 6 decimals)')
  // Only of a decimal: "x" is one problem, not a second about its range. (Not by aborting at
  // the first: that would stop the body's own checks, and the other fields' problems with them.)
  .refine(
    (m) => !MULTIPLIER.test(m) || (Number(m) > 0 && Number(m) <= 10),
    'Between 0 (exclusive) and 10',
  );
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
  roles: roleListSchema(ROLES),
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
  /** The partner's billing details, as PATCH /partnerships/{id} sets them; none when left out. */
  billing: partnershipBillingInputSchema.optional(),
};

/** The partnership terms a tier-1 partner's body must bring (a tier-2 reseller has none). */
export const PARTNER_TERM_FIELDS = [
  'legalName',
  'agreementDate',
  'multiplier',
  'camEmail',
  'invoicingContact',
  'provisioningCc',
] as const;

/** The partnership terms a tier-1 partner's body may bring (a tier-2 reseller has none). */
export const PARTNER_OPTIONAL_TERM_FIELDS = ['billing'] as const;

/**
 * What a partner's tier asks of its body, known without the database: a tier-1 partner brings
 * the partnership terms (the billing details optional) and no parent; a tier-2 reseller names
 * its parent and brings no terms (it orders under its distributor's partnership). A body
 * without a tier of 1 or 2 is judged as the tier it reads as (a parent: 2; else 1), so that one
 * answer names every field.
 */
export function partnerTierProblems(body: Readonly<Record<string, unknown>>): ProblemItem[] {
  const problems: ProblemItem[] = [];
  const tier =
    body.tier === 1 || body.tier === 2 ? body.tier : body.parentPartnerId === undefined ? 1 : 2;
  if (tier === 1) {
    if (body.parentPartnerId !== undefined) {
      problems.push({
        path: 'parentPartnerId',
        code: 'invalid',
        message: 'A tier-1 partner has no parent; send tier 2 for a reseller',
      });
    }
    for (const field of PARTNER_TERM_FIELDS) {
      if (body[field] === undefined) {
        problems.push({ path: field, code: 'required', message: 'Required for a tier-1 partner' });
      }
    }
    return problems;
  }
  for (const field of [...PARTNER_TERM_FIELDS, ...PARTNER_OPTIONAL_TERM_FIELDS]) {
    if (body[field] !== undefined) {
      problems.push({
        path: field,
        code: 'invalid',
        message: "A tier-2 reseller orders under its distributor's partnership",
      });
    }
  }
  if (body.parentPartnerId === undefined) {
    problems.push({
      path: 'parentPartnerId',
      code: 'required',
      message: 'A tier-2 reseller needs its tier-1 distributor',
    });
  }
  return problems;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const partnerCreateBodySchema = z
  .strictObject({
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
    // Optional for tier 1; a tier-2 reseller has no partnership of its own to bill.
    billing: partnershipTerms.billing,
    /** The partner's first partner_admin, invited by mail. */
    admin: z.strictObject({ email: z.email().max(320), name: personName }).optional(),
  })
  .superRefine(
    (body, ctx) => {
      for (const problem of partnerTierProblems(body)) {
        ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
      }
    },
    // Also when other fields are bad or missing (the body is still an object): a client
    // learns every field its tier asks for in one answer, with the others.
    { when: (payload) => isObject(payload.value) },
  );
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
