import {
  addDays,
  QUOTE_ACTION_EVENTS,
  quoteOrderTypeProblem,
  transitionQuote,
  type QuoteStatus,
} from '@orderdesk/core';
import {
  findPartnership,
  findQuoteInScope,
  listQuoteLines,
  updateQuoteStatus,
} from '@orderdesk/store';
import type { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { eventActorOf, recordEvent } from '../events/record-event.ts';
import {
  AppError,
  checkVersion,
  forbidden,
  notFound,
  staleVersion,
  unprocessable,
} from '../shared/errors.ts';
import { todayIn } from '../shared/time.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { storeQuote, validityProblems } from './create-quote.ts';
import { quoteScope } from './quote-access.ts';
import { problemItemOf, quoteLinePricing } from './quote-pricing.ts';
import { toQuoteView, vendorInfo, type QuoteView } from './quote-view.ts';
import type { QuoteUserAction, quoteActionBodySchema } from './quotes.schemas.ts';

/**
 * approve (sales, cam), decline (partner) or revise (sales: a new revision supersedes this
 * one), through the quote machine, if the quote is still at `expectedVersion` (If-Match).
 */
export async function actOnQuote(
  ctx: AppContext,
  actor: Actor,
  input: {
    quoteId: string;
    action: QuoteUserAction;
    body: z.infer<typeof quoteActionBodySchema>;
    expectedVersion?: number | undefined;
  },
  options: WriteOptions = {},
): Promise<QuoteView> {
  return inTransaction(ctx, options, async (tx) => {
    const q = await findQuoteInScope(tx, input.quoteId, quoteScope(actor));
    if (!q) throw notFound('Quote');
    checkVersion('quote', q.version, input.expectedVersion);
    const { slug, profile } = await vendorInfo(tx, q.vendor_id);
    const today = todayIn(profile.sla.calendar.timeZone, ctx.now());
    const from = q.status as QuoteStatus;
    // A lapsed draft or approved quote is expired for every action but expiry itself.
    const shown: QuoteStatus =
      (from === 'draft' || from === 'approved') && q.valid_until < today ? 'expired' : from;
    const step = transitionQuote(shown, input.action, { roles: actor.roles, side: actor.side });
    if (!step.ok) {
      if (step.code === 'role.forbidden') throw forbidden(step.message);
      throw new AppError('conflict', 'action-not-allowed', step.message, [
        { path: 'action', code: step.code, message: step.message },
      ]);
    }
    if (input.action === 'revise' && !profile.quotePolicy.revisionsAllowed) {
      throw forbidden(`${profile.name} does not revise quotes; create a new one`);
    }
    const at = ctx.now().toISOString();
    if (!(await updateQuoteStatus(tx, q.id, q.status, step.to, at, q.version))) {
      throw staleVersion('The quote was changed by someone else; reload and retry');
    }
    const changed = { ...q, status: step.to, version: q.version + 1, updated_at: at };
    const base = {
      quoteId: q.id,
      number: q.number,
      revision: q.revision,
      orderType: q.order_type,
      from,
      to: step.to,
      reason: input.body.reason ?? null,
    };
    const common = {
      entityId: q.id,
      vendorId: q.vendor_id,
      partnerId: q.partner_id,
      actor: eventActorOf(actor),
      at,
      fromStatus: q.status,
      toStatus: step.to,
      reason: input.body.reason ?? null,
    };
    if (input.action !== 'revise') {
      await recordEvent(tx, { ...common, type: QUOTE_ACTION_EVENTS[input.action], data: base });
      return toQuoteView(changed, await listQuoteLines(tx, q.id), {
        vendorSlug: slug,
        profile,
        today,
        actor,
      });
    }
    const partnership = await findPartnership(tx, q.vendor_id, q.partner_id);
    if (!partnership) throw notFound('Partnership');
    // A revision is a new quote of the same order type: one the profile (since) declares no
    // longer, or takes no quote for, is not issued again.
    const orderTypeProblem = quoteOrderTypeProblem(profile, q.order_type);
    const problems = orderTypeProblem ? [problemItemOf(orderTypeProblem)] : [];
    if (input.body.validUntil) {
      problems.push(...validityProblems(input.body.validUntil, today, profile));
    }
    const oldLines = await listQuoteLines(tx, q.id);
    const lines =
      input.body.lines ??
      oldLines.map((l) => ({ partNumber: l.part_number, quantity: l.quantity }));
    const pricing = await quoteLinePricing(
      tx,
      {
        vendorId: q.vendor_id,
        partnership,
        currency: q.currency,
        vendorCurrency: profile.currency,
        on: today,
        rounding: profile.pricing.rounding,
        perCategory: profile.pricing.multipliersPerCategory,
        profile,
      },
      lines,
    );
    problems.push(...pricing.problems);
    if (problems.length > 0) throw unprocessable('The revision has problems', problems);
    const next = await storeQuote(ctx, tx, actor, {
      vendorId: q.vendor_id,
      partnerId: q.partner_id,
      customerId: q.customer_id,
      number: q.number,
      revision: q.revision + 1,
      // The revision replaces this quote: its version goes on from this one's (q.version,
      // before this action bumped it), so a client sees the version grow along the chain.
      version: q.version + 1,
      orderType: q.order_type,
      validUntil:
        input.body.validUntil ??
        (q.valid_until < today ? addDays(today, profile.quotePolicy.validityDays) : q.valid_until),
      quoteRequestId: q.quote_request_id,
      subscriptionId: q.subscription_id,
      previousId: q.id,
      notes: input.body.notes ?? q.notes,
      priced: pricing.priced,
    });
    await recordEvent(tx, {
      ...common,
      type: 'quote.revised',
      data: { ...base, supersededBy: { quoteId: next.id, revision: next.revision } },
    });
    return toQuoteView(next, await listQuoteLines(tx, next.id), {
      vendorSlug: slug,
      profile,
      today,
      actor,
    });
  });
}
