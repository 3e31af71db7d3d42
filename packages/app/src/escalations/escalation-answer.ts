// Whether an open escalation still needs anyone. It is answered when somebody of the vendor
// acted on the order after it was raised — the CAM, or any other staff (the desk approving,
// finance booking, provisioning fulfilling, a document or note attached, a return decided):
// each of those is an event of theirs on the order's timeline, and the partner escalated to
// get the order moving, which it now is. It is moot when the order is in a final status
// (completed, cancelled, rejected): there is nothing left to escalate about. Otherwise it goes
// on to the escalation contact when its window ends (escalation-job.ts), and a later SLA breach
// of the order is added to it rather than raising a second one (sla-job.ts).
import { TERMINAL_STATUSES } from '@orderdesk/core';
import {
  staffWhoActedOnOrder,
  type Escalation,
  type EscalationStatus,
  type Executor,
  type Order,
} from '@orderdesk/store';
import { camOf } from './raise-escalation.ts';

/** How an open escalation was settled without the escalation contact. */
export type EscalationAnswer = Extract<
  EscalationStatus,
  'cam_acted' | 'vendor_acted' | 'order_closed'
>;

/** The answer an open escalation has by `at`, or null while nobody of the vendor acted on it. */
export async function escalationAnswerOf(
  tx: Executor,
  escalation: Pick<Escalation, 'raised_at'>,
  order: Pick<Order, 'id' | 'vendor_id' | 'partner_id' | 'status'>,
  at: string,
): Promise<EscalationAnswer | null> {
  const staff = await staffWhoActedOnOrder(tx, {
    orderId: order.id,
    vendorId: order.vendor_id,
    since: escalation.raised_at,
    until: at,
  });
  if (staff.length > 0) {
    const cam = await camOf(tx, order);
    return cam !== null && staff.includes(cam.userId) ? 'cam_acted' : 'vendor_acted';
  }
  if ((TERMINAL_STATUSES as readonly string[]).includes(order.status)) return 'order_closed';
  return null;
}
