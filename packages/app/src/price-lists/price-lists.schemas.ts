import { z } from 'zod';
import { pageQuerySchema } from '../shared/paging.ts';
import { PRICE_LIST_FORMATS } from '../documents/price-list-import.ts';

export const priceListSchema = z
  .object({
    id: z.string(),
    vendor: z.string(),
    currency: z.string(),
    version: z.number().int().meta({ description: 'Per vendor and currency, from 1' }),
    effectiveFrom: z.string(),
    rowCount: z.number().int(),
    sourceName: z.string().nullable(),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .meta({ id: 'PriceList' });

export const priceListImportSchema = priceListSchema
  .extend({ productsCreated: z.number().int(), productsUpdated: z.number().int() })
  .meta({ id: 'PriceListImport' });

/** Options of an upload, as query parameters or as multipart fields before the file. */
export const uploadOptionsSchema = z.strictObject({
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'An ISO 4217 code such as "USD"')
    .optional()
    .meta({ description: "Default: the vendor profile's currency" }),
  effectiveFrom: z.iso
    .date()
    .optional()
    .meta({ description: "Default: the file's effectiveFrom column, else today" }),
  format: z
    .enum(PRICE_LIST_FORMATS)
    .optional()
    .meta({ description: 'Default: from the file name or content type' }),
});

export const priceListListQuery = z.strictObject({ ...pageQuerySchema.shape });

export const exportQuery = z.strictObject({
  format: z.enum(PRICE_LIST_FORMATS).default('csv'),
});

export const priceListParams = z.object({
  slug: z.string().min(1).max(100),
  id: z.string().min(1).max(100),
});
