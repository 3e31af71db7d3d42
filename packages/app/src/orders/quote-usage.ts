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
  type QuoteClaim,
} from '@orderdesk/store';
import {
  recordEvent,
  SYSTEM_ACTOR,
  type KnownRows,
  type RecordEventInput,
} from '../events/record-event.ts';
import { unprocessable, type AppError } from '../shared/errors.ts';

const SYSTEM = { roles: ['system'], side: 'system' } as const;

/** The 422 of an order whose quote another order took first. */
export function quoteTaken(): AppError {
  return unprocessable('The quote was just used by another order', [
    { path: 'quoteId', code: 'quote.not_approved', message: 'The quote is already ordered' },
  ]);
}

/**
 * What ordering the quote does: the claim for the store (approved → ordered, applied only if
 * the quote still has the status read in this transaction, so of two orders naming one quote
 * the second finds it changed — on PostgreSQL it waits for the first to commit, then
 * re-checks) and the event to record once the order's own is. 422 when the quote machine
 * does not allow it. The submission hands the claim to `insertNumberedOrder`, which applies it
 * with the order's insert.
 */
export function quoteClaimOf(input: { quote: Quote; orderId: string; at: string }): {
  claim: QuoteClaim;
  event: RecordEventInput<'quote.ordered'>;
} {
  const { quote } = input;
  const step = transitionQuote(quote.status as QuoteStatus, 'order', SYSTEM);
  if (!step.ok) throw quoteTaken();
  return {
    claim: { quoteId: quote.id, from: quote.status, to: step.to, at: input.at },
    event: {
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
    },
  };
}

/**
 * Marks the quote ordered for `orderId`; 422 when another order took it first. Returns the
 * event to record once the order's own is (`recordQuoteOrdered`).
 */
export async function claimQuote(
  tx: Executor,
  input: { quote: Quote; orderId: string; at: string },
): Promise<RecordEventInput<'quote.ordered'>> {
  const { claim, event } = quoteClaimOf(input);
  if (!(await updateQuoteStatus(tx, claim.quoteId, claim.from, claim.to, claim.at))) {
    throw quoteTaken();
  }
  return event;
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
