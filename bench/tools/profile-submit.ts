// Profiles the server's side of order submission (the bench's scenario 1 order) with V8's
// CPU profiler: `node --import tsx bench/tools/profile-submit.ts [--postgres] [--requests=N]
// [--concurrency=N]`. The server runs the compiled bundle (`npm run build:server` first) as
// `node --cpu-prof … serve --demo`; the profile lands in bench/results/ (open it in Chrome's
// DevTools or `npx speedscope`), and the top functions by self time are printed.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@orderdesk/store';
import { startDesk } from '../lib/desk.ts';
import { runLoad } from '../lib/load.ts';
import { cluster, createDatabase, dropDatabase } from '../lib/postgres.ts';
import { REPO_ROOT } from '../lib/proc.ts';
import { deskEndpoint, prepareOrders } from '../scenarios/order-submission.ts';

const arg = (name: string, fallback: number): number => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
};
const postgres = process.argv.includes('--postgres');
const requests = arg('requests', 3000);
const concurrency = arg('concurrency', 16);

/** The compiled bundle itself (the bin would fall back to tsx when a source is newer). */
const DIST_BIN = join(REPO_ROOT, 'packages/cli/dist/orderdesk.js');
const dir = mkdtempSync(join(tmpdir(), 'orderdesk-profile-'));
const profileDir = join(REPO_ROOT, 'bench/results');
let dbName: string | null = null;
let url = `sqlite:${join(dir, 'orderdesk.db')}`;
if (postgres) {
  await cluster();
  dbName = `profile_${Date.now()}`;
  url = await createDatabase(dbName);
}
const started = Date.now();
const desk = await startDesk('orderdesk serve (profiled)', url, {
  bin: DIST_BIN,
  nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
  // --normal: without the commit's fsync, to see the CPU alone.
  env: { SQLITE_SYNCHRONOUS: process.argv.includes('--normal') ? 'NORMAL' : 'FULL' },
});
const { base, child } = desk;
const store = openStore(url, { poolSize: 2 });
try {
  const setup = await prepareOrders(desk, store);
  const endpoint = deskEndpoint('orderdesk', [desk], store, setup);
  for (const [n, label] of [
    [300, 'warm-up'],
    [requests, 'profiled'],
  ] as const) {
    const p = await endpoint.prepare(n);
    const result = await runLoad({
      targets: [base],
      method: 'POST',
      path: '/api/v1/orders',
      requests: n,
      concurrency,
      body: p.body,
      headers: p.headers,
      expectStatus: 201,
    });
    console.log(
      `${label}: ${result.ok} orders, ${result.rps.toFixed(0)}/s, p50 ${result.latency.p50.toFixed(1)} ms, p99 ${result.latency.p99.toFixed(1)} ms, ${result.failed} failed`,
    );
  }
} finally {
  await child.stop();
  await store.close();
  if (dbName) await dropDatabase(dbName);
  rmSync(dir, { recursive: true, force: true });
}

// The main thread's profile (the largest of the newest run's): top functions by self time.
const newest = readdirSync(profileDir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .map((f) => join(profileDir, f))
  .filter((f) => statSync(f).mtimeMs >= started)
  .sort((a, b) => statSync(b).size - statSync(a).size)
  .at(0);
if (newest) {
  interface Node {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }
  const profile = JSON.parse(readFileSync(newest, 'utf8')) as {
    nodes: Node[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    const f = node.callFrame;
    const where = f.url.replace(/^.*\/(node_modules|packages)\//, '$1/');
    const key = `${f.functionName || '(anonymous)'} ${where}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  // Self time by package: where the server's CPU goes, grouped.
  const byPackage = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const url = byId.get(id)?.callFrame.url ?? '';
    const pkg =
      /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
      (url.includes('/dist/')
        ? 'orderdesk (bundle)'
        : url.startsWith('node:')
          ? 'node'
          : '(native/gc)');
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  console.log('\nself time by package:');
  for (const [pkg, us] of [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${pkg}`);
  }
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40);
  console.log(`\n${newest} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  for (const [key, us] of top) {
    console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`);
  }
}
