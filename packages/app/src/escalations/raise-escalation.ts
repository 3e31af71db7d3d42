// Escalations: the partner's (POST /orders/{id}/escalations; 409 for an order in a final
// status) and the automatic one an SLA breach raises. The CAM is mailed at once on the order's
// thread; when the CAM has not acted on the order within the profile's window
// (sla.escalationWindow, business time) the escalation job mails the profile's escalation
// contacts. An order has one open escalation: a later breach, or the partner escalating, while
// one is open is added to it, and the CAM told of it in a follow-up. Each step is an event on
// the order's timeline (escalation.raised — the partner's, added or not —,
// escalation.forwarded; an added breach is its sla.breached).
import {
  DEFAULT_ESCALATION_WINDOW,
  TERMINAL_STATUSES,
  addSlaDuration,
  calendarOfSla,
  type VendorProfile,
} from '@orderdesk/core';
import {
  addToEscalationReason,
  findOpenEscalation,
  findOrderInScope,
  findPartnership,
  findUserById,
  insertEscalation,
  listVendorUsers,
  lockOrderRow,
  newId,
  settleEscalation,
  type Escalation,
  type EscalationSource,
  type Executor,
  type Order,
} from '@orderdesk/store';
import { requireAccess, type PartnerAccess } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { senderOf } from '../events/notify-by-profile.ts';
import { writeOrderMail } from '../messages/order-mail.ts';
import { eventActorOf, recordEvent, type EventActor } from '../events/record-event.ts';
import { orderScope } from '../orders/order-access.ts';
import { vendorOf } from '../orders/order-view.ts';
import { escalationAnswerOf } from './escalation-answer.ts';
import { conflict, notFound } from '../shared/errors.ts';
import { formatInstantForMail } from '../shared/time.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import type { EscalationBody, EscalationView } from './escalations.schemas.ts';

export function escalationViewOf(row: Escalation): EscalationView {
  const list = (json: string | null): string[] => (json ? (JSON.parse(json) as string[]) : []);
  return {
    id: row.id,
    orderId: row.order_id,
    source: row.source as EscalationView['source'],
    stage: row.stage as EscalationView['stage'],
    reason: row.reason,
    status: row.status as EscalationView['status'],
    raisedAt: row.raised_at,
    camNotified: list(row.cam_notified),
    contactDueAt: row.contact_due_at,
    contactNotified: list(row.contact_notified),
  };
}

/** The partnership's active CAM (id and address), if it has one. */
export async function camOf(
  tx: Executor,
  order: Pick<Order, 'vendor_id' | 'partner_id'>,
): Promise<{ userId: string; email: string } | null> {
  const partnership = await findPartnership(tx, order.vendor_id, order.partner_id);
  const cam = partnership?.cam_user_id
    ? await findUserById(tx, partnership.cam_user_id)
    : undefined;
  if (!cam || cam.active === 0 || cam.vendor_id !== order.vendor_id) return null;
  return { userId: cam.id, email: cam.email };
}

/** The profile's escalation contacts after the CAM: addresses, and staff of the roles named. */
export async function escalationContactsOf(
  tx: Executor,
  order: Pick<Order, 'vendor_id'>,
  profile: VendorProfile,
): Promise<string[]> {
  const to: string[] = [];
  const contacts = (profile.escalation?.contacts ?? []).filter((c) => c.role !== 'cam');
  const roles = contacts.flatMap((c) => (c.email === undefined && c.role ? [c.role] : []));
  for (const c of contacts) if (c.email) to.push(c.email);
  if (roles.length > 0) {
    for (const u of await listVendorUsers(tx, order.vendor_id)) {
      const has = (JSON.parse(u.roles) as string[]).some((r) => roles.includes(r as never));
      if (u.active !== 0 && has) to.push(u.email);
    }
  }
  return [...new Set(to)];
}

/** Writes one escalation mail on the order's thread (message + outbox row). */
export async function writeEscalationMail(
  tx: Executor,
  input: {
    order: Order;
    profile: VendorProfile;
    vendorSlug: string;
    to: readonly string[];
    template: 'escalation_cam' | 'escalation_cam_update' | 'escalation_contact';
    subject: string;
    text: string;
    eventId: string;
    at: string;
  },
): Promise<void> {
  await writeOrderMail(tx, {
    order: input.order,
    vendorSlug: input.vendorSlug,
    from: senderOf(input.profile, input.vendorSlug),
    to: input.to,
    template: input.template,
    subject: input.subject,
    text: input.text,
    thread: 'order',
    mark: input.template,
    eventId: input.eventId,
    at: input.at,
    payload: { orderId: input.order.id },
  });
}

const STAGE_TEXT = { acknowledge: 'acknowledgment', fulfil: 'fulfilment' } as const;

/**
 * Raises an escalation in the caller's transaction: the row, the event, the CAM's mail. The
 * contact is due after the profile's window (business time on the vendor's calendar).
 */
export async function raiseEscalationIn(
  tx: Executor,
  input: {
    order: Order;
    profile: VendorProfile;
    vendorSlug: string;
    source: EscalationSource;
    stage?: 'acknowledge' | 'fulfil';
    reason: string;
    actor: EventActor;
    at: Date;
  },
): Promise<Escalation> {
  const { order, profile } = input;
  const at = input.at.toISOString();
  const window = profile.sla.escalationWindow ?? DEFAULT_ESCALATION_WINDOW;
  const contactDue = addSlaDuration(calendarOfSla(profile.sla), input.at, window);
  const cam = await camOf(tx, order);
  const row: Escalation = {
    id: newId('esc'),
    vendor_id: order.vendor_id,
    partner_id: order.partner_id,
    order_id: order.id,
    source: input.source,
    stage: input.stage ?? null,
    reason: input.reason,
    status: 'awaiting_cam',
    raised_by: input.actor.userId,
    raised_at: at,
    cam_notified: JSON.stringify(cam ? [cam.email] : []),
    // No CAM to wait for: the contact is due at once.
    contact_due_at: cam ? contactDue.toISOString() : at,
    contact_notified: null,
    resolved_at: null,
  };
  await insertEscalation(tx, row);
  const event = await recordEscalationRaised(tx, order, input, at);
  if (cam) {
    const why =
      input.source === 'breach' && input.stage
        ? `The ${STAGE_TEXT[input.stage]} SLA of order ${order.number} was breached.`
        : `The partner escalated order ${order.number}.`;
    await writeEscalationMail(tx, {
      order,
      profile,
      vendorSlug: input.vendorSlug,
      to: [cam.email],
      template: 'escalation_cam',
      subject: `Escalation: order ${order.number}`,
      text: camMailText(profile, why, input.reason, row.contact_due_at),
      eventId: event.id,
      at,
    });
  }
  return row;
}

/**
 * Adds a breach to the order's escalation still awaiting the CAM (one open escalation per
 * order), in the caller's transaction, and tells the CAM of it in a short follow-up on the
 * order's thread: the escalation contact's mail names every breach added, and none of them
 * should reach the contact before the CAM. The CAM's deadline stays the escalation's. False
 * (nothing written) when the escalation is no longer open.
 */
export async function addBreachToEscalationIn(
  tx: Executor,
  input: {
    escalation: Escalation;
    order: Order;
    profile: VendorProfile;
    vendorSlug: string;
    stage: 'acknowledge' | 'fulfil';
    reason: string;
    /** The breach's `sla.breached` event: the mail hangs on it, one per breach. */
    breachEventId: string;
    at: Date;
  },
): Promise<boolean> {
  const { escalation, order } = input;
  if (!(await addToEscalationReason(tx, { id: escalation.id, line: input.reason }))) {
    return false;
  }
  await tellCamOfAddition(tx, {
    ...input,
    what: `${STAGE_TEXT[input.stage]} SLA breached`,
    opening: `The ${STAGE_TEXT[input.stage]} SLA of order ${order.number} was breached.`,
    eventId: input.breachEventId,
  });
  return true;
}

/**
 * The CAM's follow-up when something is added to an open escalation it was mailed about (one
 * mail per addition, hung on the addition's event). An escalation raised without a CAM went to
 * the contact at once: no CAM waits on it, and none is mailed.
 */
async function tellCamOfAddition(
  tx: Executor,
  input: {
    escalation: Escalation;
    order: Order;
    profile: VendorProfile;
    vendorSlug: string;
    reason: string;
    /** What was added, for the subject ("fulfil SLA breached"). */
    what: string;
    /** The mail's first sentence. */
    opening: string;
    eventId: string;
    at: Date;
  },
): Promise<void> {
  const { escalation, order, profile } = input;
  const camWasNotified = escalation.cam_notified !== null && escalation.cam_notified !== '[]';
  const cam = camWasNotified ? await camOf(tx, order) : null;
  if (!cam) return;
  await writeEscalationMail(tx, {
    order,
    profile,
    vendorSlug: input.vendorSlug,
    to: [cam.email],
    template: 'escalation_cam_update',
    subject: `Escalation: order ${order.number} (${input.what})`,
    text: camMailText(
      profile,
      `${input.opening} It is added to the order's open escalation, raised ${formatInstantForMail(escalation.raised_at, profile.sla.calendar.timeZone)}.`,
      input.reason,
      escalation.contact_due_at,
    ),
    eventId: input.eventId,
    at: input.at.toISOString(),
  });
}

/**
 * Adds a partner's escalation to the order's escalation still awaiting the CAM (one open
 * escalation per order, as for a breach), in the caller's transaction: its reason is added
 * to the open one's, the partner's `escalation.raised` goes on the timeline, and the CAM — if
 * the open one reached a CAM — is told in a follow-up. The contact's deadline stays the open
 * escalation's, so the contact gets one mail naming every reason. Null (nothing written) when
 * the escalation is no longer open.
 */
async function addPartnerEscalationIn(
  tx: Executor,
  input: {
    escalation: Escalation;
    order: Order;
    profile: VendorProfile;
    vendorSlug: string;
    reason: string;
    actor: EventActor;
    at: Date;
  },
): Promise<Escalation | null> {
  const { escalation, order } = input;
  const line = `The partner escalated: ${input.reason}`;
  if (!(await addToEscalationReason(tx, { id: escalation.id, line }))) return null;
  const at = input.at.toISOString();
  const event = await recordEscalationRaised(tx, order, input, at);
  await tellCamOfAddition(tx, {
    ...input,
    what: 'escalated by the partner',
    opening: `The partner escalated order ${order.number}.`,
    eventId: event.id,
  });
  return { ...escalation, reason: `${escalation.reason}\n${line}` };
}

/** The order's `escalation.raised`: an escalation raised, or a partner's added to the open one. */
function recordEscalationRaised(
  tx: Executor,
  order: Order,
  input: { actor: EventActor; reason: string },
  at: string,
) {
  return recordEvent(tx, {
    type: 'escalation.raised',
    entityId: order.id,
    vendorId: order.vendor_id,
    partnerId: order.partner_id,
    actor: input.actor,
    at,
    reason: input.reason,
    data: { orderId: order.id, number: order.number, orderType: order.type, reason: input.reason },
  });
}

/** The text of a mail to the CAM: what happened, the reason, and until when the CAM has. */
function camMailText(profile: VendorProfile, opening: string, reason: string, dueAt: string) {
  return [
    opening,
    '',
    `Reason: ${reason}`,
    '',
    `Please act on the order by ${formatInstantForMail(dueAt, profile.sla.calendar.timeZone)}; after that the escalation goes to ${profile.name}'s escalation contact.`,
  ].join('\n');
}

/** Orders are escalated by partner users (the vendor's side raises none by hand). */
export const ESCALATE_ORDER_ACCESS: PartnerAccess = {
  partner: 'any',
  refusal: 'Partners escalate their orders',
};

/** POST /orders/{id}/escalations: the partner that placed the order escalates it. */
export async function escalateOrder(
  ctx: AppContext,
  actor: Actor,
  input: { orderId: string; body: EscalationBody },
  options: WriteOptions = {},
): Promise<EscalationView> {
  requireAccess(actor, ESCALATE_ORDER_ACCESS);
  return inTransaction(ctx, options, async (tx) => {
    // Only the partner that placed the order escalates it (a distributor reads its reseller's
    // orders but acts on none of them: a wall, so a 404 like any stranger's).
    const order = await findOrderInScope(tx, input.orderId, orderScope(actor));
    if (!order || order.ordering_partner_id !== actor.partnerId) throw notFound('Order');
    // A completed, cancelled or rejected order has nothing left to move: nobody would answer.
    if ((TERMINAL_STATUSES as readonly string[]).includes(order.status)) {
      throw conflict(`Order ${order.number} is ${order.status}: there is nothing to escalate`, [
        {
          path: 'status',
          code: 'action.not_allowed',
          message: `The order is ${order.status}`,
          actual: order.status,
        },
      ]);
    }
    const { slug, profile } = await vendorOf(tx, order);
    const now = ctx.now();
    const common = {
      order,
      profile,
      vendorSlug: slug,
      reason: input.body.reason,
      actor: eventActorOf(actor),
      at: now,
    };
    // One open escalation per order (API.md: the contact is mailed once per escalation). The
    // order's row is locked first, as the SLA job's breach does (settleSlaStage), so a breach
    // escalating the same order meanwhile is found here, or finds this one.
    await lockOrderRow(tx, order.id);
    const open = await findOpenEscalation(tx, order.id);
    if (open) {
      const answer = await escalationAnswerOf(tx, open, order, now.toISOString());
      if (answer !== null) {
        await settleEscalation(tx, { id: open.id, status: answer, at: now.toISOString() });
      } else {
        const added = await addPartnerEscalationIn(tx, { ...common, escalation: open });
        if (added) return escalationViewOf(added);
      }
    }
    return escalationViewOf(await raiseEscalationIn(tx, { ...common, source: 'partner' }));
  });
}
