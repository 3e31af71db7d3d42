// Return requests and the facts a returns policy is judged on: whether the order was invoiced,
// e-mailed (a delivery mail on its thread) or downloaded (a partner's download event).
import type { Executor } from './executor.ts';
import type { ReturnRequest } from './schema.ts';

/** Who may see what: a vendor its returns; a partner those of its scope's orders. */
export type ReturnScope = { vendorId: string } | { partnerIds: readonly string[] };

export async function insertReturn(db: Executor, row: ReturnRequest): Promise<void> {
  await db.insertInto('returns').values(row).execute();
}

export async function findReturnInScope(
  db: Executor,
  id: string,
  scope: ReturnScope,
): Promise<ReturnRequest | undefined> {
  let q = db.selectFrom('returns').selectAll().where('id', '=', id);
  if ('vendorId' in scope) q = q.where('vendor_id', '=', scope.vendorId);
  else {
    if (scope.partnerIds.length === 0) return undefined;
    q = q.where('ordering_partner_id', 'in', scope.partnerIds);
  }
  return q.executeTakeFirst();
}

/**
 * The vendor's decision on a return left to it: only while it is still `requested` (two staff
 * deciding at once: one wins, the other's update changes nothing). True when this one decided.
 */
export async function decideRequestedReturn(
  db: Executor,
  input: {
    vendorId: string;
    id: string;
    status: 'approved' | 'refused';
    decisionCode: string | null;
    decisionMessage: string;
    rmaNumber: string | null;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('returns')
    .set({
      status: input.status,
      decision_code: input.decisionCode,
      decision_message: input.decisionMessage,
      rma_number: input.rmaNumber,
    })
    .where('id', '=', input.id)
    .where('vendor_id', '=', input.vendorId)
    .where('status', '=', 'requested')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** A page of returns, newest first (keyset on id). */
export async function listReturns(
  db: Executor,
  scope: ReturnScope,
  filters: { orderId?: string; status?: string },
  page: { limit: number; before?: string },
): Promise<ReturnRequest[]> {
  let q = db.selectFrom('returns').selectAll().orderBy('id', 'desc').limit(page.limit);
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

/** When an order was first invoiced (its invoice's number and issue instant), if it was. */
export async function orderInvoicedAt(
  db: Executor,
  orderId: string,
): Promise<{ at: string; number: string } | null> {
  const row = await db
    .selectFrom('invoices')
    .select(['issued_at', 'number'])
    .where('order_id', '=', orderId)
    .orderBy('issued_at')
    .limit(1)
    .executeTakeFirst();
  return row ? { at: row.issued_at, number: row.number } : null;
}

/** Quantities per line already in returns of the order that were not refused. */
export async function returnedQuantities(
  db: Executor,
  orderId: string,
): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('returns')
    .select('lines')
    .where('order_id', '=', orderId)
    .where('status', '!=', 'refused')
    .execute();
  const out = new Map<number, number>();
  for (const r of rows) {
    for (const l of JSON.parse(r.lines) as { lineNo: number; quantity: number }[]) {
      out.set(l.lineNo, (out.get(l.lineNo) ?? 0) + l.quantity);
    }
  }
  return out;
}

/**
 * Every status of an outgoing message (`received` is incoming mail's): the message is on the
 * thread the partner reads in the app, with what it carries, whether or not SMTP delivered it
 * (`not_sent`: no SMTP_URL; `failed`: the relay gave up).
 */
const WRITTEN_OUT = ['queued', 'sent', 'failed', 'not_sent'] as const;

/**
 * The first outgoing mail of one of the templates on the order's thread, when it was sent (or
 * written, if it never left): what it delivered is the partner's either way.
 */
export async function orderMailedAt(
  db: Executor,
  input: { orderId: string; templates: readonly string[] },
): Promise<{ at: string; template: string | null } | null> {
  if (input.templates.length === 0) return null;
  const rows = await db
    .selectFrom('messages')
    .select(['sent_at', 'created_at', 'template'])
    .where('entity_type', '=', 'order')
    .where('entity_id', '=', input.orderId)
    .where('direction', '=', 'out')
    .where('template', 'in', input.templates)
    .where('status', 'in', WRITTEN_OUT)
    .execute();
  const instants = rows
    .map((r) => ({ at: r.sent_at ?? r.created_at, template: r.template }))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return instants[0] ?? null;
}

/** The first event of a type on the order's timeline (e.g. a partner's document download). */
export async function firstOrderEventAt(
  db: Executor,
  input: { orderId: string; type: string },
): Promise<{ at: string; data: string | null } | null> {
  const row = await db
    .selectFrom('audit_events')
    .select(['at', 'data'])
    .where('entity_type', '=', 'order')
    .where('entity_id', '=', input.orderId)
    .where('type', '=', input.type)
    .orderBy('at')
    .limit(1)
    .executeTakeFirst();
  return row ?? null;
}
