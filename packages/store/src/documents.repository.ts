import type { Executor } from './executor.ts';
import { newId } from './ids.ts';
import type { StoredDocument } from './schema.ts';

// Documents on orders (0012). Rows only: the bytes are in the app's DocumentStorage.

export function newDocumentId(): string {
  return newId('doc');
}

export async function insertDocument(db: Executor, row: StoredDocument): Promise<StoredDocument> {
  await db.insertInto('documents').values(row).execute();
  return row;
}

/** The documents of one order of `vendorId`, oldest first. */
export async function listOrderDocuments(
  db: Executor,
  vendorId: string,
  orderId: string,
  page?: { limit: number; after?: { createdAt: string; id: string } | undefined },
): Promise<StoredDocument[]> {
  let q = db
    .selectFrom('documents')
    .selectAll()
    .where('vendor_id', '=', vendorId)
    .where('order_id', '=', orderId)
    .orderBy('created_at')
    .orderBy('id');
  if (page) {
    q = q.limit(page.limit);
    const after = page.after;
    if (after) {
      q = q.where((eb) =>
        eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(after.createdAt, after.id)),
      );
    }
  }
  return q.execute();
}

/** One document of one order of `vendorId`. */
export async function findOrderDocument(
  db: Executor,
  vendorId: string,
  orderId: string,
  documentId: string,
): Promise<StoredDocument | undefined> {
  return db
    .selectFrom('documents')
    .selectAll()
    .where('vendor_id', '=', vendorId)
    .where('order_id', '=', orderId)
    .where('id', '=', documentId)
    .executeTakeFirst();
}

/** Documents of `vendorId` by id (fulfilment checks the ids it is given belong to the order). */
export async function findDocumentsByIds(
  db: Executor,
  vendorId: string,
  ids: readonly string[],
): Promise<StoredDocument[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('documents')
    .selectAll()
    .where('vendor_id', '=', vendorId)
    .where('id', 'in', ids)
    .execute();
}

export async function setDocumentExtraction(
  db: Executor,
  vendorId: string,
  documentId: string,
  extraction: string,
): Promise<void> {
  await db
    .updateTable('documents')
    .set({ extraction })
    .where('vendor_id', '=', vendorId)
    .where('id', '=', documentId)
    .execute();
}
