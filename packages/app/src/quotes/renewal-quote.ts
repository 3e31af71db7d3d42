import { subscriptionPolicyOf } from '@orderdesk/core';
import { findSubscriptionInScope } from '@orderdesk/store';
import { requireAccess, type VendorAccess } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { notFound, unprocessable } from '../shared/errors.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { CREATE_QUOTE_ACCESS, createQuote } from './create-quote.ts';
import { vendorInfo, type QuoteView } from './quote-view.ts';

/** A renewal quote is a quote: built by whoever builds quotes. */
export const RENEWAL_QUOTE_ACCESS: VendorAccess = CREATE_QUOTE_ACCESS;

/**
 * Starts a renewal quote from an existing subscription (its lines, at today's prices), of the
 * order type the profile names for renewal quotes (`subscriptions.renewalQuoteOrderType`).
 */
export async function createRenewalQuote(
  ctx: AppContext,
  actorIn: Actor,
  subscriptionId: string,
  options: WriteOptions = {},
): Promise<QuoteView> {
  const actor = requireAccess(actorIn, RENEWAL_QUOTE_ACCESS);
  return inTransaction(ctx, options, async (tx) => {
    const sub = await findSubscriptionInScope(tx, subscriptionId, { vendorId: actor.vendorId });
    if (!sub) throw notFound('Subscription');
    const { profile } = await vendorInfo(tx, actor.vendorId);
    const orderType = profile.subscriptions.renewalQuoteOrderType;
    if (!orderType || subscriptionPolicyOf(profile, orderType)?.effect !== 'renew') {
      throw unprocessable(`${profile.name} prepares no renewal quotes`, [
        {
          path: 'orderType',
          code: 'order_type.unknown',
          message:
            'The vendor profile names no renewal quote order type (subscriptions.renewalQuoteOrderType)',
        },
      ]);
    }
    return createQuote(
      ctx,
      actor,
      {
        partnerId: sub.partner_id,
        customerId: sub.customer_id,
        orderType,
        lines: (JSON.parse(sub.lines) as { partNumber: string; quantity: number }[]).map((l) => ({
          partNumber: l.partNumber,
          quantity: l.quantity,
        })),
        subscriptionId: sub.id,
      },
      { tx },
    );
  });
}
