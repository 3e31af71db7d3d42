import {
  computeSlaDueDates,
  isPathWithin,
  validateOrder,
  type OrderSubmission,
  type OrderValidationResult,
  type Problem,
  type VendorProfile,
} from '@orderdesk/core';
import {
  insertNumberedOrder,
  isLivePoNumberTaken,
  newId,
  type Executor,
  type Order,
  type OrderLine,
} from '@orderdesk/store';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { eventActorOf, recordEvents, type RecordEventInput } from '../events/record-event.ts';
import { isAppError, unprocessable, type AppError, type ProblemItem } from '../shared/errors.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { resolveOrderContext, type OrderParties } from './order-context.ts';
import { partnershipVisibility } from '../partnerships/price-visibility.ts';
import { orderingPartnerOf } from './order-parties.ts';
import { maskProblems, toOrderView, type OrderView } from './order-view.ts';
import type { OrderSubmissionBody } from './orders.schemas.ts';
import { quoteClaimOf, quoteTaken } from './quote-usage.ts';

/** Splits what the partner sent from who it is sent for (the mail's text stays with it). */
function submissionOf(body: OrderSubmissionBody): OrderSubmission {
  const { partnerId: _p, ...submission } = body;
  return submission;
}

/**
 * How a submission arrived, besides its body: the problems of the body's own fields that the
 * schema found (`required`, `invalid`), whose values `body` leaves out or holds emptied
 * (readSubmissionBody). They are problems of the order like any other: said with every
 * problem the rest of the body still lets the engine find, and never twice.
 */
export interface SubmissionFindings {
  readonly fieldProblems?: readonly ProblemItem[];
}

/** The field problems as the order's problems, at most one per path and code. */
function fieldProblemsOf(items: readonly ProblemItem[]): Problem[] {
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const item of items) {
    const key = `${item.path}\u0000${item.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ ...item, code: item.code as Problem['code'], severity: 'error' });
  }
  return problems;
}

/**
 * The result of the engine (or the problems of a refused vendor or customer) with the field
 * problems first; nothing else is said at or under a field found unreadable.
 */
function withFieldProblems(
  result: OrderValidationResult,
  fieldProblems: readonly ProblemItem[],
): OrderValidationResult {
  if (fieldProblems.length === 0) return result;
  const unreadable = new Set(fieldProblems.map((p) => p.path));
  return {
    ...result,
    valid: false,
    problems: [
      ...fieldProblemsOf(fieldProblems),
      ...result.problems.filter((p) => !isPathWithin(p.path, unreadable)),
    ],
  };
}

/**
 * Every problem of a submission, read through `db` (the caller's transaction, if any): its
 * field problems and what the engine finds. An unknown vendor or customer is a finding of the
 * check, not a failed request.
 */
async function checkSubmission(
  ctx: AppContext,
  db: Executor,
  actor: Actor,
  body: OrderSubmissionBody,
  fieldProblems: readonly ProblemItem[],
): Promise<OrderValidationResult> {
  let submission = submissionOf(body);
  const unreadable = new Set(fieldProblems.map((p) => p.path));
  try {
    const partner = await orderingPartnerOf(db, actor, body);
    const resolved = await resolveOrderContext(db, partner, submission, { now: ctx.now() });
    submission = resolved.submission;
    const result = validateOrder(submission, resolved.context, { unreadable });
    return withFieldProblems(visibleTo(result, actor, resolved.parties), fieldProblems);
  } catch (error) {
    if (!isAppError(error, 'unprocessable')) throw error;
    return withFieldProblems(
      {
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
      },
      fieldProblems,
    );
  }
}

/**
 * Checks a submission without side effects (POST /orders/validate): every problem at once,
 * the body's field problems (`findings`) among them.
 */
export async function validateSubmission(
  ctx: AppContext,
  actor: Actor,
  body: OrderSubmissionBody,
  findings: SubmissionFindings = {},
): Promise<OrderValidationResult> {
  return checkSubmission(ctx, ctx.store.db, actor, body, findings.fieldProblems ?? []);
}

/** A validation result as `actor` may read it (list prices and multipliers it may not see hidden). */
export function visibleTo(
  result: OrderValidationResult,
  actor: Actor,
  parties: Pick<OrderParties, 'profile' | 'partnership'>,
): OrderValidationResult {
  const seen = partnershipVisibility(parties.profile, actor, parties.partnership);
  if (seen.multipliers && seen.listPrices) return result;
  return {
    ...result,
    problems: maskProblems(result.problems, seen),
    pricing: {
      ...result.pricing,
      lines: result.pricing.lines.map((l) => ({
        ...l,
        listPrice: seen.listPrices ? l.listPrice : null,
        listPriceMinor: seen.listPrices ? l.listPriceMinor : null,
        multiplier: seen.multipliers ? l.multiplier : null,
      })),
    },
  };
}

/** The errors of a validation result as problem items (422). */
export function errorsOf(result: OrderValidationResult): ProblemItem[] {
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

/**
 * The 422 of a submission whose PO number another live order of the partnership took while
 * it was being checked (the unique index of migration 0017 said so): the problem the
 * duplicate check gives, so a client sees the same answer whichever of the two caught it.
 */
export function poNumberTaken(title: string, poNumber: string, profile: VendorProfile): AppError {
  return unprocessable(title, [
    {
      path: 'purchaseOrder.number',
      code: 'po.duplicate',
      message: `PO ${poNumber} was already submitted to ${profile.name}`,
      actual: poNumber,
    },
  ]);
}

/** The order's lines at the prices validated against. */
export function orderLinesOf(
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

export function totalMinor(lines: readonly OrderLine[]): number {
  return lines.reduce((sum, l) => sum + l.amount_minor, 0);
}

/** The parts of the submission kept as the order's body (everything but vendor, customer and lines). */
export function bodyOf(s: OrderSubmission): string {
  return JSON.stringify(bodyFieldsOf(s));
}

/** What bodyOf writes, as an object. */
function bodyFieldsOf(s: OrderSubmission): Partial<OrderSubmission> {
  const { vendor: _v, customerId: _c, lines: _l, type: _t, quoteId: _q, channel: _ch, ...rest } = s;
  return rest;
}

/**
 * Validates and, when the submission is valid, records the order in one transaction: the
 * number from the vendor's sequence, lines with the prices validated against, SLA due dates,
 * the profile version it was judged under, the quote consumed and the `order.submitted`
 * event. Invalid (field problems in `options` included) → unprocessable with every problem;
 * nothing is written.
 */
export async function submitOrder(
  ctx: AppContext,
  actor: Actor,
  body: OrderSubmissionBody,
  options: WriteOptions & SubmissionFindings = {},
): Promise<OrderView> {
  return inTransaction(ctx, options, async (tx) => {
    const fieldProblems = options.fieldProblems ?? [];
    if (fieldProblems.length > 0) {
      // A body with field problems is never recorded: only its problems are wanted, all of them.
      const result = await checkSubmission(ctx, tx, actor, body, fieldProblems);
      throw unprocessable('The order has problems; nothing was recorded', errorsOf(result));
    }
    const partner = await orderingPartnerOf(tx, actor, body);
    // No lock: a PO number is used once per partnership by the unique index of migration 0017
    // and a quote once by the conditional update of consumeQuote, so orders of one partnership
    // do not wait for each other. The statements that follow the order number (a row lock per
    // vendor until commit) are kept few.
    const now = ctx.now();
    const loaded = await resolveOrderContext(tx, partner, submissionOf(body), { now });
    const { context, parties, submission } = loaded;
    const result = validateOrder(submission, context);
    if (!result.valid) {
      throw unprocessable(
        'The order has problems; nothing was recorded',
        errorsOf(visibleTo(result, actor, parties)),
      );
    }

    const { vendor, profile, partnership } = parties;
    const id = newId('ord');
    const at = now.toISOString();
    // The quote is claimed with the order's insert (one statement on PostgreSQL).
    const quoteOrdered =
      submission.quoteId && loaded.quote
        ? quoteClaimOf({ quote: loaded.quote, orderId: id, at })
        : null;
    const lines = orderLinesOf(id, result, submission, context.catalog);
    const priceListId =
      [...context.catalog.values()].find((c) => c.priceListId)?.priceListId ?? null;
    const due = computeSlaDueDates(profile.sla, now);
    const channel = submission.channel ?? (actor.side === 'vendor' ? 'email' : 'api');
    const bodyFields = bodyFieldsOf({ ...submission, channel });
    const order: Order = {
      id,
      vendor_id: vendor.id,
      partner_id: partnership.partner_id,
      ordering_partner_id: parties.orderingPartnerId,
      customer_id: submission.customerId,
      // Given by the vendor's counter as the order is inserted (insertNumberedOrder).
      number: '',
      sales_order_number: null,
      type: submission.type,
      channel,
      status: 'submitted',
      version: 1,
      profile_version: vendor.profile_version,
      quote_id: submission.quoteId ?? null,
      currency: result.pricing.currency,
      po_number: submission.purchaseOrder?.number ?? null,
      total_minor: totalMinor(lines),
      price_list_id: priceListId,
      body: JSON.stringify(bodyFields),
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
    try {
      const inserted = await insertNumberedOrder(
        tx,
        order,
        lines,
        { prefix: profile.orderNumberPrefix, counter: 'order' },
        quoteOrdered?.claim,
      );
      if (!inserted.quoteClaimed) throw quoteTaken();
      order.number = inserted.number;
    } catch (error) {
      if (order.po_number !== null && isLivePoNumberTaken(error)) {
        throw poNumberTaken(
          'The order has problems; nothing was recorded',
          order.po_number,
          profile,
        );
      }
      throw error;
    }
    const known = {
      vendor,
      order,
      orderIsNew: true,
      ...(actor.side === 'partner' && actor.partnerId
        ? {
            partnerUser: {
              id: actor.userId,
              email: actor.email,
              partner_id: actor.partnerId,
              active: 1,
            },
          }
        : {}),
    };
    // The order's event and the quote's, in that order, in one audit statement.
    const submitted: RecordEventInput<'order.submitted'> = {
      type: 'order.submitted',
      entityId: id,
      vendorId: vendor.id,
      partnerId: partnership.partner_id,
      actor: eventActorOf(actor),
      at,
      toStatus: 'submitted',
      data: {
        orderId: id,
        number: order.number,
        orderType: order.type,
        to: 'submitted',
        quoteId: order.quote_id,
        channel,
        profileVersion: vendor.profile_version,
      },
      known,
    };
    await recordEvents(tx, [
      submitted,
      ...(quoteOrdered
        ? [{ ...quoteOrdered.event, known: { vendor, ...quoteOrdered.event.known } }]
        : []),
    ]);
    // The view reads the body it was just written from, not its JSON again.
    return toOrderView(order, lines, vendor.slug, profile, actor, undefined, false, bodyFields);
  });
}
