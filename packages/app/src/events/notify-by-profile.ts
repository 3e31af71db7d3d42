// The profile's notification rules, run for every recorded event: each matching rule becomes
// a message on the thread of the order or quote (the messages table) and an outbox row that
// the mail worker sends after commit. Rendering happens here, once, so the thread shows what
// was (or will be) sent even when no SMTP server is configured.
import {
  invoiceConfirmsCompletion,
  NOTIFICATION_EVENTS,
  notificationsFor,
  WELCOME_EMAIL_TEMPLATE,
  type NotificationEvent,
  type NotificationRule,
  type Recipient,
  type VendorProfile,
} from '@orderdesk/core';
import {
  deferredWrites,
  findCustomerById,
  findOrderInScope,
  findPartnerById,
  findPartnership,
  findQuoteInScope,
  findQuoteRequestInScope,
  findUserById,
  findVendorById,
  insertMessageWithOutbox,
  listContacts,
  listMessages,
  listOrderLines,
  listPartnerUsers,
  listVendorUsers,
  type Executor,
  type OutboxInput,
} from '@orderdesk/store';
import {
  readOrderDelivery,
  readProductFiles,
  type OrderDelivery,
} from '../fulfilment/order-delivery.ts';
import {
  renderQuoteAttachment,
  renderSalesOrderAttachment,
  type MailAttachment,
  type MailPayload,
} from '../mail/mail-attachments.ts';
import { profileOfVendor, profileVersionOf } from '../vendors/profile-cache.ts';
import type { KnownPartnerUser, RecordedEvent } from './record-event.ts';
import { renderNotification, type ThreadSubject } from './notification-text.ts';
import { SALES_ORDER_MARK, threadIdsOf } from '../messages/thread.ts';

const NOTIFYING = new Set<string>(NOTIFICATION_EVENTS);

/**
 * What the API promises whatever the profile says: a quote request reaches the CAM, a
 * partner hears why its order is on hold or rejected, and sales hears why a quote was
 * declined. Used when the profile has no rule of its own for the event.
 */
const DEFAULT_RECIPIENTS: Partial<Record<NotificationEvent, Recipient[]>> = {
  'quote.requested': ['cam'],
  'order.held': ['partner'],
  'order.rejected': ['partner'],
  'quote.declined': ['sales'],
};

function rulesFor(
  profile: VendorProfile,
  event: NotificationEvent,
  orderType: string,
  sendWelcomeEmail: boolean | undefined,
): NotificationRule[] {
  const rules = notificationsFor(
    profile,
    event,
    orderType,
    sendWelcomeEmail === undefined ? {} : { sendWelcomeEmail },
  );
  const fallback = DEFAULT_RECIPIENTS[event];
  if (rules.length > 0 || !fallback) return rules;
  if (profile.notifications.some((r) => r.event === event)) return rules; // filtered out on purpose
  return [{ event, to: fallback, cc: [], attach: [], thread: 'order' }];
}

/** What a thread is about, with what the recipients and the text need. */
interface Thread extends ThreadSubject {
  entityType: 'order' | 'quote';
  entityId: string;
  vendorId: string;
  partnerId: string;
  /** The profile version the order lives by (null: the vendor's current one). */
  profileVersion: number | null;
  /** The partner that placed the order (a tier-2 reseller under `partnerId`), or asked. */
  orderingPartnerId: string;
  customerId: string;
  orderType: string;
  /** The partner user who placed the order / asked for the quote, when known. */
  partnerUserId: string | null;
  /** That user's row, when the caller had it in hand. */
  partnerUser?: KnownPartnerUser | undefined;
  body: OrderBody;
}

interface OrderBody {
  contacts?: {
    siteAdmin?: { name?: string; email?: string };
    provisioningCc?: string;
    invoicing?: { email?: string };
  };
  tier2Reseller?: { email?: string };
  /** Read for the mails that list them (the welcome mail); the stored body has none. */
  lines?: { partNumber?: string; quantity?: number; name?: string | null }[];
}

async function threadOf(tx: Executor, event: RecordedEvent): Promise<Thread | null> {
  const vendorId = event.vendorId;
  if (!vendorId) return null;
  const data = event.data as { orderId?: string };
  const orderId = event.subject === 'order' ? event.entityId : data.orderId;
  if (event.subject !== 'quote' && orderId) {
    const known = event.known?.order;
    const order =
      known?.id === orderId && known.vendor_id === vendorId
        ? known
        : await findOrderInScope(tx, orderId, { vendorId });
    if (!order) return null;
    // Parsed when a rule needs it: most events of an order notify nobody.
    let body: OrderBody | undefined;
    return {
      entityType: 'order',
      entityId: order.id,
      vendorId,
      partnerId: order.partner_id,
      profileVersion: order.profile_version,
      orderingPartnerId: order.ordering_partner_id,
      customerId: order.customer_id,
      orderType: order.type,
      partnerUserId: order.submitted_by,
      ...(event.known?.partnerUser?.id === order.submitted_by
        ? { partnerUser: event.known.partnerUser }
        : {}),
      kind: 'order',
      number: order.sales_order_number
        ? `${order.number} / ${order.sales_order_number}`
        : order.number,
      get body(): OrderBody {
        return (body ??= JSON.parse(order.body) as OrderBody);
      },
    };
  }
  if (event.type === 'quote.requested') {
    const request = await findQuoteRequestInScope(tx, event.entityId, { vendorId });
    if (!request) return null;
    // The CAM acts on the mail: who asks, for whom, for what.
    const partner = await findPartnerById(tx, request.requested_by_partner_id);
    const customer = await findCustomerById(tx, request.customer_id);
    const asked = JSON.parse(request.lines) as { partNumber?: string; quantity?: number }[];
    return {
      entityType: 'quote',
      entityId: request.id,
      vendorId,
      partnerId: request.partner_id,
      profileVersion: null,
      orderingPartnerId: request.requested_by_partner_id,
      customerId: request.customer_id,
      orderType: request.order_type,
      partnerUserId: request.created_by,
      kind: 'quote request',
      number: `from ${partner?.name ?? 'a partner'}`,
      details: [
        `Partner: ${partner?.name ?? request.requested_by_partner_id}`,
        `Customer: ${customer?.name ?? request.customer_id}`,
        `Order type: ${request.order_type}`,
        ...(asked.length > 0
          ? ['Asked for:', ...asked.map((l) => `- ${l.quantity ?? 1} × ${l.partNumber ?? '?'}`)]
          : []),
        ...(request.notes ? ['', `Notes: ${request.notes}`] : []),
      ],
      body: {},
    };
  }
  if (event.subject === 'quote') {
    const known = event.known?.quote;
    const quote =
      known?.id === event.entityId && known.vendor_id === vendorId
        ? known
        : await findQuoteInScope(tx, event.entityId, { vendorId });
    if (!quote) return null;
    const request = quote.quote_request_id
      ? await findQuoteRequestInScope(tx, quote.quote_request_id, { vendorId })
      : undefined;
    return {
      entityType: 'quote',
      entityId: quote.id,
      vendorId,
      partnerId: quote.partner_id,
      profileVersion: null,
      orderingPartnerId: request?.requested_by_partner_id ?? quote.partner_id,
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

// One look-up of the partnership per thread, however many recipients ask for it.
const partnerships = new WeakMap<Thread, ReturnType<typeof findPartnership>>();
function partnershipOf(tx: Executor, thread: Thread): ReturnType<typeof findPartnership> {
  let found = partnerships.get(thread);
  if (!found) {
    found = findPartnership(tx, thread.vendorId, thread.partnerId);
    partnerships.set(thread, found);
  }
  return found;
}

const isActive = (u: { active: number }): boolean => u.active !== 0;
const hasRole = (u: { roles: string }, role: string): boolean =>
  (JSON.parse(u.roles) as string[]).includes(role);

/**
 * Who hears of a quote request: the partnership's CAM; with `quotePolicy.requestRouting:
 * sales` also the sales staff; the sales staff alone when there is no active CAM, and the
 * vendor's admins if there is no one else.
 */
async function quoteRequestRecipients(
  tx: Executor,
  thread: Thread,
  profile: VendorProfile,
): Promise<string[]> {
  const to: string[] = [];
  const p = await partnershipOf(tx, thread);
  const cam = p?.cam_user_id ? await findUserById(tx, p.cam_user_id) : undefined;
  if (cam && isActive(cam) && cam.vendor_id === thread.vendorId) to.push(cam.email);
  if (profile.quotePolicy.requestRouting === 'sales' || to.length === 0) {
    const staff = (await listVendorUsers(tx, thread.vendorId)).filter(isActive);
    const extra = staff.filter((u) => hasRole(u, 'sales')).map((u) => u.email);
    if (to.length === 0 && extra.length === 0)
      extra.push(...staff.filter((u) => hasRole(u, 'vendor_admin')).map((u) => u.email));
    for (const email of extra) if (!to.includes(email)) to.push(email);
  }
  return to;
}

async function addressesOf(
  tx: Executor,
  recipient: Recipient,
  thread: Thread,
  profile: VendorProfile,
): Promise<string[]> {
  const partnership = () => partnershipOf(tx, thread);
  if (recipient === 'cam' && thread.kind === 'quote request') {
    return quoteRequestRecipients(tx, thread, profile);
  }
  switch (recipient) {
    case 'partner': {
      const user = !thread.partnerUserId
        ? undefined
        : (thread.partnerUser ?? (await findUserById(tx, thread.partnerUserId)));
      if (user?.partner_id && isActive(user)) return [user.email];
      // Nobody of the partner acted (a quote the vendor made, an order placed on the
      // partner's behalf): the admins of the partner that placed or asked for it.
      const users = await listPartnerUsers(tx, thread.orderingPartnerId);
      return users.filter((u) => isActive(u) && hasRole(u, 'partner_admin')).map((u) => u.email);
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
      return staff.filter((u) => isActive(u) && hasRole(u, recipient)).map((u) => u.email);
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

/**
 * The vendor's sending address: the profile's `mail.from`, else its e-mail intake mailbox,
 * else a no-reply of OrderDesk (`.invalid`: set `mail.from` for mail that is delivered).
 */
export function senderOf(profile: VendorProfile, vendorSlug: string): string {
  const mailbox = profile.channels.find((c) => c.kind === 'email' && c.address)?.address;
  return profile.mail?.from ?? mailbox ?? `no-reply@${vendorSlug}.orderdesk.invalid`;
}

/** The thread messages and outbox rows for the profile's rules that match the event. */
export async function notifyByProfile(tx: Executor, event: RecordedEvent): Promise<void> {
  if (!NOTIFYING.has(event.type) || !event.vendorId) return;
  const vendor =
    event.known?.vendor?.id === event.vendorId
      ? event.known.vendor
      : await findVendorById(tx, event.vendorId);
  if (!vendor) return;
  const thread = await threadOf(tx, event);
  if (!thread) return;
  // An order's mails follow the profile it lives by, like its workflow.
  const profile =
    thread.profileVersion === null
      ? await profileOfVendor(tx, vendor)
      : await profileVersionOf(tx, vendor, thread.profileVersion);
  const data = event.data as { sendWelcomeEmail?: boolean };
  const rules = rulesFor(
    profile,
    event.type as NotificationEvent,
    thread.orderType,
    data.sendWelcomeEmail,
  );
  if (rules.length === 0) return;
  if (thread.entityType === 'order' && rules.some((r) => r.template === WELCOME_EMAIL_TEMPLATE)) {
    thread.body.lines = (await listOrderLines(tx, thread.entityId)).map((l) => ({
      partNumber: l.part_number,
      quantity: l.quantity,
      name: l.name,
    }));
  }
  const earlier =
    event.known?.orderIsNew &&
    thread.entityType === 'order' &&
    thread.entityId === event.known.order?.id
      ? []
      : await listMessages(tx, { entityType: thread.entityType, entityId: thread.entityId });
  const references = earlier.map((m) => m.message_id);
  // The records a rule's attachments are rendered from when the mail is sent.
  const found = event.data as { invoiceId?: unknown; documentIds?: unknown };
  const refs: Omit<MailPayload, 'messageId' | 'attach'> = {
    ...(thread.entityType === 'quote' && thread.kind === 'quote'
      ? { quoteId: thread.entityId }
      : {}),
    ...(thread.entityType === 'order' ? { orderId: thread.entityId } : {}),
    ...(typeof found.invoiceId === 'string' ? { invoiceId: found.invoiceId } : {}),
    ...(Array.isArray(found.documentIds)
      ? { documentIds: found.documentIds.filter((d): d is string => typeof d === 'string') }
      : {}),
  };
  // An order's completion mails say what its fulfilments delivered (seed 002: "All order
  // information and product files are issued by email on the corresponding Sales Order email
  // thread"): keys, shipments, lines.
  const delivery: OrderDelivery | undefined =
    event.type === 'order.completed' && thread.entityType === 'order'
      ? await readOrderDelivery(tx, thread.entityId)
      : undefined;
  // The product files a rule attaches are the order's as they stand now, named in the text and
  // pinned in the payload: the mail lists what it carries and carries what it lists, nothing
  // when there is nothing (an event that names its files keeps them).
  const productFiles =
    thread.entityType === 'order' &&
    refs.documentIds === undefined &&
    rules.some((r) => r.attach.includes('product_files'))
      ? (await readProductFiles(tx, thread.vendorId, thread.entityId, delivery)).map((d) => ({
          id: d.id,
          name: d.name,
          contentType: d.content_type,
          size: d.size,
        }))
      : undefined;
  // The PDFs a rule attaches (the quote's, the sales order's) are listed on the thread with
  // their sizes: rendered once here to know them, as the worker renders them when it sends.
  const pdfs = new Map<string, MailAttachment | null>();
  const pdfOf = async (kind: 'quote_pdf' | 'sales_order_pdf'): Promise<MailAttachment | null> => {
    let pdf = pdfs.get(kind);
    if (pdf === undefined) {
      const { quoteId, orderId } = refs;
      const vendorId = thread.vendorId;
      pdf = null;
      if (kind === 'quote_pdf' && quoteId) {
        pdf = await renderQuoteAttachment(tx, { quoteId, vendorId, at: new Date(event.at) });
      } else if (kind === 'sales_order_pdf' && orderId) {
        pdf = await renderSalesOrderAttachment(tx, { orderId, vendorId });
      }
      pdfs.set(kind, pdf);
    }
    return pdf;
  };
  let n = 0;
  for (const rule of rules) {
    const to = await resolve(tx, rule.to, thread, profile);
    if (to.length === 0) continue;
    const cc = (await resolve(tx, rule.cc, thread, profile)).filter((a) => !to.includes(a));
    const files = rule.attach.includes('product_files') ? productFiles : undefined;
    // What the mail carries, in the order the worker attaches it; a kind with nothing to
    // attach (no product files, no quote or order to render) is neither sent nor named.
    const attachments: { name: string; contentType: string; size: number }[] = [];
    const attach: NotificationRule['attach'][number][] = [];
    for (const kind of rule.attach) {
      if (kind === 'quote_pdf' || kind === 'sales_order_pdf') {
        const pdf = await pdfOf(kind);
        if (!pdf) continue;
        attachments.push({
          name: pdf.filename,
          contentType: pdf.contentType,
          size: pdf.content.length,
        });
      } else if (kind === 'product_files' && files) {
        if (files.length === 0) continue;
        attachments.push(
          ...files.map(({ name, contentType, size }) => ({ name, contentType, size })),
        );
      }
      attach.push(kind);
    }
    const text = renderNotification({
      event,
      rule: attach.length === rule.attach.length ? rule : { ...rule, attach },
      profile,
      thread,
      delivery,
      productFiles: files,
      confirmsCompletion:
        event.type === 'invoice.issued' &&
        thread.entityType === 'order' &&
        invoiceConfirmsCompletion(
          profile,
          thread.orderType,
          earlier.some((m) => m.template === WELCOME_EMAIL_TEMPLATE),
        ),
    });
    // A rule on the sales-order thread opens a thread of its own (seed 002: "a Sales Order will
    // be created and a new thread will be opened"): its mails answer only each other.
    const salesOrder = rule.thread === 'sales_order';
    const messageId = `<${event.id}.${n++}${salesOrder ? SALES_ORDER_MARK : ''}@${vendor.slug}.orderdesk>`;
    const threadIds = threadIdsOf(
      references.map((id) => ({ message_id: id })),
      salesOrder ? 'sales_order' : 'order',
    );
    // Nothing here reads it back: on PostgreSQL it goes with the commit (deferredWrites).
    await insertMessageWithOutbox(
      deferredWrites(tx),
      {
        vendorId: thread.vendorId,
        partnerId: thread.partnerId,
        entityType: thread.entityType,
        entityId: thread.entityId,
        direction: 'out',
        template: rule.template ?? event.type,
        from: senderOf(profile, vendor.slug),
        to,
        cc,
        replyTo: profile.mail?.replyTo ?? null,
        subject: text.subject,
        text: text.text,
        attachments,
        status: 'queued',
        messageId,
        inReplyTo: threadIds.at(-1) ?? null,
        references: threadIds.length > 0 ? threadIds : null,
        eventId: event.id,
        at: event.at,
      },
      (m): OutboxInput => ({
        vendorId: thread.vendorId,
        topic: 'mail',
        entityType: thread.entityType,
        entityId: thread.entityId,
        payload: {
          messageId: m.id,
          attach,
          ...refs,
          ...(files?.length ? { documentIds: files.map((f) => f.id) } : {}),
        } satisfies MailPayload,
        at: event.at,
      }),
    );
    references.push(messageId);
  }
}
