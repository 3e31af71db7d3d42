import { ESCALATION_SOURCES, ESCALATION_STATUSES } from '@orderdesk/store';
import { z } from 'zod';

export const escalationBodySchema = z.strictObject({
  reason: z.string().trim().min(1, 'Say why the order is escalated').max(2000),
});
export type EscalationBody = z.infer<typeof escalationBodySchema>;

export const escalationSchema = z
  .object({
    id: z.string(),
    orderId: z.string(),
    source: z.enum(ESCALATION_SOURCES),
    stage: z.enum(['acknowledge', 'fulfil']).nullable(),
    reason: z.string(),
    status: z.enum(ESCALATION_STATUSES),
    raisedAt: z.string(),
    /** Whom the CAM mail went to (empty: the partnership has no CAM). */
    camNotified: z.array(z.string()),
    /** When the escalation contact is mailed unless the CAM acts on the order first. */
    contactDueAt: z.string(),
    contactNotified: z.array(z.string()),
  })
  .meta({ id: 'Escalation' });
export type EscalationView = z.infer<typeof escalationSchema>;
