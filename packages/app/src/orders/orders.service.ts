import { profileOf } from '../vendors/profile-cache.ts';
import {
  buildOrderMachine,
  availableActions,
  computeSlaDueDates,
  formatAmount,
  MAX_MINOR,
  parseAmount,
  transition,
  validateOrder,
  type NotificationEvent,
  type OrderAction,
  type OrderMachine,
  type OrderStatus,
  type OrderSubmission,
  type OrderValidationResult,
  type Problem,
  type VendorProfile,
} from '@orderdesk/core';
import {
  authorizeLicenses,
  findCurrentSubscription,
  findOrderInScope,
  findPricesInForce,
  findVendorById,
  insertAuditEvent,
  insertOrder,
  insertSubscription,
  lockPartnership,
  quoteUsedByAnotherOrder,
  listAuditEvents,
  listOrderLines,
  listOrders,
  newId,
  nextCounterValue,
  replaceOrderLines,
  updateOrderIfVersion,
  updateQuoteStatus,
  updateSubscription,
  type Executor,
  type Order,
  type OrderLine,
  type OrderScope,
} from '@orderdesk/store';
import type { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import {
  conflict,
  forbidden,
  AppError,
  isAppError,
  notFound,
  unprocessable,
  type ProblemItem,
} from '../shared/errors.ts';
import type { AppContext } from '../context.ts';
import { gatherValidationContext, resolveParties, type OrderParties } from './order-context.ts';
import { notifyOrderEvent, orderMessages } from './order-notifications.ts';
import type {
  orderActionBodySchema,
  orderPatchSchema,
  orderSchema,
  validationProblemSchema,
} from './orders.schemas.ts';

export type OrderView = z.infer<typeof orderSchema>;
type ValidationProblem = z.infer<typeof validationProblemSchema>;

/** The order scope of a caller: vendor staff their vendor's orders, partners what they (and their tier-2s) placed. */
export function orderScope(actor: Actor): OrderScope {
  if (actor.side === 'vendor' && actor.vendorId) return { vendorId: actor.vendorId };
  return { partnerIds: actor.partnerScopeIds };
}

function requireOrderingPartner(actor: Actor): Actor & { partnerId: string } {
  if (actor.side !== 'partner' || !actor.partnerId)
    throw forbidden('Orders are submitted by partner users');
  return actor as Actor & { partnerId: string };
}

/** Validates a submission without side effects (POST /orders/validate). */
export async function validateSubmission(
  ctx: AppContext,
  actor: Actor,
  submission: OrderSubmission,
): Promise<OrderValidationResult> {
  const partner = requireOrderingPartner(actor);
  let parties: OrderParties;
  try {
    parties = await resolveParties(ctx.store.db, partner, submission);
  } catch (error) {
    // An unknown vendor or customer is a finding of validation, not a failed request.
    if (!isAppError(error, 'unprocessable')) throw error;
    return {
      valid: false,
      problems: (error.problems ?? []).map((e) => ({
        ...e,
        code: e.code as Problem['code'],
        severity: 'error' as const,
      })),
      pricing: {
        currency: submission.purchaseOrder?.currency ?? '',
        lines: [],
        total: '',
        expectedTotal: null,
      },
    };
  }
  const context = await gatherValidationContext(ctx.store.db, parties, submission, {
    now: ctx.now(),
  });
  return validateOrder(submission, context);
}

function errorsOf(result: OrderValidationResult): ProblemItem[] {
  return result.problems
    .filter((p) => p.severity === 'error')
    .map((p) => ({
      path: p.path,
      code: p.code,
      message: p.message,
      ...(p.expected !== undefined ? { expected: p.expected } : {}),
      ...(p.actual !== undefined ? { actual: p.actual } : {}),
    }));
}

function orderLinesOf(
  orderId: string,
  result: OrderValidationResult,
  submission: OrderSubmission,
  catalog: ReadonlyMap<string, { name: string; productId: string }>,
): OrderLine[] {
  return result.pricing.lines.map((l, i) => ({
    order_id: orderId,
    line_no: i + 1,
    product_id: catalog.get(l.partNumber)?.productId ?? null,
    part_number: l.partNumber,
    name: catalog.get(l.partNumber)?.name ?? null,
    quantity: l.quantity,
    unit_price_minor: l.unitPriceMinor ?? 0,
    list_price_minor: l.listPriceMinor,
    multiplier: l.multiplier,
    expected_net_minor: l.expectedNetMinor,
    amount_minor: l.amountMinor ?? 0,
    attributes: submission.lines[i]?.attributes
      ? JSON.stringify(submission.lines[i]?.attributes)
      : null,
  }));
}

function totalMinor(lines: readonly OrderLine[]): number {
  return lines.reduce((sum, l) => sum + l.amount_minor, 0);
}

/** The parts of the submission kept as the order's body (everything but vendor, customer and lines). */
function bodyOf(s: OrderSubmission): string {
  const { vendor: _v, customerId: _c, lines: _l, type: _t, quoteId: _q, channel: _ch, ...rest } = s;
  return JSON.stringify(rest);
}

/**
 * Validates and, when the submission is valid, records the order in one transaction: the
 * number from the vendor's sequence, lines with the prices validated against, SLA due dates,
 * the quote marked ordered and the `order.submitted` event. Invalid → 422 with every problem.
 */
export async function submitOrder(
  ctx: AppContext,
  tx: Executor,
  actor: Actor,
  submission: OrderSubmission,
): Promise<OrderView> {
  const partner = requireOrderingPartner(actor);
  const parties = await resolveParties(tx, partner, submission);
  // PO numbers and quotes are checked, then used: one submission per partnership at a time.
  await lockPartnership(tx, parties.partnership.id);
  const now = ctx.now();
  const context = await gatherValidationContext(tx, parties, submission, { now });
  const result = validateOrder(submission, context);
  if (!result.valid)
    throw unprocessable('The order has problems; nothing was recorded', errorsOf(result));

  const { vendor, profile, partnership } = parties;
  const seq = await nextCounterValue(tx, vendor.id, 'order');
  const id = newId('ord');
  const lines = orderLinesOf(id, result, submission, context.catalog);
  const priceListId = [...context.catalog.values()].find((c) => c.priceListId)?.priceListId ?? null;
  const due = computeSlaDueDates(profile.sla, now);
  const at = now.toISOString();
  const order: Order = {
    id,
    vendor_id: vendor.id,
    partner_id: partnership.partner_id,
    ordering_partner_id: parties.orderingPartnerId,
    customer_id: submission.customerId,
    number: `${profile.orderNumberPrefix}${String(seq).padStart(6, '0')}`,
    sales_order_number: null,
    type: submission.type,
    channel: submission.channel ?? 'api',
    status: 'submitted',
    version: 1,
    quote_id: submission.quoteId ?? null,
    currency: result.pricing.currency,
    po_number: submission.purchaseOrder?.number ?? null,
    total_minor: totalMinor(lines),
    price_list_id: priceListId,
    body: bodyOf(submission),
    problems: JSON.stringify(result.problems.filter((p) => p.severity === 'warning')),
    hold_reasons: null,
    acknowledge_by: due.acknowledgeBy?.toISOString() ?? null,
    fulfil_by: due.fulfilBy?.toISOString() ?? null,
    submitted_by: actor.userId,
    submitted_at: at,
    completed_at: null,
    created_at: at,
    updated_at: at,
  };
  await insertOrder(tx, order, lines);
  if (submission.quoteId && context.quote) await consumeQuote(tx, submission.quoteId, at);
  await insertAuditEvent(tx, {
    vendorId: vendor.id,
    partnerId: partnership.partner_id,
    entityType: 'order',
    entityId: id,
    type: 'order.submitted',
    actorUserId: actor.userId,
    actorLabel: actor.email,
    toStatus: 'submitted',
    at,
    data: { number: order.number, channel: order.channel },
  });
  await notifyOrderEvent(tx, { order, profile, event: 'order.submitted', at });
  return toOrderView(order, lines, vendor.slug, profile, actor);
}

/** Marks the quote ordered; 422 when another order took it first. */
async function consumeQuote(tx: Executor, quoteId: string, at: string): Promise<void> {
  if (!(await updateQuoteStatus(tx, quoteId, 'approved', 'ordered', at))) {
    throw unprocessable('The quote was just used by another order', [
      { path: 'quoteId', code: 'quote.not_approved', message: 'The quote is already ordered' },
    ]);
  }
}

/** The order's e-mail thread (GET /orders/{id}/messages). */
export async function getOrderMessages(ctx: AppContext, actor: Actor, id: string) {
  const order = await findOrderInScope(ctx.store.db, id, orderScope(actor));
  if (!order) throw notFound('Order');
  return orderMessages(ctx.store.db, order.id);
}

export async function getOrder(ctx: AppContext, actor: Actor, id: string): Promise<OrderView> {
  const order = await findOrderInScope(ctx.store.db, id, orderScope(actor));
  if (!order) throw notFound('Order');
  return viewOf(ctx.store.db, order, actor);
}

/** A vendor's slug and parsed profile; `memo` shares look-ups within one request. */
async function vendorOf(
  db: Executor,
  vendorId: string,
  memo?: Map<string, { slug: string; profile: VendorProfile }>,
): Promise<{ slug: string; profile: VendorProfile }> {
  const hit = memo?.get(vendorId);
  if (hit) return hit;
  const v = await findVendorById(db, vendorId);
  if (!v) throw notFound('Vendor');
  const entry = { slug: v.slug, profile: profileOf(v.profile) };
  memo?.set(vendorId, entry);
  return entry;
}

// Profiles are shared objects (profileOf), so each workflow's machine is built once.
const machines = new WeakMap<VendorProfile['workflow'], OrderMachine>();
function machineOf(profile: VendorProfile): OrderMachine {
  let machine = machines.get(profile.workflow);
  if (machine === undefined) {
    machine = buildOrderMachine(profile.workflow);
    machines.set(profile.workflow, machine);
  }
  return machine;
}

async function viewOf(db: Executor, order: Order, actor: Actor): Promise<OrderView> {
  const { slug, profile } = await vendorOf(db, order.vendor_id);
  return toOrderView(order, await listOrderLines(db, order.id), slug, profile, actor);
}

function actorSide(actor: Actor): 'vendor' | 'partner' {
  return actor.side;
}

export function toOrderView(
  order: Order,
  lines: readonly OrderLine[],
  vendorSlug: string,
  profile: VendorProfile,
  actor: Actor,
): OrderView {
  const body = JSON.parse(order.body) as Partial<OrderSubmission>;
  const money = (minor: number | null): string | null =>
    minor === null ? null : formatAmount(minor, order.currency);
  const machine = machineOf(profile);
  const hold = order.hold_reasons
    ? (JSON.parse(order.hold_reasons) as { reason?: string; problems?: ProblemItem[] })
    : null;
  const problems: ValidationProblem[] =
    order.status === 'on_hold' && hold
      ? (hold.problems ?? []).map((p) => ({ ...p, severity: 'error' as const }))
      : (JSON.parse(order.problems) as ValidationProblem[]);
  return {
    id: order.id,
    number: order.number,
    salesOrderNumber: order.sales_order_number,
    vendor: vendorSlug,
    type: order.type,
    channel: order.channel,
    status: order.status as OrderStatus,
    statusLabel: profile.workflow.labels[order.status as OrderStatus] ?? order.status,
    version: order.version,
    customerId: order.customer_id,
    partnerId: order.partner_id,
    orderingPartnerId: order.ordering_partner_id,
    quoteId: order.quote_id,
    currency: order.currency,
    total: formatAmount(order.total_minor, order.currency),
    lines: lines.map((l) => ({
      lineNo: l.line_no,
      partNumber: l.part_number,
      name: l.name,
      quantity: l.quantity,
      unitPrice: formatAmount(l.unit_price_minor, order.currency),
      listPrice: money(l.list_price_minor),
      multiplier: l.multiplier,
      expectedNetPrice: money(l.expected_net_minor),
      amount: formatAmount(l.amount_minor, order.currency),
      attributes: l.attributes ? (JSON.parse(l.attributes) as Record<string, unknown>) : null,
    })),
    purchaseOrder: (body.purchaseOrder as Record<string, unknown> | undefined) ?? null,
    contacts: (body.contacts as Record<string, unknown> | undefined) ?? null,
    tier2Reseller: (body.tier2Reseller as Record<string, unknown> | undefined) ?? null,
    shippingAddress: (body.shippingAddress as Record<string, unknown> | undefined) ?? null,
    attributes: (body.attributes as Record<string, unknown> | undefined) ?? null,
    licenseIds: body.licenseIds ?? null,
    termsAccepted: (body.termsAccepted as Record<string, unknown> | undefined) ?? null,
    problems,
    holdReason: order.status === 'on_hold' ? (hold?.reason ?? null) : null,
    sla: { acknowledgeBy: order.acknowledge_by, fulfilBy: order.fulfil_by },
    availableActions: availableActions(
      machine,
      order.status as OrderStatus,
      actor.roles,
      actorSide(actor),
    ),
    submittedAt: order.submitted_at,
    completedAt: order.completed_at,
    updatedAt: order.updated_at,
  };
}

export async function pageOrders(
  ctx: AppContext,
  actor: Actor,
  filters: { status?: string; vendorId?: string; customerId?: string; partnerId?: string },
  page: { limit: number; before?: string },
): Promise<{
  items: Omit<OrderView, 'lines' | 'problems'>[];
  last: string | undefined;
  more: boolean;
}> {
  const rows = await listOrders(ctx.store.db, orderScope(actor), filters, {
    limit: page.limit + 1,
    ...(page.before ? { before: page.before } : {}),
  });
  const items = rows.slice(0, page.limit);
  const views = [];
  const memo = new Map<string, { slug: string; profile: VendorProfile }>();
  for (const o of items) {
    const { slug, profile } = await vendorOf(ctx.store.db, o.vendor_id, memo);
    const { lines: _l, problems: _p, ...summary } = toOrderView(o, [], slug, profile, actor);
    views.push(summary);
  }
  return { items: views, last: items.at(-1)?.id, more: rows.length > page.limit };
}

function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!m) {
    throw new AppError(
      'invalid_input',
      'bad-request',
      'If-Match must be the order version, e.g. If-Match: 3',
      [{ path: 'headers.if-match', code: 'invalid', message: 'Not a version number' }],
    );
  }
  return Number(m[1]);
}

/**
 * Takes a workflow action on an order: checks the role and the transition against the
 * vendor's workflow, applies it if the order is still at the expected version (If-Match, or
 * the version read), records the event, and runs the action's effects (sales order number on
 * booking; subscription and licenses on completion) in the same transaction.
 */
export async function actOnOrder(
  ctx: AppContext,
  tx: Executor,
  actor: Actor,
  id: string,
  action: OrderAction,
  input: z.infer<typeof orderActionBodySchema>,
  ifMatch: string | undefined,
): Promise<OrderView> {
  const order = await findOrderInScope(tx, id, orderScope(actor));
  if (!order) throw notFound('Order');
  const expected = parseIfMatch(ifMatch);
  if (expected !== undefined && expected !== order.version) {
    throw conflict(`The order is at version ${order.version}, not ${expected}; reload and retry`);
  }
  const { slug, profile } = await vendorOf(tx, order.vendor_id);
  const machine = machineOf(profile);
  const result = transition(machine, {
    status: order.status as OrderStatus,
    action,
    actorRoles: actor.roles,
    actorSide: actor.side,
  });
  if (!result.ok) {
    if (result.code === 'role.forbidden') throw forbidden(result.message);
    throw new AppError('conflict', 'action-not-allowed', result.message, [
      { path: 'action', code: result.code, message: result.message },
    ]);
  }
  if (action === 'hold' && !input.reason && !input.problems?.length) {
    throw unprocessable('A hold needs a reason or a list of problems for the partner', [
      { path: 'reason', code: 'required', message: 'Say what the partner must fix' },
    ]);
  }
  if (action === 'resubmit') return resubmitOrder(ctx, tx, actor, order, slug, profile);

  const now = ctx.now().toISOString();
  const fields: Partial<Order> = { status: result.to, updated_at: now };
  if (result.assignsSalesOrderNumber && !order.sales_order_number) {
    const seq = await nextCounterValue(tx, order.vendor_id, 'sales_order');
    fields.sales_order_number = `${profile.salesOrderNumberPrefix}${String(seq).padStart(6, '0')}`;
  }
  if (action === 'hold')
    fields.hold_reasons = JSON.stringify({ reason: input.reason, problems: input.problems ?? [] });
  if (result.to === 'completed') fields.completed_at = now;
  if (!(await updateOrderIfVersion(tx, order.id, order.version, fields))) {
    throw conflict('The order was changed by someone else; reload and retry');
  }
  await insertAuditEvent(tx, {
    vendorId: order.vendor_id,
    partnerId: order.partner_id,
    entityType: 'order',
    entityId: order.id,
    type: `order.${pastTense(action)}`,
    actorUserId: actor.userId,
    actorLabel: actor.email,
    fromStatus: order.status,
    toStatus: result.to,
    reason: input.reason ?? null,
    at: now,
    ...(input.problems?.length || fields.sales_order_number
      ? { data: { problems: input.problems, salesOrderNumber: fields.sales_order_number } }
      : {}),
  });
  const updated = { ...order, ...fields, version: order.version + 1 };
  if (result.to === 'completed') await completeEffects(tx, updated, now);
  await notifyOrderEvent(tx, {
    order: updated,
    profile,
    event: ACTION_EVENTS[action],
    at: now,
    reason: input.reason ?? null,
    ...(input.welcomeEmail !== undefined ? { sendWelcomeEmail: input.welcomeEmail } : {}),
  });
  return toOrderView(updated, await listOrderLines(tx, order.id), slug, profile, actor);
}

const ACTION_EVENTS: Record<OrderAction, NotificationEvent> = {
  approve: 'order.approved',
  hold: 'order.on_hold',
  resubmit: 'order.resubmitted',
  book: 'order.booked',
  complete: 'order.completed',
  reject: 'order.rejected',
  cancel: 'order.cancelled',
};

function pastTense(action: OrderAction): string {
  const map: Record<OrderAction, string> = {
    approve: 'approved',
    hold: 'held',
    resubmit: 'resubmitted',
    book: 'booked',
    complete: 'completed',
    reject: 'rejected',
    cancel: 'cancelled',
  };
  return map[action];
}

/** Re-validates the corrected order; valid → back to submitted, else 422 with the problems. */
async function resubmitOrder(
  ctx: AppContext,
  tx: Executor,
  actor: Actor,
  order: Order,
  slug: string,
  profile: VendorProfile,
): Promise<OrderView> {
  const submission = await submissionOf(tx, order, slug);
  const partner = requireOrderingPartner(actor);
  const parties = await resolveParties(tx, partner, submission, order.ordering_partner_id);
  await lockPartnership(tx, parties.partnership.id);
  const now = ctx.now();
  const context = await gatherValidationContext(tx, parties, submission, {
    now,
    excludeOrderId: order.id,
  });
  const consumedHere =
    context.quote?.status === 'ordered' &&
    !(await quoteUsedByAnotherOrder(tx, context.quote.id, order.id));
  if (context.quote && consumedHere) {
    // The quote was consumed by this very order at its first submission.
    context.quote = { ...context.quote, status: 'approved' };
  }
  const result = validateOrder(submission, context);
  if (!result.valid)
    throw unprocessable('The corrected order still has problems', errorsOf(result));
  if (context.quote && !consumedHere) await consumeQuote(tx, context.quote.id, now.toISOString());
  const lines = orderLinesOf(order.id, result, submission, context.catalog);
  const at = now.toISOString();
  const fields: Partial<Order> = {
    status: 'submitted',
    updated_at: at,
    total_minor: totalMinor(lines),
    problems: JSON.stringify(result.problems.filter((p) => p.severity === 'warning')),
  };
  if (!(await updateOrderIfVersion(tx, order.id, order.version, fields))) {
    throw conflict('The order was changed by someone else; reload and retry');
  }
  await replaceOrderLines(tx, order.id, lines);
  await insertAuditEvent(tx, {
    vendorId: order.vendor_id,
    partnerId: order.partner_id,
    entityType: 'order',
    entityId: order.id,
    type: 'order.resubmitted',
    actorUserId: actor.userId,
    actorLabel: actor.email,
    fromStatus: order.status,
    toStatus: 'submitted',
    at,
  });
  const updated = { ...order, ...fields, version: order.version + 1 };
  await notifyOrderEvent(tx, { order: updated, profile, event: 'order.resubmitted', at });
  return toOrderView(updated, lines, slug, profile, actor);
}

/** Rebuilds the submission an order was made from (for re-validation). */
async function submissionOf(
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
        ? { attributes: JSON.parse(l.attributes) as Record<string, string | number | boolean> }
        : {}),
    })),
  };
}

/**
 * A partner corrects an order while it is on hold: the given fields replace the old ones
 * (lines as a whole). Re-validation happens at resubmit.
 */
export async function patchOrder(
  ctx: AppContext,
  tx: Executor,
  actor: Actor,
  id: string,
  patch: z.infer<typeof orderPatchSchema>,
  ifMatch: string | undefined,
): Promise<OrderView> {
  requireOrderingPartner(actor);
  const order = await findOrderInScope(tx, id, orderScope(actor));
  if (!order) throw notFound('Order');
  const expected = parseIfMatch(ifMatch);
  if (expected !== undefined && expected !== order.version) {
    throw conflict(`The order is at version ${order.version}, not ${expected}; reload and retry`);
  }
  if (order.status !== 'on_hold') {
    throw new AppError(
      'conflict',
      'not-on-hold',
      'An order can be corrected only while it is on hold',
      [{ path: 'status', code: 'action.not_allowed', message: `The order is ${order.status}` }],
    );
  }
  const { slug, profile } = await vendorOf(tx, order.vendor_id);
  const current = await submissionOf(tx, order, slug);
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
  if (patch.lines) {
    // Prices as written on the corrected PO, exactly; checked against the price list at resubmit.
    const errors: ProblemItem[] = [];
    lines = patch.lines.map((l, i) => {
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
  // A different quote: give back the one this order had consumed (unless another order uses it).
  if (patch.quoteId !== undefined && order.quote_id && patch.quoteId !== order.quote_id) {
    if (!(await quoteUsedByAnotherOrder(tx, order.quote_id, order.id))) {
      await updateQuoteStatus(tx, order.quote_id, 'ordered', 'approved', at);
    }
  }
  if (!(await updateOrderIfVersion(tx, order.id, order.version, fields))) {
    throw conflict('The order was changed by someone else; reload and retry');
  }
  await insertAuditEvent(tx, {
    vendorId: order.vendor_id,
    partnerId: order.partner_id,
    entityType: 'order',
    entityId: order.id,
    type: 'order.corrected',
    actorUserId: actor.userId,
    actorLabel: actor.email,
    at,
    data: { fields: Object.keys(patch) },
  });
  return toOrderView(
    { ...order, ...fields, version: order.version + 1 },
    lines,
    slug,
    profile,
    actor,
  );
}

/** Completion effects: subscriptions from subscription lines, licenses authorized. */
async function completeEffects(tx: Executor, order: Order, at: string): Promise<void> {
  const lines = await listOrderLines(tx, order.id);
  const subscriptionLines = await subscriptionLinesOf(tx, order.vendor_id, lines);
  if (subscriptionLines.length > 0) {
    const current = await findCurrentSubscription(tx, order.vendor_id, order.customer_id);
    const today = at.slice(0, 10);
    const termMonths = 12;
    const end = new Date(
      Date.UTC(
        Number(today.slice(0, 4)) + 1,
        Number(today.slice(5, 7)) - 1,
        Number(today.slice(8, 10)),
      ),
    )
      .toISOString()
      .slice(0, 10);
    if (
      current &&
      (order.type === 'renewal' ||
        order.type === 'auto_renewal' ||
        order.type === 'upsell' ||
        order.type === 'change')
    ) {
      const merged =
        order.type === 'upsell'
          ? mergeLines(JSON.parse(current.lines) as SubLine[], subscriptionLines)
          : subscriptionLines;
      await updateSubscription(tx, current.id, {
        lines: JSON.stringify(merged),
        ...(order.type === 'upsell'
          ? {}
          : { starts_on: current.ends_on, ends_on: addYears(current.ends_on, 1) }),
        last_order_id: order.id,
        updated_at: at,
      });
    } else {
      await insertSubscription(tx, {
        id: newId('sub'),
        vendor_id: order.vendor_id,
        partner_id: order.partner_id,
        customer_id: order.customer_id,
        status: 'active',
        term_months: termMonths,
        starts_on: today,
        ends_on: end,
        auto_renew: 1,
        lines: JSON.stringify(subscriptionLines),
        last_order_id: order.id,
        created_at: at,
        updated_at: at,
      });
    }
  }
  const body = JSON.parse(order.body) as Partial<OrderSubmission>;
  if (body.licenseIds?.length) await authorizeLicenses(tx, order.vendor_id, body.licenseIds, at);
}

type SubLine = { partNumber: string; quantity: number };

function mergeLines(current: SubLine[], added: SubLine[]): SubLine[] {
  const byPart = new Map(current.map((l) => [l.partNumber, { ...l }]));
  for (const l of added) {
    const c = byPart.get(l.partNumber);
    if (c) c.quantity += l.quantity;
    else byPart.set(l.partNumber, { ...l });
  }
  return [...byPart.values()];
}

function addYears(isoDate: string, years: number): string {
  return `${Number(isoDate.slice(0, 4)) + years}${isoDate.slice(4)}`;
}

async function subscriptionLinesOf(
  tx: Executor,
  vendorId: string,
  lines: readonly OrderLine[],
): Promise<SubLine[]> {
  const partNumbers = [...new Set(lines.map((l) => l.part_number))];
  const entries = await findPricesInForce(tx, { vendorId, partNumbers, on: '9999-12-31' });
  const types = new Map(entries.map((e) => [e.partNumber, e.type]));
  return lines
    .filter((l) => types.get(l.part_number) === 'subscription')
    .map((l) => ({ partNumber: l.part_number, quantity: l.quantity }));
}

export async function orderEvents(ctx: AppContext, actor: Actor, id: string) {
  const order = await findOrderInScope(ctx.store.db, id, orderScope(actor));
  if (!order) throw notFound('Order');
  const events = await listAuditEvents(ctx.store.db, 'order', id);
  return events.map((e) => ({
    at: e.at,
    actor: e.actor_label,
    type: e.type,
    ...(e.from_status ? { from: e.from_status } : {}),
    ...(e.to_status ? { to: e.to_status } : {}),
    ...(e.reason ? { reason: e.reason } : {}),
    ...(e.data ? { data: JSON.parse(e.data) as unknown } : {}),
  }));
}

export { resolveParties, type OrderParties };
