// The escalation step job: escalations whose CAM window has ended go on to the profile's
// escalation contacts unless they were answered or became moot meanwhile (escalation-answer.ts:
// the CAM or other vendor staff acted on the order — an event of theirs in its timeline — or
// the order reached a final status). settleEscalation moves each one once, so a second pass
// mails no one twice.
import { findOrderInScope, listEscalationsAwaitingCam, settleEscalation } from '@orderdesk/store';
import { SYSTEM_ACTOR, recordEvent } from '../events/record-event.ts';
import { everyMinutes, type JobDefinition, type JobSummary } from '../jobs/job.types.ts';
import { vendorOf, type VendorOfOrder } from '../orders/order-view.ts';
import { formatInstantForMail } from '../shared/time.ts';
import { escalationAnswerOf } from './escalation-answer.ts';
import { escalationContactsOf, writeEscalationMail } from './raise-escalation.ts';

const BATCH = 200;

export const escalationStepJob: JobDefinition = {
  name: 'escalations.forward',
  description:
    'Mail the escalation contact when nobody of the vendor has acted on the order within the window',
  slotAt: everyMinutes(1),
  leaseMs: 10 * 60_000,
  async run({ ctx, now, shouldContinue }): Promise<JobSummary> {
    const summary = { forwarded: 0, camActed: 0, vendorActed: 0, orderClosed: 0, noContact: 0 };
    const counted = {
      cam_acted: 'camActed',
      vendor_acted: 'vendorActed',
      order_closed: 'orderClosed',
    } as const;
    const db = ctx.store.db;
    const profiles = new Map<string, VendorOfOrder>();
    let afterId: string | undefined;
    for (;;) {
      const batch = await listEscalationsAwaitingCam(db, {
        dueBefore: now.toISOString(),
        limit: BATCH,
        ...(afterId !== undefined ? { afterId } : {}),
      });
      if (batch.length === 0) break;
      for (const escalation of batch) {
        afterId = escalation.id;
        if (!shouldContinue()) return summary;
        await db.transaction().execute(async (tx) => {
          const at = now.toISOString();
          const order = await findOrderInScope(tx, escalation.order_id, {
            vendorId: escalation.vendor_id,
          });
          if (!order) return;
          const answer = await escalationAnswerOf(tx, escalation, order, at);
          if (answer !== null) {
            if (await settleEscalation(tx, { id: escalation.id, status: answer, at })) {
              summary[counted[answer]] += 1;
            }
            return;
          }
          const { slug, profile } = await vendorOf(tx, order, profiles);
          const to = await escalationContactsOf(tx, order, profile);
          const status = to.length > 0 ? 'escalated' : 'no_contact';
          if (
            !(await settleEscalation(tx, { id: escalation.id, status, contactNotified: to, at }))
          ) {
            return;
          }
          if (to.length === 0) {
            summary.noContact += 1;
            return;
          }
          const event = await recordEvent(tx, {
            type: 'escalation.forwarded',
            entityId: order.id,
            vendorId: order.vendor_id,
            partnerId: order.partner_id,
            actor: SYSTEM_ACTOR,
            at,
            reason: escalation.reason,
            data: {
              orderId: order.id,
              number: order.number,
              orderType: order.type,
              escalationId: escalation.id,
              to,
            },
          });
          await writeEscalationMail(tx, {
            order,
            profile,
            vendorSlug: slug,
            to,
            template: 'escalation_contact',
            subject: `Escalation not answered: order ${order.number}`,
            text: [
              `Order ${order.number} was escalated on ${formatInstantForMail(escalation.raised_at, profile.sla.calendar.timeZone)} and neither the Channel Account Manager nor anyone else at ${profile.name} has acted on it since.`,
              '',
              `Reason: ${escalation.reason}`,
            ].join('\n'),
            eventId: event.id,
            at,
          });
          summary.forwarded += 1;
        });
      }
      if (batch.length < BATCH) break;
    }
    return summary;
  },
};
