import { z } from 'zod';
import { calendarDate } from '@orderdesk/core';
import { wholeListQuerySchema } from '../shared/paging.ts';

const contactSchema = z.object({ name: z.string(), email: z.string() });

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
    specialTerms: z.string().nullable(),
  })
  .meta({ id: 'Partnership' });

export const partnerSchema = z
  .object({ id: z.string(), name: z.string(), tier: z.number().int(), partnershipId: z.string() })
  .meta({ id: 'Partner' });

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
});
