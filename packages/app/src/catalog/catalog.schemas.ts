import { PRODUCT_TYPES } from '@orderdesk/core';
import { z } from 'zod';
import { pageQuerySchema, wholeListQuerySchema } from '../shared/paging.ts';
import { CATEGORY_KEY } from './category-path.ts';

/** Part numbers: letters, digits, '.', '_' and '-', starting with a letter or digit. */
export const PART_NUMBER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Billing terms of subscriptions as ISO 8601 durations: P1M, P1Y, P3Y… */
export const BILLING_TERM = /^P[1-9]\d?[MY]$/;

export const partNumberSchema = z
  .string()
  .regex(PART_NUMBER, "Letters, digits, '.', '_' and '-' (at most 64), e.g. F200-GW-01");
export const categoryKeySchema = z
  .string()
  .max(200)
  .regex(CATEGORY_KEY, 'A category key such as "hardware.gateways"');
const billingTermSchema = z
  .string()
  .regex(BILLING_TERM, 'An ISO 8601 duration in months or years: P1M, P1Y, P3Y');

export const productSchema = z
  .object({
    vendor: z.string(),
    partNumber: z.string(),
    name: z.string(),
    description: z.string(),
    type: z.enum(PRODUCT_TYPES),
    category: z.string().nullable().meta({ description: 'Category key, e.g. hardware.gateways' }),
    billingTerm: z.string().nullable().meta({ description: 'ISO 8601 duration, e.g. P1Y' }),
    ships: z.boolean(),
    active: z.boolean(),
  })
  .meta({ id: 'Product' });

const booleanText = z.enum(['true', 'false']).transform((v) => v === 'true');

export const productListQuery = z.strictObject({
  vendor: z.string().min(1).max(100).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  category: categoryKeySchema.optional(),
  active: booleanText.optional(),
  ...pageQuerySchema.shape,
});

export const productListSchema = z.object({
  items: z.array(productSchema),
  nextCursor: z.string().nullable(),
});

export const productBodySchema = z.strictObject({
  partNumber: partNumberSchema,
  name: z.string().trim().min(1).max(300),
  description: z.string().max(4000).default(''),
  type: z.enum(PRODUCT_TYPES),
  category: categoryKeySchema.nullable().default(null),
  billingTerm: billingTermSchema.nullable().default(null),
  ships: z.boolean().optional(),
  active: z.boolean().default(true),
});

export const productPatchSchema = z.strictObject({
  name: z.string().trim().min(1).max(300).optional(),
  description: z.string().max(4000).optional(),
  type: z.enum(PRODUCT_TYPES).optional(),
  category: categoryKeySchema.nullable().optional(),
  billingTerm: billingTermSchema.nullable().optional(),
  ships: z.boolean().optional(),
  active: z.boolean().optional(),
});

export const categorySchema = z
  .object({
    key: z.string(),
    name: z.string(),
    parent: z.string().nullable(),
    productCount: z.number().int(),
  })
  .meta({ id: 'Category' });

export const categoryBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  parent: categoryKeySchema.optional(),
  /** The last segment of the key; by default a slug of the name. */
  slug: z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Lowercase letters, digits and dashes')
    .max(60)
    .optional(),
});

export const categoryPatchSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
});

export const vendorQuery = z.strictObject({
  vendor: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: 'Vendor slug; vendor staff default to their own' }),
});
export const categoryListQuery = z.strictObject({
  ...vendorQuery.shape,
  ...wholeListQuerySchema.shape,
});
export const categoryListSchema = z.object({
  items: z.array(categorySchema),
  nextCursor: z.string().nullable(),
});
export const productParams = z.object({ partNumber: z.string().min(1).max(64) });
export const categoryParams = z.object({ key: z.string().min(1).max(200) });
