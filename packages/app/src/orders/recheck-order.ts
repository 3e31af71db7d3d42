import { validateOrder, type OrderSubmission, type OrderValidationResult } from '@orderdesk/core';
import { quoteUsedByAnotherOrder, type Executor, type Order } from '@orderdesk/store';
import type { Actor } from '../auth/actor.ts';
import { resolveOrderContext, type ResolvedOrder } from './order-context.ts';

export interface RecheckedOrder extends ResolvedOrder {
  result: OrderValidationResult;
  /** Whether the quote named is the one this very order consumed when it was first recorded. */
  quoteConsumedHere: boolean;
}

/**
 * Checks a recorded order's submission again (a correction while on hold): resolved and
 * validated as a new submission is, except that the order's own PO number is no duplicate and
 * the quote this order consumed itself still counts as approved.
 */
export async function recheckOrder(
  db: Executor,
  partner: Actor & { partnerId: string },
  order: Pick<Order, 'id' | 'ordering_partner_id'>,
  submission: OrderSubmission,
  now: Date,
): Promise<RecheckedOrder> {
  const resolved = await resolveOrderContext(db, partner, submission, {
    now,
    excludeOrderId: order.id,
    orderingPartnerId: order.ordering_partner_id,
  });
  const { context } = resolved;
  const quoteConsumedHere =
    context.quote?.status === 'ordered' &&
    !(await quoteUsedByAnotherOrder(db, context.quote.id, order.id));
  if (context.quote && quoteConsumedHere) {
    context.quote = { ...context.quote, status: 'approved' };
  }
  return {
    ...resolved,
    result: validateOrder(resolved.submission, context),
    quoteConsumedHere,
  };
}
