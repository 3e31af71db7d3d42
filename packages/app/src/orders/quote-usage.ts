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
  type Quote,
} from '@orderdesk/store';
import {
  recordEvent,
  SYSTEM_ACTOR,
  type KnownRows,
  type RecordEventInput,
} from '../events/record-event.ts';
import { unprocessable } from '../shared/errors.ts';

const SYSTEM = { roles: ['system'], side: 'system' } as const;

/**
 * Marks the quote ordered for `orderId`; 422 when another order took it first. The quote row
 * is the one the order was validated against (read in this transaction): the update applies
 * only if the quote still has the status read then, so of two orders naming one quote the
 * second finds it changed (on PostgreSQL it waits for the first to commit, then re-checks).
 * Returns the event to record once the order's own is (`recordQuoteOrdered`): the update can
 * come early, before the order number is taken, and the timeline keeps its order.
 */
export async function claimQuote(
  tx: Executor,
  input: { quote: Quote; orderId: string; at: string },
): Promise<RecordEventInput<'quote.ordered'>> {
  const { quote } = input;
  const step = transitionQuote(quote.status as QuoteStatus, 'order', SYSTEM);
  if (!step.ok || !(await updateQuoteStatus(tx, quote.id, quote.status, step.to, input.at))) {
    throw unprocessable('The quote was just used by another order', [
      { path: 'quoteId', code: 'quote.not_approved', message: 'The quote is already ordered' },
    ]);
  }
  return {
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
    known: { quote: { ...quote, status: step.to } },
  };
}

/** Records the `quote.ordered` event `claimQuote` returned (rows in hand passed on). */
export async function recordQuoteOrdered(
  tx: Executor,
  event: RecordEventInput<'quote.ordered'>,
  known: KnownRows = {},
): Promise<void> {
  await recordEvent(tx, { ...event, known: { ...known, ...event.known } });
}

/** Marks the quote ordered for `orderId` and records it; 422 when another order took it first. */
export async function consumeQuote(
  tx: Executor,
  input: { quote: Quote; orderId: string; at: string; known?: KnownRows },
): Promise<void> {
  await recordQuoteOrdered(tx, await claimQuote(tx, input), input.known);
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
