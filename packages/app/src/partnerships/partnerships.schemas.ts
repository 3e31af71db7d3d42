import { z } from 'zod';

const contactSchema = z.object({ name: z.string(), email: z.string() });

export const partnershipSchema = z
  .object({
    id: z.string(),
    vendor: z.string(),
    partner: z.object({ id: z.string(), name: z.string() }),
    tier: z.number().int(),
    legalName: z.string(),
    agreementDate: z.string(),
    multiplier: z.string(),
    cam: contactSchema.nullable(),
    invoicingContact: contactSchema.nullable(),
    provisioningCc: z.string().nullable(),
    specialTerms: z.string().nullable(),
  })
  .meta({ id: 'Partnership' });

export const partnershipListQuery = z.strictObject({
  vendor: z.string().min(1).max(100).optional(),
});

const isoDate = z.iso.date();

export const partnershipPatchSchema = z.strictObject({
  invoicingContact: z
    .strictObject({ name: z.string().trim().min(1).max(200), email: z.email() })
    .optional(),
  provisioningCc: z.email().optional(),
  legalName: z.string().trim().min(1).max(300).optional(),
  agreementDate: isoDate.optional(),
  multiplier: z
    .string()
    .regex(/^(0|[1-9]\d?)(\.\d{1,6})?$/, 'A decimal like "0.75" (at most 6 decimals)')
    .refine((m) => Number(m) > 0 && Number(m) <= 10, 'Between 0 (exclusive) and 10')
    .optional(),
  camEmail: z.email().optional(),
});
