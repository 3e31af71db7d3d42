// The order receipt a fulfilment sends when the order type's confirmation is OrderDesk's own
// completion notice (seed 002: "email you the order receipt and content"): the keys issued,
// the shipment's carrier and tracking number, the product files, on the order's thread to the
// partner user who placed it, and what is still to deliver. The fulfilment that completes the
// order sends none when the profile's order.completed rule mails the partner: that one mail
// says the order is complete and lists all that was delivered (two mails would both announce
// it). Welcome-mail and invoice confirmations are sent elsewhere (the profile's
// order.completed rule; the invoice job).
import { notificationsFor, type VendorProfile } from '@orderdesk/core';
import {
  findUserById,
  listPartnerUsers,
  type Executor,
  type Fulfilment,
  type Order,
  type OrderLine,
} from '@orderdesk/store';
import { senderOf } from '../events/notify-by-profile.ts';
import { writeOrderMail } from '../messages/order-mail.ts';

/**
 * Whether the profile's own mail on the order's completion reaches the partner (e.g. seed
 * 002's delivery mail on the sales order's thread): then the completing fulfilment's receipt
 * would say the same thing a second time.
 */
export function completionMailReachesPartner(
  profile: VendorProfile,
  orderType: string,
  sendWelcomeEmail: boolean | undefined,
): boolean {
  return notificationsFor(
    profile,
    'order.completed',
    orderType,
    sendWelcomeEmail === undefined ? {} : { sendWelcomeEmail },
  ).some((r) => r.to.includes('partner') || r.cc.includes('partner'));
}

export async function writeFulfilmentReceipt(
  tx: Executor,
  input: {
    order: Order;
    profile: VendorProfile;
    vendorSlug: string;
    fulfilment: Fulfilment;
    planned: readonly { line: OrderLine; quantity: number; kind: string }[];
    /** Units of the order still to deliver after this fulfilment. */
    remaining: number;
    eventId: string;
    at: string;
  },
): Promise<void> {
  const { order, fulfilment } = input;
  const keys = JSON.parse(fulfilment.license_keys) as string[];
  const documents = JSON.parse(fulfilment.document_ids) as string[];
  const submitter = await findUserById(tx, order.submitted_by);
  const to =
    submitter?.partner_id && submitter.active !== 0
      ? [submitter.email]
      : (await listPartnerUsers(tx, order.ordering_partner_id))
          .filter(
            (u) => u.active !== 0 && (JSON.parse(u.roles) as string[]).includes('partner_admin'),
          )
          .map((u) => u.email);
  if (to.length === 0) return;
  const text = [
    `Order ${order.number}${order.sales_order_number ? ` (sales order ${order.sales_order_number})` : ''}: delivered`,
    '',
    ...input.planned.map(
      (p) =>
        `- line ${p.line.line_no} ${p.line.part_number} × ${p.quantity}: ${p.kind.replace(/_/g, ' ')}`,
    ),
    ...(keys.length > 0 ? ['', 'License keys:', ...keys.map((k) => `  ${k}`)] : []),
    ...(fulfilment.carrier
      ? [
          '',
          `Shipped by ${fulfilment.carrier}, tracking number ${fulfilment.tracking_number ?? '—'}`,
        ]
      : []),
    ...(documents.length > 0
      ? ['', `Product files: ${documents.length} attached on the order`]
      : []),
    '',
    input.remaining > 0
      ? `Still to deliver: ${input.remaining} ${input.remaining === 1 ? 'unit' : 'units'}.`
      : 'Nothing is left to deliver: the order is complete.',
  ].join('\n');
  // What was delivered goes on the sales order's thread where the order has one (seed 002:
  // "product files are issued by email on the corresponding Sales Order email thread").
  await writeOrderMail(tx, {
    order,
    vendorSlug: input.vendorSlug,
    from: senderOf(input.profile, input.vendorSlug),
    to,
    template: 'fulfilment_receipt',
    subject: `Order receipt ${order.sales_order_number ?? order.number}`,
    text,
    thread: 'sales_order_if_any',
    mark: 'receipt',
    eventId: input.eventId,
    at: input.at,
    payload: { attach: documents.length > 0 ? ['product_files'] : [], documentIds: documents },
  });
}
