// Scenario 6: the order list at 1,000,000 orders — the first page and a deep page reached by
// cursor, filtered by status and partner — through the store's listOrders (what GET
// /api/v1/orders runs, asking for limit + 1 rows to know whether there is a next page).
// Two views: a partner's buyer (Acme, who also sees its tier-2 Beta's orders) filtering by
// status, and a vendor's order desk (northwind) filtering by status and partner.
// The orders are bulk-inserted with SQL in large transactions over three years of ids; the
// statuses are spread as in a desk that has run for a while (70% completed, 8% submitted…).
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { sql } from 'kysely';
import { seedDemo } from '@orderdesk/server';
import {
  findOrderInScope,
  findPartnerByName,
  findVendorBySlug,
  listOrders,
  migrateToLatest,
  newId,
  openStore,
  type OrderFilters,
  type OrderScope,
  type Store,
} from '@orderdesk/store';
import { DEMO_PASSWORD } from '../lib/desk.ts';
import { createDatabase, dropDatabase } from '../lib/postgres.ts';
import type { BenchContext, Scenario } from '../lib/scenario.ts';
import { rng, summarize } from '../lib/stats.ts';
import { judge, ratioOf, type ResultRow } from '../lib/table.ts';

const PAGE_SIZE = 50;

const STATUSES: readonly (readonly [string, number])[] = [
  ['completed', 0.7],
  ['submitted', 0.08],
  ['booking', 0.05],
  ['provisioning', 0.04],
  ['on_hold', 0.03],
  ['rejected', 0.04],
  ['cancelled', 0.06],
];

interface Parties {
  vendors: { id: string; slug: string; type: string; weight: number }[];
  acme: string;
  beta: string;
  contoso: string;
  customers: Map<string, string>;
  users: Map<string, string>;
}

async function parties(store: Store): Promise<Parties> {
  const vendors = [];
  for (const [slug, type, weight] of [
    ['northwind', 'new', 0.5],
    ['skyline', 'new', 0.25],
    ['edgeworks', 'license_maintenance', 0.25],
  ] as const) {
    const v = await findVendorBySlug(store.db, slug);
    if (!v) throw new Error(`demo vendor ${slug} missing`);
    vendors.push({ id: v.id, slug, type, weight });
  }
  const partnerId = async (name: string): Promise<string> => {
    const p = await findPartnerByName(store.db, name);
    if (!p) throw new Error(`demo partner ${name} missing`);
    return p.id;
  };
  const acme = await partnerId('Acme Distribution');
  const beta = await partnerId('Beta Resellers');
  const contoso = await partnerId('Contoso Channel');
  const customers = new Map<string, string>();
  for (const c of await store.db.selectFrom('customers').select(['id', 'partner_id']).execute()) {
    if (!customers.has(c.partner_id)) customers.set(c.partner_id, c.id);
  }
  const users = new Map<string, string>();
  for (const u of await store.db
    .selectFrom('users')
    .select(['id', 'partner_id'])
    .where('partner_id', 'is not', null)
    .execute()) {
    if (u.partner_id && !users.has(u.partner_id)) users.set(u.partner_id, u.id);
  }
  return { vendors, acme, beta, contoso, customers, users };
}

type Row = [
  id: string,
  vendorId: string,
  partnerId: string,
  orderingPartnerId: string,
  customerId: string,
  number: string,
  type: string,
  status: string,
  poNumber: string,
  totalMinor: number,
  body: string,
  submittedBy: string,
  at: string,
];

/** Generates order i of n (ids time-ordered over the last three years). */
function orderGenerator(p: Parties, n: number): (i: number) => Row {
  const r = rng(6);
  const start = Date.now() - 3 * 365 * 86_400_000;
  const step = (3 * 365 * 86_400_000) / n;
  const counters = new Map<string, number>();
  const pickStatus = (u: number): string => {
    let acc = 0;
    for (const [s, w] of STATUSES) if (u < (acc += w)) return s;
    return 'completed';
  };
  return (i) => {
    const u = r();
    const vendor = p.vendors[u < 0.5 ? 0 : u < 0.75 ? 1 : 2] ?? p.vendors[0];
    const w = r();
    const ordering = w < 0.45 ? p.acme : w < 0.6 ? p.beta : p.contoso;
    const holder = ordering === p.beta ? p.acme : ordering;
    const t = Math.floor(start + i * step);
    const seq = (counters.get(vendor?.id ?? '') ?? 0) + 1;
    counters.set(vendor?.id ?? '', seq);
    const at = new Date(t).toISOString();
    const po = `PO-${i + 1}`;
    const total = 1_000 + Math.floor(r() * 5_000_000);
    return [
      newId('ord', t),
      vendor?.id ?? '',
      holder,
      ordering,
      p.customers.get(ordering) ?? '',
      `B-${vendor?.slug ?? ''}-${String(seq).padStart(7, '0')}`,
      vendor?.type ?? 'new',
      pickStatus(r()),
      po,
      total,
      JSON.stringify({
        purchaseOrder: {
          number: po,
          date: at.slice(0, 10),
          currency: 'USD',
          total: (total / 100).toFixed(2),
        },
      }),
      p.users.get(ordering) ?? '',
      at,
    ];
  };
}

const COLUMNS =
  'id, vendor_id, partner_id, ordering_partner_id, customer_id, number, type, channel, status, ' +
  'version, currency, po_number, total_minor, body, problems, submitted_by, submitted_at, ' +
  'created_at, updated_at';

function fillSqlite(file: string, p: Parties, n: number): void {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF'); // building test data; the measurements use FULL
    db.pragma('cache_size = -262144');
    const insert = db.prepare(
      `insert into orders (${COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, 'api', ?, 1, 'USD', ?, ?, ?, '[]', ?, ?, ?, ?)`,
    );
    const next = orderGenerator(p, n);
    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const [id, v, pt, op, c, num, type, status, po, total, body, by, at] = next(i);
        insert.run(id, v, pt, op, c, num, type, status, po, total, body, by, at, at, at);
      }
    });
    for (let from = 0; from < n; from += 50_000) batch(from, Math.min(n, from + 50_000));
    db.exec('analyze');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

async function fillPostgres(url: string, p: Parties, n: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const next = orderGenerator(p, n);
    const BATCH = 10_000;
    for (let from = 0; from < n; from += BATCH) {
      const cols: unknown[][] = Array.from({ length: 13 }, () => []);
      for (let i = from; i < Math.min(n, from + BATCH); i++) {
        next(i).forEach((value, k) => cols[k]?.push(value));
      }
      await client.query(
        `insert into orders (${COLUMNS})
         select id, v, pt, op, c, num, type, 'api', status, 1, 'USD', po, total, body, '[]', by, at, at, at
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
           $7::text[], $8::text[], $9::text[], $10::bigint[], $11::text[], $12::text[], $13::text[])
           as t(id, v, pt, op, c, num, type, status, po, total, body, by, at)`,
        cols,
      );
    }
    await client.query('analyze');
  } finally {
    await client.end();
  }
}

interface View {
  label: string;
  scope: OrderScope;
  filters: OrderFilters;
}

/** Cursors deep in the filtered list (50%–95% of the way down), found without timing. */
async function deepCursors(store: Store, view: View, count: number): Promise<string[]> {
  const all = await listOrders(store.db, view.scope, view.filters, { limit: 10_000_000 });
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const at = Math.floor(all.length * (0.5 + (0.45 * k) / Math.max(1, count - 1)));
    const row = all[Math.min(all.length - 1, at)];
    if (row) out.push(row.id);
  }
  return out;
}

async function timePages(store: Store, view: View, cursors: (string | undefined)[], n: number) {
  const times: number[] = [];
  for (let k = 0; k < n + 10; k++) {
    const before = cursors[k % cursors.length];
    const t0 = performance.now();
    const rows = await listOrders(store.db, view.scope, view.filters, {
      limit: PAGE_SIZE + 1,
      ...(before ? { before } : {}),
    });
    const ms = performance.now() - t0;
    if (rows.length === 0) throw new Error(`${view.label}: an empty page`);
    if (k >= 10) times.push(ms); // the first ten warm up
  }
  return summarize(times);
}

/** One order by id in the view's scope (the orders the deep cursors name), after ten warm-ups. */
async function timeById(store: Store, view: View, ids: string[], n: number) {
  const times: number[] = [];
  for (let k = 0; k < n + 10; k++) {
    const id = ids[k % ids.length] ?? '';
    const t0 = performance.now();
    const order = await findOrderInScope(store.db, id, view.scope);
    const ms = performance.now() - t0;
    if (!order) throw new Error(`${view.label}: order ${id} not found by id`);
    if (k >= 10) times.push(ms);
  }
  return summarize(times);
}

async function runOn(
  ctx: BenchContext,
  dbLabel: 'SQLite' | 'PostgreSQL',
  url: string,
  n: number,
): Promise<ResultRow[]> {
  let store = openStore(url, { poolSize: 2 });
  let p: Parties;
  try {
    await migrateToLatest(store);
    await store.db.transaction().execute((tx) => seedDemo(tx, DEMO_PASSWORD, new Date()));
    p = await parties(store);
  } finally {
    await store.close();
  }
  const t0 = performance.now();
  if (dbLabel === 'SQLite') fillSqlite(url.replace(/^sqlite:/, ''), p, n);
  else await fillPostgres(url, p, n);
  ctx.log(
    `orders: ${dbLabel}: ${n.toLocaleString('en-US')} orders inserted in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  store = openStore(url);
  try {
    const count = await sql<{ n: number }>`select count(*) as n from orders`.execute(store.db);
    if (Number(count.rows[0]?.n) !== n) throw new Error(`expected ${n} orders`);
    const northwind = p.vendors[0]?.id ?? '';
    const views: View[] = [
      {
        label: 'partner view (Acme + tier-2), status',
        scope: { partnerIds: [p.acme, p.beta] },
        filters: { status: 'submitted' },
      },
      {
        label: 'vendor desk, status + partner',
        scope: { vendorId: northwind },
        filters: { status: 'submitted', partnerId: p.acme },
      },
    ];
    const queries = ctx.quick ? 50 : 300;
    const rows: ResultRow[] = [];
    for (const view of views) {
      const cursors = await deepCursors(store, view, 20);
      const first = await timePages(store, view, [undefined], queries);
      const deep = await timePages(store, view, cursors, queries);
      // Anchor: one order by its id in the same scope (a primary-key probe), for both pages.
      const byId = await timeById(store, view, cursors, queries);
      ctx.log(
        `orders: ${dbLabel} ${view.label}: first page p95 ${first.p95.toFixed(2)} ms, deep page p95 ${deep.p95.toFixed(2)} ms, one order by id p95 ${byId.p95.toFixed(2)} ms`,
      );
      for (const [which, s] of [
        ['first page', first],
        ['deep page', deep],
      ] as const) {
        rows.push({
          scenario: '6 order list',
          figure: `${which} p95, ${view.label}, ${dbLabel}, ${(n / 1_000_000).toString()}M orders`,
          value: s.p95,
          unit: 'ms',
          anchor: { label: 'one order by id p95', value: byId.p95, unit: 'ms' },
          ratio: ratioOf(s.p95, byId.p95),
          ...(n >= 1_000_000
            ? { target: { text: '< 20 ms', met: judge(s.p95, (x) => x < 20) } }
            : {}),
        });
      }
    }
    return rows;
  } finally {
    await store.close();
  }
}

export const orderList: Scenario = {
  name: 'orders',
  title: 'Order list: 1,000,000 orders, first and deep page by cursor, by status and partner (6)',
  async run(ctx) {
    const n = ctx.quick ? 100_000 : 1_000_000;
    const rows = await runOn(ctx, 'SQLite', `sqlite:${join(ctx.tmp, 'orders.db')}`, n);
    if (ctx.postgres) {
      rows.push(...(await runOn(ctx, 'PostgreSQL', await createDatabase('bench_orders'), n)));
      await dropDatabase('bench_orders');
    }
    return rows;
  },
};
