// Scenarios 1, 2 and 7: order submission over HTTP, scale-out on PostgreSQL, server memory.
//
// A northwind "new" order of 5 lines with an approved quote, a PO carrying the partnership's
// special-terms clause, the site admin and the provisioning CC — so every check runs: quote
// match, price list × multiplier, clause, required fields, duplicate PO. Each request has its
// own PO number, Idempotency-Key and quote (submitting consumes the quote). The server runs as
// a child process (`orderdesk serve --demo`); so does the ceiling route it is compared with
// (bench/anchor/ceiling-server.ts), against the same database. The two are measured in turns,
// run after run (which goes first alternating), so drifting background load hits both alike.
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openStore, type Store } from '@orderdesk/store';
import {
  bearerToken,
  cloneQuote,
  ensureNorthwindParts,
  startDesk,
  today,
  type DeskServer,
  type QuoteView,
} from '../lib/desk.ts';
import { assertNoFailures, runLoad, type LoadResult } from '../lib/load.ts';
import { createDatabase, postgresCpuMs } from '../lib/postgres.ts';
import {
  expectJson,
  freePort,
  readCpuMs,
  readMemory,
  resetPeakMemory,
  RssSampler,
  spawnNode,
  waitForHttp,
  type Child,
} from '../lib/proc.ts';
import type { BenchContext, Scenario } from '../lib/scenario.ts';
import { median } from '../lib/stats.ts';
import { judge, ratioOf, type ResultRow } from '../lib/table.ts';

interface Settings {
  repeats: number;
  /** Target length of one measured load run. */
  seconds: number;
  warmup: number;
  /** Unmeasured requests at 16 connections after the warm-up, before the measured runs. */
  settle: number;
  minRequests: number;
  maxRequests: number;
}

const FULL: Settings = {
  repeats: 3,
  seconds: 6,
  warmup: 150,
  settle: 3_000,
  minRequests: 200,
  maxRequests: 20_000,
};
const QUICK: Settings = {
  repeats: 1,
  seconds: 2,
  warmup: 40,
  settle: 200,
  minRequests: 40,
  maxRequests: 2_000,
};
const LEVELS = [1, 16] as const;

/** What a submission needs: who, which quote, the clause. */
interface OrderSetup {
  token: string;
  customerId: string;
  specialTerms: string;
  provisioningCc: string;
  quote: QuoteView;
}

interface Endpoint {
  label: string;
  targets: string[];
  /** The server processes behind the targets (for their CPU time). */
  pids: number[];
  /** The database server's CPU time so far (PostgreSQL), ms. */
  dbCpu?: () => Promise<number | null>;
  path: string;
  prepare(n: number): Promise<{
    body: (i: number) => string;
    headers: (i: number) => Record<string, string>;
  }>;
}

let poSeries = 0;

/** The bench's order as its JSON body: a new PO number, the quote named. */
export function orderJson(setup: OrderSetup, quoteId: string, poNumber: string): string {
  return JSON.stringify({
    vendor: 'northwind',
    type: 'new',
    customerId: setup.customerId,
    quoteId,
    purchaseOrder: {
      number: poNumber,
      date: today(),
      currency: 'USD',
      total: setup.quote.total,
      specialTerms: setup.specialTerms,
    },
    lines: setup.quote.lines.map((l) => ({
      partNumber: l.partNumber,
      quantity: l.quantity,
      unitPrice: l.netPrice,
    })),
    contacts: {
      siteAdmin: { name: 'Dana Whitfield', email: 'it-admin@fabrikam-health.example' },
      provisioningCc: setup.provisioningCc,
    },
    attributes: { microsoftDomain: 'fabrikamhealth.onmicrosoft.example', employeeCount: 1200 },
  });
}

/** A buyer's token, its partnership's clause, its customer, and an approved 5-line quote. */
export async function prepareOrders(
  desk: DeskServer,
  store: Store,
  buyerEmail = 'buyer@acme.example',
): Promise<OrderSetup> {
  const parts = await ensureNorthwindParts(store);
  const buyer = await bearerToken(desk.base, buyerEmail);
  const sales = await bearerToken(desk.base, 'sales@northwind.example');
  const asBuyer = { authorization: `Bearer ${buyer}` };
  const asSales = { authorization: `Bearer ${sales}` };
  const partnerships = await expectJson<{
    items: { partner: { id: string }; specialTerms: string; provisioningCc: string | null }[];
  }>(200, 'GET', `${desk.base}/api/v1/partnerships?vendor=northwind`, { headers: asBuyer });
  const partnership = partnerships.items[0];
  if (!partnership) throw new Error(`${buyerEmail} has no northwind partnership`);
  const customers = await expectJson<{ items: { id: string; partnerId: string }[] }>(
    200,
    'GET',
    `${desk.base}/api/v1/customers`,
    { headers: asBuyer },
  );
  const customer = customers.items.find((c) => c.partnerId === partnership.partner.id);
  if (!customer) throw new Error(`The partner of ${buyerEmail} has no customer`);
  const quote = await expectJson<QuoteView>(201, 'POST', `${desk.base}/api/v1/quotes`, {
    headers: { ...asSales, 'idempotency-key': randomUUID() },
    body: {
      vendor: 'northwind',
      partnerId: partnership.partner.id,
      customerId: customer.id,
      orderType: 'new',
      currency: 'USD',
      lines: parts.map((p, i) => ({ partNumber: p.partNumber, quantity: 10 * (i + 1) })),
    },
  });
  const approved = await expectJson<QuoteView>(
    200,
    'POST',
    `${desk.base}/api/v1/quotes/${quote.id}/actions/approve`,
    { headers: asSales, body: {} },
  );
  const setup: OrderSetup = {
    token: buyer,
    customerId: customer.id,
    specialTerms: partnership.specialTerms,
    provisioningCc: partnership.provisioningCc ?? 'orders-team@acme.example',
    quote: { ...quote, status: approved.status },
  };
  // The order must be valid, or every request would be a 422 and measure nothing.
  const check = await expectJson<{ valid: boolean; problems: unknown[] }>(
    200,
    'POST',
    `${desk.base}/api/v1/orders/validate`,
    { headers: asBuyer, body: JSON.parse(orderJson(setup, quote.id, 'PO-CHECK')) as unknown },
  );
  if (!check.valid) {
    throw new Error(`The bench order is not valid: ${JSON.stringify(check.problems)}`);
  }
  return setup;
}

/** Orders to OrderDesk; with several setups (partnerships), requests take turns among them. */
export function deskEndpoint(
  label: string,
  servers: DeskServer[],
  store: Store,
  setups: OrderSetup | readonly OrderSetup[],
): Endpoint {
  const all = Array.isArray(setups) ? setups : [setups];
  return {
    ...(store.dialect === 'postgres' ? { dbCpu: postgresCpuMs } : {}),
    label,
    targets: servers.map((s) => s.base),
    pids: servers.map((s) => s.child.pid),
    path: '/api/v1/orders',
    prepare: async (n) => {
      const quoteIds: string[][] = [];
      for (const [k, setup] of all.entries()) {
        quoteIds.push(await cloneQuote(store, setup.quote.id, Math.ceil((n - k) / all.length)));
      }
      const series = ++poSeries;
      const setupOf = (i: number): OrderSetup => all[i % all.length] as OrderSetup;
      return {
        body: (i) =>
          orderJson(
            setupOf(i),
            quoteIds[i % all.length]?.[Math.floor(i / all.length)] ?? '',
            `PO-${series}-${i + 1}`,
          ),
        headers: (i) => ({
          authorization: `Bearer ${setupOf(i).token}`,
          'idempotency-key': randomUUID(),
        }),
      };
    },
  };
}

/**
 * The ceiling route's requests: the bench's order without a caller; with `keyed` (a ceiling
 * started with CEILING_KEYED=1) each also carries OrderDesk's bearer token and its own
 * Idempotency-Key.
 */
export function ceilingEndpoint(
  server: { base: string; child: Child },
  setup: OrderSetup,
  postgres: boolean,
  keyed = false,
): Endpoint {
  return {
    ...(postgres ? { dbCpu: postgresCpuMs } : {}),
    label: keyed ? 'ceiling, keyed' : 'ceiling',
    targets: [server.base],
    pids: [server.child.pid],
    path: '/orders',
    prepare: async () => {
      const series = ++poSeries;
      return {
        body: (i) => orderJson(setup, setup.quote.id, `PO-${series}-${i + 1}`),
        headers: (): Record<string, string> =>
          keyed ? { authorization: `Bearer ${setup.token}`, 'idempotency-key': randomUUID() } : {},
      };
    },
  };
}

interface Measured extends LoadResult {
  /** Server CPU time (all its processes) per successful request, ms. */
  cpuMs: number | null;
  /** PostgreSQL's CPU time per successful request, ms (null on SQLite: it runs in the server). */
  dbCpuMs: number | null;
  /** The load client's (this process's) CPU time per successful request, ms. */
  clientCpuMs: number;
}

function cpuOf(pids: readonly number[]): number | null {
  let sum = 0;
  for (const pid of pids) {
    const ms = readCpuMs(pid);
    if (ms === null) return null;
    sum += ms;
  }
  return sum;
}

async function measure(
  ctx: BenchContext,
  e: Endpoint,
  concurrency: number,
  requests: number,
): Promise<Measured> {
  const p = await e.prepare(requests);
  const cpu0 = cpuOf(e.pids);
  const db0 = (await e.dbCpu?.()) ?? null;
  const client0 = process.cpuUsage();
  const load = await runLoad({
    targets: e.targets,
    method: 'POST',
    path: e.path,
    requests,
    concurrency,
    body: p.body,
    headers: p.headers,
    expectStatus: 201,
  });
  const cpu1 = cpuOf(e.pids);
  const client = process.cpuUsage(client0);
  const db1 = (await e.dbCpu?.()) ?? null;
  const perRequest = (a: number | null, b: number | null): number | null =>
    a === null || b === null ? null : (b - a) / Math.max(1, load.ok);
  const result: Measured = {
    ...load,
    cpuMs: perRequest(cpu0, cpu1),
    dbCpuMs: perRequest(db0, db1),
    clientCpuMs: (client.user + client.system) / 1000 / Math.max(1, load.ok),
  };
  assertNoFailures(`${e.label} at ${concurrency} connections`, result);
  ctx.log(
    `  ${e.label.padEnd(28)} c=${String(concurrency).padStart(2)}  ${result.rps.toFixed(0).padStart(5)}/s  ` +
      `p50 ${result.latency.p50.toFixed(1)} ms  p99 ${result.latency.p99.toFixed(1)} ms  ` +
      `CPU/req: server ${result.cpuMs?.toFixed(2) ?? '?'} ms` +
      `${result.dbCpuMs === null ? '' : `, PostgreSQL ${result.dbCpuMs.toFixed(2)} ms`}` +
      `, client ${result.clientCpuMs.toFixed(2)} ms  (${requests} req)`,
  );
  return result;
}

export async function startCeiling(
  label: string,
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<{ base: string; child: Child }> {
  const port = await freePort();
  const child = spawnNode(label, ['--import', 'tsx', 'bench/anchor/ceiling-server.ts'], {
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    SQLITE_SYNCHRONOUS: 'FULL',
    ...env,
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/health`, child);
  return { base, child };
}

interface Runs {
  rps: number;
  p50: number;
  p99: number;
  cpuMs: number | null;
  dbCpuMs: number | null;
  clientCpuMs: number;
}

function medianOrNull(values: readonly (number | null)[]): number | null {
  const known = values.filter((c): c is number => c !== null);
  return known.length > 0 ? median(known) : null;
}

function medianOf(results: readonly Measured[]): Runs {
  return {
    rps: median(results.map((r) => r.rps)),
    p50: median(results.map((r) => r.latency.p50)),
    p99: median(results.map((r) => r.latency.p99)),
    cpuMs: medianOrNull(results.map((r) => r.cpuMs)),
    dbCpuMs: medianOrNull(results.map((r) => r.dbCpuMs)),
    clientCpuMs: median(results.map((r) => r.clientCpuMs)),
  };
}

/** Where the CPU of an order goes, and the throughput that CPU allows on this machine. */
function cpuBudgetNote(v: Runs): string | undefined {
  if (v.cpuMs === null || v.dbCpuMs === null) return undefined;
  const total = v.cpuMs + v.dbCpuMs + v.clientCpuMs;
  const cores = availableParallelism();
  return (
    `CPU per order: servers ${v.cpuMs.toFixed(1)} + PostgreSQL ${v.dbCpuMs.toFixed(1)} + load client ` +
    `${v.clientCpuMs.toFixed(1)} = ${total.toFixed(1)} ms; ${cores} cores allow at most ` +
    `${Math.round((cores * 1000) / total)} orders/s whatever the number of processes`
  );
}

/** Scenario 1 (and 7, and 2 on PostgreSQL) on one database. */
async function runOn(
  ctx: BenchContext,
  settings: Settings,
  dbLabel: 'SQLite' | 'PostgreSQL',
  databaseUrl: string,
): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  ctx.log(`submit: ${dbLabel}: starting the server, preparing the quote`);
  const desk = await startDesk(`orderdesk serve (${dbLabel})`, databaseUrl);
  const store = openStore(databaseUrl, { poolSize: 2 });
  try {
    const setup = await prepareOrders(desk, store);
    const ceiling = await startCeiling(`ceiling route (${dbLabel})`, databaseUrl);
    const real = deskEndpoint('orderdesk POST /orders', [desk], store, setup);
    const ceil = ceilingEndpoint(ceiling, setup, dbLabel === 'PostgreSQL');

    // Warm up both (JIT, caches) and size each run to about `seconds` long.
    const counts = new Map<string, number>();
    for (const c of LEVELS) {
      for (const e of [ceil, real]) {
        const warm = await measure(
          ctx,
          e,
          c,
          Math.max(Math.round(settings.warmup / (c === 1 ? 3 : 1)), 10),
        );
        const n = Math.round(warm.rps * settings.seconds);
        counts.set(
          `${e.label}/${c}`,
          Math.min(settings.maxRequests, Math.max(settings.minRequests, n)),
        );
      }
    }
    // The JIT, the statement caches and the collector's heap sizing keep improving for
    // thousands of requests after the short warm-up that sizes the runs: in the seventh pass
    // the desk's CPU per order on PostgreSQL fell 5.25 → 5.06 → 3.84 ms over its three measured
    // runs and stayed at ~3.8 ms in the rows after them, so the median reported a server still
    // warming up. Both endpoints get the same unmeasured requests first, before the statistics
    // are refreshed (below).
    for (const e of [ceil, real]) {
      ctx.log(`  (settling ${e.label}: ${settings.settle} requests, not measured)`);
      await measure(ctx, e, 16, settings.settle);
    }
    if (store.dialect === 'postgres') {
      // Statistics as autovacuum keeps them on a database in use: here the orders table grows
      // from nothing within a minute (autovacuum's nap), and plans chosen on the stale
      // statistics of a near-empty table (the duplicate-PO check by the vendor's fulfil-by
      // index, ~1 ms at a few thousand orders and growing) would be measured instead.
      await sql`analyze`.execute(store.db);
    }
    const idle = readMemory(desk.child.pid);
    const hwmReset = resetPeakMemory(desk.child.pid);
    const sampler = new RssSampler(desk.child.pid).start();

    const results = new Map<string, Measured[]>();
    for (let r = 0; r < settings.repeats; r++) {
      for (const c of LEVELS) {
        // Each turn the other goes first, so neither always runs on the other's heels.
        for (const e of r % 2 === 0 ? [ceil, real] : [real, ceil]) {
          const key = `${e.label}/${c}`;
          const res = await measure(ctx, e, c, counts.get(key) ?? settings.minRequests);
          results.set(key, [...(results.get(key) ?? []), res]);
        }
      }
    }
    const sampled = sampler.stop();
    const mem = readMemory(desk.child.pid);
    const peak = Math.max(sampled, hwmReset && mem ? mem.peakMb : 0);

    for (const c of LEVELS) {
      const a = medianOf(results.get(`${ceil.label}/${c}`) ?? []);
      const v = medianOf(results.get(`${real.label}/${c}`) ?? []);
      const gate = dbLabel === 'SQLite' && c === 16;
      // Issue 12's goals at 16 connections: 0.5× the ceiling on SQLite, 0.35× on PostgreSQL.
      const goal = c !== 16 ? null : dbLabel === 'SQLite' ? 0.5 : 0.35;
      const ratio = ratioOf(v.rps, a.rps);
      // The spread of the ratio: each turn's run against the ceiling's run of the same turn.
      const ceilRuns = results.get(`${ceil.label}/${c}`) ?? [];
      const turns = (results.get(`${real.label}/${c}`) ?? []).map((r, i) =>
        ratioOf(r.rps, ceilRuns[i]?.rps ?? null),
      );
      rows.push({
        scenario: '1 submit',
        figure: `orders/s, ${dbLabel}, ${c} conn`,
        value: v.rps,
        unit: 'orders/s',
        anchor: { label: 'ceiling route', value: a.rps, unit: '/s' },
        ratio,
        note: `ratio of the medians; turn by turn ${turns.map((t) => (t === null ? '–' : t.toFixed(2))).join(', ')}`,
        ...(goal !== null
          ? {
              target: {
                text: `≥ ${goal.toFixed(2)}× ceiling`,
                met: judge(ratio, (x) => x >= goal),
              },
            }
          : {}),
      });
      rows.push({
        scenario: '1 submit',
        figure: `p50 latency, ${dbLabel}, ${c} conn`,
        value: v.p50,
        unit: 'ms',
        anchor: { label: 'ceiling route', value: a.p50, unit: 'ms' },
        ratio: ratioOf(v.p50, a.p50),
      });
      const p99ratio = ratioOf(v.p99, a.p99);
      rows.push({
        scenario: '1 submit',
        figure: `p99 latency, ${dbLabel}, ${c} conn`,
        value: v.p99,
        unit: 'ms',
        anchor: { label: 'ceiling route', value: a.p99, unit: 'ms' },
        ratio: p99ratio,
        ...(gate
          ? { target: { text: '≤ 2× ceiling p99', met: judge(p99ratio, (x) => x <= 2) } }
          : {}),
      });
      if (c === 16) {
        rows.push({
          scenario: '1 submit',
          figure: `server CPU per order, ${dbLabel}, ${c} conn`,
          value: v.cpuMs,
          unit: 'ms',
          anchor: { label: 'ceiling route', value: a.cpuMs, unit: 'ms' },
          ratio: ratioOf(v.cpuMs, a.cpuMs),
          ...(dbLabel === 'SQLite'
            ? {
                note: 'user + system CPU of the server process over the run, divided by the orders it took',
              }
            : {}),
        });
        if (dbLabel === 'PostgreSQL') {
          rows.push({
            scenario: '1 submit',
            figure: `PostgreSQL CPU per order, ${c} conn`,
            value: v.dbCpuMs,
            unit: 'ms',
            anchor: { label: 'ceiling route', value: a.dbCpuMs, unit: 'ms' },
            ratio: ratioOf(v.dbCpuMs, a.dbCpuMs),
            note: 'CPU of the PostgreSQL cluster (postmaster and its children) per order',
          });
          const both = (m: typeof v): number | null =>
            m.cpuMs === null || m.dbCpuMs === null ? null : m.cpuMs + m.dbCpuMs;
          const cpuRatio = ratioOf(both(v), both(a));
          rows.push({
            scenario: '1 submit',
            figure: `server + PostgreSQL CPU per order, ${c} conn`,
            value: both(v),
            unit: 'ms',
            anchor: { label: 'ceiling route', value: both(a), unit: 'ms' },
            ratio: cpuRatio,
            target: { text: '≤ 3× ceiling', met: judge(cpuRatio, (x) => x <= 3) },
          });
        }
      }
    }

    if (dbLabel === 'SQLite') {
      // The HTTP floor on this machine: the ceiling process answering without a database.
      const n = ctx.quick ? 2_000 : 20_000;
      const noop = await runLoad({
        targets: [ceiling.base],
        method: 'GET',
        path: '/noop',
        requests: n,
        concurrency: 16,
        expectStatus: 200,
      });
      assertNoFailures('GET /noop', noop);
      rows.push({
        scenario: '1 submit',
        figure: 'HTTP floor: Fastify GET, no database, 16 conn',
        value: noop.rps,
        unit: 'req/s',
        note: 'the same load client against a route that does nothing: the most any route here can do',
      });
    }
    await ceiling.child.stop();

    rows.push({
      scenario: '7 memory',
      figure: `server peak RSS during scenario 1, ${dbLabel}`,
      value: peak > 0 ? peak : null,
      unit: 'MB',
      anchor: { label: 'same server idle', value: idle?.rssMb ?? null, unit: 'MB' },
      ratio: ratioOf(peak, idle?.rssMb ?? null),
      // Issue 12, point 5: under the submission load < 200 MB (was < 250 MB before it).
      target: { text: '< 200 MB', met: judge(peak > 0 ? peak : null, (x) => x < 200) },
    });

    if (dbLabel === 'PostgreSQL') {
      const contoso = await prepareOrders(desk, store, 'buyer@contoso.example');
      rows.push(...(await partnershipSpread(ctx, settings, desk, store, setup, contoso)));
      rows.push(...(await scaleOut(ctx, settings, databaseUrl, desk, store, setup, contoso)));
    }
  } finally {
    await store.close();
    await desk.child.stop();
  }
  return rows;
}

/**
 * Issue 12: 16 connections whose orders all fall under one partnership (Acme) against the
 * same load spread over two (Acme and Contoso; the demo's only northwind partnerships), one
 * server process, measured in turns. Orders of one partnership must not wait for each other
 * on a row lock (duplicate PO numbers and quotes are kept by a unique index and a conditional
 * update), so the two should be close. Both still share the vendor's order-number counter.
 */
async function partnershipSpread(
  ctx: BenchContext,
  settings: Settings,
  desk: DeskServer,
  store: Store,
  acme: OrderSetup,
  contoso: OrderSetup,
): Promise<ResultRow[]> {
  const one = deskEndpoint('1 partnership', [desk], store, acme);
  const spread = deskEndpoint('2 partnerships', [desk], store, [acme, contoso]);
  const warm = await measure(ctx, spread, 16, settings.warmup);
  const n = Math.min(
    settings.maxRequests,
    Math.max(settings.minRequests, Math.round(warm.rps * settings.seconds)),
  );
  const ones: Measured[] = [];
  const spreads: Measured[] = [];
  for (let r = 0; r < settings.repeats; r++) {
    if (r % 2 === 0) {
      ones.push(await measure(ctx, one, 16, n));
      spreads.push(await measure(ctx, spread, 16, n));
    } else {
      spreads.push(await measure(ctx, spread, 16, n));
      ones.push(await measure(ctx, one, 16, n));
    }
  }
  const a = medianOf(spreads);
  const v = medianOf(ones);
  const ratio = ratioOf(v.rps, a.rps);
  return [
    {
      scenario: '1 submit',
      figure: 'orders/s, PostgreSQL, 16 conn, all on 1 partnership',
      value: v.rps,
      unit: 'orders/s',
      anchor: { label: 'spread over 2', value: a.rps, unit: '/s' },
      ratio,
      target: {
        text: 'within 25% of spread',
        met: judge(ratio, (x) => x >= 0.75 && x <= 1.25),
      },
    },
    {
      scenario: '1 submit',
      figure: 'p99 latency, PostgreSQL, 16 conn, all on 1 partnership',
      value: v.p99,
      unit: 'ms',
      anchor: { label: 'spread over 2', value: a.p99, unit: 'ms' },
      ratio: ratioOf(v.p99, a.p99),
    },
  ];
}

/**
 * Scenario 2: the same load (16 connections) against one and against two server processes;
 * the same comparison also runs with the orders spread over two partnerships (Acme and
 * Contoso), which before issue 12 told the partnership row lock from the CPU.
 */
async function scaleOut(
  ctx: BenchContext,
  settings: Settings,
  databaseUrl: string,
  first: DeskServer,
  store: Store,
  setup: OrderSetup,
  contoso: OrderSetup,
): Promise<ResultRow[]> {
  ctx.log('scale-out: starting a second server process on the same PostgreSQL database');
  const second = await startDesk('orderdesk serve #2 (PostgreSQL)', databaseUrl);
  try {
    const pairs = [
      {
        one: deskEndpoint('1 process', [first], store, setup),
        two: deskEndpoint('2 processes', [first, second], store, setup),
        what: '',
      },
      {
        one: deskEndpoint('1 process, 2 partnerships', [first], store, [setup, contoso]),
        two: deskEndpoint('2 processes, 2 partnerships', [first, second], store, [setup, contoso]),
        what: ', orders of 2 partnerships',
      },
    ];
    const rows: ResultRow[] = [];
    for (const [k, { one, two, what }] of pairs.entries()) {
      // Both processes need their JIT warm: as many requests each as the first one had.
      const warm = await measure(ctx, two, 16, settings.warmup * (k === 0 ? 4 : 1));
      const n = Math.min(
        settings.maxRequests,
        Math.max(settings.minRequests, Math.round(warm.rps * settings.seconds)),
      );
      const ones: Measured[] = [];
      const twos: Measured[] = [];
      for (let r = 0; r < settings.repeats; r++) {
        ones.push(await measure(ctx, one, 16, n));
        twos.push(await measure(ctx, two, 16, n));
      }
      const a = medianOf(ones);
      const v = medianOf(twos);
      const ratio = ratioOf(v.rps, a.rps);
      rows.push({
        scenario: '2 scale-out',
        figure: `orders/s, PostgreSQL, 2 processes, 16 conn${what}`,
        value: v.rps,
        unit: 'orders/s',
        anchor: { label: '1 process', value: a.rps, unit: '/s' },
        ratio,
        ...(k === 0
          ? { target: { text: '≥ 1.6× one process', met: judge(ratio, (x) => x >= 1.6) } }
          : {}),
        ...(cpuBudgetNote(v) ? { note: cpuBudgetNote(v) } : {}),
      });
      if (k === 0) {
        rows.push({
          scenario: '2 scale-out',
          figure: 'p99 latency, PostgreSQL, 2 processes, 16 conn',
          value: v.p99,
          unit: 'ms',
          anchor: { label: '1 process', value: a.p99, unit: 'ms' },
          ratio: ratioOf(v.p99, a.p99),
        });
      }
    }
    return rows;
  } finally {
    await second.child.stop();
  }
}

export const orderSubmission: Scenario = {
  name: 'submit',
  title: 'Order submission over HTTP (1), scale-out on PostgreSQL (2), server memory (7)',
  async run(ctx) {
    const settings = ctx.quick ? QUICK : FULL;
    const rows = await runOn(ctx, settings, 'SQLite', `sqlite:${join(ctx.tmp, 'submit.db')}`);
    if (ctx.postgres) {
      rows.push(
        ...(await runOn(ctx, settings, 'PostgreSQL', await createDatabase('bench_submit'))),
      );
    }
    return rows;
  },
};
