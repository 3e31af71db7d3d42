import { z } from 'zod';

/**
 * A postal address as the API answers it, without its country (where the country stands
 * beside it, as a partnership's billing country does); `.extend({ country })` for one with it.
 */
export const postalAddressViewSchema = z.object({
  line1: z.string(),
  line2: z.string().optional(),
  city: z.string(),
  region: z.string().optional(),
  postalCode: z.string(),
});
