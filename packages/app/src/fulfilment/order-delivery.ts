// What has been delivered for an order, read when its completion mail is written (seed 002:
// "All order information and product files are issued by email on the corresponding Sales
// Order email thread"): the lines its fulfilments delivered, each with its shipment, the
// license keys issued, and the product files the mail carries. The mail lists exactly these,
// so that it claims nothing that is not there.
import {
  listFulfilments,
  listOrderDocuments,
  listOrderLines,
  type Executor,
  type StoredDocument,
} from '@orderdesk/store';

/** One fulfilment line: what was delivered of an order line, and how it shipped. */
export interface DeliveredLine {
  lineNo: number;
  partNumber: string;
  quantity: number;
  /** subscription_provisioned, license_keys_issued, device_shipped, seat_booked, … */
  kind: string;
  shipment: { carrier: string; trackingNumber: string | null } | null;
}

/** What an order's fulfilments delivered, oldest first. */
export interface OrderDelivery {
  lines: readonly DeliveredLine[];
  licenseKeys: readonly string[];
  /** The documents the fulfilments named (product files whatever their kind). */
  documentIds: readonly string[];
}

/** The kinds of an order's documents that are its product files (the partner's to receive). */
const PRODUCT_FILE_KINDS: readonly string[] = ['product_file', 'license'];

export async function readOrderDelivery(db: Executor, orderId: string): Promise<OrderDelivery> {
  const fulfilments = await listFulfilments(db, orderId);
  if (fulfilments.length === 0) return { lines: [], licenseKeys: [], documentIds: [] };
  const partNumbers = new Map(
    (await listOrderLines(db, orderId)).map((l) => [l.line_no, l.part_number]),
  );
  const lines: DeliveredLine[] = [];
  const licenseKeys: string[] = [];
  const documentIds: string[] = [];
  for (const { fulfilment, lines: delivered } of fulfilments) {
    const shipment = fulfilment.carrier
      ? { carrier: fulfilment.carrier, trackingNumber: fulfilment.tracking_number }
      : null;
    for (const l of delivered) {
      lines.push({
        lineNo: l.line_no,
        partNumber: partNumbers.get(l.line_no) ?? '?',
        quantity: l.quantity,
        kind: l.kind,
        shipment: l.kind === 'device_shipped' ? shipment : null,
      });
    }
    licenseKeys.push(...(JSON.parse(fulfilment.license_keys) as string[]));
    documentIds.push(...(JSON.parse(fulfilment.document_ids) as string[]));
  }
  return { lines, licenseKeys, documentIds };
}

/**
 * The order's product files, oldest first: the product and license files stored on it, and
 * whatever else a fulfilment named as one. Read when the mail is written, so that its text and
 * the files the worker attaches are the same ones.
 */
export async function readProductFiles(
  db: Executor,
  vendorId: string,
  orderId: string,
  /** What the order's fulfilments delivered, when read already (their named documents). */
  delivery?: OrderDelivery,
): Promise<StoredDocument[]> {
  const stored = await listOrderDocuments(db, vendorId, orderId);
  const named = new Set((delivery ?? (await readOrderDelivery(db, orderId))).documentIds);
  // A document a fulfilment names is one of the order's (fulfilment checks it).
  return stored.filter((d) => PRODUCT_FILE_KINDS.includes(d.kind) || named.has(d.id));
}
