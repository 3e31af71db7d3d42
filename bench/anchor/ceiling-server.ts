// The ceiling of the stack for order submission: a minimal Fastify route, in a process of the
// same shape as `orderdesk serve` (Fastify 5, Kysely, better-sqlite3 with WAL,
// synchronous=FULL and the WAL checkpointed from a thread, or pg with the same pool size),
// that writes the same rows as a real submission — one order, its lines and one audit event,
// after one query looking up the lines' list prices — with no authentication, no schema and no
// business validation.
// With CEILING_KEYED=1 (tools/submit-split.ts only, never the bench's anchor) the route also
// does what API.md asks of every creating request before and after its own work: it finds the
// caller by its bearer token (the statement OrderDesk's authentication runs) and stores the
// answer — the rows it wrote, as a creating route answers with what it created — under the
// request's Idempotency-Key in the same transaction (OrderDesk's statement, with the request's
// hash), and sends that stored text.
// Run: DATABASE_URL=… PORT=… node --import tsx bench/anchor/ceiling-server.ts
import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import {
  findTokenUser,
  insertAuditEvent,
  insertIdempotentResponse,
  migrateToLatest,
  newId,
  openStore,
  type Order,
  type OrderLine,
} from '@orderdesk/store';

interface Body {
  customerId: string;
  type: string;
  quoteId?: string;
  purchaseOrder?: { number: string; currency: string };
  lines: { partNumber: string; quantity: number; unitPrice: string }[];
  [key: string]: unknown;
}

const url = process.env.DATABASE_URL ?? '';
const port = Number(process.env.PORT ?? 0);
const store = openStore(url, {
  poolSize: Number(process.env.DB_POOL_SIZE ?? 10),
  // As `orderdesk serve` opens its store: the WAL checkpointed from a thread of its own.
  sqliteBackgroundCheckpoints: true,
  sqliteSynchronous: process.env.SQLITE_SYNCHRONOUS === 'NORMAL' ? 'NORMAL' : 'FULL',
});
await migrateToLatest(store);
const { db } = store;

// Who the orders are between, looked up once (the real route resolves them per request).
const vendor = await db
  .selectFrom('vendors')
  .select('id')
  .where('slug', '=', process.env.BENCH_VENDOR ?? 'northwind')
  .executeTakeFirstOrThrow();
const partnership = await db
  .selectFrom('partnerships as ps')
  .innerJoin('partners as p', 'p.id', 'ps.partner_id')
  .select(['ps.partner_id', 'ps.multiplier'])
  .where('ps.vendor_id', '=', vendor.id)
  .where('p.name', '=', process.env.BENCH_PARTNER ?? 'Acme Distribution')
  .executeTakeFirstOrThrow();
const priceList = await db
  .selectFrom('price_lists')
  .select('id')
  .where('vendor_id', '=', vendor.id)
  .orderBy('effective_from', 'desc')
  .orderBy('version', 'desc')
  .executeTakeFirstOrThrow();
const userId = (
  await db
    .selectFrom('users')
    .select('id')
    .where('partner_id', '=', partnership.partner_id)
    .executeTakeFirstOrThrow()
).id;

const keyed = process.env.CEILING_KEYED === '1';
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const app = Fastify({ logger: false, bodyLimit: 1_048_576 });

app.get('/health', async () => ({ status: 'ok' }));
app.get('/noop', async () => ({ ok: true }));
app.post('/orders', async (request, reply) => {
  const body = request.body as Body;
  let caller: { userId: string; key: string } | null = null;
  if (keyed) {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const found = await findTokenUser(db, sha256(token), new Date().toISOString());
    const key = request.headers['idempotency-key'];
    if (!found || typeof key !== 'string') return reply.code(401).send({ error: 'no caller' });
    caller = { userId: found.user.id, key };
  }
  let answer: string | null = null;
  const partNumbers = body.lines.map((l) => l.partNumber);
  const id = newId('ord');
  const at = new Date().toISOString();
  await db.transaction().execute(async (tx) => {
    const prices = await tx
      .selectFrom('price_list_items')
      .select(['part_number', 'product_id', 'list_price_minor'])
      .where('price_list_id', '=', priceList.id)
      .where('part_number', 'in', partNumbers)
      .execute();
    const byPart = new Map(prices.map((p) => [p.part_number, p]));
    const lines: OrderLine[] = body.lines.map((l, i) => {
      const unit = Math.round(Number(l.unitPrice) * 100);
      const p = byPart.get(l.partNumber);
      return {
        order_id: id,
        line_no: i + 1,
        product_id: p?.product_id ?? null,
        part_number: l.partNumber,
        name: null,
        quantity: l.quantity,
        unit_price_minor: unit,
        list_price_minor: p ? Number(p.list_price_minor) : null,
        multiplier: partnership.multiplier,
        expected_net_minor: unit,
        amount_minor: unit * l.quantity,
        attributes: null,
      };
    });
    const { lines: _l, customerId: _c, type: _t, quoteId: _q, vendor: _v, ...rest } = body;
    const order: Order = {
      id,
      vendor_id: vendor.id,
      partner_id: partnership.partner_id,
      ordering_partner_id: partnership.partner_id,
      profile_version: null,
      customer_id: body.customerId,
      number: `CEIL-${id.slice(-16)}`,
      sales_order_number: null,
      type: body.type,
      channel: 'api',
      status: 'submitted',
      version: 1,
      quote_id: null,
      currency: body.purchaseOrder?.currency ?? 'USD',
      po_number: body.purchaseOrder?.number ?? null,
      total_minor: lines.reduce((s, l) => s + l.amount_minor, 0),
      price_list_id: priceList.id,
      body: JSON.stringify(rest),
      problems: '[]',
      hold_reasons: null,
      acknowledge_by: null,
      fulfil_by: null,
      submitted_by: userId,
      submitted_at: at,
      completed_at: null,
      created_at: at,
      updated_at: at,
    };
    await tx.insertInto('orders').values(order).execute();
    await tx.insertInto('order_lines').values(lines).execute();
    await insertAuditEvent(tx, {
      vendorId: vendor.id,
      partnerId: partnership.partner_id,
      entityType: 'order',
      entityId: id,
      type: 'order.submitted',
      actorUserId: userId,
      actorLabel: 'ceiling',
      toStatus: 'submitted',
      at,
      data: { number: order.number, channel: 'api' },
    });
    if (caller) {
      // A creating route answers with what it created (API.md: 201 with the order).
      answer = JSON.stringify({ ...order, lines });
      await insertIdempotentResponse(tx, {
        userId: caller.userId,
        key: caller.key,
        method: 'POST',
        path: '/orders',
        at,
        requestHash: sha256(`POST /orders\n${JSON.stringify(body)}`),
        statusCode: 201,
        body: answer,
      });
    }
  });
  if (answer === null) return reply.code(201).send({ id, status: 'submitted' });
  return reply.code(201).type('application/json; charset=utf-8').send(answer);
});

await app.listen({ port, host: '127.0.0.1' });
const shutdown = (): void => {
  void app
    .close()
    .then(() => store.close())
    .finally(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
