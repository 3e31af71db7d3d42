// The profile's notification rules, run for every recorded event: each matching rule becomes
// a message on the thread of the order or quote (the messages table) and an outbox row that
// the mail worker sends after commit. Rendering happens here, once, so the thread shows what
// was (or will be) sent even when no SMTP server is configured.
import {
  NOTIFICATION_EVENTS,
  notificationsFor,
  type NotificationEvent,
  type NotificationRule,
  type Recipient,
  type VendorProfile,
} from '@orderdesk/core';
import {
  enqueueOutbox,
  findOrderInScope,
  findPartnership,
  findQuoteInScope,
  findQuoteRequestInScope,
  findUserById,
  findVendorById,
  insertMessage,
  listContacts,
  listMessages,
  listPartnerUsers,
  listVendorUsers,
  type Executor,
} from '@orderdesk/store';
import { profileOf } from '../vendors/profile-cache.ts';
import type { RecordedEvent } from './record-event.ts';
import { renderNotification, type ThreadSubject } from './notification-text.ts';

const NOTIFYING = new Set<string>(NOTIFICATION_EVENTS);

/** What a thread is about, with what the recipients and the text need. */
interface Thread extends ThreadSubject {
  entityType: 'order' | 'quote';
  entityId: string;
  vendorId: string;
  partnerId: string;
  customerId: string;
  orderType: string;
  /** The partner user who placed the order / asked for the quote, when known. */
  partnerUserId: string | null;
  body: OrderBody;
}

interface OrderBody {
  contacts?: {
    siteAdmin?: { email?: string };
    provisioningCc?: string;
    invoicing?: { email?: string };
  };
  tier2Reseller?: { email?: string };
}

async function threadOf(tx: Executor, event: RecordedEvent): Promise<Thread | null> {
  const vendorId = event.vendorId;
  if (!vendorId) return null;
  const data = event.data as { orderId?: string };
  const orderId = event.subject === 'order' ? event.entityId : data.orderId;
  if (event.subject !== 'quote' && orderId) {
    const order = await findOrderInScope(tx, orderId, { vendorId });
    if (!order) return null;
    return {
      entityType: 'order',
      entityId: order.id,
      vendorId,
      partnerId: order.partner_id,
      customerId: order.customer_id,
      orderType: order.type,
      partnerUserId: order.submitted_by,
      kind: 'order',
      number: order.sales_order_number
        ? `${order.number} / ${order.sales_order_number}`
        : order.number,
      body: JSON.parse(order.body) as OrderBody,
    };
  }
  if (event.type === 'quote.requested') {
    const request = await findQuoteRequestInScope(tx, event.entityId, { vendorId });
    if (!request) return null;
    return {
      entityType: 'quote',
      entityId: request.id,
      vendorId,
      partnerId: request.partner_id,
      customerId: request.customer_id,
      orderType: request.order_type,
      partnerUserId: request.created_by,
      kind: 'quote request',
      number: request.id,
      body: {},
    };
  }
  if (event.subject === 'quote') {
    const quote = await findQuoteInScope(tx, event.entityId, { vendorId });
    if (!quote) return null;
    const request = quote.quote_request_id
      ? await findQuoteRequestInScope(tx, quote.quote_request_id, { vendorId })
      : undefined;
    return {
      entityType: 'quote',
      entityId: quote.id,
      vendorId,
      partnerId: quote.partner_id,
      customerId: quote.customer_id,
      orderType: quote.order_type,
      partnerUserId: request?.created_by ?? null,
      kind: 'quote',
      number: `${quote.number} rev. ${quote.revision}`,
      body: {},
    };
  }
  return null;
}

async function addressesOf(
  tx: Executor,
  recipient: Recipient,
  thread: Thread,
  profile: VendorProfile,
): Promise<string[]> {
  const partnership = async () => findPartnership(tx, thread.vendorId, thread.partnerId);
  switch (recipient) {
    case 'partner': {
      const user = thread.partnerUserId ? await findUserById(tx, thread.partnerUserId) : undefined;
      if (user?.partner_id) return [user.email];
      // Nobody of the partner acted yet (a quote the vendor made): its admins.
      const users = await listPartnerUsers(tx, thread.partnerId);
      return users
        .filter((u) => (JSON.parse(u.roles) as string[]).includes('partner_admin'))
        .map((u) => u.email);
    }
    case 'cam': {
      const p = await partnership();
      const cam = p?.cam_user_id ? await findUserById(tx, p.cam_user_id) : undefined;
      return cam ? [cam.email] : [];
    }
    case 'sales':
    case 'order_desk':
    case 'finance':
    case 'provisioning': {
      const staff = await listVendorUsers(tx, thread.vendorId);
      return staff
        .filter((u) => (JSON.parse(u.roles) as string[]).includes(recipient))
        .map((u) => u.email);
    }
    case 'end_user_site_admin': {
      if (thread.body.contacts?.siteAdmin?.email) return [thread.body.contacts.siteAdmin.email];
      const contacts = await listContacts(tx, thread.customerId);
      return contacts
        .filter((c) => (JSON.parse(c.roles) as string[]).includes('site_admin'))
        .map((c) => c.email);
    }
    case 'provisioning_cc': {
      if (thread.body.contacts?.provisioningCc) return [thread.body.contacts.provisioningCc];
      const p = await partnership();
      return p?.provisioning_cc ? [p.provisioning_cc] : [];
    }
    case 'invoicing_contact': {
      if (thread.body.contacts?.invoicing?.email) return [thread.body.contacts.invoicing.email];
      const p = await partnership();
      return p?.invoicing_contact_email ? [p.invoicing_contact_email] : [];
    }
    case 'tier2_reseller':
      return thread.body.tier2Reseller?.email ? [thread.body.tier2Reseller.email] : [];
    case 'escalation':
      return (profile.escalation?.contacts ?? []).flatMap((c) => (c.email ? [c.email] : []));
  }
}

async function resolve(
  tx: Executor,
  recipients: readonly Recipient[],
  thread: Thread,
  profile: VendorProfile,
): Promise<string[]> {
  const lists = await Promise.all(recipients.map((r) => addressesOf(tx, r, thread, profile)));
  return [...new Set(lists.flat())];
}

/** The vendor's sending address: its e-mail intake mailbox, else a no-reply of OrderDesk. */
export function senderOf(profile: VendorProfile, vendorSlug: string): string {
  const mailbox = profile.channels.find((c) => c.kind === 'email' && c.address)?.address;
  return mailbox ?? `no-reply@${vendorSlug}.orderdesk.invalid`;
}

/** The thread messages and outbox rows for the profile's rules that match the event. */
export async function notifyByProfile(tx: Executor, event: RecordedEvent): Promise<void> {
  if (!NOTIFYING.has(event.type) || !event.vendorId) return;
  const vendor = await findVendorById(tx, event.vendorId);
  if (!vendor) return;
  const profile = profileOf(vendor.profile);
  const thread = await threadOf(tx, event);
  if (!thread) return;
  const data = event.data as { sendWelcomeEmail?: boolean };
  const rules: NotificationRule[] = notificationsFor(
    profile,
    event.type as NotificationEvent,
    thread.orderType,
    data.sendWelcomeEmail === undefined ? {} : { sendWelcomeEmail: data.sendWelcomeEmail },
  );
  if (rules.length === 0) return;
  const earlier = await listMessages(tx, { entityType: thread.entityType, entityId: thread.entityId });
  const references = earlier.map((m) => m.message_id);
  let n = 0;
  for (const rule of rules) {
    const to = await resolve(tx, rule.to, thread, profile);
    if (to.length === 0) continue;
    const cc = (await resolve(tx, rule.cc, thread, profile)).filter((a) => !to.includes(a));
    const text = renderNotification({ event, rule, profile, thread });
    const messageId = `<${event.id}.${n++}@${vendor.slug}.orderdesk>`;
    const message = await insertMessage(tx, {
      vendorId: thread.vendorId,
      partnerId: thread.partnerId,
      entityType: thread.entityType,
      entityId: thread.entityId,
      direction: 'out',
      template: rule.template ?? event.type,
      from: senderOf(profile, vendor.slug),
      to,
      cc,
      subject: text.subject,
      text: text.text,
      attachments: [],
      status: 'queued',
      messageId,
      inReplyTo: references.at(-1) ?? null,
      references: references.length > 0 ? [...references] : null,
      eventId: event.id,
      at: event.at,
    });
    references.push(messageId);
    await enqueueOutbox(tx, {
      vendorId: thread.vendorId,
      topic: 'mail',
      entityType: thread.entityType,
      entityId: thread.entityId,
      payload: { messageId: message.id, attach: rule.attach },
      at: event.at,
    });
  }
}
