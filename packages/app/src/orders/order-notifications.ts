import {
  notificationsFor,
  type NotificationEvent,
  type OrderSubmission,
  type Recipient,
  type VendorProfile,
} from '@orderdesk/core';
import {
  enqueueOutbox,
  findPartnership,
  findUserById,
  listOutboxFor,
  listVendorUsers,
  type Executor,
  type Order,
} from '@orderdesk/store';

/** Resolves a profile recipient to e-mail addresses for this order. */
async function addressesOf(
  db: Executor,
  recipient: Recipient,
  order: Order,
  profile: VendorProfile,
  body: Partial<OrderSubmission>,
): Promise<string[]> {
  switch (recipient) {
    case 'partner': {
      const user = await findUserById(db, order.submitted_by);
      return user ? [user.email] : [];
    }
    case 'cam': {
      const p = await findPartnership(db, order.vendor_id, order.partner_id);
      const cam = p?.cam_user_id ? await findUserById(db, p.cam_user_id) : undefined;
      return cam ? [cam.email] : [];
    }
    case 'sales':
    case 'order_desk':
    case 'finance':
    case 'provisioning': {
      const staff = await listVendorUsers(db, order.vendor_id);
      return staff
        .filter((u) => (JSON.parse(u.roles) as string[]).includes(recipient))
        .map((u) => u.email);
    }
    case 'end_user_site_admin':
      return body.contacts?.siteAdmin?.email ? [body.contacts.siteAdmin.email] : [];
    case 'provisioning_cc': {
      if (body.contacts?.provisioningCc) return [body.contacts.provisioningCc];
      const p = await findPartnership(db, order.vendor_id, order.partner_id);
      return p?.provisioning_cc ? [p.provisioning_cc] : [];
    }
    case 'invoicing_contact': {
      if (body.contacts?.invoicing?.email) return [body.contacts.invoicing.email];
      const p = await findPartnership(db, order.vendor_id, order.partner_id);
      return p?.invoicing_contact_email ? [p.invoicing_contact_email] : [];
    }
    case 'tier2_reseller':
      return body.tier2Reseller?.email ? [body.tier2Reseller.email] : [];
    case 'escalation':
      return (profile.escalation?.contacts ?? []).flatMap((c) => (c.email ? [c.email] : []));
  }
}

/**
 * Queues the e-mails the vendor's profile asks for on an order event, in the transaction of
 * the change (the outbox); they form the order's thread.
 */
export async function notifyOrderEvent(
  db: Executor,
  input: {
    order: Order;
    profile: VendorProfile;
    event: NotificationEvent;
    at: string;
    sendWelcomeEmail?: boolean;
    reason?: string | null;
  },
): Promise<void> {
  const { order, profile, event } = input;
  const rules = notificationsFor(
    profile,
    event,
    order.type,
    input.sendWelcomeEmail === undefined ? {} : { sendWelcomeEmail: input.sendWelcomeEmail },
  );
  if (rules.length === 0) return;
  const body = JSON.parse(order.body) as Partial<OrderSubmission>;
  for (const rule of rules) {
    const to = [
      ...new Set(
        (await Promise.all(rule.to.map((r) => addressesOf(db, r, order, profile, body)))).flat(),
      ),
    ];
    const cc = [
      ...new Set(
        (await Promise.all(rule.cc.map((r) => addressesOf(db, r, order, profile, body)))).flat(),
      ),
    ];
    if (to.length === 0) continue;
    await enqueueOutbox(db, {
      vendorId: order.vendor_id,
      topic: 'mail',
      entityType: 'order',
      entityId: order.id,
      availableAt: input.at,
      payload: {
        event,
        template: rule.template ?? event,
        to,
        cc,
        attach: rule.attach,
        thread: rule.thread,
        subject: `${profile.name} order ${order.number}${order.sales_order_number ? ` / ${order.sales_order_number}` : ''}: ${event.replace('order.', '').replace('_', ' ')}`,
        ...(input.reason ? { reason: input.reason } : {}),
      },
    });
  }
}

export interface OrderMessage {
  id: string;
  at: string;
  event: string;
  template: string;
  thread: string;
  subject: string;
  to: string[];
  cc: string[];
  attach: string[];
  status: 'queued' | 'sent' | 'failed';
}

/** The order's e-mail thread, oldest first. */
export async function orderMessages(db: Executor, orderId: string): Promise<OrderMessage[]> {
  const rows = await listOutboxFor(db, 'order', orderId);
  return rows
    .filter((r) => r.topic === 'mail')
    .map((r) => {
      const p = JSON.parse(r.payload) as Omit<OrderMessage, 'id' | 'at' | 'status'>;
      return {
        id: r.id,
        at: r.created_at,
        event: p.event,
        template: p.template,
        thread: p.thread,
        subject: p.subject,
        to: p.to,
        cc: p.cc,
        attach: p.attach,
        status: r.processed_at ? 'sent' : r.last_error ? 'failed' : 'queued',
      };
    });
}
