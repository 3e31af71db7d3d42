import type { Executor } from './executor.ts';
import type { OrderScope } from './orders.repository.ts';
import type { CreditNote, Invoice, InvoiceLine } from './schema.ts';

/** Inserts an issued invoice and its lines (in the issuing transaction). */
export async function insertInvoice(
  db: Executor,
  invoice: Invoice,
  lines: readonly InvoiceLine[],
): Promise<void> {
  await db.insertInto('invoices').values(invoice).execute();
  for (let i = 0; i < lines.length; i += 500) {
    await db
      .insertInto('invoice_lines')
      .values(lines.slice(i, i + 500))
      .execute();
  }
}

/**
 * An invoice if the caller's scope covers it (partners: the orders they or their tier-2
 * resellers placed, as for orders); undefined otherwise (never reveals other tenants). */
export async function findInvoiceInScope(
  db: Executor,
  id: string,
  scope: OrderScope,
): Promise<Invoice | undefined> {
  let q = db.selectFrom('invoices').selectAll().where('id', '=', id);
  if ('vendorId' in scope) q = q.where('vendor_id', '=', scope.vendorId);
  else {
    if (scope.partnerIds.length === 0) return undefined;
    q = q.where('ordering_partner_id', 'in', scope.partnerIds);
  }
  return q.executeTakeFirst();
}

/** The invoice of an order, if issued (unscoped: callers have checked the order's scope). */
export async function findInvoiceOfOrder(
  db: Executor,
  orderId: string,
): Promise<Invoice | undefined> {
  return db.selectFrom('invoices').selectAll().where('order_id', '=', orderId).executeTakeFirst();
}

/**
 * The invoices of several orders, by their order (unscoped: callers have checked the orders'
 * scope): one statement for a page of orders, where findInvoiceOfOrder would take one each.
 */
export async function listInvoicesOfOrders(
  db: Executor,
  orderIds: readonly string[],
): Promise<Pick<Invoice, 'id' | 'order_id' | 'status'>[]> {
  if (orderIds.length === 0) return [];
  return db
    .selectFrom('invoices')
    .select(['id', 'order_id', 'status'])
    .where('order_id', 'in', orderIds)
    .execute();
}

export interface InvoiceFilters {
  orderId?: string;
  status?: string;
}

/** A page of invoices, newest first, by keyset on id (ids are time-ordered). */
export async function listInvoices(
  db: Executor,
  scope: OrderScope,
  filters: InvoiceFilters,
  page: { limit: number; before?: string },
): Promise<Invoice[]> {
  let q = db.selectFrom('invoices').selectAll().orderBy('id', 'desc').limit(page.limit);
  if ('vendorId' in scope) q = q.where('vendor_id', '=', scope.vendorId);
  else {
    if (scope.partnerIds.length === 0) return [];
    q = q.where('ordering_partner_id', 'in', scope.partnerIds);
  }
  if (filters.orderId !== undefined) q = q.where('order_id', '=', filters.orderId);
  if (filters.status !== undefined) q = q.where('status', '=', filters.status);
  if (page.before !== undefined) q = q.where('id', '<', page.before);
  return q.execute();
}

export async function listInvoiceLines(db: Executor, invoiceId: string): Promise<InvoiceLine[]> {
  return db
    .selectFrom('invoice_lines')
    .selectAll()
    .where('invoice_id', '=', invoiceId)
    .orderBy('line_no')
    .execute();
}

/** Applies a change if the invoice is still at `expectedVersion`; false when another change won. */
export async function updateInvoiceIfVersion(
  db: Executor,
  id: string,
  expectedVersion: number,
  fields: Partial<Omit<Invoice, 'id' | 'version'>>,
): Promise<boolean> {
  const result = await db
    .updateTable('invoices')
    .set({ ...fields, version: expectedVersion + 1 })
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertCreditNote(db: Executor, note: CreditNote): Promise<void> {
  await db.insertInto('credit_notes').values(note).execute();
}

/** One credit note of `vendorId` by its id. */
export async function findCreditNoteInScope(
  db: Executor,
  id: string,
  scope: { vendorId: string },
): Promise<CreditNote | undefined> {
  return db
    .selectFrom('credit_notes')
    .selectAll()
    .where('id', '=', id)
    .where('vendor_id', '=', scope.vendorId)
    .executeTakeFirst();
}

export async function findCreditNoteOfInvoice(
  db: Executor,
  invoiceId: string,
): Promise<CreditNote | undefined> {
  return db
    .selectFrom('credit_notes')
    .selectAll()
    .where('invoice_id', '=', invoiceId)
    .executeTakeFirst();
}

/** An order waiting for its invoice: the event that makes it invoiceable, and when it happened. */
export interface InvoiceCandidate {
  orderId: string;
  vendorId: string;
  eventType: string;
  eventAt: string;
  /** The profile version the order lives by (null: the vendor's current one). */
  profileVersion: number | null;
}

/**
 * Orders with one of `eventTypes` recorded and no invoice yet, oldest event first, skipping
 * orders since rejected or cancelled. The caller decides per vendor profile which event counts
 * and whether it is due.
 */
export async function listInvoiceCandidates(
  db: Executor,
  input: { eventTypes: readonly string[]; before: string; limit: number; afterOrderId?: string },
): Promise<InvoiceCandidate[]> {
  if (input.eventTypes.length === 0) return [];
  let q = db
    .selectFrom('audit_events as e')
    .innerJoin('orders as o', 'o.id', 'e.entity_id')
    .leftJoin('invoices as i', 'i.order_id', 'o.id')
    .select([
      'o.id as orderId',
      'o.vendor_id as vendorId',
      'o.profile_version as profileVersion',
      'e.type as eventType',
    ])
    .select((eb) => eb.fn.min<string>('e.at').as('eventAt'))
    .where('e.entity_type', '=', 'order')
    .where('e.type', 'in', input.eventTypes)
    .where('e.at', '<=', input.before)
    .where('i.id', 'is', null)
    .where('o.status', 'not in', ['rejected', 'cancelled'])
    .groupBy(['o.id', 'o.vendor_id', 'o.profile_version', 'e.type'])
    .orderBy('o.id')
    .limit(input.limit);
  if (input.afterOrderId !== undefined) q = q.where('o.id', '>', input.afterOrderId);
  return (await q.execute()).map((r) => ({
    ...r,
    eventAt: String(r.eventAt),
    profileVersion: r.profileVersion === null ? null : Number(r.profileVersion),
  }));
}

/**
 * Locks an order's row until the transaction ends, on both dialects: a write that changes
 * nothing takes PostgreSQL's row lock and SQLite's database write lock, so two processes
 * issuing the invoice of one order queue up and the second sees the first's invoice.
 */
export async function lockOrderRow(db: Executor, orderId: string): Promise<void> {
  await db
    .updateTable('orders')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', orderId)
    .execute();
}

/**
 * Names the invoice documents on the thread messages an event caused (the invoice mail the
 * profile's `invoice.issued` rule wrote), so the thread shows what is attached; returns how
 * many messages it updated.
 */
export async function setEventMessageAttachments(
  db: Executor,
  thread: { entityType: 'order'; entityId: string },
  eventId: string,
  attachments: readonly { name: string; contentType: string; size: number }[],
): Promise<number> {
  // By the thread first (indexed), then the event: messages has no index on event_id.
  const result = await db
    .updateTable('messages')
    .set({ attachments: JSON.stringify(attachments) })
    .where('entity_type', '=', thread.entityType)
    .where('entity_id', '=', thread.entityId)
    .where('event_id', '=', eventId)
    .where('direction', '=', 'out')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
