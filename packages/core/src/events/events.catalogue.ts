// The one catalogue of domain events. Each change writes exactly one event, in the same
// transaction as the change: it is both the audit row and what drives side effects
// (notifications now; webhooks and invoices later). Names are past tense, `<subject>.<verb>`,
// and are the same everywhere: audit, notifications in a vendor profile, webhooks.
// Only types are imported here, so the profile schema can import this file without a cycle.
import type { OrderAction, OrderStatus } from '../order/order.machine.ts';
import type { Problem } from '../problems/problem.ts';
import type { QuoteAction, QuoteStatus } from '../quote/quote.machine.ts';

/** Every domain event name. */
export const DOMAIN_EVENTS = [
  'order.submitted',
  'order.corrected',
  'order.approved',
  'order.held',
  'order.resubmitted',
  'order.booked',
  'order.completed',
  'order.rejected',
  'order.cancelled',
  'quote.requested',
  'quote.created',
  'quote.approved',
  'quote.declined',
  'quote.revised',
  'quote.expired',
  'quote.ordered',
  'quote.released',
  'subscription.created',
  'subscription.renewed',
  'subscription.changed',
  'license.authorized',
  'invoice.issued',
  'invoice.requested',
  'invoice.settled',
  'invoice.failed',
  'credit_note.issued',
  'fulfilment.recorded',
  'sla.breached',
  'escalation.raised',
  'escalation.forwarded',
  'license.registered',
  'return.requested',
  'return.decided',
  'vendor.created',
  'vendor.profile_published',
  'partner.created',
  'partnership.created',
  'partnership.updated',
  'user.invited',
  'user.activated',
  'user.deactivated',
  'token.created',
  'token.revoked',
  'user.login_throttled',
  'customer.created',
  'customer.updated',
  'contact.added',
  'price_list.imported',
  'multiplier.set',
  'multiplier.ended',
  'product.created',
  'product.updated',
  'category.created',
  'category.updated',
  'intake.received',
  'intake.converted',
  'intake.rejected',
  'order.mail_received',
  'quote.mail_received',
  'order.message_posted',
  'quote.message_posted',
  'order.document_attached',
  'order.document_downloaded',
] as const;
export type DomainEventName = (typeof DOMAIN_EVENTS)[number];

/** What an event is about: the audit row's entity type. */
export const EVENT_SUBJECTS = [
  'order',
  'quote',
  'subscription',
  'license',
  'invoice',
  'vendor',
  'partner',
  'partnership',
  'user',
  'token',
  'customer',
  'price_list',
  'product',
  'category',
  'intake',
] as const;
export type EventSubject = (typeof EVENT_SUBJECTS)[number];

/** The subject of each event (the part before the dot, except where that is not an entity). */
export const EVENT_SUBJECT: Readonly<Record<DomainEventName, EventSubject>> = {
  'order.submitted': 'order',
  'order.corrected': 'order',
  'order.approved': 'order',
  'order.held': 'order',
  'order.resubmitted': 'order',
  'order.booked': 'order',
  'order.completed': 'order',
  'order.rejected': 'order',
  'order.cancelled': 'order',
  'order.document_attached': 'order',
  'order.document_downloaded': 'order',
  // A request is not yet a quote; it is recorded against the quote request's id.
  'quote.requested': 'quote',
  'quote.created': 'quote',
  'quote.approved': 'quote',
  'quote.declined': 'quote',
  'quote.revised': 'quote',
  'quote.expired': 'quote',
  'quote.ordered': 'quote',
  'quote.released': 'quote',
  'subscription.created': 'subscription',
  'subscription.renewed': 'subscription',
  'subscription.changed': 'subscription',
  'license.authorized': 'license',
  'invoice.issued': 'invoice',
  // A partner asked for its invoice again: it was mailed to the invoicing contact once more.
  'invoice.requested': 'invoice',
  'invoice.settled': 'invoice',
  // No invoice exists: recorded on the order whose invoice the scheduler could not issue.
  'invoice.failed': 'order',
  // Recorded against the invoice it reverses.
  'credit_note.issued': 'invoice',
  // What was delivered for which lines of an order.
  'fulfilment.recorded': 'order',
  // SLA breaches and escalations are about an order.
  'sla.breached': 'order',
  'escalation.raised': 'order',
  'escalation.forwarded': 'order',
  'license.registered': 'license',
  'return.requested': 'order',
  'return.decided': 'order',
  'vendor.created': 'vendor',
  'vendor.profile_published': 'vendor',
  'partner.created': 'partner',
  'partnership.created': 'partnership',
  'partnership.updated': 'partnership',
  'user.invited': 'user',
  'user.activated': 'user',
  'user.deactivated': 'user',
  'token.created': 'token',
  'token.revoked': 'token',
  'user.login_throttled': 'user',
  'customer.created': 'customer',
  'customer.updated': 'customer',
  'contact.added': 'customer',
  'price_list.imported': 'price_list',
  'multiplier.set': 'partnership',
  'multiplier.ended': 'partnership',
  'product.created': 'product',
  'product.updated': 'product',
  'category.created': 'category',
  'category.updated': 'category',
  'intake.received': 'intake',
  'intake.converted': 'intake',
  'intake.rejected': 'intake',
  // A partner's mail joined the thread of an order or quote (mail intake).
  'order.mail_received': 'order',
  'quote.mail_received': 'quote',
  // Someone wrote on the thread of an order or quote from OrderDesk (POST …/messages).
  'order.message_posted': 'order',
  'quote.message_posted': 'quote',
};

/** Data shared by every order event. */
export interface OrderEventBase {
  orderId: string;
  number: string;
  /** The order type key of the profile (notifications select on it). */
  orderType: string;
}

/** A document on an order (documents: the PO PDF, product files, license files). */
export interface OrderDocumentData {
  documentId: string;
  name: string;
  kind: string;
  sha256: string;
}

/** An order moved by an action of the order machine. */
export interface OrderTransitionData extends OrderEventBase {
  from: OrderStatus;
  to: OrderStatus;
  reason?: string | null;
}

/** Data shared by every quote event. */
export interface QuoteEventBase {
  quoteId: string;
  number: string;
  /** The quote's revision (1, 2, ...), not its concurrency version. */
  revision: number;
  orderType: string;
}

/** A quote moved by an action of the quote machine. */
export interface QuoteTransitionData extends QuoteEventBase {
  from: QuoteStatus;
  to: QuoteStatus;
  reason?: string | null;
}

/** The subscription dates and term an event leaves behind. */
export interface SubscriptionTermData {
  subscriptionId: string;
  customerId: string;
  /** The order that made the change. */
  orderId: string;
  startsOn: string;
  endsOn: string;
  termMonths: number;
}

/** The typed `data` of each event. */
export interface DomainEventData {
  'order.submitted': OrderEventBase & {
    to: 'submitted';
    quoteId?: string | null;
    channel?: string;
    /** The vendor profile version the order was validated under. */
    profileVersion?: number;
  };
  /** `previous` holds what the corrected fields said before, so nothing the partner sent is lost. */
  'order.corrected': OrderEventBase & { fields: string[]; previous?: Record<string, unknown> };
  'order.approved': OrderTransitionData;
  'order.held': OrderTransitionData & { problems?: Problem[] };
  'order.resubmitted': OrderTransitionData;
  'order.booked': OrderTransitionData & { salesOrderNumber?: string | null };
  'order.completed': OrderTransitionData & { sendWelcomeEmail?: boolean };
  'order.rejected': OrderTransitionData;
  'order.cancelled': OrderTransitionData;
  'quote.requested': {
    requestId: string;
    customerId: string;
    orderType?: string | null;
    message?: string | null;
  };
  'quote.created': QuoteEventBase & { requestId?: string | null };
  'quote.approved': QuoteTransitionData;
  'quote.declined': QuoteTransitionData;
  /** Recorded on the superseded revision; names the revision that replaces it. */
  'quote.revised': QuoteTransitionData & {
    supersededBy: { quoteId: string; revision: number };
  };
  'quote.expired': QuoteTransitionData;
  'quote.ordered': QuoteTransitionData & { orderId: string };
  /** The order that used the quote was rejected or cancelled, or moved to another quote. */
  'quote.released': QuoteTransitionData & { orderId: string };
  'subscription.created': SubscriptionTermData;
  'subscription.renewed': SubscriptionTermData & { previousEndsOn: string };
  'subscription.changed': SubscriptionTermData & { effect: 'change' | 'add' };
  'license.authorized': { licenseIds: string[]; orderId?: string | null };
  'invoice.issued': {
    invoiceId: string;
    number: string;
    orderId: string;
    total: string;
    /** Since 2026-12-04 (the invoice mail names them); older events have neither. */
    currency?: string;
    dueDate?: string;
  };
  'invoice.requested': { invoiceId: string; number: string; orderId: string; to: string[] };
  'invoice.settled': { invoiceId: string; number: string; orderId: string; paidOn: string };
  /**
   * The invoice job could not issue the order's invoice: why (the error's message, trimmed),
   * also the event's reason. Recorded again only when the reason changes.
   */
  'invoice.failed': OrderEventBase & { message: string };
  'credit_note.issued': {
    invoiceId: string;
    creditNoteId: string;
    number: string;
    orderId: string;
    total: string;
  };
  'fulfilment.recorded': OrderEventBase & {
    fulfilmentId: string;
    lines: { lineNo: number; quantity: number; kind: string }[];
    carrier?: string | null;
    trackingNumber?: string | null;
    licenseKeys?: number;
    documentIds?: string[];
  };
  'sla.breached': OrderEventBase & { target: 'acknowledge' | 'fulfil'; dueAt: string };
  'escalation.raised': OrderEventBase & { reason: string };
  /** The CAM had not acted within the window: the escalation went on to the contact. */
  'escalation.forwarded': OrderEventBase & { escalationId: string; to: string[] };
  /** An OEM partner's licensing server registered licenses (unauthorized). */
  'license.registered': { licenseIds: string[]; partnerId: string };
  /** A partner asked to return lines of an order, and the profile's policy left it to the vendor. */
  'return.requested': OrderEventBase & {
    returnId: string;
    status: 'requested';
    lines: { lineNo: number; quantity: number }[];
  };
  /**
   * A return decided: at once by the profile's returns policy when the partner asked (its
   * actor the partner), or later by the vendor's staff (`POST /returns/{id}/actions/…`).
   * (Events recorded before `return.requested` existed may carry `status: 'requested'`.)
   */
  'return.decided': OrderEventBase & {
    returnId: string;
    status: 'approved' | 'refused';
    code?: string | null;
    rmaNumber?: string | null;
  };
  'vendor.created': { vendorId: string; slug: string; name: string };
  'vendor.profile_published': {
    vendorId: string;
    slug: string;
    profileVersion: number;
    schemaVersion: number;
  };
  'partner.created': {
    partnerId: string;
    name: string;
    tier: 1 | 2;
    parentPartnerId?: string | null;
  };
  'partnership.created': { partnershipId: string; vendorId: string; partnerId: string };
  'partnership.updated': { partnershipId: string; fields: string[] };
  'user.invited': { userId: string; email: string; roles: string[] };
  'user.activated': { userId: string };
  'user.deactivated': { userId: string; sessionsEnded: number; tokensRevoked: number };
  'token.created': { tokenId: string; userId: string; name?: string | null };
  'token.revoked': { tokenId: string; userId: string };
  /**
   * Failed logins began to be throttled for the user: from one client address (`scope`
   * `address`, growing delays) or from everywhere but known devices (`account`, the ceiling).
   */
  'user.login_throttled': {
    userId: string;
    scope: 'address' | 'account';
    clientAddress: string | null;
    failures: number;
    blockedSeconds: number;
  };
  'customer.created': { customerId: string; name: string };
  'customer.updated': { customerId: string; fields: string[] };
  'contact.added': { customerId: string; contactId: string; role?: string | null };
  'price_list.imported': {
    priceListId: string;
    currency: string;
    effectiveFrom: string;
    rows: number;
  };
  'multiplier.set': {
    partnershipId: string;
    categoryId: string | null;
    multiplier: string;
    effectiveFrom: string;
  };
  'multiplier.ended': { partnershipId: string; multiplierId: string; effectiveTo: string | null };
  'product.created': { productId: string; partNumber: string };
  /** `deactivated`/`reactivated` when the change was to `active`. */
  'product.updated': { productId: string; partNumber: string; fields: string[] };
  'category.created': { categoryId: string; key: string; name: string };
  'category.updated': { categoryId: string; fields: string[] };
  'intake.received': { intakeId: string; messageId: string; status: string; from: string };
  'intake.converted': { intakeId: string; orderId: string; number: string };
  'intake.rejected': { intakeId: string; reason: string };
  'order.mail_received': { orderId: string; messageId: string; from: string };
  'quote.mail_received': { quoteId: string; messageId: string; from: string };
  /** A message written on the order's thread in OrderDesk, and whom it was mailed to. */
  'order.message_posted': OrderEventBase & { messageId: string; to: string[] };
  /** A message written on the quote's thread in OrderDesk, and whom it was mailed to. */
  'quote.message_posted': QuoteEventBase & { messageId: string; to: string[] };
  'order.document_attached': OrderEventBase & OrderDocumentData;
  /** A partner downloaded a license or product file: a return may no longer be refundable. */
  'order.document_downloaded': OrderEventBase & OrderDocumentData;
}

/** One domain event: a name and its typed data (discriminated on `type`). */
export type DomainEvent = {
  [Name in DomainEventName]: { readonly type: Name; readonly data: DomainEventData[Name] };
}[DomainEventName];

/** The event of one name. */
export type DomainEventOf<Name extends DomainEventName> = Extract<DomainEvent, { type: Name }>;

/** The event each order action records. */
export const ORDER_ACTION_EVENTS = {
  approve: 'order.approved',
  hold: 'order.held',
  resubmit: 'order.resubmitted',
  book: 'order.booked',
  complete: 'order.completed',
  reject: 'order.rejected',
  cancel: 'order.cancelled',
} as const satisfies Readonly<Record<OrderAction, DomainEventName>>;

/** The event each quote action records. */
export const QUOTE_ACTION_EVENTS = {
  approve: 'quote.approved',
  decline: 'quote.declined',
  revise: 'quote.revised',
  expire: 'quote.expired',
  order: 'quote.ordered',
  release: 'quote.released',
} as const satisfies Readonly<Record<QuoteAction, DomainEventName>>;

/**
 * Events a vendor profile may attach notifications to (`notifications[].event`): a subset of
 * the catalogue with the same names. Administrative events (users, tokens, price lists) are
 * not the partner's business and have their own fixed mails.
 */
export const NOTIFICATION_EVENTS = [
  'order.submitted',
  'order.corrected',
  'order.approved',
  'order.held',
  'order.resubmitted',
  'order.booked',
  'order.completed',
  'order.rejected',
  'order.cancelled',
  'quote.requested',
  'quote.created',
  'quote.approved',
  'quote.declined',
  'quote.revised',
  'quote.expired',
  'quote.ordered',
  'quote.released',
  'subscription.created',
  'subscription.renewed',
  'subscription.changed',
  'license.authorized',
  'invoice.issued',
  'invoice.failed',
  'sla.breached',
  'escalation.raised',
] as const satisfies readonly DomainEventName[];
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/**
 * Events of an order's timeline that only the vendor's staff see: the vendor's internal
 * business (an invoice its scheduler could not issue), not the partner's.
 */
export const VENDOR_ONLY_EVENTS = ['invoice.failed'] as const satisfies readonly DomainEventName[];

/** Whether `name` is an event the partner does not see on an order's timeline. */
export function isVendorOnlyEvent(name: string): boolean {
  return (VENDOR_ONLY_EVENTS as readonly string[]).includes(name);
}

/** Old notification event names and the catalogue name that replaces each. */
export const RENAMED_NOTIFICATION_EVENTS: Readonly<Record<string, NotificationEvent>> = {
  'order.on_hold': 'order.held',
  // A quote was "issued" when it was approved: one event, one name.
  'quote.issued': 'quote.approved',
};

/** Whether `name` is a domain event name. */
export function isDomainEventName(name: string): name is DomainEventName {
  return (DOMAIN_EVENTS as readonly string[]).includes(name);
}

/** Whether `name` is an event a profile may attach notifications to. */
export function isNotificationEvent(name: string): name is NotificationEvent {
  return (NOTIFICATION_EVENTS as readonly string[]).includes(name);
}

/** Builds a typed event (a helper so callers get the `data` shape checked against the name). */
export function domainEvent<Name extends DomainEventName>(
  type: Name,
  data: DomainEventData[Name],
): DomainEventOf<Name> {
  return { type, data } as DomainEventOf<Name>;
}
