// An order's SLA block (API.md: acknowledgeBy, acknowledgedAt?, fulfilBy, fulfilledAt?,
// breaches) and what counts as its acknowledgment. No order-view import: the view uses this.
import {
  firstAcknowledgments,
  type AcknowledgmentSignals,
  type Executor,
  type Order,
} from '@orderdesk/store';
import type { SlaViewStage } from './sla.schemas.ts';

/**
 * What acknowledges an order: a vendor's action on it (the order machine's vendor actions,
 * a fulfilment, a document the vendor attached is not one: partners attach too), the
 * acknowledgment mail mail intake sends for an order that came by e-mail, or a message vendor
 * staff wrote to the partner on the order's thread (POST /orders/{id}/messages).
 */
export const ACKNOWLEDGMENT_SIGNALS: AcknowledgmentSignals = {
  eventTypes: [
    'order.approved',
    'order.held',
    'order.rejected',
    'order.booked',
    'order.completed',
    'fulfilment.recorded',
  ],
  mailTemplates: ['intake_acknowledgment', 'vendor_message'],
};

/** The order view's `sla` block. */
export interface OrderSlaView {
  acknowledgeBy: string | null;
  acknowledgedAt?: string;
  fulfilBy: string | null;
  fulfilledAt?: string;
  breaches: SlaViewStage[];
}

/** The SLA block of an order, given its first acknowledgment when known. */
export function orderSlaOf(order: Order, acknowledgedAt?: string | null): OrderSlaView {
  const acknowledged = order.acknowledged_at ?? acknowledgedAt ?? null;
  const breaches: SlaViewStage[] = [];
  if (order.sla_acknowledge_state === 'breached') breaches.push('acknowledge');
  if (order.sla_fulfil_state === 'breached') breaches.push('fulfil');
  return {
    acknowledgeBy: order.acknowledge_by,
    ...(acknowledged ? { acknowledgedAt: acknowledged } : {}),
    fulfilBy: order.fulfil_by,
    ...(order.completed_at ? { fulfilledAt: order.completed_at } : {}),
    breaches,
  };
}

/** The first acknowledgment of each order (stored, else read from its timeline and thread). */
export async function acknowledgmentsOf(
  db: Executor,
  orders: readonly Order[],
): Promise<Map<string, string>> {
  const known = new Map<string, string>();
  const unknown: string[] = [];
  for (const o of orders) {
    // An order with no SLA target is acknowledged all the same (its view says when).
    if (o.acknowledged_at) known.set(o.id, o.acknowledged_at);
    else unknown.push(o.id);
  }
  if (unknown.length === 0) return known;
  for (const [id, at] of await firstAcknowledgments(db, unknown, ACKNOWLEDGMENT_SIGNALS)) {
    known.set(id, at);
  }
  return known;
}
