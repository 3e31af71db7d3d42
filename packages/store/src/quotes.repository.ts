import { sql, type ExpressionBuilder, type SelectQueryBuilder } from 'kysely';
import type { Executor } from './executor.ts';
import type { Database, Quote, QuoteLine, QuoteRequest } from './schema.ts';
import { customerOfPartners } from './customers.repository.ts';
import { prepared } from './prepared-query.ts';
import { isPostgres } from './search.repository.ts';

/**
 * Who sees which quotes (and quote requests). Vendor staff: their vendor's. A partner: those of
 * its contracting partnership (`partnerIds`, the distributor's id for a tier-2 reseller) and,
 * when `customerPartnerIds` is given, only those for customers owned by one of these partners
 * (a distributor passes itself and its tier-2s; a tier-2 itself only). With `issuedOnly`, quotes
 * that were never approved (drafts, and drafts superseded or expired before approval) are hidden:
 * they are internal to the vendor. `issuedOnly` does not apply to quote requests.
 */
export type QuoteScope =
  | { vendorId: string }
  | {
      partnerIds: readonly string[];
      customerPartnerIds?: readonly string[];
      issuedOnly?: boolean;
    };

/** The statuses a quote can only reach by being approved first. */
const ISSUED_STATUSES = ['approved', 'declined', 'ordered'] as const;

/** "Today" in one vendor's time zone: quotes are shown expired the day after `valid_until`. */
export interface VendorToday {
  vendorId: string;
  today: string;
}

type QuotesQuery = SelectQueryBuilder<Database, 'quotes', Quote>;
type RequestsQuery = SelectQueryBuilder<Database, 'quote_requests', QuoteRequest>;

/** The partner side of a scope, or undefined when it can see nothing at all. */
function partnerCondition(
  scope: Exclude<QuoteScope, { vendorId: string }>,
): { partnerIds: readonly string[]; customerPartnerIds?: readonly string[] } | undefined {
  if (scope.partnerIds.length === 0) return undefined;
  if (scope.customerPartnerIds !== undefined && scope.customerPartnerIds.length === 0)
    return undefined;
  return scope;
}

function scopeQuotes(q: QuotesQuery, scope: QuoteScope): QuotesQuery | undefined {
  if ('vendorId' in scope) return q.where('quotes.vendor_id', '=', scope.vendorId);
  const p = partnerCondition(scope);
  if (!p) return undefined;
  let out = q.where('quotes.partner_id', 'in', p.partnerIds);
  const customerPartnerIds = p.customerPartnerIds;
  if (customerPartnerIds !== undefined) {
    out = out.where(customerOfPartners('quotes.customer_id', customerPartnerIds));
  }
  if (scope.issuedOnly) {
    out = out.where((eb) =>
      eb.or([
        eb('quotes.status', 'in', ISSUED_STATUSES),
        eb.and([
          eb('quotes.status', '<>', 'draft'),
          eb.exists(
            eb
              .selectFrom('audit_events')
              .select('audit_events.id')
              .where('audit_events.entity_type', '=', 'quote')
              .whereRef('audit_events.entity_id', '=', 'quotes.id')
              .where('audit_events.type', '=', 'quote.approved'),
          ),
        ]),
      ]),
    );
  }
  return out;
}

function scopeRequests(q: RequestsQuery, scope: QuoteScope): RequestsQuery | undefined {
  if ('vendorId' in scope) return q.where('quote_requests.vendor_id', '=', scope.vendorId);
  const p = partnerCondition(scope);
  if (!p) return undefined;
  let out = q.where('quote_requests.partner_id', 'in', p.partnerIds);
  const customerPartnerIds = p.customerPartnerIds;
  if (customerPartnerIds !== undefined) {
    out = out.where(customerOfPartners('quote_requests.customer_id', customerPartnerIds));
  }
  return out;
}

export async function insertQuoteRequest(db: Executor, row: QuoteRequest): Promise<void> {
  await db.insertInto('quote_requests').values(row).execute();
}

/** A quote request if the scope covers it (partners: their partnership's, for their customers). */
export async function findQuoteRequestInScope(
  db: Executor,
  id: string,
  scope: QuoteScope,
): Promise<QuoteRequest | undefined> {
  const q = scopeRequests(
    db.selectFrom('quote_requests').selectAll().where('quote_requests.id', '=', id),
    scope,
  );
  return q?.executeTakeFirst();
}

export async function listQuoteRequests(
  db: Executor,
  scope: QuoteScope,
  page: { limit: number; before?: string },
): Promise<QuoteRequest[]> {
  let q = scopeRequests(
    db
      .selectFrom('quote_requests')
      .selectAll()
      .orderBy('quote_requests.id', 'desc')
      .limit(page.limit),
    scope,
  );
  if (!q) return [];
  if (page.before !== undefined) q = q.where('quote_requests.id', '<', page.before);
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

/** A quote if the scope covers it (see QuoteScope). */
export async function findQuoteInScope(
  db: Executor,
  id: string,
  scope: QuoteScope,
): Promise<Quote | undefined> {
  if (!('vendorId' in scope) && !partnerCondition(scope)) return undefined;
  return (await selectQuoteInScope(db, { id, scope })).rows[0];
}

const selectQuoteInScope = prepared((db, a: { id: string; scope: QuoteScope }) => {
  const q = scopeQuotes(db.selectFrom('quotes').selectAll().where('quotes.id', '=', a.id), a.scope);
  // A scope that sees nothing is answered before the query.
  if (!q) throw new Error('findQuoteInScope: a scope that sees nothing reached the query');
  return q;
});

/**
 * A quote in scope and its lines, in one statement (findQuoteInScope and listQuoteLines
 * together: an order submission reads both). The lines come as one JSON array of arrays in
 * the quote's row: a join would repeat the quote's columns on every line, which on SQLite
 * costs three times as much as the two reads it replaces.
 */
export async function findQuoteWithLinesInScope(
  db: Executor,
  id: string,
  scope: QuoteScope,
): Promise<{ quote: Quote; lines: QuoteLine[] } | undefined> {
  if (!('vendorId' in scope) && !partnerCondition(scope)) return undefined;
  const row = (await selectQuoteWithLines(db, { id, scope })).rows[0];
  if (!row) return undefined;
  const { lines_json, ...quote } = row;
  const lines = (JSON.parse(lines_json) as unknown[][]).map((values) => {
    const line: Record<string, unknown> = { quote_id: quote.id };
    LINE_COLUMNS.forEach((column, i) => (line[column] = values[i]));
    return line as unknown as QuoteLine;
  });
  return { quote, lines };
}

/** The columns of a quote line in selectQuoteWithLines' JSON, in order. */
const LINE_COLUMNS = [
  'line_no',
  'product_id',
  'part_number',
  'name',
  'quantity',
  'list_price_minor',
  'multiplier',
  'net_price_minor',
  'amount_minor',
] as const satisfies readonly (keyof QuoteLine)[];

const LINE_TUPLE = LINE_COLUMNS.map((c) => `l.${c}`).join(', ');

const selectQuoteWithLines = prepared((db, a: { id: string; scope: QuoteScope }) => {
  const q = scopeQuotes(db.selectFrom('quotes').selectAll().where('quotes.id', '=', a.id), a.scope);
  if (!q) throw new Error('findQuoteWithLinesInScope: a scope that sees nothing reached the query');
  const linesJson = isPostgres(db)
    ? sql<string>`(select coalesce(json_agg(json_build_array(${sql.raw(LINE_TUPLE)})
        order by l.line_no), '[]')::text from quote_lines l where l.quote_id = quotes.id)`
    : sql<string>`(select json_group_array(json_array(${sql.raw(LINE_TUPLE)}))
        from (select * from quote_lines where quote_id = quotes.id order by line_no) l)`;
  return q.select(linesJson.as('lines_json'));
});

/** The lines of several quotes in one query, by quote id (for lists). */
export async function listQuoteLinesOf(
  db: Executor,
  quoteIds: readonly string[],
): Promise<Map<string, QuoteLine[]>> {
  const byQuote = new Map<string, QuoteLine[]>(quoteIds.map((id) => [id, []]));
  if (quoteIds.length === 0) return byQuote;
  const rows = await db
    .selectFrom('quote_lines')
    .selectAll()
    .where('quote_id', 'in', quoteIds)
    .orderBy('quote_id')
    .orderBy('line_no')
    .execute();
  for (const r of rows) byQuote.get(r.quote_id)?.push(r);
  return byQuote;
}

const selectQuoteLines = prepared((db, a: { quoteId: string }) =>
  db.selectFrom('quote_lines').selectAll().where('quote_id', '=', a.quoteId).orderBy('line_no'),
);

export async function listQuoteLines(db: Executor, quoteId: string): Promise<QuoteLine[]> {
  return (await selectQuoteLines(db, { quoteId })).rows;
}

/** Drafts and approved quotes whose `valid_until` is before their vendor's today. */
function shownExpired(eb: ExpressionBuilder<Database, 'quotes'>, todays: readonly VendorToday[]) {
  return eb.and([
    eb('quotes.status', 'in', ['draft', 'approved']),
    eb.or(
      todays.map((t) =>
        eb.and([eb('quotes.vendor_id', '=', t.vendorId), eb('quotes.valid_until', '<', t.today)]),
      ),
    ),
  ]);
}

/**
 * Quotes in scope, newest first. `status` filters on the status shown: `expired` includes
 * drafts and approved quotes past their validity (by `todays`, each vendor's date), and
 * `draft`/`approved` exclude them.
 */
export async function listQuotes(
  db: Executor,
  scope: QuoteScope,
  filters: { status?: string; customerId?: string; todays?: readonly VendorToday[] },
  page: { limit: number; before?: string },
): Promise<Quote[]> {
  let q = scopeQuotes(
    db.selectFrom('quotes').selectAll().orderBy('quotes.id', 'desc').limit(page.limit),
    scope,
  );
  if (!q) return [];
  const status = filters.status;
  const todays = filters.todays ?? [];
  if (status !== undefined) {
    if (todays.length === 0) q = q.where('quotes.status', '=', status);
    else if (status === 'expired')
      q = q.where((eb) => eb.or([eb('quotes.status', '=', 'expired'), shownExpired(eb, todays)]));
    else if (status === 'draft' || status === 'approved')
      q = q.where((eb) =>
        eb.and([eb('quotes.status', '=', status), eb.not(shownExpired(eb, todays))]),
      );
    else q = q.where('quotes.status', '=', status);
  }
  if (filters.customerId !== undefined) q = q.where('quotes.customer_id', '=', filters.customerId);
  if (page.before !== undefined) q = q.where('quotes.id', '<', page.before);
  return q.execute();
}

/**
 * Moves a quote from one status to another and bumps its version; false if it was no longer in
 * `from`, or (with `expectedVersion`, an `If-Match`) no longer at that version: a race lost.
 */
export async function updateQuoteStatus(
  db: Executor,
  id: string,
  from: string,
  to: string,
  at: string,
  expectedVersion?: number,
): Promise<boolean> {
  const r = await moveQuoteStatus(db, {
    id,
    from,
    to,
    at,
    ...(expectedVersion === undefined ? {} : { expectedVersion }),
  });
  return Number(r.numAffectedRows) === 1;
}

const moveQuoteStatus = prepared(
  (db, a: { id: string; from: string; to: string; at: string; expectedVersion?: number }) => {
    const q = db
      .updateTable('quotes')
      .set((eb) => ({ status: a.to, updated_at: a.at, version: eb('version', '+', 1) }))
      .where('id', '=', a.id)
      .where('status', '=', a.from);
    return a.expectedVersion === undefined ? q : q.where('version', '=', a.expectedVersion);
  },
);

/**
 * Applies a change if the quote is still at `expectedVersion`, bumping the version and stamping
 * `updated_at` with `at`. Returns false when another change won (the caller answers 409).
 */
export async function updateQuoteIfVersion(
  db: Executor,
  id: string,
  expectedVersion: number,
  fields: Partial<Omit<Quote, 'id' | 'version' | 'revision' | 'updated_at'>>,
  at: string,
): Promise<boolean> {
  const r = await db
    .updateTable('quotes')
    .set({ ...fields, updated_at: at, version: expectedVersion + 1 })
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Every revision of a quote number in scope, oldest first (a superseded quote names the
 * revision that replaced it).
 */
export async function listQuoteRevisions(
  db: Executor,
  quote: { vendorId: string; number: string },
  scope: QuoteScope,
): Promise<Quote[]> {
  const q = scopeQuotes(
    db
      .selectFrom('quotes')
      .selectAll()
      .where('quotes.vendor_id', '=', quote.vendorId)
      .where('quotes.number', '=', quote.number)
      .orderBy('quotes.revision'),
    scope,
  );
  return q ? q.execute() : [];
}
