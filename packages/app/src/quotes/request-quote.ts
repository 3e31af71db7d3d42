import { quoteOrderTypeProblem } from '@orderdesk/core';
import {
  findCustomerInScope,
  findPartnership,
  findSubscriptionInScope,
  findVendorBySlug,
  insertQuoteRequest,
  newId,
  type QuoteRequest,
} from '@orderdesk/store';
import type { z } from 'zod';
import { requireAccess, type PartnerAccess } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { eventActorOf, recordEvent } from '../events/record-event.ts';
import { unprocessable, type ProblemItem } from '../shared/errors.ts';
import { todayIn } from '../shared/time.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { profileOfVendor } from '../vendors/profile-cache.ts';
import { contractingPartnerId, visibleVendorIds } from '../vendors/vendor-scope.ts';
import { subscriptionScope } from './quote-access.ts';
import { problemItemOf, quoteLinePricing } from './quote-pricing.ts';
import { toRequestView, type QuoteRequestView } from './quote-view.ts';
import type { quoteRequestBodySchema } from './quotes.schemas.ts';

/** Quotes are asked for by partner users. */
export const REQUEST_QUOTE_ACCESS: PartnerAccess = { partner: 'any' };

/**
 * A partner asks for a quote. The `quote.requested` event notifies whom the profile says
 * (by default the partnership's CAM, routed per `quotePolicy.requestRouting`).
 */
export async function requestQuote(
  ctx: AppContext,
  actorIn: Actor,
  body: z.infer<typeof quoteRequestBodySchema>,
  options: WriteOptions = {},
): Promise<QuoteRequestView> {
  const actor = requireAccess(actorIn, REQUEST_QUOTE_ACCESS);
  return inTransaction(ctx, options, async (tx) => {
    const vendor = await findVendorBySlug(tx, body.vendor);
    const contracting = contractingPartnerId(actor);
    const visible = vendor ? (await visibleVendorIds(tx, actor)).includes(vendor.id) : false;
    const partnership =
      vendor && visible && contracting
        ? await findPartnership(tx, vendor.id, contracting)
        : undefined;
    const customer = await findCustomerInScope(tx, body.customerId, actor.partnerScopeIds);
    const errors: ProblemItem[] = [];
    if (!vendor || !partnership)
      errors.push({
        path: 'vendor',
        code: 'invalid',
        message: `No partnership with vendor "${body.vendor}"`,
      });
    if (!customer)
      errors.push({ path: 'customerId', code: 'invalid', message: 'No such customer of yours' });
    const profile = vendor && partnership ? await profileOfVendor(tx, vendor) : undefined;
    // A type the profile does not declare, or one it takes no quote for (as POST /quotes).
    const orderTypeProblem = profile && quoteOrderTypeProblem(profile, body.orderType);
    if (orderTypeProblem) errors.push(problemItemOf(orderTypeProblem));
    if (body.subscriptionId && vendor) {
      const sub = await findSubscriptionInScope(tx, body.subscriptionId, subscriptionScope(actor));
      if (!sub || sub.vendor_id !== vendor.id || sub.customer_id !== body.customerId)
        errors.push({
          path: 'subscriptionId',
          code: 'invalid',
          message: 'No such subscription of this customer',
        });
    }
    // The lines asked for must be the vendor's parts on sale, as a quote's must (POST /quotes):
    // each bad line named, with the same codes.
    if (vendor && profile && body.lines && body.lines.length > 0) {
      const { problems } = await quoteLinePricing(
        tx,
        {
          vendorId: vendor.id,
          // Part numbers only: the request carries no prices to check.
          partnership: null,
          currency: profile.currency,
          on: todayIn(profile.sla.calendar.timeZone, ctx.now()),
          rounding: profile.pricing.rounding,
          perCategory: profile.pricing.multipliersPerCategory,
          profile,
        },
        body.lines,
      );
      // A vendor without a price list in force is still asked: only the lines are judged.
      errors.push(...problems.filter((p) => p.path.startsWith('lines[')));
    }
    if (errors.length > 0 || !vendor || !partnership || !customer || !profile) {
      throw unprocessable('The quote request has problems', errors);
    }
    const at = ctx.now().toISOString();
    const row: QuoteRequest = {
      id: newId('qrq'),
      vendor_id: vendor.id,
      partner_id: partnership.partner_id,
      requested_by_partner_id: actor.partnerId,
      customer_id: customer.id,
      order_type: body.orderType,
      lines: JSON.stringify(body.lines ?? []),
      notes: body.notes ?? null,
      subscription_id: body.subscriptionId ?? null,
      status: 'open',
      created_by: actor.userId,
      created_at: at,
      updated_at: at,
    };
    await insertQuoteRequest(tx, row);
    await recordEvent(tx, {
      type: 'quote.requested',
      entityId: row.id,
      vendorId: vendor.id,
      partnerId: partnership.partner_id,
      actor: eventActorOf(actor),
      at,
      data: {
        requestId: row.id,
        customerId: customer.id,
        orderType: body.orderType,
        message: body.notes ?? null,
      },
    });
    return toRequestView(row, vendor.slug, customer.name);
  });
}
