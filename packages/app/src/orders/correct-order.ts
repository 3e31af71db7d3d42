import { MAX_MINOR, parseAmount, type OrderSubmission } from '@orderdesk/core';
import {
  findOrderInScope,
  replaceOrderLines,
  updateOrderIfVersion,
  type Order,
} from '@orderdesk/store';
import type { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { eventActorOf, recordEvent } from '../events/record-event.ts';
import {
  AppError,
  checkVersion,
  notFound,
  type ProblemItem,
  staleVersion,
  unprocessable,
} from '../shared/errors.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { storedSubmissionOf } from './act-on-order.ts';
import { orderScope, requireOrderingPartner, requirePlacedBy } from './order-access.ts';
import { vendorOf, viewWithAcknowledgment, type OrderView } from './order-view.ts';
import type { orderPatchSchema } from './orders.schemas.ts';
import { releaseQuote } from './quote-usage.ts';
import { recheckOrder } from './recheck-order.ts';
import { bodyOf, orderLinesOf, totalMinor, visibleTo } from './submit-order.ts';

export type OrderPatch = z.infer<typeof orderPatchSchema>;

/**
 * A partner corrects an order while it is on hold: the given fields replace the old ones
 * (lines as a whole), and the order is checked again as a submission is: its lines keep the
 * details the catalog and price list give them (name, list price, multiplier, expected net),
 * and the answer carries the corrected order's problems. Nothing is refused for those
 * problems here; resubmit is refused while errors remain. Moving to another quote gives the
 * old one back.
 */
export async function correctOrder(
  ctx: AppContext,
  actor: Actor,
  input: { orderId: string; patch: OrderPatch; expectedVersion?: number | undefined },
  options: WriteOptions = {},
): Promise<OrderView> {
  const partner = requireOrderingPartner(actor);
  const { patch } = input;
  if (Object.keys(patch).length === 0) {
    throw unprocessable('Nothing to correct: send the fields that change', [
      { path: 'body', code: 'required', message: 'Give at least one field of the order' },
    ]);
  }
  return inTransaction(ctx, options, async (tx) => {
    const order = await findOrderInScope(tx, input.orderId, orderScope(actor));
    if (!order) throw notFound('Order');
    requirePlacedBy(actor, order);
    checkVersion('order', order.version, input.expectedVersion);
    if (order.status !== 'on_hold') {
      throw new AppError(
        'conflict',
        'not-on-hold',
        'An order can be corrected only while it is on hold',
        [{ path: 'status', code: 'action.not_allowed', message: `The order is ${order.status}` }],
      );
    }
    const { slug, profile } = await vendorOf(tx, order);
    const current = await storedSubmissionOf(tx, order, slug);
    const next: OrderSubmission = { ...current, ...patch };
    const now = ctx.now();
    const at = now.toISOString();
    // The corrected order checked as a submission is: its lines priced from the catalog and
    // price list in force, and its problems for the answer (resubmit refuses it while any
    // error is left; the correction itself is kept either way).
    const checked = await recheckOrder(tx, partner, order, next, now);
    const { result, context, parties } = checked;
    const currency = result.pricing.currency;
    if (currency !== order.currency && !patch.lines) {
      // The stored unit prices are minor units of the old currency: they cannot carry over.
      throw unprocessable('A new currency needs the lines again, priced in it', [
        {
          path: 'lines',
          code: 'required',
          message: `Send the lines with their ${currency} prices along with the new currency`,
        },
      ]);
    }
    if (patch.lines) {
      // Prices are kept as written on the corrected PO, exactly: one that cannot be stored is
      // refused rather than kept as a problem.
      const errors: ProblemItem[] = [];
      patch.lines.forEach((l, i) => {
        const unit = parseAmount(l.unitPrice, currency, { allowExtraZeros: true });
        if (!unit.ok) {
          errors.push({ path: `lines[${i}].unitPrice`, code: 'invalid', message: unit.message });
        } else if (Math.abs(unit.minor * l.quantity) > MAX_MINOR) {
          errors.push({
            path: `lines[${i}].quantity`,
            code: 'invalid',
            message: 'The line amount is too large',
          });
        }
      });
      if (errors.length > 0) throw unprocessable('The corrected lines have problems', errors);
    }
    const lines = orderLinesOf(order.id, result, checked.submission, context.catalog);
    const fields: Partial<Order> = {
      body: bodyOf(next),
      type: next.type,
      quote_id: next.quoteId ?? null,
      po_number: next.purchaseOrder?.number ?? null,
      currency,
      total_minor: totalMinor(lines),
      updated_at: at,
    };
    if (!(await updateOrderIfVersion(tx, order.id, order.version, fields))) {
      throw staleVersion('The order was changed by someone else; reload and retry');
    }
    await replaceOrderLines(tx, order.id, lines);
    await recordEvent(tx, {
      type: 'order.corrected',
      entityId: order.id,
      vendorId: order.vendor_id,
      partnerId: order.partner_id,
      actor: eventActorOf(actor),
      at,
      data: {
        orderId: order.id,
        number: order.number,
        orderType: next.type,
        fields: Object.keys(patch),
        // What the corrected fields said before: nothing the partner sent is lost.
        previous: Object.fromEntries(
          Object.keys(patch).map((key) => [key, current[key as keyof OrderSubmission] ?? null]),
        ),
      },
    });
    // A different quote: give back the one this order had consumed (unless another order uses it).
    if (patch.quoteId !== undefined && order.quote_id && patch.quoteId !== order.quote_id) {
      await releaseQuote(tx, {
        quoteId: order.quote_id,
        vendorId: order.vendor_id,
        orderId: order.id,
        at,
        reason: `Order ${order.number} moved to another quote`,
      });
    }
    const view = await viewWithAcknowledgment(
      tx,
      { ...order, ...fields, version: order.version + 1 },
      lines,
      slug,
      profile,
      actor,
    );
    // The corrected order's own problems, as the caller may read them; the desk's hold reason
    // (holdReason, and the reasons stored with the hold) stays as the desk wrote it.
    return { ...view, problems: visibleTo(result, actor, parties).problems };
  });
}
