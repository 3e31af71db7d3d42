// What the returns policy (return-policy.ts) judges, read from the store: the order's facts
// that can make a return non-refundable (its invoice, the mails that delivered it, a partner's
// download of its files) and what the returned lines are. Read when a return is requested and
// again when the vendor approves one the policy left to it, so both see the order as it is now.
import type { ProductType } from '@orderdesk/core';
import {
  firstOrderEventAt,
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

/** A returned order line as the policy sees it: its product's type and whether it ships. */
export function returnedLineOf(
  line: Pick<OrderLine, 'line_no' | 'part_number'>,
  product: Pick<Product, 'type' | 'ships'> | undefined,
): ReturnedLine {
  return {
    lineNo: line.line_no,
    partNumber: line.part_number,
    type: (product?.type as ProductType | undefined) ?? null,
    ships: product ? product.ships === 1 || product.type === 'device' : false,
  };
}
