import {
  availableActions,
  buildOrderMachine,
  formatAmount,
  type OrderAction,
  type OrderMachine,
  type OrderStatus,
  type OrderSubmission,
  type VendorProfile,
} from '@orderdesk/core';
import {
  findVendorById,
  listOrderLines,
  type Executor,
  type Order,
  type OrderLine,
} from '@orderdesk/store';
import type { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { notFound, type ProblemItem } from '../shared/errors.ts';
import {
  partnershipVisibility,
  type PartnershipVisibility,
} from '../partnerships/price-visibility.ts';
import { profileOfVendor, profileVersionOf } from '../vendors/profile-cache.ts';
import { acknowledgmentsOf, orderSlaOf } from '../sla/order-sla.ts';
import { readsOnly } from './order-access.ts';
import type { orderSchema, validationProblemSchema } from './orders.schemas.ts';
import {
  offersEnding,
  ordersWithUncreditedInvoice,
  uncreditedInvoiceOf,
  withoutEnding,
} from './uncredited-invoice.ts';

export type OrderView = z.infer<typeof orderSchema>;
export type OrderSummaryView = Omit<OrderView, 'lines' | 'problems'>;
type ValidationProblem = z.infer<typeof validationProblemSchema>;

export interface VendorOfOrder {
  slug: string;
  profile: VendorProfile;
}

/**
 * The vendor's slug and the profile an order lives by: the version it was (re)submitted
 * under, so a later edit of the workflow or its labels does not change orders already placed
 * (the current profile for orders from before versions were kept). `memo` shares look-ups
 * within one call.
 */
export async function vendorOf(
  db: Executor,
  order: Pick<Order, 'vendor_id' | 'profile_version'>,
  memo?: Map<string, VendorOfOrder>,
): Promise<VendorOfOrder> {
  const key = `${order.vendor_id}@${order.profile_version ?? 'current'}`;
  const hit = memo?.get(key);
  if (hit) return hit;
  const v = await findVendorById(db, order.vendor_id);
  if (!v) throw notFound('Vendor');
  const profile =
    order.profile_version === null
      ? await profileOfVendor(db, v)
      : await profileVersionOf(db, v, order.profile_version);
  const entry = { slug: v.slug, profile };
  memo?.set(key, entry);
  return entry;
}

// Profiles are shared objects (profile-cache), so each workflow's machine is built once.
const machines = new WeakMap<VendorProfile['workflow'], OrderMachine>();

/** The order machine of a profile's workflow. */
export function machineOf(profile: VendorProfile): OrderMachine {
  let machine = machines.get(profile.workflow);
  if (machine === undefined) {
    machine = buildOrderMachine(profile.workflow);
    machines.set(profile.workflow, machine);
  }
  return machine;
}

/**
 * The actions open to this actor on the order: none to a caller who only reads it, and none
 * that would end it undelivered (cancel, reject) while it has an invoice not credited, which
 * act-on-order refuses (uncredited-invoice.ts).
 */
export function actionsOn(
  order: Order,
  profile: VendorProfile,
  actor: Actor,
  uncreditedInvoice: boolean,
): OrderAction[] {
  if (readsOnly(actor, order)) return [];
  const machine = machineOf(profile);
  const status = order.status as OrderStatus;
  const actions = availableActions(machine, status, actor.roles, actor.side);
  return uncreditedInvoice ? withoutEnding(machine, status, actions) : actions;
}

/**
 * Whether the view would offer this actor an action that ends the order undelivered: only
 * then does its invoice matter, and only then is it read.
 */
export function mayOfferEnding(order: Order, profile: VendorProfile, actor: Actor): boolean {
  return offersEnding(
    machineOf(profile),
    order.status as OrderStatus,
    actionsOn(order, profile, actor, false),
  );
}

/**
 * Of a page of `orders`, those with an invoice not credited, read (one statement) only for the
 * orders on which the actor would otherwise be offered cancel or reject (the order list, the
 * SLA summary's overdue orders).
 */
export async function pageWithUncreditedInvoice(
  db: Executor,
  orders: readonly Order[],
  profileOf: (order: Order) => VendorProfile,
  actor: Actor,
): Promise<Set<string>> {
  return ordersWithUncreditedInvoice(
    db,
    orders.filter((o) => mayOfferEnding(o, profileOf(o), actor)).map((o) => o.id),
  );
}

/** The API's view of an order, with the actions open to this actor. */
export function toOrderView(
  order: Order,
  lines: readonly OrderLine[],
  vendorSlug: string,
  profile: VendorProfile,
  actor: Actor,
  /** The order's first acknowledgment when not yet stored on it (sla/order-sla.ts). */
  acknowledgedAt?: string | null,
  /**
   * The order has an invoice not credited (uncredited-invoice.ts): cancel and reject are not
   * offered. The caller reads it; a new order (the submission's answer) has none.
   */
  uncreditedInvoice = false,
  /** The order's body, when the caller has it as the object `order.body` was written from. */
  body: Partial<OrderSubmission> = JSON.parse(order.body) as Partial<OrderSubmission>,
): OrderView {
  const money = (minor: number | null): string | null =>
    minor === null ? null : formatAmount(minor, order.currency);
  const seen = partnershipVisibility(profile, actor, order);
  const hold = order.hold_reasons
    ? (JSON.parse(order.hold_reasons) as { reason?: string; problems?: ProblemItem[] })
    : null;
  const problems: ValidationProblem[] =
    order.status === 'on_hold' && hold
      ? (hold.problems ?? []).map((p) => ({ ...p, severity: 'error' as const }))
      : maskProblems(JSON.parse(order.problems) as ValidationProblem[], seen);
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
    profileVersion: order.profile_version,
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
      listPrice: seen.listPrices ? money(l.list_price_minor) : null,
      multiplier: seen.multipliers ? l.multiplier : null,
      expectedNetPrice: money(l.expected_net_minor),
      amount: formatAmount(l.amount_minor, order.currency),
      attributes: l.attributes
        ? (JSON.parse(l.attributes) as NonNullable<OrderSubmission['lines'][number]['attributes']>)
        : null,
    })),
    purchaseOrder: body.purchaseOrder ?? null,
    contacts: body.contacts ?? null,
    tier2Reseller: body.tier2Reseller ?? null,
    shippingAddress: body.shippingAddress ?? null,
    attributes: body.attributes ?? null,
    licenseIds: body.licenseIds ?? null,
    termsAccepted: body.termsAccepted ?? null,
    problems,
    holdReason: order.status === 'on_hold' ? (hold?.reason ?? null) : null,
    sla: orderSlaOf(order, acknowledgedAt),
    availableActions: actionsOn(order, profile, actor, uncreditedInvoice),
    submittedAt: order.submitted_at,
    completedAt: order.completed_at,
    updatedAt: order.updated_at,
  };
}

/** The view of a stored order (reads its lines and vendor). */
export async function viewOf(db: Executor, order: Order, actor: Actor): Promise<OrderView> {
  const { slug, profile } = await vendorOf(db, order);
  return viewWithAcknowledgment(
    db,
    order,
    await listOrderLines(db, order.id),
    slug,
    profile,
    actor,
  );
}

/**
 * The view of an order as `GET /orders/{id}` shows it: with its first acknowledgment, which an
 * order may not store yet (read from its timeline and thread, the action just recorded
 * included), and whether its invoice is credited when that decides what is offered (read only
 * then). What an action or a correction answers.
 */
export async function viewWithAcknowledgment(
  db: Executor,
  order: Order,
  lines: readonly OrderLine[],
  vendorSlug: string,
  profile: VendorProfile,
  actor: Actor,
): Promise<OrderView> {
  const acknowledged = (await acknowledgmentsOf(db, [order])).get(order.id);
  const uncredited =
    mayOfferEnding(order, profile, actor) &&
    (await uncreditedInvoiceOf(db, order.id)) !== undefined;
  return toOrderView(order, lines, vendorSlug, profile, actor, acknowledged, uncredited);
}

/**
 * Problems as a caller may read them: a price problem explains the expected net price as list
 * × multiplier, which a caller who may not see the multiplier (a tier-2 reseller, or any
 * partner where the profile hides prices) is told as the expected net price only.
 */
export function maskProblems<P extends { code: string; message: string; expected?: string }>(
  problems: readonly P[],
  seen: Pick<PartnershipVisibility, 'multipliers' | 'listPrices'>,
): P[] {
  if (seen.multipliers && seen.listPrices) return [...problems];
  return problems.map((p) =>
    p.code === 'price.mismatch' && p.expected !== undefined
      ? { ...p, message: `The net price is ${p.expected}` }
      : p,
  );
}
