// The desk's side of mail intake: the items of its vendor, and the two decisions — convert
// (the order placed on the partner's behalf, channel email, the mail's thread moving onto the
// order) or reject (the sender gets the reason by mail). Vendor staff only; partners get 403,
// another vendor's item is not found.
import {
  decideIntakeItem,
  enqueueOutbox,
  findInboundMail,
  findIntakeItemInScope,
  findMessageByMessageId,
  findPartnerById,
  findVendorById,
  insertMessage,
  listIntakeItems,
  moveThread,
  type Executor,
  type IntakeItem,
} from '@orderdesk/store';
import { z } from 'zod';
import { requireAccess, type VendorAccess } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import type { ExtractedPurchaseOrder } from '../documents/extracted-order.ts';
import { senderOf as vendorSenderOf } from '../events/notify-by-profile.ts';
import { DOCUMENT_DEFAULT_MAX_BYTES, storeDocument } from '../documents/order-documents.ts';
import { eventActorOf, recordEvent, type EventActor } from '../events/record-event.ts';
import { parseIncomingMail } from './incoming-mail.ts';
import type { OrderView } from '../orders/order-view.ts';
import { orderSubmissionBodySchema } from '../orders/orders.schemas.ts';
import { submitOrder } from '../orders/submit-order.ts';
import { conflict, notFound, unprocessable } from '../shared/errors.ts';
import { decodeCursor, pageOf, type Page } from '../shared/paging.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { profileOfVendor } from '../vendors/profile-cache.ts';
import { applyOverrides, type IntakeValidation } from './intake-draft.ts';
import type {
  IntakeConvertBody,
  IntakeItemView,
  IntakeListQuery,
  IntakeRejectBody,
} from './intake.schemas.ts';
import type { SenderFlag } from './mail-routing.ts';

/** The intake queue is the order desk's: read, converted and rejected by it and the vendor admin. */
export const INTAKE_ACCESS: VendorAccess = { vendor: ['order_desk', 'vendor_admin'] };

async function toIntakeView(
  db: Executor,
  item: IntakeItem,
  vendorSlug: string,
): Promise<IntakeItemView> {
  const partner = item.partner_id ? await findPartnerById(db, item.partner_id) : undefined;
  return {
    id: item.id,
    vendor: vendorSlug,
    channel: item.channel,
    from: item.from_addr,
    to: JSON.parse(item.to_addrs) as string[],
    cc: JSON.parse(item.cc_addrs) as string[],
    subject: item.subject,
    text: item.body_text,
    receivedAt: item.received_at,
    partner: partner ? { id: partner.id, name: partner.name } : null,
    status: item.status,
    reason: item.reason,
    flags: JSON.parse(item.flags) as SenderFlag[],
    extracted: JSON.parse(item.extracted) as ExtractedPurchaseOrder,
    validation: JSON.parse(item.validation) as IntakeValidation,
    attachments: JSON.parse(item.attachments) as IntakeItemView['attachments'],
    draft: JSON.parse(item.draft) as IntakeItemView['draft'],
    orderId: item.order_id,
    decidedAt: item.decided_at,
  };
}

async function vendorSlugOf(db: Executor, vendorId: string): Promise<string> {
  return (await findVendorById(db, vendorId))?.slug ?? '';
}

/** The caller's vendor's intake items, newest first, optionally of one status. */
export async function listIntake(
  ctx: AppContext,
  actor: Actor | null,
  query: IntakeListQuery,
): Promise<Page<IntakeItemView>> {
  // The order desk's queue (API.md): mails with their text and attachments, not every role's.
  const staff = requireAccess(actor, INTAKE_ACCESS);
  const db = ctx.store.db;
  const before = decodeCursor(query.cursor, z.object({ id: z.string() }));
  const rows = await listIntakeItems(db, {
    vendorId: staff.vendorId,
    status: query.status,
    limit: query.limit + 1,
    ...(before ? { before: before.id } : {}),
  });
  const slug = await vendorSlugOf(db, staff.vendorId);
  const views = await Promise.all(rows.slice(0, query.limit).map((r) => toIntakeView(db, r, slug)));
  const byId = new Map(views.map((v) => [v.id, v]));
  return pageOf(
    rows,
    query.limit,
    (r) => ({ id: r.id }),
    (r) => byId.get(r.id) as IntakeItemView,
  );
}

async function itemInScope(db: Executor, vendorId: string, id: string): Promise<IntakeItem> {
  const item = await findIntakeItemInScope(db, id, { vendorId });
  if (!item) throw notFound('Intake item');
  return item;
}

export async function getIntake(
  ctx: AppContext,
  actor: Actor | null,
  id: string,
): Promise<IntakeItemView> {
  const staff = requireAccess(actor, INTAKE_ACCESS);
  const db = ctx.store.db;
  const item = await itemInScope(db, staff.vendorId, id);
  return toIntakeView(db, item, await vendorSlugOf(db, staff.vendorId));
}

function requireOpen(item: IntakeItem): void {
  if (item.status === 'converted' || item.status === 'rejected') {
    throw conflict(`The intake item is already ${item.status}`);
  }
}

/**
 * Places the order the item carries on the partner's behalf: the draft with the desk's
 * overrides, validated like any order (422 with every problem; nothing is recorded then).
 * A flagged sender needs `confirmSender: true`.
 */
export async function convertIntake(
  ctx: AppContext,
  actor: Actor | null,
  id: string,
  body: IntakeConvertBody,
  options: WriteOptions = {},
): Promise<OrderView> {
  const desk = requireAccess(actor, INTAKE_ACCESS);
  return inTransaction(ctx, options, async (tx) => {
    const item = await itemInScope(tx, desk.vendorId, id);
    requireOpen(item);
    const { confirmSender, ...overrides } = body;
    // Every flag, an unknown sender's too: naming the partner says whom the order is for, not
    // that the desk checked who wrote the mail.
    const flags = JSON.parse(item.flags) as SenderFlag[];
    if (flags.length > 0 && confirmSender !== true) {
      throw unprocessable('The sender was flagged: confirm it to convert', [
        {
          path: 'confirmSender',
          code: 'required',
          message: `Send confirmSender: true once you have checked: ${flags.map((f) => f.message).join('; ')}`,
        },
      ]);
    }
    // The item is the desk's vendor's, for the partner its sender was found to be: an
    // unreadable mail's draft may say neither.
    const merged = {
      vendor: await vendorSlugOf(tx, desk.vendorId),
      ...(item.partner_id ? { partnerId: item.partner_id } : {}),
      ...applyOverrides(JSON.parse(item.draft) as Record<string, unknown>, overrides),
      channel: 'email',
    };
    const parsed = orderSubmissionBodySchema.safeParse(merged);
    if (!parsed.success) {
      throw unprocessable(
        'The order is incomplete: give the missing fields with the conversion',
        parsed.error.issues.map((issue) => ({
          path: issue.path.map(String).join('.'),
          code:
            issue.code === 'invalid_type' && /received undefined/.test(issue.message)
              ? 'required'
              : 'invalid',
          message: issue.message,
        })),
      );
    }
    const order = await submitOrder(ctx, desk, parsed.data, { tx });
    const at = ctx.now().toISOString();
    const changed = await decideIntakeItem(tx, item.id, {
      vendorId: desk.vendorId,
      from: ['new', 'unreadable'],
      status: 'converted',
      orderId: order.id,
      decidedBy: desk.userId,
      at,
    });
    if (!changed) throw conflict('The intake item was decided meanwhile');
    // The partner's mail and our acknowledgment become the start of the order's thread, so a
    // reply to either lands on the order.
    await moveThread(
      tx,
      { entityType: 'intake', entityId: item.id },
      { entityType: 'order', entityId: order.id, partnerId: order.partnerId },
    );
    await keepAttachments(ctx, tx, item, order, eventActorOf(desk));
    await recordEvent(tx, {
      type: 'intake.converted',
      entityId: item.id,
      vendorId: desk.vendorId,
      partnerId: order.partnerId,
      actor: eventActorOf(desk),
      at,
      fromStatus: item.status,
      toStatus: 'converted',
      data: { intakeId: item.id, orderId: order.id, number: order.number },
    });
    return order;
  });
}

/** The most attachments of one mail kept on the order (the rest stay in the raw mail). */
const MAX_KEPT_ATTACHMENTS = 20;

/**
 * The mail's attachments become the order's documents (the PO as `po`), read from the raw
 * message stored at intake. A message stored only in part (over the size limit) keeps none:
 * it stays whole in the mailbox.
 */
async function keepAttachments(
  ctx: AppContext,
  tx: Executor,
  item: IntakeItem,
  order: OrderView,
  by: EventActor,
): Promise<void> {
  if (!item.inbound_mail_id) return;
  const raw = await findInboundMail(tx, item.inbound_mail_id, { vendorId: item.vendor_id });
  if (!raw || raw.truncated) return;
  const mail = await parseIncomingMail(new Uint8Array(raw.raw));
  const extracted = JSON.parse(item.extracted) as ExtractedPurchaseOrder;
  const source = extracted.notes
    .map((n) => /^Read from (.+)$/.exec(n)?.[1])
    .find((name) => name !== undefined);
  for (const a of mail.attachments.slice(0, MAX_KEPT_ATTACHMENTS)) {
    if (a.size > DOCUMENT_DEFAULT_MAX_BYTES) continue;
    await storeDocument(
      ctx,
      {
        vendorId: item.vendor_id,
        partnerId: order.partnerId,
        orderId: order.id,
        name: a.name,
        bytes: a.content,
        declaredType: a.contentType,
        kind: a.name === source ? 'po' : 'other',
        uploadedBy: by,
      },
      { tx },
    );
  }
}

/** Rejects the item; the sender gets the reason by mail, on the item's thread. */
export async function rejectIntake(
  ctx: AppContext,
  actor: Actor | null,
  id: string,
  body: IntakeRejectBody,
  options: WriteOptions = {},
): Promise<IntakeItemView> {
  const desk = requireAccess(actor, INTAKE_ACCESS);
  return inTransaction(ctx, options, async (tx) => {
    const item = await itemInScope(tx, desk.vendorId, id);
    requireOpen(item);
    const at = ctx.now().toISOString();
    const changed = await decideIntakeItem(tx, item.id, {
      vendorId: desk.vendorId,
      from: ['new', 'unreadable'],
      status: 'rejected',
      reason: body.reason,
      decidedBy: desk.userId,
      at,
    });
    if (!changed) throw conflict('The intake item was decided meanwhile');
    const vendor = await findVendorById(tx, desk.vendorId);
    if (vendor && item.from_addr !== '') {
      const profile = await profileOfVendor(tx, vendor);
      const original = await findMessageByMessageId(tx, item.message_id);
      const messageId = `<${item.id}.rejected@${vendor.slug}.orderdesk>`;
      const message = await insertMessage(tx, {
        vendorId: vendor.id,
        partnerId: item.partner_id,
        entityType: 'intake',
        entityId: item.id,
        direction: 'out',
        template: 'intake_rejection',
        from: vendorSenderOf(profile, vendor.slug),
        replyTo: profile.mail?.replyTo ?? null,
        to: [item.from_addr],
        subject: `${profile.name}: your order mail was not accepted`,
        text: [
          `We could not accept the order you sent in "${item.subject}".`,
          '',
          `Reason: ${body.reason}`,
          '',
          `Reference: ${item.id}`,
          '',
          `— ${profile.name}`,
        ].join('\n'),
        status: 'queued',
        messageId,
        inReplyTo: item.message_id,
        references: original ? [item.message_id] : null,
        at,
      });
      await enqueueOutbox(tx, {
        vendorId: vendor.id,
        topic: 'mail',
        entityType: 'intake',
        entityId: item.id,
        payload: { messageId: message.id },
        at,
      });
    }
    await recordEvent(tx, {
      type: 'intake.rejected',
      entityId: item.id,
      vendorId: desk.vendorId,
      partnerId: item.partner_id,
      actor: eventActorOf(desk),
      at,
      fromStatus: item.status,
      toStatus: 'rejected',
      reason: body.reason,
      data: { intakeId: item.id, reason: body.reason },
    });
    const updated = await itemInScope(tx, desk.vendorId, item.id);
    return toIntakeView(tx, updated, vendor?.slug ?? '');
  });
}
