// Escalations of orders: raised by the partner or by an SLA breach, mailed to the CAM at once
// and to the profile's escalation contact when the CAM has not acted by `contact_due_at`.
import type { Executor } from './executor.ts';
import type { Escalation } from './schema.ts';

export const ESCALATION_SOURCES = ['partner', 'breach'] as const;
export type EscalationSource = (typeof ESCALATION_SOURCES)[number];
export const ESCALATION_STATUSES = [
  'awaiting_cam',
  'cam_acted',
  'escalated',
  'no_contact',
] as const;
export type EscalationStatus = (typeof ESCALATION_STATUSES)[number];

export async function insertEscalation(db: Executor, row: Escalation): Promise<void> {
  await db.insertInto('escalations').values(row).execute();
}

/** The escalations of one order, oldest first. */
export async function listOrderEscalations(db: Executor, orderId: string): Promise<Escalation[]> {
  return db
    .selectFrom('escalations')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('id')
    .execute();
}

/** Escalations still waiting on the CAM whose window ended by `dueBefore` (every vendor). */
export async function listEscalationsAwaitingCam(
  db: Executor,
  input: { dueBefore: string; limit: number; afterId?: string },
): Promise<Escalation[]> {
  let q = db
    .selectFrom('escalations')
    .selectAll()
    .where('status', '=', 'awaiting_cam')
    .where('contact_due_at', '<=', input.dueBefore)
    .orderBy('id')
    .limit(input.limit);
  if (input.afterId !== undefined) q = q.where('id', '>', input.afterId);
  return q.execute();
}

/** Moves an escalation on from awaiting_cam, once (false: another pass did it first). */
export async function settleEscalation(
  db: Executor,
  input: {
    id: string;
    status: Exclude<EscalationStatus, 'awaiting_cam'>;
    contactNotified?: readonly string[];
    at: string;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('escalations')
    .set({
      status: input.status,
      resolved_at: input.at,
      ...(input.contactNotified ? { contact_notified: JSON.stringify(input.contactNotified) } : {}),
    })
    .where('id', '=', input.id)
    .where('status', '=', 'awaiting_cam')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Whether a user acted on the order (any event of theirs in its timeline) after `since`. */
export async function userActedOnOrderSince(
  db: Executor,
  input: { orderId: string; userId: string; since: string; until: string },
): Promise<boolean> {
  const row = await db
    .selectFrom('audit_events')
    .select('id')
    .where('entity_type', '=', 'order')
    .where('entity_id', '=', input.orderId)
    .where('actor_user_id', '=', input.userId)
    .where('at', '>', input.since)
    .where('at', '<=', input.until)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
