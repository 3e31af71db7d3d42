import { z } from 'zod';
import { pageQuerySchema } from '../shared/paging.ts';

export const RETURN_STATUSES = ['approved', 'refused', 'requested'] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];

export const returnBodySchema = z.strictObject({
  orderId: z.string().min(1).max(100),
  lines: z
    .array(
      z.strictObject({
        lineNo: z.number().int().min(1),
        quantity: z.number().int().min(1).max(1_000_000),
      }),
    )
    .min(1)
    .max(1000),
  reason: z.string().trim().min(1, 'Say why the items are returned').max(2000),
});
export type ReturnBody = z.infer<typeof returnBodySchema>;

export const returnDecisionBodySchema = z.strictObject({
  reason: z.string().trim().min(1, 'Say why the return is approved or refused').max(2000),
});
export type ReturnDecisionBody = z.infer<typeof returnDecisionBodySchema>;

export const returnSchema = z
  .object({
    id: z.string(),
    orderId: z.string(),
    lines: z.array(z.object({ lineNo: z.number().int(), quantity: z.number().int() })),
    reason: z.string(),
    status: z.enum(RETURN_STATUSES),
    decision: z.object({ code: z.string().optional(), message: z.string() }),
    rmaNumber: z.string().optional(),
    createdAt: z.string(),
  })
  .meta({ id: 'Return' });
export type ReturnView = z.infer<typeof returnSchema>;

export const returnListQuerySchema = pageQuerySchema.extend({
  orderId: z.string().min(1).max(100).optional(),
  status: z.enum(RETURN_STATUSES).optional(),
});
export type ReturnListQuery = z.infer<typeof returnListQuerySchema>;
