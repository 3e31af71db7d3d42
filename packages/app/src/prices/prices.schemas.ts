import { calendarDate, isMultiplier } from '@orderdesk/core';
import { z } from 'zod';
import { categoryKeySchema } from '../catalog/catalog.schemas.ts';

/** Most part numbers priced in one request (a PO of more lines goes through orders/validate). */
export const MAX_PRICED_PART_NUMBERS = 500;

export const priceQuery = z.strictObject({
  vendor: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: 'Vendor slug; required for partners, vendor staff default to their own' }),
  partNumbers: z
    .string()
    .min(1)
    .max(MAX_PRICED_PART_NUMBERS * 65)
    .meta({ description: 'Comma-separated part numbers, e.g. F200-GW-01,SW-LIC-100' }),
  partnerId: z
    .string()
    .max(100)
    .optional()
    .meta({ description: 'Vendor staff only: the partner to price for' }),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'An ISO 4217 code such as "USD"')
    .optional()
    .meta({ description: "Default: the vendor profile's currency" }),
  on: z.iso
    .date()
    .optional()
    .meta({ description: "Pricing date; default today (vendor's time zone)" }),
});

export const priceItemSchema = z.object({
  partNumber: z.string(),
  name: z.string(),
  category: z.string().nullable(),
  active: z.boolean(),
  listPrice: z.string().nullable().meta({
    description: 'Null for partners of a vendor whose profile says pricing.partnerVisible: false',
  }),
  multiplier: z
    .string()
    .nullable()
    .meta({
      description:
        'Null for partners where pricing.partnerVisible is false, and always for a tier-2 ' +
        "reseller (its distributor's multiplier)",
    }),
  netPrice: z.string().meta({ description: 'What the partnership pays per unit' }),
});

export const pricesSchema = z
  .object({
    vendor: z.string(),
    partnerId: z.string(),
    currency: z.string(),
    on: z.string(),
    priceListId: z.string().nullable(),
    items: z.array(priceItemSchema),
  })
  .meta({ id: 'Prices' });

const multiplierText = z
  .string()
  .refine(isMultiplier, 'A decimal like "0.75": greater than 0, at most 10, at most 6 decimals');

export const multiplierSchema = z
  .object({
    id: z.string(),
    category: z.string().nullable(),
    multiplier: z.string(),
    effectiveFrom: z.string(),
    effectiveTo: z.string().nullable(),
  })
  .meta({ id: 'Multiplier' });

export const multiplierListSchema = z.object({
  partnershipId: z.string(),
  vendor: z.string(),
  partner: z.object({ id: z.string(), name: z.string() }),
  default: z.string().meta({ description: "The partnership's multiplier where no rule applies" }),
  items: z.array(multiplierSchema),
  nextCursor: z.string().nullable(),
});

export const multiplierBodySchema = z.strictObject({
  multiplier: multiplierText,
  category: categoryKeySchema
    .nullable()
    .default(null)
    .meta({ description: 'Applies to this category and those below it; null = every product' }),
  effectiveFrom: calendarDate,
  effectiveTo: calendarDate
    .nullable()
    .default(null)
    .meta({ description: 'Last day in force (inclusive); null = open-ended' }),
});

export const multiplierPatchSchema = z.strictObject({
  effectiveTo: calendarDate.nullable(),
});
