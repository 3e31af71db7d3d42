import {
  fieldLabel,
  type NotificationEvent,
  type NotificationRule,
  type VendorProfile,
} from '@orderdesk/core';
import type { OrderDelivery } from '../fulfilment/order-delivery.ts';
import type { RecordedEvent } from './record-event.ts';

/** What the subject line and the text say the thread is about. */
export interface ThreadSubject {
  kind: 'order' | 'quote' | 'quote request';
  number: string;
  /** What the reader needs to act without opening anything (a quote request's contents). */
  details?: readonly string[];
  /** The order's body as submitted, where the mail speaks of its contents (the welcome mail). */
  body?: {
    contacts?: { siteAdmin?: { name?: string | undefined } | undefined } | undefined;
    lines?: readonly { partNumber?: string; quantity?: number; name?: string | null }[] | undefined;
  };
}

/** The headline of each event a profile may notify on (a test keeps the list whole). */
export const HEADLINES: Readonly<Record<NotificationEvent, string>> = {
  'order.submitted': 'We received your order',
  'order.corrected': 'The order was corrected',
  'order.approved': 'The order passed review',
  'order.held': 'The order is on hold: please correct it',
  'order.resubmitted': 'The corrected order was resubmitted',
  'order.booked': 'The order is booked',
  'order.completed': 'The order is complete',
  'order.rejected': 'The order was rejected',
  'order.cancelled': 'The order was cancelled',
  'quote.requested': 'A partner asks for a quote',
  'quote.created': 'A quote was drafted',
  'quote.approved': 'Your quote is ready',
  'quote.declined': 'The quote was declined',
  'quote.revised': 'The quote was revised',
  'quote.expired': 'The quote expired',
  'quote.ordered': 'The quote was ordered',
  'quote.released': 'The quote is available again',
  'license.authorized': 'The licenses are authorized',
  'subscription.created': 'The subscription is set up',
  'subscription.renewed': 'The subscription is renewed',
  'subscription.changed': 'The subscription is changed',
  'invoice.issued': 'Your invoice is issued',
  'invoice.failed': 'The invoice could not be issued',
  'sla.breached': 'The order is past its service level',
  'escalation.raised': 'The order was escalated',
};

/** The sentences an event's own data adds: the invoice's figures, the licenses authorized. */
function detailsOf(event: RecordedEvent): string[] {
  if (event.type === 'license.authorized') {
    // Seed 002: the follow-up confirms "the requested licenses or license line items".
    const ids = (event.data as { licenseIds?: unknown }).licenseIds;
    const named = Array.isArray(ids) ? ids.filter((i): i is string => typeof i === 'string') : [];
    return named.length > 0 ? ['Licenses authorized:', ...named.map((i) => `- ${i}`)] : [];
  }
  if (event.type !== 'invoice.issued') return [];
  const d = event.data as { number?: string; total?: string; currency?: string; dueDate?: string };
  if (!d.number) return [];
  const total = d.total ? `, total ${d.total}${d.currency ? ` ${d.currency}` : ''}` : '';
  const due = d.dueDate ? `, due ${d.dueDate}` : '';
  return [`Invoice ${d.number}${total}${due}.`];
}

/**
 * What a profile's template adds to the headline: the words the seed guides promise (the
 * order number, the welcome mail to the end user, the sales order's thread, the receipt).
 * `delivered` says whether anything was delivered with the mail (undefined: not known).
 */
const TEMPLATE_TEXT: Record<
  string,
  (number: string, vendor: string, delivered: boolean | undefined) => string
> = {
  order_number: (n) => `Your order number is ${n}. Quote it in every mail about this order.`,
  order_receipt: (n, v) =>
    `${v} received your order ${n} and will process it. The order receipt and content follow on this thread.`,
  welcome_email: (_n, v) =>
    `Welcome to ${v}. Your subscription is provisioned: your site administrator can now sign in and invite users.`,
  subscription_ready: (n) => `The subscription of order ${n} is ready to use.`,
  sales_order_created: (n) =>
    `A sales order was created for your order ${n}. Its order information and any product files are issued on this thread.`,
  // Says only what is true: what was delivered is listed after it; nothing, and it says so.
  order_delivery: (n, _v, delivered) =>
    delivered === undefined
      ? `Order ${n} is complete.`
      : delivered
        ? `Order ${n} is delivered.`
        : `No license keys, shipments or product files were recorded for order ${n}, so none come with this mail.`,
  licenses_authorized: (n) => `The licenses of order ${n} are authorized in the licensing server.`,
  // To the vendor's finance staff (the reason follows as "Reason: …"): the job retries the
  // order on every run, and mails again only when the reason changes.
  invoice_failed: (n) =>
    `OrderDesk could not issue the invoice of order ${n}. It tries again on every run of the invoice job; you hear again only if the reason changes. Correct what the reason names, or ask your OrderDesk administrator.`,
};

/** The plain-text mail for one notification rule of an event (HTML comes with the mailer). */
export function renderNotification(input: {
  event: RecordedEvent;
  rule: NotificationRule;
  profile: VendorProfile;
  thread: ThreadSubject;
  /** An invoice that is also the partner's confirmation that the order is complete. */
  confirmsCompletion?: boolean;
  /** What the order's fulfilments delivered (its completion mails). */
  delivery?: Pick<OrderDelivery, 'lines' | 'licenseKeys'> | undefined;
  /** The product files the mail carries (a rule attaching `product_files`), as listed. */
  productFiles?: readonly { name: string; contentType: string; size: number }[] | undefined;
}): { subject: string; text: string } {
  const { event, rule, profile, thread } = input;
  const headline = HEADLINES[event.type as NotificationEvent] ?? event.type;
  const label = thread.kind.charAt(0).toUpperCase() + thread.kind.slice(1);
  const details = detailsOf(event);
  const invoiceNumber = (event.data as { number?: string }).number;
  const sender = profile.mail?.fromName ?? profile.name;
  if (rule.template === 'welcome_email') return welcomeMail(input, sender);
  const subject =
    event.type === 'invoice.issued' && invoiceNumber
      ? `${profile.name} ${thread.kind} ${thread.number}: invoice ${invoiceNumber}`
      : `${profile.name} ${thread.kind} ${thread.number}: ${headline}`;
  const lines = [`${label} ${thread.number}`, '', `${headline}.`];
  if (details.length > 0) lines.push('', ...details);
  if (thread.details?.length) lines.push('', ...thread.details);
  if (input.confirmsCompletion) {
    lines.push(
      '',
      `This invoice is your confirmation that ${thread.kind} ${thread.number} is complete.`,
    );
  }
  const { delivery, productFiles } = input;
  const delivered =
    delivery === undefined
      ? undefined
      : delivery.lines.length > 0 ||
        delivery.licenseKeys.length > 0 ||
        (productFiles?.length ?? 0) > 0;
  const template = rule.template ? TEMPLATE_TEXT[rule.template] : undefined;
  if (template) lines.push('', template(thread.number, sender, delivered));
  else if (rule.template) lines.push('', `(${rule.template.replaceAll('_', ' ')})`);
  if (delivery) lines.push(...deliveryText(delivery));
  if (event.reason) lines.push('', `Reason: ${event.reason}`);
  const problems = (event.data as { problems?: { path: string; message: string }[] }).problems;
  if (problems?.length) {
    lines.push('', 'What to correct:');
    // In the words of the order form (the profile's labels), not the body's paths.
    // A problem of the order as a whole (no path) is its message alone.
    for (const p of problems) {
      lines.push(p.path ? `- ${fieldLabel(p.path, profile)}: ${p.message}` : `- ${p.message}`);
    }
  }
  const salesOrder = (event.data as { salesOrderNumber?: string | null }).salesOrderNumber;
  if (salesOrder) lines.push('', `Sales order number: ${salesOrder}`);
  // The product files by name where they are known, and none claimed when there are none.
  const attached = rule.attach.flatMap((a) =>
    a === 'product_files' && productFiles
      ? productFiles.map((f) => f.name)
      : [a.replaceAll('_', ' ')],
  );
  if (attached.length > 0) lines.push('', `Attached: ${attached.join(', ')}.`);
  lines.push('', `— ${profile.name}`);
  return { subject, text: lines.join('\n') };
}

/** The lines an order's fulfilments delivered, with their shipments, and the keys issued. */
function deliveryText(delivery: Pick<OrderDelivery, 'lines' | 'licenseKeys'>): string[] {
  const out: string[] = [];
  if (delivery.lines.length > 0) {
    out.push('', 'Delivered:');
    for (const l of delivery.lines) {
      const shipped = l.shipment
        ? ` by ${l.shipment.carrier}, tracking number ${l.shipment.trackingNumber ?? '—'}`
        : '';
      out.push(
        `- line ${l.lineNo} ${l.partNumber} × ${l.quantity}: ${l.kind.replaceAll('_', ' ')}${shipped}`,
      );
    }
  }
  if (delivery.licenseKeys.length > 0) {
    out.push('', 'License keys:', ...delivery.licenseKeys.map((k) => `- ${k}`));
  }
  return out;
}

/**
 * The welcome mail, written to the end user's site admin (seed 000: provisioning's mail to the
 * end user, the partner copied): a greeting, what was provisioned, the order it came from.
 */
function welcomeMail(
  input: { thread: ThreadSubject; profile: VendorProfile; rule: NotificationRule },
  sender: string,
): { subject: string; text: string } {
  const { thread, profile, rule } = input;
  const name = thread.body?.contacts?.siteAdmin?.name;
  const welcome = TEMPLATE_TEXT.welcome_email?.(thread.number, sender, undefined) ?? '';
  // Said only when the rule copies someone (seed 000: the partner's provisioning CC).
  const copied = rule.cc.length > 0 ? ' Your partner is copied on this mail.' : '';
  const lines = [name ? `Hello ${name},` : 'Hello,', '', `${welcome}${copied}`];
  const items = (thread.body?.lines ?? []).filter((l) => l.partNumber);
  if (items.length > 0) {
    lines.push('', 'Your subscription:');
    for (const l of items) {
      lines.push(`- ${l.quantity ?? 1} × ${l.name ? `${l.name} (${l.partNumber})` : l.partNumber}`);
    }
  }
  lines.push('', `Order reference: ${thread.number}`, '', `— ${profile.name}`);
  return {
    subject: `Welcome to ${sender}: your subscription is ready (order ${thread.number})`,
    text: lines.join('\n'),
  };
}
