import { z } from 'zod';
import { calendarDate, postalAddressFields } from '@orderdesk/core';
import { postalAddressViewSchema } from '../shared/address.ts';
import { wholeListQuerySchema } from '../shared/paging.ts';

const contactSchema = z.object({ name: z.string(), email: z.string() });

/**
 * Where the vendor bills the partner: the buyer of the partnership's invoices, whose country
 * and tax ID decide their tax. The address has no country of its own: it is `country`.
 */
export const partnershipBillingSchema = z
  .object({
    country: z.string().meta({ description: 'ISO 3166-1 alpha-2' }),
    address: postalAddressViewSchema.nullable(),
    taxId: z.string().nullable(),
  })
  .meta({ id: 'PartnershipBilling' });

export const partnershipSchema = z
  .object({
    id: z.string(),
    vendor: z.string(),
    partner: z.object({ id: z.string(), name: z.string() }),
    tier: z.number().int(),
    legalName: z
      .string()
      .nullable()
      .meta({ description: "Null for a tier-2 reseller looking at its distributor's partnership" }),
    agreementDate: z
      .string()
      .nullable()
      .meta({ description: "Null for a tier-2 reseller looking at its distributor's partnership" }),
    multiplier: z
      .string()
      .nullable()
      .meta({
        description:
          "The partnership's default multiplier; null when hidden from the caller (partners of a " +
          'vendor whose profile says pricing.partnerVisible: false, and tier-2 resellers)',
      }),
    cam: contactSchema.nullable(),
    invoicingContact: contactSchema.nullable(),
    provisioningCc: z.string().nullable(),
    billing: partnershipBillingSchema.nullable().meta({
      description:
        "The partner's billing details (its invoices' buyer); null when the vendor has set none " +
        "(its invoices then assume the seller's country), and for a tier-2 reseller looking at " +
        "its distributor's partnership",
    }),
    specialTerms: z.string().nullable(),
  })
  .meta({ id: 'Partnership' });

export const partnerSchema = z
  .object({ id: z.string(), name: z.string(), tier: z.number().int(), partnershipId: z.string() })
  .meta({ id: 'Partner' });

/**
 * The partner's billing details as the vendor gives them, when creating the partnership
 * (POST /partners, POST /partnerships) or changing it (PATCH /partnerships/{id}): the country
 * (ISO 3166-1 alpha-2), which the invoices' tax follows; optionally the address, which has no
 * country of its own, and the tax ID.
 */
export const partnershipBillingInputSchema = z.strictObject({
  country: postalAddressFields.country,
  address: z
    .strictObject({
      line1: postalAddressFields.line1,
      line2: postalAddressFields.line2,
      city: postalAddressFields.city,
      region: postalAddressFields.region,
      postalCode: postalAddressFields.postalCode,
    })
    .optional(),
  taxId: z.string().trim().min(2).max(50).optional(),
});
export type PartnershipBillingInput = z.infer<typeof partnershipBillingInputSchema>;

export const partnershipListQuery = z.strictObject({
  vendor: z.string().min(1).max(100).optional(),
  ...wholeListQuerySchema.shape,
});

export const partnershipPatchSchema = z.strictObject({
  invoicingContact: z
    .strictObject({ name: z.string().trim().min(1).max(200), email: z.email() })
    .optional(),
  provisioningCc: z.email().optional(),
  legalName: z.string().trim().min(1).max(300).optional(),
  agreementDate: calendarDate.optional(),
  multiplier: z
    .string()
    .regex(/^(0|[1-9]\d?)(\.\d{1,6})?$/, 'A decimal like "0.75" (at most 6 decimals)')
    .refine((m) => Number(m) > 0 && Number(m) <= 10, 'Between 0 (exclusive) and 10')
    .optional(),
  camEmail: z.email().optional(),
  /**
   * The partner's billing details, replaced as a whole (a tax ID never outlives the country it
   * was given with); null clears them.
   */
  billing: partnershipBillingInputSchema.nullable().optional(),
});
