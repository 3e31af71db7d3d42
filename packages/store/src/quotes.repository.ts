import type { Executor } from './executor.ts';
import type { Quote, QuoteLine, QuoteRequest } from './schema.ts';

/** Vendor staff see their vendor's quotes; partners the quotes made for them (or their tier-2s). */
export type QuoteScope = { vendorId: string } | { partnerIds: readonly string[] };

export async function insertQuoteRequest(db: Executor, row: QuoteRequest): Promise<void> {
  await db.insertInto('quote_requests').values(row).execute();
}

export async function findQuoteRequestInScope(
  db: Executor,
  id: string,
  scope: QuoteScope,
): Promise<QuoteRequest | undefined> {
  let q = db.selectFrom('quote_requests').selectAll().where('id', '=', id);
  if ('vendorId' in scope) q = q.where('vendor_id', '=', scope.vendorId);
  else {
    if (scope.partnerIds.length === 0) return undefined;
    q = q.where('requested_by_partner_id', 'in', scope.partnerIds);
  }
  return q.executeTakeFirst();
}

export async function listQuoteRequests(
  db: Executor,
  scope: QuoteScope,
  page: { limit: number; before?: string },
): Promise<QuoteRequest[]> {
  let q = db.selectFrom('quote_requests').selectAll().orderBy('id', 'desc').limit(page.limit);
  if ('vendorId' in scope) q = q.where('vendor_id', '=', scope.vendorId);
  else {
    if (scope.partnerIds.length === 0) return [];
    q = q.where('requested_by_partner_id', 'in', scope.partnerIds);
  }
  if (page.before !== undefined) q = q.where('id', '<', page.before);
  return q.execute();
}

export async function updateQuoteRequestStatus(
  db: Executor,
  id: string,
  status: string,
  at: string,
): Promise<void> {
  await db
    .updateTable('quote_requests')
    .set({ status, updated_at: at })
    .where('id', '=', id)
    .execute();
}

export async function insertQuote(
  db: Executor,
  quote: Quote,
  lines: readonly QuoteLine[],
): Promise<void> {
  await db.insertInto('quotes').values(quote).execute();
  for (let i = 0; i < lines.length; i += 500) {
    await db
      .insertInto('quote_lines')
      .values(lines.slice(i, i + 500))
      .execute();
  }
}

/** A quote if the scope covers it. Partners see quotes of their partnership (tier-2s included). */
export async function findQuoteInScope(
  db: Executor,
  id: string,
  scope: QuoteScope,
): Promise<Quote | undefined> {
  let q = db.selectFrom('quotes').selectAll().where('id', '=', id);
  if ('vendorId' in scope) q = q.where('vendor_id', '=', scope.vendorId);
  else {
    if (scope.partnerIds.length === 0) return undefined;
    q = q.where('partner_id', 'in', scope.partnerIds);
  }
  return q.executeTakeFirst();
}

export async function listQuoteLines(db: Executor, quoteId: string): Promise<QuoteLine[]> {
  return db
    .selectFrom('quote_lines')
    .selectAll()
    .where('quote_id', '=', quoteId)
    .orderBy('line_no')
    .execute();
}

export async function listQuotes(
  db: Executor,
  scope: QuoteScope,
  filters: { status?: string; customerId?: string },
  page: { limit: number; before?: string },
): Promise<Quote[]> {
  let q = db.selectFrom('quotes').selectAll().orderBy('id', 'desc').limit(page.limit);
  if ('vendorId' in scope) q = q.where('vendor_id', '=', scope.vendorId);
  else {
    if (scope.partnerIds.length === 0) return [];
    q = q.where('partner_id', 'in', scope.partnerIds);
  }
  if (filters.status !== undefined) q = q.where('status', '=', filters.status);
  if (filters.customerId !== undefined) q = q.where('customer_id', '=', filters.customerId);
  if (page.before !== undefined) q = q.where('id', '<', page.before);
  return q.execute();
}

/** Moves a quote from one status to another; false if it was no longer in `from` (a race lost). */
export async function updateQuoteStatus(
  db: Executor,
  id: string,
  from: string,
  to: string,
  at: string,
): Promise<boolean> {
  const r = await db
    .updateTable('quotes')
    .set({ status: to, updated_at: at })
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
