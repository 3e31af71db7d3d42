// What the returns policy (return-policy.ts) judges, read from the store: the order's facts
// that can make a return non-refundable (its invoice, the mails that delivered it, a partner's
// download of its files), what the returned lines are and what of them shipped (its
// fulfilments). Read when a return is requested and again when the vendor approves one the
// policy left to it, so both see the order as it is now.
import type { ProductType } from '@orderdesk/core';
import {
  firstOrderEventAt,
  listFulfilments,
  orderInvoicedAt,
  orderMailedAt,
  type Executor,
  type OrderLine,
  type Product,
} from '@orderdesk/store';
import type { ReturnFacts, ReturnedLine } from './return-policy.ts';

/**
 * Mails that deliver an order's content (receipts with keys, product files, authorizations).
 * Not `order_receipt`: edgeworks sends it at submission to say the order arrived, with no
 * license in it, so it cannot make a license "e-mailed" (seed 002's no-refund rule).
 */
export const DELIVERY_MAIL_TEMPLATES = [
  'order_delivery',
  'fulfilment_receipt',
  'licenses_authorized',
] as const;

/** The order's invoice, delivery mail and first download, each with when it happened. */
export async function readReturnFacts(tx: Executor, orderId: string): Promise<ReturnFacts> {
  const facts: ReturnFacts = {};
  const invoice = await orderInvoicedAt(tx, orderId);
  if (invoice) facts.invoiced = { at: invoice.at, detail: `invoice ${invoice.number}` };
  const mail = await orderMailedAt(tx, { orderId, templates: DELIVERY_MAIL_TEMPLATES });
  if (mail) facts.emailed = { at: mail.at, detail: `the ${mail.template ?? 'order'} mail` };
  const download = await firstOrderEventAt(tx, { orderId, type: 'order.document_downloaded' });
  if (download) {
    const data = download.data ? (JSON.parse(download.data) as { name?: string }) : {};
    facts.downloaded = { at: download.at, detail: data.name ? `file ${data.name}` : 'a file' };
  }
  return facts;
}

/** What the order's fulfilments shipped of a line: how many units, and when the last left. */
export type LineShipment = ReturnedLine['shipped'];

/** Per order line number, the units its fulfilments shipped and when the last of them left. */
export async function readShipments(
  tx: Executor,
  orderId: string,
): Promise<Map<number, LineShipment>> {
  const shipments = new Map<number, LineShipment>();
  for (const { fulfilment, lines } of await listFulfilments(tx, orderId)) {
    for (const line of lines) {
      const before = shipments.get(line.line_no);
      const lastAt =
        before?.lastAt && new Date(before.lastAt) > new Date(fulfilment.created_at)
          ? before.lastAt
          : fulfilment.created_at;
      shipments.set(line.line_no, { quantity: (before?.quantity ?? 0) + line.quantity, lastAt });
    }
  }
  return shipments;
}

/**
 * A returned order line as the policy sees it: its product's type, whether it ships, how many
 * of its units are asked back (`unitsBack`: with its earlier returns that stand) and what of it
 * the order's fulfilments shipped.
 */
export function returnedLineOf(
  line: Pick<OrderLine, 'line_no' | 'part_number'>,
  product: Pick<Product, 'type' | 'ships'> | undefined,
  shipment: LineShipment | undefined,
  unitsBack: number,
): ReturnedLine {
  return {
    lineNo: line.line_no,
    partNumber: line.part_number,
    type: (product?.type as ProductType | undefined) ?? null,
    ships: product ? product.ships === 1 || product.type === 'device' : false,
    unitsBack,
    shipped: shipment ?? { quantity: 0, lastAt: null },
  };
}
