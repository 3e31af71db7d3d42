import { MAX_MINOR, parseAmount, type OrderSubmission } from '@orderdesk/core';
import {
  findOrderInScope,
  listOrderLines,
  replaceOrderLines,
  updateOrderIfVersion,
  type Order,
  type OrderLine,
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
import { bodyOf, totalMinor } from './submit-order.ts';

export type OrderPatch = z.infer<typeof orderPatchSchema>;

/**
 * A partner corrects an order while it is on hold: the given fields replace the old ones
 * (lines as a whole). Re-validation happens at resubmit. Moving to another quote gives the
 * old one back.
 */
export async function correctOrder(
  ctx: AppContext,
  actor: Actor,
  input: { orderId: string; patch: OrderPatch; expectedVersion?: number | undefined },
  options: WriteOptions = {},
): Promise<OrderView> {
  requireOrderingPartner(actor);
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
    const at = ctx.now().toISOString();
    const fields: Partial<Order> = {
      body: bodyOf(next),
      type: next.type,
      quote_id: next.quoteId ?? null,
      po_number: next.purchaseOrder?.number ?? null,
      currency: next.purchaseOrder?.currency ?? order.currency,
      updated_at: at,
    };
    let lines = await listOrderLines(tx, order.id);
    const currency = fields.currency ?? order.currency;
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
      // Prices as written on the corrected PO, exactly; checked against the price list at resubmit.
      const errors: ProblemItem[] = [];
      lines = patch.lines.map((l, i): OrderLine => {
        const unit = parseAmount(l.unitPrice, currency, { allowExtraZeros: true });
        if (!unit.ok) {
          errors.push({ path: `lines[${i}].unitPrice`, code: 'invalid', message: unit.message });
        }
        const unitMinor = unit.ok ? unit.minor : 0;
        const amount = unitMinor * l.quantity;
        if (Math.abs(amount) > MAX_MINOR) {
          errors.push({
            path: `lines[${i}].quantity`,
            code: 'invalid',
            message: 'The line amount is too large',
          });
        }
        return {
          order_id: order.id,
          line_no: i + 1,
          product_id: null,
          part_number: l.partNumber,
          name: null,
          quantity: l.quantity,
          unit_price_minor: unitMinor,
          list_price_minor: null,
          multiplier: null,
          expected_net_minor: null,
          amount_minor: amount,
          attributes: l.attributes ? JSON.stringify(l.attributes) : null,
        };
      });
      if (errors.length > 0) throw unprocessable('The corrected lines have problems', errors);
      fields.total_minor = totalMinor(lines);
      await replaceOrderLines(tx, order.id, lines);
    }
    if (!(await updateOrderIfVersion(tx, order.id, order.version, fields))) {
      throw staleVersion('The order was changed by someone else; reload and retry');
    }
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
    return viewWithAcknowledgment(
      tx,
      { ...order, ...fields, version: order.version + 1 },
      lines,
      slug,
      profile,
      actor,
    );
  });
}
