import { z } from 'zod';
import { orderSummarySchema } from '../orders/orders.schemas.ts';

export const SLA_VIEW_STAGES = ['acknowledge', 'fulfil'] as const;
export type SlaViewStage = (typeof SLA_VIEW_STAGES)[number];

export const slaQuerySchema = z.object({
  /** The vendor's slug; staff see their own vendor only (another slug is a 404). */
  vendor: z.string().min(1).max(100).optional(),
  /** How many overdue orders to list (soonest due first). */
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const stageCountsSchema = z.object({
  /** Orders whose stage still runs (not done, the order not final). */
  open: z.number().int(),
  /** Of those, due from now to the vendor's midnight (not yet overdue). */
  dueToday: z.number().int(),
  /** Of those, due before now (on any day): never also counted as due today. */
  overdue: z.number().int(),
});

export const slaSummarySchema = z
  .object({
    vendor: z.string(),
    at: z.string(),
    /** The vendor's calendar day "today" is counted in. */
    timeZone: z.string(),
    today: z.string(),
    stages: z.object({ acknowledge: stageCountsSchema, fulfil: stageCountsSchema }),
    overdue: z.array(orderSummarySchema),
  })
  .meta({ id: 'SlaSummary' });
export type SlaSummary = z.infer<typeof slaSummarySchema>;
