// SLA clocks of orders: which stages are still open and overdue (the breach job), the first
// acknowledgment of an order (a vendor action in its timeline, or the acknowledgment mail on
// its thread) and the counts GET /sla shows. Every read is scoped to one vendor, except the
// job's scan, which works for every vendor and writes only through settleSlaStage.
import type { ExpressionBuilder } from 'kysely';
import type { Executor } from './executor.ts';
import type { Database, Order } from './schema.ts';

export const SLA_STAGES = ['acknowledge', 'fulfil'] as const;
export type SlaStage = (typeof SLA_STAGES)[number];
export const SLA_STATES = ['met', 'breached', 'void'] as const;
export type SlaState = (typeof SLA_STATES)[number];

/** Statuses in which no SLA clock runs any more. */
export const SLA_CLOSED_STATUSES = ['completed', 'rejected', 'cancelled'] as const;

const STATE_COLUMN = {
  acknowledge: 'sla_acknowledge_state',
  fulfil: 'sla_fulfil_state',
} as const;
const DUE_COLUMN = { acknowledge: 'acknowledge_by', fulfil: 'fulfil_by' } as const;

/** What acknowledges an order: these events in its timeline, or a mail of this template. */
export interface AcknowledgmentSignals {
  eventTypes: readonly string[];
  mailTemplates: readonly string[];
}

/** The first acknowledgment instant of each order that has one. */
export async function firstAcknowledgments(
  db: Executor,
  orderIds: readonly string[],
  signals: AcknowledgmentSignals,
): Promise<Map<string, string>> {
  const first = new Map<string, string>();
  const keep = (id: string, at: string | null): void => {
    if (at === null) return;
    const seen = first.get(id);
    if (seen === undefined || at < seen) first.set(id, at);
  };
  for (let i = 0; i < orderIds.length; i += 500) {
    const ids = orderIds.slice(i, i + 500);
    if (signals.eventTypes.length > 0) {
      const events = await db
        .selectFrom('audit_events')
        .select(['entity_id', (eb) => eb.fn.min('at').as('at')])
        .where('entity_type', '=', 'order')
        .where('entity_id', 'in', ids)
        .where('type', 'in', signals.eventTypes)
        .groupBy('entity_id')
        .execute();
      for (const e of events) keep(e.entity_id, e.at);
    }
    if (signals.mailTemplates.length > 0) {
      const mails = await db
        .selectFrom('messages')
        .select(['entity_id', (eb) => eb.fn.min('created_at').as('at')])
        .where('entity_type', '=', 'order')
        .where('entity_id', 'in', ids)
        .where('direction', '=', 'out')
        .where('template', 'in', signals.mailTemplates)
        .groupBy('entity_id')
        .execute();
      for (const m of mails) keep(m.entity_id, m.at);
    }
  }
  return first;
}

/** Orders whose stage is still open (no outcome yet) and due at or before `dueBefore`, by due time. */
export async function listOpenSlaStages(
  db: Executor,
  input: { stage: SlaStage; dueBefore: string; limit: number; after?: { due: string; id: string } },
): Promise<Order[]> {
  const due = DUE_COLUMN[input.stage];
  let q = db
    .selectFrom('orders')
    .selectAll()
    .where(STATE_COLUMN[input.stage], 'is', null)
    .where(due, 'is not', null)
    .where(due, '<=', input.dueBefore)
    .orderBy(due)
    .orderBy('id')
    .limit(input.limit);
  const after = input.after;
  if (after) {
    q = q.where((eb) =>
      eb.or([eb(due, '>', after.due), eb.and([eb(due, '=', after.due), eb('id', '>', after.id)])]),
    );
  }
  return q.execute();
}

/**
 * Gives a stage its outcome, once: only a stage still open changes (a second job pass, or a
 * second process, finds it settled and gets false — so the breach event is recorded once).
 */
export async function settleSlaStage(
  db: Executor,
  input: { orderId: string; stage: SlaStage; state: SlaState; acknowledgedAt?: string | null },
): Promise<boolean> {
  const result = await db
    .updateTable('orders')
    .set({
      [STATE_COLUMN[input.stage]]: input.state,
      ...(input.acknowledgedAt ? { acknowledged_at: input.acknowledgedAt } : {}),
    })
    .where('id', '=', input.orderId)
    .where(STATE_COLUMN[input.stage], 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Open, due within [dayStart, dayEnd) and overdue counts of one stage of a vendor's orders. */
export interface SlaStageCounts {
  open: number;
  dueToday: number;
  overdue: number;
}

// An order whose stage is still running: not closed, not met, not yet acknowledged (for the
// acknowledgment stage: no acknowledging event or mail either, the job may not have run yet).
function openStage(stage: SlaStage, signals: AcknowledgmentSignals) {
  return (eb: ExpressionBuilder<Database, 'orders'>) => {
    const conditions = [
      eb('orders.status', 'not in', [...SLA_CLOSED_STATUSES]),
      eb(`orders.${DUE_COLUMN[stage]}`, 'is not', null),
      // Open, or breached and still not done (an overdue order stays overdue after the job).
      eb.or([
        eb(`orders.${STATE_COLUMN[stage]}`, 'is', null),
        eb(`orders.${STATE_COLUMN[stage]}`, '=', 'breached'),
      ]),
    ];
    if (stage === 'acknowledge') {
      conditions.push(eb('orders.acknowledged_at', 'is', null));
      if (signals.eventTypes.length > 0) {
        conditions.push(
          eb.not(
            eb.exists(
              eb
                .selectFrom('audit_events')
                .select('audit_events.id')
                .where('audit_events.entity_type', '=', 'order')
                .whereRef('audit_events.entity_id', '=', 'orders.id')
                .where('audit_events.type', 'in', signals.eventTypes),
            ),
          ),
        );
      }
      if (signals.mailTemplates.length > 0) {
        conditions.push(
          eb.not(
            eb.exists(
              eb
                .selectFrom('messages')
                .select('messages.id')
                .where('messages.entity_type', '=', 'order')
                .whereRef('messages.entity_id', '=', 'orders.id')
                .where('messages.direction', '=', 'out')
                .where('messages.template', 'in', signals.mailTemplates),
            ),
          ),
        );
      }
    }
    return eb.and(conditions);
  };
}

/** The counts of one stage of a vendor's orders. */
export async function countSlaStage(
  db: Executor,
  input: {
    vendorId: string;
    stage: SlaStage;
    now: string;
    dayStart: string;
    dayEnd: string;
    signals: AcknowledgmentSignals;
  },
): Promise<SlaStageCounts> {
  const due = `orders.${DUE_COLUMN[input.stage]}` as const;
  const rows = await db
    .selectFrom('orders')
    .select((eb) => [
      eb.fn.countAll<string | number>().as('open'),
      eb.fn
        .sum<string | number | null>(
          eb
            .case()
            .when(eb.and([eb(due, '>=', input.dayStart), eb(due, '<', input.dayEnd)]))
            .then(1)
            .else(0)
            .end(),
        )
        .as('due_today'),
      eb.fn
        .sum<string | number | null>(eb.case().when(due, '<', input.now).then(1).else(0).end())
        .as('overdue'),
    ])
    .where('orders.vendor_id', '=', input.vendorId)
    .where(openStage(input.stage, input.signals))
    .executeTakeFirstOrThrow();
  return {
    open: Number(rows.open),
    dueToday: Number(rows.due_today ?? 0),
    overdue: Number(rows.overdue ?? 0),
  };
}

/** A vendor's orders with a stage overdue and not yet done, soonest fulfilment due first. */
export async function listOverdueOrders(
  db: Executor,
  input: { vendorId: string; now: string; limit: number; signals: AcknowledgmentSignals },
): Promise<Order[]> {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('orders.vendor_id', '=', input.vendorId)
    .where('orders.status', 'not in', [...SLA_CLOSED_STATUSES])
    .where((eb) =>
      eb.or([
        eb.and([
          openStage('acknowledge', input.signals)(eb),
          eb('orders.acknowledge_by', '<', input.now),
        ]),
        eb.and([openStage('fulfil', input.signals)(eb), eb('orders.fulfil_by', '<', input.now)]),
      ]),
    )
    .orderBy('orders.fulfil_by')
    .orderBy('orders.id')
    .limit(input.limit)
    .execute();
}
