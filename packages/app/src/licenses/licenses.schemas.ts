import { z } from 'zod';
import { pageQuerySchema } from '../shared/paging.ts';

const licenseIdSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'Letters, digits and . _ : / - only');

export const licenseRegistrationSchema = z.strictObject({
  vendor: z.string().min(1).max(100),
  licenses: z
    .array(
      z.strictObject({
        licenseId: licenseIdSchema,
        partNumber: z.string().trim().min(1).max(100),
        hostId: z.string().trim().min(1).max(200).optional(),
        /** A license shipped inside a pre-bundled order: the weekly job authorizes it. */
        preBundled: z.boolean().default(false),
        /** The order the license was bundled with, when there is one (its thread gets the mail). */
        orderId: z.string().min(1).max(100).optional(),
      }),
    )
    .min(1)
    .max(1000),
});
export type LicenseRegistration = z.infer<typeof licenseRegistrationSchema>;

export const licenseSchema = z
  .object({
    id: z.string(),
    licenseId: z.string(),
    partNumber: z.string(),
    hostId: z.string().nullable(),
    partnerId: z.string(),
    preBundled: z.boolean(),
    orderId: z.string().nullable(),
    authorized: z.boolean(),
    registeredAt: z.string(),
    authorizedAt: z.string().nullable(),
  })
  .meta({ id: 'License' });
export type LicenseView = z.infer<typeof licenseSchema>;

export const licenseListQuerySchema = pageQuerySchema.extend({
  vendor: z.string().min(1).max(100),
  authorized: z.enum(['true', 'false']).optional(),
  /** `csv`: the report as a spreadsheet-safe CSV file instead of a JSON page. */
  format: z.enum(['json', 'csv']).default('json'),
});
export type LicenseListQuery = z.infer<typeof licenseListQuerySchema>;

export const licenseRegistrationResultSchema = z
  .object({ vendor: z.string(), licenses: z.array(licenseSchema) })
  .meta({ id: 'LicenseRegistrationResult' });
