import { z } from 'zod';
import { pageQuerySchema } from '../shared/paging.ts';

// The shapes of the outbox's administration (issue 10): a vendor admin sees the mail that gave
// up (dead letters) and sends it again.

export const OUTBOX_STATUSES = ['pending', 'processed', 'dead'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export const outboxItemSchema = z
  .object({
    id: z.string(),
    topic: z.string(),
    status: z.enum(OUTBOX_STATUSES),
    /** What the work is about: the thread (order, quote, user…). */
    entityType: z.string(),
    entityId: z.string(),
    /** The thread message it sends (`GET /orders/{id}/messages` lists it). */
    messageId: z.string().nullable(),
    subject: z.string().nullable(),
    to: z.array(z.string()),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    /** When the next attempt may run (pending). */
    availableAt: z.string(),
    deadAt: z.string().nullable(),
  })
  .meta({ id: 'OutboxItem' });
export type OutboxItemView = z.infer<typeof outboxItemSchema>;

/** Only dead letters are listed for now: pending work is the worker's business. */
export const outboxListQuerySchema = z.strictObject({
  status: z.enum(['dead']).default('dead'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: pageQuerySchema.shape.cursor,
});
export type OutboxListQuery = z.infer<typeof outboxListQuerySchema>;

export const outboxIdParams = z.strictObject({ id: z.string().min(1) });
