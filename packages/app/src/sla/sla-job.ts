// The SLA breach job: every minute, each order stage that is still open and due by now gets
// its outcome — met (acknowledged / completed in time), void (cancelled or rejected first) or
// breached. A breach is recorded once (settleSlaStage changes a stage only while it is open:
// a second pass or process finds it settled) as `sla.breached`, and escalates in the same
// transaction (escalateBreachIn) — unless the stage was done by then, late (acknowledged or
// completed after its due time, before this pass), or the order is final: the breach is on
// the timeline, but there is nobody left to chase.
import { TERMINAL_STATUSES, type VendorProfile } from '@orderdesk/core';
import {
  SLA_STAGES,
  findOpenEscalation,
  listOpenSlaStages,
  settleEscalation,
  settleSlaStage,
  type Executor,
  type Order,
  type SlaStage,
  type SlaState,
} from '@orderdesk/store';
import { SYSTEM_ACTOR, recordEvent } from '../events/record-event.ts';
import { escalationAnswerOf } from '../escalations/escalation-answer.ts';
import { addBreachToEscalationIn, raiseEscalationIn } from '../escalations/raise-escalation.ts';
import { everyMinutes, type JobDefinition, type JobSummary } from '../jobs/job.types.ts';
import { vendorOf, type VendorOfOrder } from '../orders/order-view.ts';
import { acknowledgmentsOf } from './order-sla.ts';

const BATCH = 200;
const GAVE_UP = ['rejected', 'cancelled'];

/** The outcome of a stage due at or before now (null: leave it open). */
export function slaOutcome(
  stage: SlaStage,
  order: Pick<Order, 'status' | 'acknowledge_by' | 'fulfil_by' | 'completed_at'>,
  acknowledgedAt: string | undefined,
): SlaState {
  if (stage === 'acknowledge') {
    if (acknowledgedAt !== undefined && order.acknowledge_by !== null) {
      return acknowledgedAt <= order.acknowledge_by ? 'met' : 'breached';
    }
    return GAVE_UP.includes(order.status) ? 'void' : 'breached';
  }
  if (order.completed_at !== null && order.fulfil_by !== null) {
    return order.completed_at <= order.fulfil_by ? 'met' : 'breached';
  }
  return GAVE_UP.includes(order.status) ? 'void' : 'breached';
}

/** Whether a breached stage still waits on the vendor (not done late, the order not final). */
export function breachStillOpen(
  stage: SlaStage,
  order: Pick<Order, 'status' | 'completed_at'>,
  acknowledgedAt: string | undefined,
): boolean {
  if ((TERMINAL_STATUSES as readonly string[]).includes(order.status)) return false;
  return stage === 'acknowledge' ? acknowledgedAt === undefined : order.completed_at === null;
}

/**
 * Escalates a breach, one open escalation per order: when the order has one still awaiting
 * the CAM and unanswered (escalation-answer.ts), the breach is added to its reason and the CAM
 * told of it in a follow-up (the escalation contact will read both), and this returns false.
 * An escalation answered meanwhile is settled here, and the breach raises a new one.
 */
async function escalateBreachIn(
  tx: Executor,
  input: {
    order: Order;
    profile: VendorProfile;
    vendorSlug: string;
    stage: SlaStage;
    reason: string;
    /** The breach's `sla.breached` event. */
    breachEventId: string;
    at: Date;
  },
): Promise<boolean> {
  const at = input.at.toISOString();
  // settleSlaStage updated the order's row in this transaction, so a process settling the
  // order's other stage waits for this one to commit and then finds its escalation.
  const open = await findOpenEscalation(tx, input.order.id);
  if (open) {
    const answer = await escalationAnswerOf(tx, open, input.order, at);
    if (answer !== null) {
      await settleEscalation(tx, { id: open.id, status: answer, at });
    } else if (
      await addBreachToEscalationIn(tx, {
        escalation: open,
        order: input.order,
        profile: input.profile,
        vendorSlug: input.vendorSlug,
        stage: input.stage,
        reason: input.reason,
        breachEventId: input.breachEventId,
        at: input.at,
      })
    ) {
      return false;
    }
  }
  await raiseEscalationIn(tx, {
    order: input.order,
    profile: input.profile,
    vendorSlug: input.vendorSlug,
    source: 'breach',
    stage: input.stage,
    reason: input.reason,
    actor: SYSTEM_ACTOR,
    at: input.at,
  });
  return true;
}

export const slaBreachJob: JobDefinition = {
  name: 'sla.check-breaches',
  description: 'Record SLA breaches (acknowledgment, fulfilment) once and escalate them',
  slotAt: everyMinutes(1),
  leaseMs: 10 * 60_000,
  async run({ ctx, now, shouldContinue }): Promise<JobSummary> {
    const summary: JobSummary = { met: 0, breached: 0, void: 0, escalated: 0, addedToOpen: 0 };
    const db = ctx.store.db;
    const profiles = new Map<string, VendorOfOrder>();
    for (const stage of SLA_STAGES) {
      let after: { due: string; id: string } | undefined;
      for (;;) {
        const batch = await listOpenSlaStages(db, {
          stage,
          dueBefore: now.toISOString(),
          limit: BATCH,
          ...(after ? { after } : {}),
        });
        if (batch.length === 0) break;
        const acks = await acknowledgmentsOf(db, batch);
        for (const order of batch) {
          if (!shouldContinue()) return summary;
          const due = stage === 'acknowledge' ? order.acknowledge_by : order.fulfil_by;
          after = { due: due ?? '', id: order.id };
          const acknowledgedAt = acks.get(order.id);
          const state = slaOutcome(stage, order, acknowledgedAt);
          await db.transaction().execute(async (tx) => {
            const settled = await settleSlaStage(tx, {
              orderId: order.id,
              stage,
              state,
              acknowledgedAt: acknowledgedAt ?? null,
            });
            if (!settled) return;
            summary[state] = (summary[state] ?? 0) + 1;
            if (state !== 'breached') return;
            const { slug, profile } = await vendorOf(tx, order, profiles);
            const at = now.toISOString();
            const breached = await recordEvent(tx, {
              type: 'sla.breached',
              entityId: order.id,
              vendorId: order.vendor_id,
              partnerId: order.partner_id,
              actor: SYSTEM_ACTOR,
              at,
              data: {
                orderId: order.id,
                number: order.number,
                orderType: order.type,
                target: stage,
                dueAt: due ?? at,
              },
            });
            if (!breachStillOpen(stage, order, acknowledgedAt)) return;
            const raised = await escalateBreachIn(tx, {
              order,
              profile,
              vendorSlug: slug,
              stage,
              reason: `The ${stage === 'acknowledge' ? 'acknowledgment' : 'fulfilment'} was due by ${due ?? at}`,
              breachEventId: breached.id,
              at: now,
            });
            const counter = raised ? 'escalated' : 'addedToOpen';
            summary[counter] = (summary[counter] ?? 0) + 1;
          });
        }
        if (batch.length < BATCH) break;
      }
    }
    return summary;
  },
};
