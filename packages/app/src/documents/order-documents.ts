// Documents on orders (issue 10, point 6; API.md "Documents"): the partner's PO PDF, product
// files and license files. The bytes go to the DocumentStorage (disk by default), the row
// records the sniffed content type, the size and the SHA-256. A PDF attached as a PO is read
// by the same reader as mail intake, and what it says is compared to the order for the desk.
// A partner's download of a license or product file is an event on the order: seed 002's
// refund rule ("no credit once … downloaded") reads it.
import { createHash } from 'node:crypto';
import { toMinor } from '@orderdesk/core';
import {
  findOrderDocument,
  findOrderInScope,
  insertDocument,
  listOrderDocuments as listOrderDocumentRows,
  newDocumentId,
  type Executor,
  type Order,
  type StoredDocument,
} from '@orderdesk/store';
import { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { eventActorOf, recordEvent, type EventActor } from '../events/record-event.ts';
import { orderScope, requirePlacedBy } from '../orders/order-access.ts';
import { AppError, notFound, type ProblemItem } from '../shared/errors.ts';
import { decodeCursor, pageOf, type Page, type PageQuery } from '../shared/paging.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import type { ExtractedPurchaseOrder } from './extracted-order.ts';
import {
  DOCUMENT_KINDS,
  DOWNLOAD_RECORDED_KINDS,
  type DocumentExtraction,
  type DocumentKind,
  type OrderDocumentView,
} from './order-documents.schemas.ts';
import { readPurchaseOrderPdf } from './po-pdf/read-po-pdf.ts';
import { documentStorageOf } from './storage/document-storage.ts';

/** The default upper bound of one document (DOCUMENT_MAX_BYTES overrides it). */
export const DOCUMENT_DEFAULT_MAX_BYTES = 25 * 1024 * 1024;

const PDF = 'application/pdf';
const OCTET_STREAM = 'application/octet-stream';

/** file-type's sniffer, loaded with the first document rather than at start. */
async function fileTypeFromBuffer(bytes: Uint8Array): Promise<{ mime: string } | undefined> {
  const { fileTypeFromBuffer: sniff } = await import('file-type');
  return sniff(bytes);
}

/** The declared type is believed only for text, and only if the bytes are text. */
async function sniffContentType(bytes: Uint8Array, declared: string | undefined): Promise<string> {
  const sniffed = await fileTypeFromBuffer(bytes);
  if (sniffed) return sniffed.mime;
  const type = declared?.split(';')[0]?.trim().toLowerCase();
  if (type && /^text\/[a-z0-9.+-]+$/.test(type) && looksLikeText(bytes)) {
    return `${type}; charset=utf-8`;
  }
  return OCTET_STREAM;
}

function looksLikeText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** A file name safe to store and to send back: no path, no control characters. */
export function cleanDocumentName(name: string | undefined): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  const clean = base
    .replace(/[\u0000-\u001f\u007f"]/g, '')
    .trim()
    .slice(0, 255);
  return clean === '' || clean === '.' || clean === '..' ? 'document' : clean;
}

function tooLarge(size: number, maxBytes: number): AppError {
  return new AppError('too_large', 'payload-too-large', `The document exceeds ${maxBytes} bytes`, [
    {
      path: 'file',
      code: 'limit.maxBytes',
      message: `At most ${maxBytes} bytes`,
      expected: `≤ ${maxBytes}`,
      actual: String(size),
    },
  ]);
}

export interface StoreDocumentInput {
  vendorId: string;
  /** The partnership holder of the order (null for a vendor's own file). */
  partnerId: string | null;
  orderId: string | null;
  name: string;
  bytes: Uint8Array;
  /** The type the sender declared: used only for text the sniffer cannot name. */
  declaredType?: string | undefined;
  kind: DocumentKind;
  uploadedBy: EventActor;
  extraction?: DocumentExtraction | undefined;
  maxBytes?: number | undefined;
}

/**
 * Stores one document: the bytes in the storage, the row (sniffed type, size, SHA-256) in the
 * transaction. For other use cases (fulfilment's product files, intake's PO PDFs), which
 * record their own event. The bytes are written before the row: a transaction that rolls
 * back leaves an unreferenced file, never a row without its bytes.
 */
export async function storeDocument(
  ctx: AppContext,
  input: StoreDocumentInput,
  options: WriteOptions = {},
): Promise<StoredDocument> {
  const row = await putDocumentBytes(ctx, input);
  return inTransaction(ctx, options, (tx) => insertDocument(tx, row));
}

/** Sniffs, hashes and stores the bytes: the row to insert, outside any transaction. */
async function putDocumentBytes(
  ctx: AppContext,
  input: StoreDocumentInput,
): Promise<StoredDocument> {
  const maxBytes = input.maxBytes ?? DOCUMENT_DEFAULT_MAX_BYTES;
  if (input.bytes.byteLength > maxBytes) throw tooLarge(input.bytes.byteLength, maxBytes);
  const contentType = await sniffContentType(input.bytes, input.declaredType);
  const sha256 = createHash('sha256').update(input.bytes).digest('hex');
  const id = newDocumentId();
  const storageKey = `${input.vendorId}/${id}`;
  await documentStorageOf(ctx).put(storageKey, input.bytes);
  return {
    id,
    vendor_id: input.vendorId,
    partner_id: input.partnerId,
    order_id: input.orderId,
    name: cleanDocumentName(input.name),
    content_type: contentType,
    size: input.bytes.byteLength,
    sha256,
    storage_key: storageKey,
    kind: input.kind,
    uploaded_by: input.uploadedBy.userId,
    uploaded_by_label: input.uploadedBy.label,
    extraction: input.extraction ? JSON.stringify(input.extraction) : null,
    created_at: ctx.now().toISOString(),
  };
}

/** The API's view of a document row. */
export function documentViewOf(row: StoredDocument): OrderDocumentView {
  const kind = (DOCUMENT_KINDS as readonly string[]).includes(row.kind)
    ? (row.kind as DocumentKind)
    : 'other';
  return {
    id: row.id,
    name: row.name,
    contentType: row.content_type,
    size: Number(row.size),
    sha256: row.sha256,
    kind,
    orderId: row.order_id,
    uploadedBy: row.uploaded_by_label,
    uploadedAt: row.created_at,
    ...(row.extraction ? { extraction: JSON.parse(row.extraction) as DocumentExtraction } : {}),
  };
}

async function orderOf(ctx: AppContext, db: Executor, actor: Actor, id: string): Promise<Order> {
  const order = await findOrderInScope(db, id, orderScope(actor));
  if (!order) throw notFound('Order');
  return order;
}

function normalText(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

function minorOf(value: string, currency: string): number | undefined {
  try {
    return toMinor(value, currency);
  } catch {
    return undefined;
  }
}

/**
 * Where a PO PDF and the order disagree, as problems the desk reads: the PO number, the
 * currency, the total (exact, in minor units) and the special-terms clause.
 */
export function compareExtractionToOrder(
  extracted: ExtractedPurchaseOrder,
  order: Pick<Order, 'po_number' | 'currency' | 'total_minor' | 'body'>,
): ProblemItem[] {
  const problems: ProblemItem[] = [];
  const body = JSON.parse(order.body) as {
    purchaseOrder?: { total?: string; specialTerms?: string };
  };
  const pdf = extracted.purchaseOrder;
  if (!pdf.number) {
    problems.push({
      path: 'purchaseOrder.number',
      code: 'required',
      message: 'No PO number was found in the PDF',
    });
  } else if (order.po_number && pdf.number.trim() !== order.po_number.trim()) {
    problems.push({
      path: 'purchaseOrder.number',
      code: 'invalid',
      message: 'The PDF carries another PO number than the order',
      expected: order.po_number,
      actual: pdf.number,
    });
  }
  if (pdf.currency && pdf.currency !== order.currency) {
    problems.push({
      path: 'purchaseOrder.currency',
      code: 'currency.mismatch',
      message: 'The PDF is in another currency than the order',
      expected: order.currency,
      actual: pdf.currency,
    });
  }
  if (!pdf.total) {
    problems.push({
      path: 'purchaseOrder.total',
      code: 'required',
      message: 'No total was found in the PDF',
    });
  } else if (minorOf(pdf.total, order.currency) !== Number(order.total_minor)) {
    problems.push({
      path: 'purchaseOrder.total',
      code: 'total.mismatch',
      message: "The PDF's total differs from the order's",
      expected: body.purchaseOrder?.total ?? String(order.total_minor),
      actual: pdf.total,
    });
  }
  const clause = body.purchaseOrder?.specialTerms;
  if (clause && clause.trim() !== '') {
    const inPdf = extracted.specialTermsText;
    if (!inPdf) {
      problems.push({
        path: 'purchaseOrder.specialTerms',
        code: 'special_terms.missing',
        message: "The order's special-terms clause is not in the PDF",
        expected: clause,
      });
    } else if (!normalText(inPdf).includes(normalText(clause))) {
      problems.push({
        path: 'purchaseOrder.specialTerms',
        code: 'special_terms.mismatch',
        message: "The PDF's special terms differ from the order's clause",
        expected: clause,
        actual: inPdf,
      });
    }
  }
  return problems;
}

/** Whether the caller may attach to the order: 404 outside their scope, 403 when they only read it. */
export async function checkDocumentAttach(
  ctx: AppContext,
  actor: Actor,
  input: { orderId: string },
): Promise<void> {
  requirePlacedBy(actor, await orderOf(ctx, ctx.store.db, actor, input.orderId));
}

export interface AttachDocumentInput {
  orderId: string;
  name: string | undefined;
  bytes: Uint8Array;
  declaredType?: string | undefined;
  /** Default: `po` for a PDF that reads as a purchase order, else `other`. */
  kind?: DocumentKind | undefined;
  maxBytes?: number | undefined;
}

/** A document read and its bytes stored, not yet on its order (prepareOrderDocument). */
export interface PreparedOrderDocument {
  order: Order;
  row: StoredDocument;
}

/**
 * Attaches a document to an order: the partner that placed the order or the vendor's staff
 * (a distributor reads its reseller's documents but does not add to them). A PDF attached as
 * a PO (or without a kind) is read like a mailed PO and compared to the order.
 */
export async function attachOrderDocument(
  ctx: AppContext,
  actor: Actor,
  input: AttachDocumentInput,
  options: WriteOptions = {},
): Promise<OrderDocumentView> {
  return recordOrderDocument(
    ctx,
    actor,
    await prepareOrderDocument(ctx, actor, input, options),
    options,
  );
}

/**
 * The slow half of attachOrderDocument, meant to run outside any transaction: checks the
 * caller and the file, reads a PDF (it may take seconds, a transaction should not) and writes
 * the bytes to the storage (a file write need not hold a database lock). Nothing is on the
 * order until recordOrderDocument; a prepared document that is not recorded is thrown away
 * with discardOrderDocument (or left as an unreferenced file, never a row without its bytes).
 */
export async function prepareOrderDocument(
  ctx: AppContext,
  actor: Actor,
  input: AttachDocumentInput,
  options: WriteOptions = {},
): Promise<PreparedOrderDocument> {
  const order = await orderOf(ctx, options.tx ?? ctx.store.db, actor, input.orderId);
  requirePlacedBy(actor, order);
  const maxBytes = input.maxBytes ?? DOCUMENT_DEFAULT_MAX_BYTES;
  if (input.bytes.byteLength > maxBytes) throw tooLarge(input.bytes.byteLength, maxBytes);
  if (input.bytes.byteLength === 0) {
    throw new AppError('invalid_input', 'bad-request', 'The document is empty', [
      { path: 'file', code: 'required', message: 'Send a file with content' },
    ]);
  }
  // Without a kind: what the vendor's staff attach is a product file (API.md: "the PO PDF,
  // product files"), so a partner's download of it is recorded; the partner's own, other.
  let kind: DocumentKind = input.kind ?? (actor.side === 'vendor' ? 'product_file' : 'other');
  let extraction: DocumentExtraction | undefined;
  const isPdf = (await fileTypeFromBuffer(input.bytes))?.mime === PDF;
  if (isPdf && (input.kind === undefined || input.kind === 'po')) {
    const read = await readPurchaseOrderPdf(input.bytes);
    const at = ctx.now().toISOString();
    if (read.ok) {
      kind = 'po';
      extraction = {
        ok: true,
        extracted: read.extracted,
        problems: compareExtractionToOrder(read.extracted, order),
        at,
      };
    } else if (input.kind === 'po') {
      extraction = { ok: false, reason: read.reason, problems: [], at };
    }
  }
  const row = await putDocumentBytes(ctx, {
    vendorId: order.vendor_id,
    partnerId: order.partner_id,
    orderId: order.id,
    name: cleanDocumentName(input.name),
    bytes: input.bytes,
    declaredType: input.declaredType,
    kind,
    uploadedBy: eventActorOf(actor),
    extraction,
    maxBytes,
  });
  return { order, row };
}

/** Puts a prepared document on its order, with its `order.document_attached` event. */
export async function recordOrderDocument(
  ctx: AppContext,
  actor: Actor,
  prepared: PreparedOrderDocument,
  options: WriteOptions = {},
): Promise<OrderDocumentView> {
  const { order } = prepared;
  const row = await inTransaction(ctx, options, async (tx) => {
    const stored = await insertDocument(tx, prepared.row);
    await recordEvent(tx, {
      type: 'order.document_attached',
      entityId: order.id,
      vendorId: order.vendor_id,
      partnerId: order.partner_id,
      actor: eventActorOf(actor),
      at: stored.created_at,
      data: {
        orderId: order.id,
        number: order.number,
        orderType: order.type,
        documentId: stored.id,
        name: stored.name,
        kind: stored.kind,
        sha256: stored.sha256,
      },
    });
    return stored;
  });
  return documentViewOf(row);
}

/** Removes the bytes of a prepared document that was not recorded (nothing refers to them). */
export async function discardOrderDocument(
  ctx: AppContext,
  prepared: PreparedOrderDocument,
): Promise<void> {
  await documentStorageOf(ctx).delete(prepared.row.storage_key);
}

const documentCursorSchema = z.object({ createdAt: z.string(), id: z.string() });

/** The documents of an order the caller may see, oldest first, a page at a time. */
export async function listOrderDocuments(
  ctx: AppContext,
  actor: Actor,
  input: { orderId: string } & PageQuery,
): Promise<Page<OrderDocumentView>> {
  const order = await orderOf(ctx, ctx.store.db, actor, input.orderId);
  const rows = await listOrderDocumentRows(ctx.store.db, order.vendor_id, order.id, {
    limit: input.limit + 1,
    after: decodeCursor(input.cursor, documentCursorSchema),
  });
  return pageOf(
    rows,
    input.limit,
    (last) => ({ createdAt: last.created_at, id: last.id }),
    documentViewOf,
  );
}

async function documentOf(
  ctx: AppContext,
  db: Executor,
  actor: Actor,
  input: { orderId: string; documentId: string },
): Promise<{ order: Order; row: StoredDocument }> {
  const order = await orderOf(ctx, db, actor, input.orderId);
  const row = await findOrderDocument(db, order.vendor_id, order.id, input.documentId);
  if (!row) throw notFound('Document');
  return { order, row };
}

/**
 * A document's bytes. A partner's download of a license or product file is recorded on the
 * order (`order.document_downloaded`) in the same transaction that reads the row.
 */
export async function readOrderDocument(
  ctx: AppContext,
  actor: Actor,
  input: { orderId: string; documentId: string },
  options: WriteOptions = {},
): Promise<{ document: OrderDocumentView; bytes: Uint8Array }> {
  const { order, row } = await documentOf(ctx, options.tx ?? ctx.store.db, actor, input);
  const bytes = await documentStorageOf(ctx).get(row.storage_key);
  if (!bytes) {
    throw new AppError(
      'unavailable',
      'document-unavailable',
      "The document's content is not in the document storage",
    );
  }
  const document = documentViewOf(row);
  if (actor.side === 'partner' && DOWNLOAD_RECORDED_KINDS.includes(document.kind)) {
    await inTransaction(ctx, options, (tx) =>
      recordEvent(tx, {
        type: 'order.document_downloaded',
        entityId: order.id,
        vendorId: order.vendor_id,
        partnerId: order.partner_id,
        actor: eventActorOf(actor),
        at: ctx.now().toISOString(),
        data: {
          orderId: order.id,
          number: order.number,
          orderType: order.type,
          documentId: row.id,
          name: row.name,
          kind: row.kind,
          sha256: row.sha256,
        },
      }),
    );
  }
  return { document, bytes };
}

/** What the PDF reader found in a PO PDF and how it compares to the order; 404 for other files. */
export async function getOrderDocumentExtraction(
  ctx: AppContext,
  actor: Actor,
  input: { orderId: string; documentId: string },
): Promise<DocumentExtraction> {
  const { row } = await documentOf(ctx, ctx.store.db, actor, input);
  if (!row.extraction) {
    throw new AppError(
      'not_found',
      'not-found',
      'The document was not read as a purchase order (only PDFs attached as a PO are)',
    );
  }
  return JSON.parse(row.extraction) as DocumentExtraction;
}
