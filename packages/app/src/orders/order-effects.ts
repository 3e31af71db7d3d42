import type { OrderSubmission, VendorProfile } from '@orderdesk/core';
import {
  authorizeLicenses,
  findCurrentSubscription,
  findPricesInForce,
  insertSubscription,
  listOrderLines,
  newId,
  updateSubscription,
  type Executor,
  type Order,
  type OrderLine,
} from '@orderdesk/store';
import type { Actor } from '../auth/actor.ts';

type SubLine = { partNumber: string; quantity: number };

/** Completion effects: subscriptions from subscription lines, licenses authorized. */
export async function applyCompletionEffects(
  tx: Executor,
  input: { order: Order; profile: VendorProfile; actor: Actor; at: string },
): Promise<void> {
  const { order, at } = input;
  const lines = await listOrderLines(tx, order.id);
  const subscriptionLines = await subscriptionLinesOf(tx, order.vendor_id, lines);
  if (subscriptionLines.length > 0) {
    const current = await findCurrentSubscription(tx, order.vendor_id, order.customer_id);
    const today = at.slice(0, 10);
    if (current && order.type !== 'new') {
      await updateSubscription(tx, current.id, {
        lines: JSON.stringify(subscriptionLines),
        last_order_id: order.id,
        updated_at: at,
      });
    } else {
      await insertSubscription(tx, {
        id: newId('sub'),
        vendor_id: order.vendor_id,
        partner_id: order.partner_id,
        customer_id: order.customer_id,
        status: 'active',
        term_months: 12,
        starts_on: today,
        ends_on: today,
        auto_renew: 1,
        lines: JSON.stringify(subscriptionLines),
        last_order_id: order.id,
        created_at: at,
        updated_at: at,
      });
    }
  }
  const body = JSON.parse(order.body) as Partial<OrderSubmission>;
  if (body.licenseIds?.length) await authorizeLicenses(tx, order.vendor_id, body.licenseIds, at);
}

async function subscriptionLinesOf(
  tx: Executor,
  vendorId: string,
  lines: readonly OrderLine[],
): Promise<SubLine[]> {
  const partNumbers = [...new Set(lines.map((l) => l.part_number))];
  const entries = await findPricesInForce(tx, { vendorId, partNumbers, on: '9999-12-31' });
  const types = new Map(entries.map((e) => [e.partNumber, e.type]));
  return lines
    .filter((l) => types.get(l.part_number) === 'subscription')
    .map((l) => ({ partNumber: l.part_number, quantity: l.quantity }));
}
