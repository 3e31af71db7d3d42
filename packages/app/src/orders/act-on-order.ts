import {
  formatAmount,
  ORDER_ACTION_EVENTS,
  transition,
  validateOrder,
  type OrderAction,
  type OrderStatus,
  type OrderSubmission,
  type Problem,
  type VendorProfile,
} from '@orderdesk/core';
import {
  findOrderInScope,
  listOrderLines,
  lockOrderRow,
  nextCounterValue,
  quoteUsedByAnotherOrder,
  replaceOrderLines,
  isLivePoNumberTaken,
  updateOrderIfVersion,
  type Executor,
  type Order,
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
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { orderScope, requireOrderingPartner, requirePlacedBy } from './order-access.ts';
import { resolveOrderContext } from './order-context.ts';
import { applyCompletionEffects } from './order-effects.ts';
import { machineOf, vendorOf, viewWithAcknowledgment, type OrderView } from './order-view.ts';
import type { orderActionBodySchema } from './orders.schemas.ts';
import { consumeQuote, releaseQuote } from './quote-usage.ts';
import { endsUndelivered, uncreditedInvoiceOf } from './uncredited-invoice.ts';
import {
  bodyOf,
  errorsOf,
  orderLinesOf,
  poNumberTaken,
  totalMinor,
  visibleTo,
} from './submit-order.ts';

export type OrderActionInput = z.infer<typeof orderActionBodySchema>;

/**
 * Takes a workflow action on an order: checks the actor and the transition against the
 * vendor's workflow (the order machine), applies it if the order is still at the expected
 * version, records the one event of the change, and runs its effects in the same
 * transaction (sales order number on booking; subscriptions and licenses on completion; the
 * quote given back on rejection and cancellation).
 */
export async function actOnOrder(
  ctx: AppContext,
  actor: Actor,
  input: {
    orderId: string;
    action: OrderAction;
    body: OrderActionInput;
    /** If-Match: the version the caller last read. */
    expectedVersion?: number | undefined;
  },
  options: WriteOptions = {},
): Promise<OrderView> {
  return inTransaction(ctx, options, async (tx) => {
    const order = await findOrderInScope(tx, input.orderId, orderScope(actor));
    if (!order) throw notFound('Order');
    requirePlacedBy(actor, order);
    checkVersion('order', order.version, input.expectedVersion);
    const { slug, profile } = await vendorOf(tx, order);
    const step = transition(machineOf(profile), {
      status: order.status as OrderStatus,
      action: input.action,
      actorRoles: actor.roles,
      actorSide: actor.side,
    });
    if (!step.ok) {
      if (step.code === 'role.forbidden') throw forbidden(step.message);
      throw new AppError('conflict', 'action-not-allowed', step.message, [
        { path: 'action', code: step.code, message: step.message },
      ]);
    }
    const { body } = input;
    if (input.action === 'hold' && !body.reason && !body.problems?.length) {
      throw unprocessable('A hold needs a reason or a list of problems for the partner', [
        { path: 'reason', code: 'required', message: 'Say what the partner must fix' },
      ]);
    }
    if (input.action === 'reject' && !body.reason) {
      throw unprocessable('A rejection tells the partner why', [
        { path: 'reason', code: 'required', message: 'Say why the order is rejected' },
      ]);
    }
    if (endsUndelivered(step.to)) {
      await refuseWhileInvoiced(tx, order, input.action);
    }
    if (input.action === 'resubmit') return resubmit(ctx, tx, actor, order, slug, profile);

    const at = ctx.now().toISOString();
    const fields: Partial<Order> = { status: step.to, updated_at: at };
    if (step.assignsSalesOrderNumber && !order.sales_order_number) {
      const seq = await nextCounterValue(tx, order.vendor_id, 'sales_order');
      fields.sales_order_number = `${profile.salesOrderNumberPrefix}${String(seq).padStart(6, '0')}`;
    }
    if (input.action === 'hold') {
      fields.hold_reasons = JSON.stringify({ reason: body.reason, problems: body.problems ?? [] });
    }
    if (step.to === 'completed') fields.completed_at = at;
    if (!(await updateOrderIfVersion(tx, order.id, order.version, fields))) {
      throw staleVersion('The order was changed by someone else; reload and retry');
    }
    const updated: Order = { ...order, ...fields, version: order.version + 1 };
    const base = {
      orderId: order.id,
      number: order.number,
      orderType: order.type,
      from: order.status as OrderStatus,
      to: step.to,
      reason: body.reason ?? null,
    };
    const common = {
      entityId: order.id,
      vendorId: order.vendor_id,
      partnerId: order.partner_id,
      actor: eventActorOf(actor),
      at,
      fromStatus: order.status,
      toStatus: step.to,
      reason: body.reason ?? null,
    };
    const type = ORDER_ACTION_EVENTS[input.action];
    switch (type) {
      case 'order.held':
        await recordEvent(tx, {
          ...common,
          type,
          data: {
            ...base,
            problems: (body.problems ?? []).map((p) => ({
              ...p,
              code: p.code as Problem['code'],
              severity: 'error' as const,
            })),
          },
        });
        break;
      case 'order.booked':
        await recordEvent(tx, {
          ...common,
          type,
          data: { ...base, salesOrderNumber: updated.sales_order_number },
        });
        break;
      case 'order.completed':
        await recordEvent(tx, {
          ...common,
          type,
          data: {
            ...base,
            ...(body.welcomeEmail !== undefined ? { sendWelcomeEmail: body.welcomeEmail } : {}),
          },
        });
        await applyCompletionEffects(tx, { order: updated, profile, actor, at });
        break;
      case 'order.approved':
      case 'order.rejected':
      case 'order.cancelled':
        await recordEvent(tx, { ...common, type, data: base });
        break;
    }
    if ((step.to === 'rejected' || step.to === 'cancelled') && order.quote_id) {
      await releaseQuote(tx, {
        quoteId: order.quote_id,
        vendorId: order.vendor_id,
        orderId: order.id,
        at,
        reason: `Order ${order.number} was ${step.to}`,
      });
    }
    return viewWithAcknowledgment(
      tx,
      updated,
      await listOrderLines(tx, order.id),
      slug,
      profile,
      actor,
    );
  });
}

/**
 * An order that ends undelivered (cancelled, rejected) leaves no payable invoice behind: while
 * its invoice is not credited the action is refused, naming the credit note that reverses it
 * (the order view does not offer it then: uncredited-invoice.ts).
 * The order's row is locked first, as the invoice job locks it before issuing: an invoice issued
 * meanwhile is seen here, and a job that comes later finds the order ended and issues none.
 */
async function refuseWhileInvoiced(tx: Executor, order: Order, action: OrderAction): Promise<void> {
  await lockOrderRow(tx, order.id);
  const invoice = await uncreditedInvoiceOf(tx, order.id);
  if (!invoice) return;
  const total = `${formatAmount(invoice.total_minor, invoice.currency)} ${invoice.currency}`;
  throw new AppError(
    'conflict',
    'invoice-not-credited',
    `Order ${order.number} has invoice ${invoice.number} (${invoice.status}, ${total}), ` +
      `which is not credited: issue a credit note first ` +
      `(POST /api/v1/invoices/${invoice.id}/credit-notes), then ${action} the order`,
    [
      {
        path: 'action',
        code: 'invoice.not_credited',
        message: `Invoice ${invoice.number} is ${invoice.status}: credit it before the order can be ${action === 'cancel' ? 'cancelled' : 'rejected'}`,
        expected: 'credited',
        actual: invoice.status,
      },
    ],
  );
}

/** Rebuilds the submission an order was made from (for re-validation). */
export async function storedSubmissionOf(
  db: Executor,
  order: Order,
  vendorSlug: string,
): Promise<OrderSubmission> {
  const body = JSON.parse(order.body) as Partial<OrderSubmission>;
  const lines = await listOrderLines(db, order.id);
  return {
    ...body,
    vendor: vendorSlug,
    type: order.type,
    customerId: order.customer_id,
    ...(order.quote_id ? { quoteId: order.quote_id } : {}),
    lines: lines.map((l) => ({
      partNumber: l.part_number,
      quantity: l.quantity,
      unitPrice: formatAmount(l.unit_price_minor, order.currency),
      ...(l.attributes
        ? {
            attributes: JSON.parse(l.attributes) as NonNullable<
              OrderSubmission['lines'][number]['attributes']
            >,
          }
        : {}),
    })),
  };
}

/** Re-validates the corrected order; valid → back to submitted, else unprocessable with the problems. */
async function resubmit(
  ctx: AppContext,
  tx: Executor,
  actor: Actor,
  order: Order,
  slug: string,
  profile: VendorProfile,
): Promise<OrderView> {
  const stored = await storedSubmissionOf(tx, order, slug);
  const partner = requireOrderingPartner(actor);
  // No partnership lock (see submitOrder): the PO number's unique index and the quote's
  // conditional update decide a race with another submission. resolveOrderContext fills in
  // the same contact defaults as at the first submission (a correction may have replaced the
  // contacts).
  const now = ctx.now();
  const loaded = await resolveOrderContext(tx, partner, stored, {
    now,
    excludeOrderId: order.id,
    orderingPartnerId: order.ordering_partner_id,
  });
  const { context, parties, submission } = loaded;
  const consumedHere =
    context.quote?.status === 'ordered' &&
    !(await quoteUsedByAnotherOrder(tx, context.quote.id, order.id));
  if (context.quote && consumedHere) {
    // The quote was consumed by this very order at its first submission.
    context.quote = { ...context.quote, status: 'approved' };
  }
  const result = validateOrder(submission, context);
  if (!result.valid) {
    throw unprocessable(
      'The corrected order still has problems',
      errorsOf(visibleTo(result, actor, parties)),
    );
  }
  const at = now.toISOString();
  const lines = orderLinesOf(order.id, result, submission, context.catalog);
  const fields: Partial<Order> = {
    status: 'submitted',
    updated_at: at,
    body: bodyOf(submission),
    total_minor: totalMinor(lines),
    profile_version: parties.vendor.profile_version,
    problems: JSON.stringify(result.problems.filter((p) => p.severity === 'warning')),
  };
  let written: boolean;
  try {
    written = await updateOrderIfVersion(tx, order.id, order.version, fields);
  } catch (error) {
    // Leaving hold puts the PO number back under the index: another order took it meanwhile.
    if (order.po_number !== null && isLivePoNumberTaken(error)) {
      throw poNumberTaken('The corrected order still has problems', order.po_number, profile);
    }
    throw error;
  }
  if (!written) {
    throw staleVersion('The order was changed by someone else; reload and retry');
  }
  await replaceOrderLines(tx, order.id, lines);
  await recordEvent(tx, {
    type: 'order.resubmitted',
    entityId: order.id,
    vendorId: order.vendor_id,
    partnerId: order.partner_id,
    actor: eventActorOf(actor),
    at,
    fromStatus: order.status,
    toStatus: 'submitted',
    data: {
      orderId: order.id,
      number: order.number,
      orderType: order.type,
      from: order.status as OrderStatus,
      to: 'submitted',
    },
  });
  if (loaded.quote && !consumedHere) {
    await consumeQuote(tx, { quote: loaded.quote, orderId: order.id, at });
  }
  const updated = { ...order, ...fields, version: order.version + 1 };
  return viewWithAcknowledgment(tx, updated, lines, slug, profile, actor);
}
