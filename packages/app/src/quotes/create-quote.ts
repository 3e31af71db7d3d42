import { addDays, quoteOrderTypeProblem, type VendorProfile } from '@orderdesk/core';
import {
  findCustomerInScope,
  findPartnership,
  findQuoteRequestInScope,
  findSubscriptionInScope,
  insertQuote,
  listPartnerScopeIds,
  listQuoteLines,
  newId,
  nextCounterValue,
  updateQuoteRequestStatus,
  type Executor,
  type Quote,
  type QuoteRequest,
} from '@orderdesk/store';
import type { z } from 'zod';
import { requireAccess, type VendorAccess } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { eventActorOf, recordEvent } from '../events/record-event.ts';
import { unprocessable, type ProblemItem } from '../shared/errors.ts';
import { todayIn } from '../shared/time.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { problemItemOf, quoteLinePricing, type PricedQuote } from './quote-pricing.ts';
import { toQuoteView, vendorInfo, type QuoteView } from './quote-view.ts';
import type { quoteBodySchema } from './quotes.schemas.ts';

/** Quotes are built by sales and the CAM. */
export const CREATE_QUOTE_ACCESS: VendorAccess = { vendor: ['sales', 'cam'] };

/** Sales (or the CAM) builds a quote for a partner's customer at the partnership's net prices. */
export async function createQuote(
  ctx: AppContext,
  actorIn: Actor,
  body: z.infer<typeof quoteBodySchema>,
  options: WriteOptions = {},
): Promise<QuoteView> {
  const actor = requireAccess(actorIn, CREATE_QUOTE_ACCESS);
  return inTransaction(ctx, options, async (tx) => {
    const { slug, profile } = await vendorInfo(tx, actor.vendorId);
    const errors: ProblemItem[] = [];
    if (body.vendor && body.vendor !== slug)
      errors.push({ path: 'vendor', code: 'invalid', message: `You quote for ${slug}` });
    const partnership = await findPartnership(tx, actor.vendorId, body.partnerId);
    if (!partnership)
      errors.push({ path: 'partnerId', code: 'invalid', message: 'Not one of your partners' });
    const scope = partnership ? await listPartnerScopeIds(tx, partnership.partner_id) : [];
    const customer = await findCustomerInScope(tx, body.customerId, scope);
    if (!customer)
      errors.push({
        path: 'customerId',
        code: 'invalid',
        message: 'Not a customer of this partner (or its resellers)',
      });
    // A type the profile does not declare, or one it takes no quote for (as a quote request).
    const orderTypeProblem = quoteOrderTypeProblem(profile, body.orderType);
    if (orderTypeProblem) errors.push(problemItemOf(orderTypeProblem));
    let request: QuoteRequest | undefined;
    if (body.quoteRequestId) {
      request = await findQuoteRequestInScope(tx, body.quoteRequestId, {
        vendorId: actor.vendorId,
      });
      if (!request)
        errors.push({ path: 'quoteRequestId', code: 'invalid', message: 'No such quote request' });
      else if (request.partner_id !== body.partnerId || request.customer_id !== body.customerId)
        errors.push({
          path: 'quoteRequestId',
          code: 'invalid',
          message: 'The quote request is for another partner or customer than this quote',
        });
    }
    if (body.subscriptionId) {
      const sub = await findSubscriptionInScope(tx, body.subscriptionId, {
        vendorId: actor.vendorId,
      });
      if (!sub || sub.customer_id !== body.customerId)
        errors.push({
          path: 'subscriptionId',
          code: 'invalid',
          message: 'No such subscription of this customer',
        });
    }
    const today = todayIn(profile.sla.calendar.timeZone, ctx.now());
    if (body.validUntil) errors.push(...validityProblems(body.validUntil, today, profile));
    // The lines are checked whatever else is wrong: every problem in one answer.
    const { priced, problems } = await quoteLinePricing(
      tx,
      {
        vendorId: actor.vendorId,
        partnership: partnership ?? null,
        currency: body.currency ?? profile.currency,
        vendorCurrency: profile.currency,
        on: today,
        rounding: profile.pricing.rounding,
        perCategory: profile.pricing.multipliersPerCategory,
        profile,
      },
      body.lines,
    );
    errors.push(...problems);
    if (errors.length > 0 || !partnership || !customer)
      throw unprocessable('The quote has problems', errors);
    const seq = await nextCounterValue(tx, actor.vendorId, 'quote');
    const number = `Q-${profile.orderNumberPrefix.replace(/[^A-Z0-9]/gi, '')}-${String(seq).padStart(6, '0')}`;
    const quote = await storeQuote(ctx, tx, actor, {
      vendorId: actor.vendorId,
      partnerId: partnership.partner_id,
      customerId: customer.id,
      number,
      revision: 1,
      version: 1,
      orderType: body.orderType,
      validUntil: body.validUntil ?? addDays(today, profile.quotePolicy.validityDays),
      quoteRequestId: body.quoteRequestId ?? null,
      subscriptionId: body.subscriptionId ?? null,
      previousId: null,
      notes: body.notes ?? null,
      priced,
    });
    if (request) await updateQuoteRequestStatus(tx, request.id, 'quoted', quote.created_at);
    return toQuoteView(quote, await listQuoteLines(tx, quote.id), {
      vendorSlug: slug,
      profile,
      today,
      actor,
    });
  });
}

/**
 * Problems with a quote's `validUntil`: not before today, and not beyond the profile's
 * validity (`quotePolicy.validityDays`), which is also the default.
 */
export function validityProblems(
  validUntil: string,
  today: string,
  profile: Pick<VendorProfile, 'quotePolicy'>,
): ProblemItem[] {
  const latest = addDays(today, profile.quotePolicy.validityDays);
  if (validUntil < today) {
    return [
      { path: 'validUntil', code: 'invalid', message: `Must not be before today (${today})` },
    ];
  }
  if (validUntil > latest) {
    return [
      {
        path: 'validUntil',
        code: 'invalid',
        message: `Quotes are valid for at most ${profile.quotePolicy.validityDays} days (until ${latest})`,
        expected: latest,
        actual: validUntil,
      },
    ];
  }
  return [];
}

/** Writes a new draft revision of a quote number and its `quote.created` event. */
export async function storeQuote(
  ctx: AppContext,
  tx: Executor,
  actor: Actor,
  q: {
    vendorId: string;
    partnerId: string;
    customerId: string;
    number: string;
    revision: number;
    /**
     * The concurrency version it starts at: 1 for a new quote; for a revision, one more than
     * the version of the quote it replaces, so `version` only grows along a quote's chain.
     */
    version: number;
    orderType: string;
    validUntil: string;
    quoteRequestId: string | null;
    subscriptionId: string | null;
    previousId: string | null;
    notes: string | null;
    priced: PricedQuote;
  },
): Promise<Quote> {
  const at = ctx.now().toISOString();
  const row: Quote = {
    id: newId('qt'),
    vendor_id: q.vendorId,
    partner_id: q.partnerId,
    customer_id: q.customerId,
    number: q.number,
    revision: q.revision,
    version: q.version,
    status: 'draft',
    order_type: q.orderType,
    currency: q.priced.currency,
    valid_until: q.validUntil,
    quote_request_id: q.quoteRequestId,
    subscription_id: q.subscriptionId,
    previous_id: q.previousId,
    price_list_id: q.priced.priceListId,
    total_minor: q.priced.totalMinor,
    notes: q.notes,
    created_by: actor.userId,
    created_at: at,
    updated_at: at,
  };
  await insertQuote(
    tx,
    row,
    q.priced.lines.map((l) => ({ ...l, quote_id: row.id })),
  );
  await recordEvent(tx, {
    type: 'quote.created',
    entityId: row.id,
    vendorId: q.vendorId,
    partnerId: q.partnerId,
    actor: eventActorOf(actor),
    at,
    toStatus: 'draft',
    data: {
      quoteId: row.id,
      number: row.number,
      revision: row.revision,
      orderType: row.order_type,
      requestId: row.quote_request_id,
    },
  });
  return row;
}
