import { sql, type QueryCreator } from 'kysely';
import { nextCounterValue } from './counters.repository.ts';
import { updateQuoteStatus } from './quotes.repository.ts';
import type { Executor } from './executor.ts';
import { isPostgres } from './search.repository.ts';
import type { Database, Order, OrderLine } from './schema.ts';
import { prepared, preparedInsert } from './prepared-query.ts';

/** Who may see what: vendor staff see their vendor's orders; partners those they (or their tier-2s) placed. */
export type OrderScope = { vendorId: string } | { partnerIds: readonly string[] };

const LINE_CHUNK = 500;

const insertOrderRow = prepared((db, a: { order: Order }) =>
  db.insertInto('orders').values(a.order),
);

const insertLineRows = preparedInsert('order_lines');

/**
 * Inserts an order and its lines (call inside the submitting transaction). On PostgreSQL the
 * order and its (first 500) lines go in one statement, one round trip.
 */
export async function insertOrder(
  db: Executor,
  order: Order,
  lines: readonly OrderLine[],
): Promise<void> {
  const first = lines.slice(0, LINE_CHUNK);
  if (isPostgres(db) && first.length > 0) {
    await db
      .with('o', (qb) => qb.insertInto('orders').values(order).returning('id'))
      .insertInto('order_lines')
      .values(first)
      .execute();
  } else {
    await insertOrderRow(db, { order });
    await insertLineRows(db, first);
  }
  for (let i = LINE_CHUNK; i < lines.length; i += LINE_CHUNK) {
    await db
      .insertInto('order_lines')
      .values(lines.slice(i, i + LINE_CHUNK))
      .execute();
  }
}

/** How a new order is numbered: the prefix, then the next value of the vendor's counter. */
export interface OrderNumbering {
  prefix: string;
  /** The counter of the order's vendor (counters.name; on PostgreSQL a sequence, 0027). */
  counter: string;
}

/**
 * The next value of a vendor's order counter: on PostgreSQL its sequence (migration 0027;
 * unique and increasing, a rolled-back order's number stays unused), on SQLite the counters
 * table (one writer at a time: gapless).
 */
async function nextOrderNumberValue(db: Executor, vendorId: string, name: string): Promise<number> {
  if (!isPostgres(db)) return nextCounterValue(db, vendorId, name);
  const row = await db
    .selectNoFrom(sql<string>`orderdesk_next_counter_value(${vendorId}, ${name})`.as('value'))
    .executeTakeFirstOrThrow();
  return Number(row.value);
}

/** The number for a counter value: the prefix and at least six digits (NW-000042). */
function orderNumberOf(prefix: string, value: number): string {
  return `${prefix}${String(value).padStart(6, '0')}`;
}

/**
 * The quote an order consumes, moved from `from` to `to` as the order is inserted, only if it
 * still has the status `from` (another order may have taken it since it was read).
 */
export interface QuoteClaim {
  quoteId: string;
  from: string;
  to: string;
  at: string;
}

/**
 * Inserts an order numbered from its vendor's counter, with its lines, and returns the number
 * (call inside the submitting transaction). With `claim`, the quote is claimed first; when it
 * is no longer in `claim.from`, `quoteClaimed` is false and the caller must roll back (on
 * SQLite nothing was written then; on PostgreSQL the order's statement ran). On PostgreSQL the
 * quote, the number, the order and its (first 500) lines are one statement; the quote's row
 * lock is held until commit (one order per quote), the number's sequence holds none.
 */
export async function insertNumberedOrder(
  db: Executor,
  order: Omit<Order, 'number'>,
  lines: readonly OrderLine[],
  numbering: OrderNumbering,
  claim?: QuoteClaim,
): Promise<{ number: string; quoteClaimed: boolean }> {
  const first = lines.slice(0, LINE_CHUNK);
  if (!isPostgres(db) || first.length === 0) {
    if (claim && !(await updateQuoteStatus(db, claim.quoteId, claim.from, claim.to, claim.at)))
      return { number: '', quoteClaimed: false };
    const value = await nextOrderNumberValue(db, order.vendor_id, numbering.counter);
    const number = orderNumberOf(numbering.prefix, value);
    await insertOrder(db, { ...order, number }, lines);
    return { number, quoteClaimed: true };
  }
  const row = (
    await insertNumberedStatement(db, {
      order,
      lines: first,
      prefix: numbering.prefix,
      counter: numbering.counter,
      ...(claim ? { claim } : {}),
    })
  ).rows[0];
  if (!row) throw new Error('insertNumberedOrder: the order statement returned no row');
  for (let i = LINE_CHUNK; i < lines.length; i += LINE_CHUNK) {
    await db
      .insertInto('order_lines')
      .values(lines.slice(i, i + LINE_CHUNK))
      .execute();
  }
  return { number: row.number, quoteClaimed: !claim || Number(row.claimed) === 1 };
}

/**
 * PostgreSQL's one statement for a numbered order: the quote claimed (`q`, with a claim), the
 * number drawn from the vendor's sequence (`c`, migration 0027: nothing to wait for, whoever
 * else is ordering), the lines and the order.
 */
const insertNumberedStatement = prepared(
  (
    db,
    a: {
      order: Omit<Order, 'number'>;
      lines: readonly OrderLine[];
      prefix: string;
      counter: string;
      claim?: QuoteClaim;
    },
  ) => {
    // The same number as orderNumberOf: lpad would cut a seventh digit, so only shorter ones pad.
    const numbered = sql<string>`(select ${a.prefix}::text || case
      when length(c.value::text) >= 6 then c.value::text else lpad(c.value::text, 6, '0') end
      from c)`;
    // PostgreSQL runs every data-modifying WITH whether or not the query reads it: the quote's
    // update is one, and its count says whether it applied.
    const claim = a.claim;
    const start: QueryCreator<Database> = claim
      ? db.with('q', (qb) =>
          qb
            .updateTable('quotes')
            .set((eb) => ({
              status: claim.to,
              updated_at: claim.at,
              version: eb('version', '+', 1),
            }))
            .where('id', '=', claim.quoteId)
            .where('status', '=', claim.from)
            .returning('id'),
        )
      : db;
    return start
      .with('c', (qb) =>
        qb.selectNoFrom(
          sql<string>`orderdesk_next_counter_value(${a.order.vendor_id}, ${a.counter})`.as('value'),
        ),
      )
      .with('l', (qb) => qb.insertInto('order_lines').values(a.lines))
      .insertInto('orders')
      .values({ ...a.order, number: numbered })
      .returning([
        'number',
        (claim ? sql<number>`(select count(*) from q)::int` : sql<number>`1`).as('claimed'),
      ]);
  },
);

/**
 * Whether a write failed on `orders_live_po_number_uq` (migration 0017): another live order
 * of the partnership carries the PO number. Concurrent submissions that both passed the
 * duplicate check meet here; the caller reports it as the check would have (`po.duplicate`).
 */
export function isLivePoNumberTaken(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; constraint?: unknown; message?: unknown };
  if (e.code === '23505') return e.constraint === 'orders_live_po_number_uq';
  // SQLite names the columns of the violated index, not the index.
  return (
    typeof e.message === 'string' &&
    e.message.includes('UNIQUE constraint failed') &&
    e.message.includes('orders.po_number')
  );
}

/** Replaces an order's lines (a partner's correction while on hold). */
export async function replaceOrderLines(
  db: Executor,
  orderId: string,
  lines: readonly OrderLine[],
): Promise<void> {
  await db.deleteFrom('order_lines').where('order_id', '=', orderId).execute();
  for (let i = 0; i < lines.length; i += LINE_CHUNK) {
    await db
      .insertInto('order_lines')
      .values(lines.slice(i, i + LINE_CHUNK))
      .execute();
  }
}

/** An order if the caller's scope covers it; undefined otherwise (never reveals other tenants). */
export async function findOrderInScope(
  db: Executor,
  id: string,
  scope: OrderScope,
): Promise<Order | undefined> {
  let q = db.selectFrom('orders').selectAll().where('id', '=', id);
  if ('vendorId' in scope) q = q.where('vendor_id', '=', scope.vendorId);
  else {
    if (scope.partnerIds.length === 0) return undefined;
    q = q.where('ordering_partner_id', 'in', scope.partnerIds);
  }
  return q.executeTakeFirst();
}

export async function listOrderLines(db: Executor, orderId: string): Promise<OrderLine[]> {
  return db
    .selectFrom('order_lines')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('line_no')
    .execute();
}

export interface OrderFilters {
  status?: string;
  vendorId?: string;
  customerId?: string;
  partnerId?: string;
}

/** Orders without a due time sort after every real one in `sort: due`. */
export const NO_DUE_TIME = '9999-12-31T23:59:59.999Z';

/**
 * A page of orders, newest first, by keyset on id (ids are time-ordered: `before`); `oldest`
 * the other way (`after`: a queue worked first in, first out); `due` soonest fulfilment due
 * time first, by keyset on (due time, id) (`dueAfter`).
 */
export async function listOrders(
  db: Executor,
  scope: OrderScope,
  filters: OrderFilters,
  page: {
    limit: number;
    before?: string;
    after?: string;
    sort?: 'newest' | 'oldest' | 'due';
    dueAfter?: { due: string; id: string };
  },
): Promise<Order[]> {
  const due = sql<string>`coalesce(fulfil_by, ${NO_DUE_TIME})`;
  const direction = page.sort === 'oldest' ? 'asc' : 'desc';
  let q =
    page.sort === 'due'
      ? db.selectFrom('orders').selectAll().orderBy(due).orderBy('id').limit(page.limit)
      : db.selectFrom('orders').selectAll().orderBy('id', direction).limit(page.limit);
  const after = page.dueAfter;
  if (page.sort === 'due' && after) {
    q = q.where((eb) =>
      eb.or([eb(due, '>', after.due), eb.and([eb(due, '=', after.due), eb('id', '>', after.id)])]),
    );
  }
  if ('vendorId' in scope) q = q.where('vendor_id', '=', scope.vendorId);
  else {
    if (scope.partnerIds.length === 0) return [];
    q = q.where('ordering_partner_id', 'in', scope.partnerIds);
  }
  if (filters.status !== undefined) q = q.where('status', '=', filters.status);
  if (filters.vendorId !== undefined) q = q.where('vendor_id', '=', filters.vendorId);
  if (filters.customerId !== undefined) q = q.where('customer_id', '=', filters.customerId);
  if (filters.partnerId !== undefined) q = q.where('ordering_partner_id', '=', filters.partnerId);
  if (page.before !== undefined) q = q.where('id', '<', page.before);
  if (page.after !== undefined) q = q.where('id', '>', page.after);
  if ('partnerIds' in scope && scope.partnerIds.length > 1 && page.sort !== 'due') {
    // `ordering_partner_id IN (…) ORDER BY id DESC` makes both databases read every matching
    // row and sort them (186 ms for a first page at 1M orders on SQLite): instead each partner's
    // newest (or oldest) rows come straight from the (ordering_partner_id[, status], id) index,
    // merged here.
    const arms = scope.partnerIds.map((partnerId, i) =>
      db.selectFrom(q.where('ordering_partner_id', '=', partnerId).as(`p${i}`)).selectAll(),
    );
    const [first, ...rest] = arms;
    if (first === undefined) return [];
    const merged = rest.reduce((acc, arm) => acc.unionAll(arm), first);
    return db
      .selectFrom(merged.as('merged'))
      .selectAll()
      .orderBy('id', direction)
      .limit(page.limit)
      .execute();
  }
  return q.execute();
}

/**
 * Applies a change if the order is still at `expectedVersion`, bumping the version.
 * Returns false when another change won (the caller answers 409).
 */
export async function updateOrderIfVersion(
  db: Executor,
  id: string,
  expectedVersion: number,
  fields: Partial<Omit<Order, 'id' | 'version'>>,
): Promise<boolean> {
  const result = await db
    .updateTable('orders')
    .set({ ...fields, version: expectedVersion + 1 })
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Whether a live order (not rejected or cancelled) of the partnership already carries the PO number. */
export async function poNumberInUse(
  db: Executor,
  input: { vendorId: string; partnerId: string; poNumber: string; excludeOrderId?: string },
): Promise<boolean> {
  const { rows } = await selectLivePoOrder(db, {
    vendorId: input.vendorId,
    partnerId: input.partnerId,
    poNumber: input.poNumber,
    ...(input.excludeOrderId ? { excludeOrderId: input.excludeOrderId } : {}),
  });
  return rows.length > 0;
}

const selectLivePoOrder = prepared(
  (db, a: { vendorId: string; partnerId: string; poNumber: string; excludeOrderId?: string }) => {
    const q = db
      .selectFrom('orders')
      .select('id')
      .where('vendor_id', '=', a.vendorId)
      .where('partner_id', '=', a.partnerId)
      .where('po_number', '=', a.poNumber)
      .where('status', 'not in', ['rejected', 'cancelled']);
    return (a.excludeOrderId === undefined ? q : q.where('id', '!=', a.excludeOrderId)).limit(1);
  },
);

/** Whether another live order (not rejected or cancelled) was placed with the quote. */
export async function quoteUsedByAnotherOrder(
  db: Executor,
  quoteId: string,
  orderId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('orders')
    .select('id')
    .where('quote_id', '=', quoteId)
    .where('id', '!=', orderId)
    .where('status', 'not in', ['rejected', 'cancelled'])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
