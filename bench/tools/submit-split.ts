// How much of a SQLite order submission is the use case and how much the HTTP around it — the
// question behind issue 12's point 1 (≥ 0.5× the ceiling route): could moving the use case to
// a thread of its own, with HTTP and validation of the body left on the main one, reach it?
//
// `node --import tsx bench/tools/submit-split.ts [--requests=N] [--turns=N] [--concurrency=N]`
// (after `npm run build:server`). The compiled server runs as `orderdesk serve --demo` on a
// SQLite file (WAL, synchronous=FULL, group commit — as in the bench); the bench's order
// (scenario 1) goes to it over HTTP at 16 connections (or --concurrency), and then, in turns
// with it, the same orders go straight to the use case in this process — `runIdempotent` +
// `submitOrder` with the body already parsed, as many at a time, through a store opened on
// the same file — so neither HTTP, nor the body's schema, nor authentication, nor the
// response's serialisation is in that figure. Each turn prints orders/s and the CPU per order
// of the process doing the work (for the servers also by thread, with their peak RSS: a
// variant of the server that moves work to another thread shows what it moved and what it
// cost); the medians end it. Two more turns: the same requests to POST /orders/validate (the
// checking half, nothing written), and a second ceiling process started with CEILING_KEYED=1,
// which also finds its caller by bearer token and stores its answer under the request's
// Idempotency-Key (anchor/ceiling-server.ts) — what API.md asks of any creating route.
// The use case's orders/s is what a thread running only the use case could do at best on one
// core; half the ceiling route's orders/s (the bench's row 1) is what point 1 asks for.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  actorFromUser,
  orderSubmissionBodySchema,
  DEFAULT_APP_SETTINGS,
  LoginThrottle,
  runIdempotent,
  submitOrder,
  systemClock,
  type AppContext,
} from '@orderdesk/app';
import { findUserByEmail, openStore } from '@orderdesk/store';
import { cloneQuote, startDesk } from '../lib/desk.ts';
import { runLoad } from '../lib/load.ts';
import { REPO_ROOT, readCpuMs, threadCpuMs } from '../lib/proc.ts';
import { median } from '../lib/stats.ts';
import {
  ceilingEndpoint,
  deskEndpoint,
  orderJson,
  prepareOrders,
  startCeiling,
} from '../scenarios/order-submission.ts';

const arg = (name: string, fallback: number): number => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
};
const requests = arg('requests', 5000);
const turns = arg('turns', 3);
const CONCURRENCY = arg('concurrency', 16);
const BUYER = 'buyer@acme.example';

/** The compiled bundle itself (the bin would fall back to tsx when a source is newer). */
const DIST_BIN = join(REPO_ROOT, 'packages/cli/dist/orderdesk.js');
const dir = mkdtempSync(join(tmpdir(), 'orderdesk-split-'));
const url = `sqlite:${join(dir, 'orderdesk.db')}`;
const desk = await startDesk('orderdesk serve', url, { bin: DIST_BIN });
const { child } = desk;
const store = openStore(url, { poolSize: 2 });
const ctx: AppContext = {
  store,
  clock: systemClock,
  config: DEFAULT_APP_SETTINGS,
  loginThrottle: new LoginThrottle(15 * 60_000),
  now: () => systemClock.now(),
};

/** CPU time (ms) of each thread of a process, by thread id, from /proc. */
function threadCpu(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/** The peak resident set of a process so far (VmHWM), MB. */
function peakRssMb(pid: number): string {
  const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kb ? (Number(kb) / 1024).toFixed(0) : '?';
}

/** Child processes to stop at the end, besides the server. */
const stopLater: (() => Promise<unknown>)[] = [];

interface Turn {
  rps: number;
  cpuMs: number;
}

try {
  const setup = await prepareOrders(desk, store, BUYER);
  const endpoint = deskEndpoint('orderdesk', [desk], store, setup);
  const user = await findUserByEmail(store.db, BUYER);
  if (!user) throw new Error(`no demo user ${BUYER}`);
  const actor = await actorFromUser(store.db, user, 'token');

  const ceiling = await startCeiling('ceiling route', url);
  stopLater.push(() => ceiling.child.stop());
  const ceilingOrders = ceilingEndpoint(ceiling, setup, false);
  // The ceiling that also finds its caller by token and stores its answer under the key.
  const keyedCeiling = await startCeiling('ceiling route, keyed', url, { CEILING_KEYED: '1' });
  stopLater.push(() => keyedCeiling.child.stop());
  const keyedOrders = ceilingEndpoint(keyedCeiling, setup, false, true);

  // The same requests to POST /orders/validate: authentication, the body's schema, the order's
  // context and its validation, and nothing written — no transaction, no commit.
  const validateOnly = {
    ...endpoint,
    label: 'orderdesk validate',
    path: '/api/v1/orders/validate',
  };

  const overHttp = async (n: number, e = endpoint, expectStatus = 201): Promise<Turn> => {
    const p = await e.prepare(n);
    const pid = e.pids[0] ?? child.pid;
    const cpu0 = readCpuMs(pid) ?? 0;
    const threads0 = threadCpu(pid);
    const result = await runLoad({
      targets: e.targets,
      method: 'POST',
      path: e.path,
      requests: n,
      concurrency: CONCURRENCY,
      body: p.body,
      headers: p.headers,
      expectStatus,
    });
    if (result.failed > 0) throw new Error(`${result.failed} ${e.label} submissions failed`);
    // Where the process's CPU went, thread by thread (the main thread first), and its peak RSS.
    const threads1 = threadCpu(pid);
    const busy = [...threads1]
      .map(([tid, ms]) => [tid, (ms - (threads0.get(tid) ?? 0)) / n] as const)
      .filter(([, ms]) => ms >= 0.01)
      .sort(([a], [b]) => (a === pid ? -1 : b === pid ? 1 : 0))
      .map(([tid, ms]) => `${tid === pid ? 'main' : tid} ${ms.toFixed(2)}`);
    console.log(
      `  ${e.label}: CPU ms per order by thread: ${busy.join(', ')}; peak RSS ${peakRssMb(pid)} MB`,
    );
    return { rps: result.rps, cpuMs: ((readCpuMs(pid) ?? 0) - cpu0) / n };
  };

  let series = 0;
  const useCaseAlone = async (n: number): Promise<Turn> => {
    series += 1;
    const quoteIds = await cloneQuote(store, setup.quote.id, n);
    // What the route hands the use case: the body parsed by its schema, the key's request hash.
    const work = quoteIds.map((quoteId, i) => {
      const po = `SPLIT-${series}-${i + 1}`;
      const body = orderSubmissionBodySchema.parse(JSON.parse(orderJson(setup, quoteId, po)));
      const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
      return {
        body,
        key: { userId: actor.userId, key: po, method: 'POST', path: '/api/v1/orders', requestHash },
      };
    });
    let next = 0;
    const cpu0 = threadCpuMs() ?? 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < n; i = next++) {
          const { body, key } = work[i]!;
          const result = await runIdempotent(
            ctx,
            key,
            async (tx) => ({ status: 201, body: await submitOrder(ctx, actor, body, { tx }) }),
            { keyLast: true },
          );
          if (result.status !== 201) throw new Error(`submission ${i} answered ${result.status}`);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return { rps: n / seconds, cpuMs: ((threadCpuMs() ?? 0) - cpu0) / n };
  };

  // Warm both paths (JIT, statement caches), then measure in turns, alternating which goes first.
  await overHttp(1000);
  await overHttp(1000, ceilingOrders);
  await useCaseAlone(1000);
  await overHttp(1000, validateOnly, 200);
  await overHttp(1000, keyedOrders);
  const http: Turn[] = [];
  const keyedCeil: Turn[] = [];
  const alone: Turn[] = [];
  const ceil: Turn[] = [];
  const validating: Turn[] = [];
  const show = (label: string, t: Turn) =>
    console.log(`${label}: ${t.rps.toFixed(0)} orders/s, CPU ${t.cpuMs.toFixed(3)} ms per order`);
  for (let turn = 0; turn < turns; turn++) {
    const order =
      turn % 2 === 0
        ? ['ceiling', 'http', 'alone', 'validate', 'keyed']
        : ['keyed', 'validate', 'alone', 'http', 'ceiling'];
    for (const which of order) {
      if (which === 'ceiling') {
        const t = await overHttp(requests, ceilingOrders);
        ceil.push(t);
        show(`turn ${turn + 1} ceiling route (its process)`, t);
      } else if (which === 'http') {
        const t = await overHttp(requests);
        http.push(t);
        show(`turn ${turn + 1} over HTTP (server process)`, t);
      } else if (which === 'keyed') {
        const t = await overHttp(requests, keyedOrders);
        keyedCeil.push(t);
        show(`turn ${turn + 1} ceiling route, keyed (its process)`, t);
      } else if (which === 'validate') {
        const t = await overHttp(requests, validateOnly, 200);
        validating.push(t);
        show(`turn ${turn + 1} validation only over HTTP (server process)`, t);
      } else {
        const t = await useCaseAlone(requests);
        alone.push(t);
        show(`turn ${turn + 1} use case alone (one thread)`, t);
      }
    }
  }
  const m = (ts: Turn[], k: keyof Turn) => median(ts.map((t) => t[k]));
  const line = (label: string, ts: Turn[]) =>
    `  ${label.padEnd(26)} ${m(ts, 'rps').toFixed(0).padStart(5)} orders/s  ` +
    `${(m(ts, 'rps') / m(ceil, 'rps')).toFixed(2)}× the ceiling  CPU ${m(ts, 'cpuMs').toFixed(3)} ms per order`;
  console.log(
    `\nmedians of ${turns} turns, ${requests} orders each, ${CONCURRENCY} at a time:\n` +
      `${line('ceiling route', ceil)}\n${line('OrderDesk over HTTP', http)}\n` +
      `${line('the use case alone', alone)}\n${line('validation only, HTTP', validating)}\n` +
      `${line('ceiling, token + key', keyedCeil)}\n` +
      `  OrderDesk over HTTP ÷ the ceiling with token + key: ` +
      `${(m(http, 'rps') / m(keyedCeil, 'rps')).toFixed(2)}×`,
  );
} finally {
  for (const stop of stopLater) await stop();
  await child.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
