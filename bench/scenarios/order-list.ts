// Scenario 6 (and issue 12, point 7): the order list at 1,000,000 orders on SQLite and
// 10,000,000 on PostgreSQL [100,000 each] — the first page and a deep page reached by
// cursor, filtered by status and partner — through the store's listOrders (what GET
// /api/v1/orders runs, asking for limit + 1 rows to know whether there is a next page).
// Two views: a partner's buyer (Acme, who also sees its tier-2 Beta's orders) filtering by
// status, and a vendor's order desk (northwind) filtering by status and partner. Then the
// PO-number look-up every submission makes (poNumberInUse, the duplicate check), for PO
// numbers in use and new ones. The orders are bulk-inserted with SQL (SQLite: prepared
// inserts in large transactions, in a worker thread; PostgreSQL: generate_series, see
// fillPostgres) over three years of ids; the statuses are spread as in a desk that has run for
// a while (70% completed, 8% submitted…). Both databases are loaded at the same time, on the
// two cores, before either is measured: nothing is measured while anything is loaded. The load
// time is a row of its own.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { seedDemo } from '@orderdesk/server';
import {
  findOrderInScope,
  listOrders,
  migrateToLatest,
  openStore,
  poNumberInUse,
  type OrderFilters,
  type OrderScope,
  type Store,
} from '@orderdesk/store';
import { DEMO_PASSWORD } from '../lib/desk.ts';
import {
  COLUMNS,
  fillSqliteInWorker,
  findParties,
  STATUSES,
  type Parties,
} from '../lib/order-data.ts';
import {
  createDatabase,
  dropDatabase,
  postgresCpuMs,
  SORT_MEMORY,
  withBulkLoadSettings,
} from '../lib/postgres.ts';
import type { BenchContext, Scenario } from '../lib/scenario.ts';
import { summarize } from '../lib/stats.ts';
import { judge, ratioOf, type ResultRow } from '../lib/table.ts';

const PAGE_SIZE = 50;
/** Rows per COPY statement of the PostgreSQL load (progress is logged after each). */
const CHUNK = 1_000_000;

/**
 * Bulk-loads n orders with SQL alone (generate_series: no row passes through Node). The
 * measured table keeps exactly the layout, keys and indexes the migrations give it; only how
 * they are filled differs. The cluster runs the load without durability and with wal_level =
 * minimal (withBulkLoadSettings; it is durable again for the measurements). In one
 * transaction: the foreign keys that refer to orders, its constraints and indexes are dropped,
 * the table is truncated, and the rows arrive by COPY … FREEZE in 1M-row statements, each
 * FROM PROGRAM psql, whose own backend generates them (COPY (SELECT … generate_series) TO
 * STDOUT): generating and storing run on two cores at once; the rows are written once, with no
 * WAL, already frozen and all-visible (nothing for VACUUM or the first reads to rewrite). Then
 * every index and key is built again from its own definition (pg_indexes,
 * pg_get_constraintdef: sorted builds, two at a time, largest first), the foreign
 * keys are added back (their tables are empty), and VACUUM ANALYZE runs, as autovacuum would
 * soon after. The foreign keys of orders stay but are not checked row by row
 * (session_replication_role = replica, as pg_restore --disable-triggers does: every id the
 * rows use is a demo party's). Same mix as the SQLite generator: 50/25/25% vendors, Acme 45% /
 * Beta 15% / Contoso 40%, the status mix, PO numbers PO-1 … PO-n; ids are time-ordered over
 * three years, their time part in hex (`ord_` + 13 + 13 characters: newId's length and order,
 * cheaper in SQL).
 */
async function fillPostgres(
  ctx: BenchContext,
  url: string,
  p: Parties,
  n: number,
): Promise<{ loadMs: number; indexMs: number; syncMs: number; cpuMs: number | null }> {
  const database = new URL(url).pathname.slice(1);
  const tStart = performance.now();
  let loadMs = 0;
  let indexMs = 0;
  let cpuMs: number | null = null;
  await withBulkLoadSettings(async (load) => {
    // The cluster's CPU time over the load (backends, the psql generators they reap, the
    // checkpointer…): what the load costs whatever else runs on the machine.
    const cpu0 = await postgresCpuMs();
    const connect = async (): Promise<pg.Client> => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`set session_replication_role = replica`);
      // Each build sorts alone, in pieces of SORT_MEMORY merged in one pass (postgres.ts: the
      // comparisons of one in-memory sort of ~1.3 GB, a 3-column key of 10M orders, are mostly
      // cache misses; ~30% more CPU): the two connections already keep both cores busy.
      await c.query(`set maintenance_work_mem = '${SORT_MEMORY}'`);
      await c.query(`set max_parallel_maintenance_workers = 0`);
      return c;
    };
    const clients = [await connect(), await connect()] as const;
    const [client] = clients;
    try {
      // Indexes, largest key first; those behind a constraint (primary key, unique) are
      // dropped and added back as the constraint.
      const indexes = await client.query<{ name: string; def: string; constraint: string | null }>(
        `select i.indexname as name, i.indexdef as def,
           (select pg_get_constraintdef(c.oid) from pg_constraint c
            where c.conrelid = 'orders'::regclass and c.conname = i.indexname) as constraint
         from pg_indexes i join pg_class x on x.relname = i.indexname
           join pg_index ix on ix.indexrelid = x.oid
         where i.schemaname = current_schema() and i.tablename = 'orders'
         order by ix.indnatts desc, i.indexname`,
      );
      const foreignKeys = await client.query<{ tbl: string; name: string; def: string }>(
        `select conrelid::regclass::text as tbl, conname as name, pg_get_constraintdef(oid) as def
         from pg_constraint where confrelid = 'orders'::regclass and contype = 'f'`,
      );
      const shape = async (): Promise<string> => {
        const r = await client.query<{ n: string }>(
          `select (select count(*) from pg_indexes where schemaname = current_schema()
                   and tablename = 'orders') || '/' ||
                  (select count(*) from pg_constraint where conrelid = 'orders'::regclass
                   or confrelid = 'orders'::regclass) as n`,
        );
        return r.rows[0]?.n ?? '';
      };
      const before = await shape();

      const start = Date.now() - 3 * 365 * 86_400_000;
      const step = (3 * 365 * 86_400_000) / n;
      const vendor = (k: number): Parties['vendors'][number] => {
        const v = p.vendors[k];
        if (!v) throw new Error('three demo vendors expected');
        return v;
      };
      const lit = (v: string): string => client.escapeLiteral(v);
      const array = (vs: readonly string[]): string => `array[${vs.map(lit).join(', ')}]`;
      const ordering = [p.acme, p.beta, p.contoso];
      const vendorIds = array([0, 1, 2].map((k) => vendor(k).id));
      const slugs = array([0, 1, 2].map((k) => vendor(k).slug));
      const types = array([0, 1, 2].map((k) => vendor(k).type));
      const partners = array(ordering);
      const customers = array(ordering.map((id) => p.customers.get(id) ?? ''));
      const users = array(ordering.map((id) => p.users.get(id) ?? ''));
      const statusCase = (() => {
        let acc = 0;
        const arms = STATUSES.map(
          ([status, w]) => `when s < ${(acc += w).toFixed(4)} then '${status}'`,
        );
        return `case ${arms.join(' ')} else 'completed' end`;
      })();
      // Orders from..to (g), in the column order of COLUMNS.
      const generate = (from: number, to: number): string => `
        select 'ord_' || lpad(to_hex(t), 13, '0') || lpad(to_hex(g), 13, '0'), (${vendorIds})[vi],
          case when pi = 2 then ${lit(p.acme)} else (${partners})[pi] end, (${partners})[pi],
          (${customers})[pi], 'B-' || (${slugs})[vi] || '-' || lpad(g::text, 8, '0'),
          (${types})[vi], 'api', status, 1, 'USD', 'PO-' || g, total,
          '{"purchaseOrder":{"number":"PO-' || g || '","date":"' || left(at, 10) ||
            '","currency":"USD","total":"' || (total / 100.0)::numeric(12, 2) || '"}}',
          '[]', (${users})[pi], at, at, at
        from (
          select g, t, at, status, total,
            case when u < 0.5 then 1 when u < 0.75 then 2 else 3 end as vi,
            case when w < 0.45 then 1 when w < 0.6 then 2 else 3 end as pi
          from (
            select g, t, random() as u, random() as w, ${statusCase} as status,
              1000 + floor(random() * 5000000)::bigint as total,
              to_char(to_timestamp(t / 1000.0) at time zone 'UTC',
                'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at
            from (select g, (${start}::bigint + floor((g - 1) * ${step}::float8))::bigint as t,
                    random() as s
                  from generate_series(${from}::bigint, ${to}::bigint) g) a
            offset 0
          ) b
        ) c`;
      const timed = async (c: pg.Client, label: string, text: string): Promise<void> => {
        const t = performance.now();
        await c.query(text);
        if (n > CHUNK) ctx.log(`orders: ${label} ${((performance.now() - t) / 1000).toFixed(1)} s`);
      };

      const t0 = performance.now();
      await client.query('begin');
      for (const f of foreignKeys.rows)
        await client.query(`alter table ${f.tbl} drop constraint ${f.name}`);
      for (const i of indexes.rows) {
        await client.query(
          i.constraint ? `alter table orders drop constraint ${i.name}` : `drop index ${i.name}`,
        );
      }
      await client.query('truncate orders');
      for (let from = 1, chunk = 0; from <= n; from += CHUNK, chunk++) {
        const to = Math.min(n, from + CHUNK - 1);
        const file = join(load.dir, `orders-${chunk}.sql`);
        writeFileSync(file, `copy (${generate(from, to)}) to stdout\n`);
        const program = [load.psql, ...load.psqlArgs(database), '-f', file].join(' ');
        await client.query(`copy orders (${COLUMNS}) from program ${lit(program)} with (freeze)`);
        rmSync(file);
        if (n > CHUNK) ctx.log(`orders: PostgreSQL: ${to.toLocaleString('en-US')} rows`);
      }
      await client.query('commit');
      loadMs = performance.now() - t0;

      const t1 = performance.now();
      const builds = indexes.rows.map((i) => ({
        label: i.name,
        text: i.constraint ? `alter table orders add constraint ${i.name} ${i.constraint}` : i.def,
      }));
      await Promise.all(
        clients.map(async (c) => {
          for (let b = builds.shift(); b; b = builds.shift()) await timed(c, b.label, b.text);
        }),
      );
      for (const f of foreignKeys.rows)
        await client.query(`alter table ${f.tbl} add constraint ${f.name} ${f.def}`);
      // Statistics (the rows are frozen and all-visible already: VACUUM has nothing to write).
      await timed(client, 'vacuum analyze', 'vacuum analyze orders');
      indexMs = performance.now() - t1;
      const after = await shape();
      if (after !== before) {
        throw new Error(`orders has ${after} indexes/constraints after the load, ${before} before`);
      }
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    const cpu1 = await postgresCpuMs();
    cpuMs = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
  });
  const syncMs = performance.now() - tStart - loadMs - indexMs;
  return { loadMs, indexMs, syncMs, cpuMs };
}

interface View {
  label: string;
  scope: OrderScope;
  filters: OrderFilters;
}

/**
 * Cursors deep in the filtered list (50%–95% of the way down), found without timing: the ids
 * of every matching order (ids only: at 10M orders a view matches ~500,000), newest first.
 */
async function deepCursors(store: Store, view: View, count: number): Promise<string[]> {
  let q = store.db.selectFrom('orders').select('id').orderBy('id', 'desc');
  q =
    'vendorId' in view.scope
      ? q.where('vendor_id', '=', view.scope.vendorId)
      : q.where('ordering_partner_id', 'in', view.scope.partnerIds);
  const f = view.filters;
  if (f.status !== undefined) q = q.where('status', '=', f.status);
  if (f.partnerId !== undefined) q = q.where('ordering_partner_id', '=', f.partnerId);
  const all = await q.execute();
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const at = Math.floor(all.length * (0.5 + (0.45 * k) / Math.max(1, count - 1)));
    const row = all[Math.min(all.length - 1, at)];
    if (row) out.push(row.id);
  }
  return out;
}

/**
 * The PO-number look-up of order submission (poNumberInUse, the duplicate check: is the
 * partnership's PO number already on a live order?), after ten warm-ups: for PO numbers that
 * exist (orders spread over the whole table) or, with `fresh`, that do not — a new order's.
 */
async function timePoLookups(
  store: Store,
  orders: readonly { vendor_id: string; partner_id: string; po_number: string | null }[],
  n: number,
  fresh: boolean,
) {
  const times: number[] = [];
  for (let k = 0; k < n + 10; k++) {
    const o = orders[k % orders.length];
    if (!o?.po_number) throw new Error('an order without a PO number');
    const poNumber = fresh ? `PO-NEW-${k}` : o.po_number;
    const t0 = performance.now();
    const inUse = await poNumberInUse(store.db, {
      vendorId: o.vendor_id,
      partnerId: o.partner_id,
      poNumber,
    });
    const ms = performance.now() - t0;
    // Live orders carry their PO number; rejected and cancelled ones free it.
    if (fresh && inUse) throw new Error(`${poNumber} is in use`);
    if (k >= 10) times.push(ms);
  }
  return summarize(times);
}

/** Live orders spread over the whole table (every n/count-th PO number), for the PO look-ups. */
async function sampleOrders(store: Store, n: number, count: number) {
  const poNumbers = Array.from(
    { length: count },
    (_, k) => `PO-${1 + Math.floor(((k + 0.5) * n) / count)}`,
  );
  return store.db
    .selectFrom('orders')
    .select(['vendor_id', 'partner_id', 'po_number'])
    .where('po_number', 'in', poNumbers)
    .where('status', 'not in', ['rejected', 'cancelled'])
    .execute();
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

/** Migrates and seeds a database for the order list; returns its demo parties. */
async function prepare(url: string): Promise<Parties> {
  const store = openStore(url, { poolSize: 2 });
  try {
    await migrateToLatest(store);
    await store.db.transaction().execute((tx) => seedDemo(tx, DEMO_PASSWORD, new Date()));
    return await findParties(store);
  } finally {
    await store.close();
  }
}

interface Loaded {
  url: string;
  parties: Parties;
  n: number;
  /** The load's wall time (ms) and, on PostgreSQL, its steps. */
  fillMs: number;
  how: string;
}

/**
 * Loads a prepared SQLite database (in a worker thread); `beside`: while PostgreSQL loads (its
 * wall time then includes sharing the machine with that load, said in the row).
 */
async function loadSqlite(
  ctx: BenchContext,
  url: string,
  p: Parties,
  n: number,
  beside: boolean,
): Promise<Loaded> {
  const t0 = performance.now();
  await fillSqliteInWorker(url.replace(/^sqlite:/, ''), p, n);
  const fillMs = performance.now() - t0;
  ctx.log(
    `orders: SQLite: ${n.toLocaleString('en-US')} orders inserted in ${(fillMs / 1000).toFixed(1)} s`,
  );
  return { url, parties: p, n, fillMs, how: beside ? ' (beside the PostgreSQL load)' : '' };
}

/** Loads a prepared PostgreSQL database. */
async function loadPostgres(
  ctx: BenchContext,
  url: string,
  p: Parties,
  n: number,
): Promise<Loaded> {
  const t0 = performance.now();
  const { loadMs, indexMs, syncMs, cpuMs } = await fillPostgres(ctx, url, p, n);
  const how =
    ` (rows ${(loadMs / 1000).toFixed(1)} s, indexes and vacuum analyze ` +
    `${(indexMs / 1000).toFixed(1)} s, durable restart and sync ${(syncMs / 1000).toFixed(1)} s` +
    `${cpuMs === null ? '' : `; PostgreSQL CPU ${(cpuMs / 1000).toFixed(0)} s`}` +
    '; beside the SQLite load)';
  const fillMs = performance.now() - t0;
  ctx.log(
    `orders: PostgreSQL: ${n.toLocaleString('en-US')} orders inserted in ${(fillMs / 1000).toFixed(1)} s${how}`,
  );
  return { url, parties: p, n, fillMs, how };
}

/** One database's half of the scenario, measured on its loaded database. */
async function measure(
  ctx: BenchContext,
  dbLabel: 'SQLite' | 'PostgreSQL',
  loaded: Loaded,
): Promise<ResultRow[]> {
  const { url, parties: p, n, fillMs, how } = loaded;
  const store = openStore(url);
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
    let byIdAnchor: number | undefined;
    for (const view of views) {
      const cursors = await deepCursors(store, view, 20);
      const first = await timePages(store, view, [undefined], queries);
      const deep = await timePages(store, view, cursors, queries);
      // Anchor: one order by its id in the same scope (a primary-key probe), for both pages.
      const byId = await timeById(store, view, cursors, queries);
      byIdAnchor ??= byId.p95;
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
    // The duplicate-PO check of every order submission, on PO numbers in use and on new ones.
    const sample = await sampleOrders(store, n, 200);
    const size = `${dbLabel}, ${(n / 1_000_000).toString()}M orders`;
    for (const fresh of [false, true]) {
      const s = await timePoLookups(store, sample, queries, fresh);
      const anchor = byIdAnchor ?? s.p95;
      ctx.log(
        `orders: ${dbLabel} PO-number look-up (${fresh ? 'new' : 'in use'}) p95 ${s.p95.toFixed(2)} ms`,
      );
      rows.push({
        scenario: '6 order list',
        figure: `PO-number look-up p95 (duplicate check, PO ${fresh ? 'not yet used' : 'in use'}), ${size}`,
        value: s.p95,
        unit: 'ms',
        anchor: { label: 'one order by id p95', value: anchor, unit: 'ms' },
        ratio: ratioOf(s.p95, anchor),
        ...(n >= 1_000_000
          ? { target: { text: '< 20 ms', met: judge(s.p95, (x) => x < 20) } }
          : {}),
      });
    }
    rows.push({
      scenario: '6 order list',
      figure: `bulk load, ${size}${how}`,
      value: fillMs / 1000,
      unit: 's',
    });
    return rows;
  } finally {
    await store.close();
  }
}

/** Orders on PostgreSQL in the full run (issue 12, point 7); BENCH_ORDERS_PG overrides it. */
const POSTGRES_ORDERS = Number(process.env.BENCH_ORDERS_PG ?? 10_000_000);

export const orderList: Scenario = {
  name: 'orders',
  title:
    'Order list: 1,000,000 orders on SQLite and 10,000,000 on PostgreSQL, first and deep page by cursor, by status and partner; PO-number look-up (6, 7)',
  async run(ctx) {
    const n = ctx.quick ? 100_000 : 1_000_000;
    const sqliteUrl = `sqlite:${join(ctx.tmp, 'orders.db')}`;
    const sqliteParties = await prepare(sqliteUrl);
    const pgN = ctx.quick ? n : POSTGRES_ORDERS;
    const pgUrl = ctx.postgres ? await createDatabase('bench_orders') : undefined;
    const pgParties = pgUrl ? await prepare(pgUrl) : undefined;
    try {
      // Both loads settle before anything else happens: a failed one must not leave the other
      // running (a PostgreSQL load on its non-durable settings) beside the next scenario.
      const [sqliteLoad, postgresLoad] = await Promise.allSettled([
        loadSqlite(ctx, sqliteUrl, sqliteParties, n, pgUrl !== undefined),
        pgUrl && pgParties ? loadPostgres(ctx, pgUrl, pgParties, pgN) : undefined,
      ]);
      if (sqliteLoad.status === 'rejected') throw sqliteLoad.reason;
      if (postgresLoad.status === 'rejected') throw postgresLoad.reason;
      const rows = await measure(ctx, 'SQLite', sqliteLoad.value);
      if (postgresLoad.value) rows.push(...(await measure(ctx, 'PostgreSQL', postgresLoad.value)));
      return rows;
    } finally {
      if (pgUrl) await dropDatabase('bench_orders');
    }
  },
};
