// Escalations of orders: raised by the partner or by an SLA breach, mailed to the CAM at once
// and to the profile's escalation contact when nobody of the vendor has acted on the order by
// `contact_due_at`. An escalation is open while `awaiting_cam`; every other status is final.
import { sql } from 'kysely';
import type { Executor } from './executor.ts';
import type { Escalation } from './schema.ts';

export const ESCALATION_SOURCES = ['partner', 'breach'] as const;
export type EscalationSource = (typeof ESCALATION_SOURCES)[number];
/**
 * awaiting_cam: open. Answered: cam_acted (the CAM acted on the order), vendor_acted (other
 * vendor staff did). order_closed: the order reached a final status unanswered. escalated /
 * no_contact: forwarded to the escalation contacts / the profile names none.
 */
export const ESCALATION_STATUSES = [
  'awaiting_cam',
  'cam_acted',
  'vendor_acted',
  'order_closed',
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

/** The order's oldest open escalation (awaiting_cam), if it has one. */
export async function findOpenEscalation(
  db: Executor,
  orderId: string,
): Promise<Escalation | undefined> {
  return db
    .selectFrom('escalations')
    .selectAll()
    .where('order_id', '=', orderId)
    .where('status', '=', 'awaiting_cam')
    .orderBy('raised_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Adds a line to an open escalation's reason (a later SLA breach of its order), so the mail to
 * the escalation contact names it too; false when the escalation is no longer open.
 */
export async function addToEscalationReason(
  db: Executor,
  input: { id: string; line: string },
): Promise<boolean> {
  const result = await db
    .updateTable('escalations')
    .set({ reason: sql<string>`${sql.ref('reason')} || ${`\n${input.line}`}` })
    .where('id', '=', input.id)
    .where('status', '=', 'awaiting_cam')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
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

/**
 * The vendor's staff who acted on the order (an event of theirs in its timeline) in
 * (since, until]: every workflow action, fulfilment, document or decision on an order is an
 * event with its actor, so this is "somebody of the vendor answered".
 */
export async function staffWhoActedOnOrder(
  db: Executor,
  input: { orderId: string; vendorId: string; since: string; until: string },
): Promise<string[]> {
  const rows = await db
    .selectFrom('audit_events')
    .innerJoin('users', 'users.id', 'audit_events.actor_user_id')
    .select('users.id')
    .distinct()
    .where('audit_events.entity_type', '=', 'order')
    .where('audit_events.entity_id', '=', input.orderId)
    .where('users.vendor_id', '=', input.vendorId)
    .where('audit_events.at', '>', input.since)
    .where('audit_events.at', '<=', input.until)
    .execute();
  return rows.map((r) => r.id);
}
