// What an order does to the quote it names: it consumes it (approved → ordered) when it is
// recorded, and gives it back (ordered → approved) when the order is rejected or cancelled, or
// moves to another quote while on hold. Both are system transitions of the quote machine,
// each recorded as its own event.
import { transitionQuote, type QuoteStatus } from '@orderdesk/core';
import {
  findQuoteInScope,
  quoteUsedByAnotherOrder,
  updateQuoteStatus,
  type Executor,
} from '@orderdesk/store';
import { recordEvent, SYSTEM_ACTOR } from '../events/record-event.ts';
import { unprocessable } from '../shared/errors.ts';

const SYSTEM = { roles: ['system'], side: 'system' } as const;

/** Marks the quote ordered for `orderId`; 422 when another order took it first. */
export async function consumeQuote(
  tx: Executor,
  input: { quoteId: string; vendorId: string; orderId: string; at: string },
): Promise<void> {
  const quote = await findQuoteInScope(tx, input.quoteId, { vendorId: input.vendorId });
  const step = quote ? transitionQuote(quote.status as QuoteStatus, 'order', SYSTEM) : null;
  if (
    !quote ||
    !step?.ok ||
    !(await updateQuoteStatus(tx, quote.id, quote.status, step.to, input.at))
  ) {
    throw unprocessable('The quote was just used by another order', [
      { path: 'quoteId', code: 'quote.not_approved', message: 'The quote is already ordered' },
    ]);
  }
  await recordEvent(tx, {
    type: 'quote.ordered',
    entityId: quote.id,
    vendorId: quote.vendor_id,
    partnerId: quote.partner_id,
    actor: SYSTEM_ACTOR,
    at: input.at,
    fromStatus: quote.status,
    toStatus: step.to,
    data: {
      quoteId: quote.id,
      number: quote.number,
      revision: quote.revision,
      orderType: quote.order_type,
      from: quote.status as QuoteStatus,
      to: step.to,
      orderId: input.orderId,
    },
  });
}

/**
 * Gives the quote back (ordered → approved) unless another live order uses it; a quote that
 * has expired meanwhile stays ordered (the machine would refuse nothing, but an expired
 * approved quote is shown expired anyway).
 */
export async function releaseQuote(
  tx: Executor,
  input: { quoteId: string; vendorId: string; orderId: string; at: string; reason?: string | null },
): Promise<boolean> {
  const quote = await findQuoteInScope(tx, input.quoteId, { vendorId: input.vendorId });
  if (!quote || quote.status !== 'ordered') return false;
  if (await quoteUsedByAnotherOrder(tx, quote.id, input.orderId)) return false;
  const step = transitionQuote('ordered', 'release', SYSTEM);
  if (!step.ok) return false;
  if (!(await updateQuoteStatus(tx, quote.id, 'ordered', step.to, input.at))) return false;
  await recordEvent(tx, {
    type: 'quote.released',
    entityId: quote.id,
    vendorId: quote.vendor_id,
    partnerId: quote.partner_id,
    actor: SYSTEM_ACTOR,
    at: input.at,
    fromStatus: 'ordered',
    toStatus: step.to,
    reason: input.reason ?? null,
    data: {
      quoteId: quote.id,
      number: quote.number,
      revision: quote.revision,
      orderType: quote.order_type,
      from: 'ordered',
      to: step.to,
      orderId: input.orderId,
      reason: input.reason ?? null,
    },
  });
  return true;
}
