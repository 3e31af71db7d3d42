// Compares two compiled servers on the bench's order submission (scenario 1): is a change
// faster? `node --import tsx bench/tools/compare-builds.ts A_DIR B_DIR [--requests=N]
// [--rounds=N]`, where each directory is a copy of packages/cli/dist (e.g. `npm run
// build:server && cp -r packages/cli/dist packages/cli/dist-a` before and after the change;
// keep the copies inside the repository, so that the bundle finds node_modules). A_ARGS /
// B_ARGS in the environment add node options to one side (e.g. B_ARGS=--min-semi-space-size=4),
// A_ENV / B_ENV variables of its environment (e.g. B_ENV=SQLITE_SYNCHRONOUS=NORMAL).
//
// Both servers run at once, each `orderdesk serve --demo` on a SQLite file of its own (WAL,
// synchronous=FULL, as in the bench), and take turns: after 3,000 unmeasured orders each,
// `rounds` rounds of `requests` orders at 16 connections, which side goes first alternating
// round by round. Each round prints orders/s, the server's CPU per order and p99; the medians
// end it, with each server's peak RSS. One server process differs from the next by a few
// percent (JIT, heap layout): the same build against itself can differ by ~5%, so a smaller
// difference needs several runs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openStore } from '@orderdesk/store';
import { startDesk } from '../lib/desk.ts';
import { runLoad } from '../lib/load.ts';
import { readCpuMs } from '../lib/proc.ts';
import { median } from '../lib/stats.ts';
import { deskEndpoint, prepareOrders } from '../scenarios/order-submission.ts';

const arg = (name: string, fallback: number): number => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
};
const dirs = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (dirs.length !== 2) {
  console.error('usage: compare-builds.ts A_DIR B_DIR [--requests=N] [--rounds=N]');
  process.exit(2);
}
const requests = arg('requests', 3000);
const rounds = arg('rounds', 6);

interface Run {
  rps: number;
  cpuMs: number;
  p99: number;
}

interface Side {
  name: string;
  pid: number;
  run(n: number): Promise<Run>;
  stop(): Promise<unknown>;
}

const temp = mkdtempSync(join(tmpdir(), 'orderdesk-compare-'));
const sides: Side[] = [];
try {
  for (const [i, dir] of dirs.entries()) {
    const name = i === 0 ? 'A' : 'B';
    const url = `sqlite:${join(temp, `${name}.db`)}`;
    const nodeArgs = (process.env[`${name}_ARGS`] ?? '').split(' ').filter(Boolean);
    const bin = join(resolve(dir), 'orderdesk.js');
    const env = Object.fromEntries(
      (process.env[`${name}_ENV`] ?? '')
        .split(' ')
        .filter(Boolean)
        .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    );
    const desk = await startDesk(`serve ${name}`, url, { bin, nodeArgs, env });
    const store = openStore(url, { poolSize: 2 });
    const endpoint = deskEndpoint(name, [desk], store, await prepareOrders(desk, store));
    const pid = desk.child.pid ?? 0;
    sides.push({
      name,
      pid,
      stop: async () => {
        await desk.child.stop();
        await store.close();
      },
      run: async (n) => {
        const prepared = await endpoint.prepare(n);
        const cpu0 = readCpuMs(pid) ?? 0;
        const result = await runLoad({
          targets: endpoint.targets,
          method: 'POST',
          path: endpoint.path,
          requests: n,
          concurrency: 16,
          body: prepared.body,
          headers: prepared.headers,
          expectStatus: 201,
        });
        if (result.failed > 0) throw new Error(`${result.failed} submissions to ${name} failed`);
        return {
          rps: result.rps,
          cpuMs: ((readCpuMs(pid) ?? 0) - cpu0) / n,
          p99: result.latency.p99,
        };
      },
    });
    console.log(`${name}: ${bin} ${nodeArgs.join(' ')} ${process.env[`${name}_ENV`] ?? ''}`);
  }
  for (const side of sides) await side.run(3000);
  const runs = new Map<string, Run[]>(sides.map((s) => [s.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const side of r % 2 === 0 ? sides : [...sides].reverse()) {
      const run = await side.run(requests);
      runs.get(side.name)?.push(run);
      console.log(
        `round ${r + 1} ${side.name}: ${run.rps.toFixed(0)} orders/s, CPU ${run.cpuMs.toFixed(3)} ms per order, p99 ${run.p99.toFixed(1)} ms`,
      );
    }
  }
  for (const side of sides) {
    const all = runs.get(side.name) ?? [];
    const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${side.pid}/status`, 'utf8'))?.[1];
    console.log(
      `${side.name} medians: ${median(all.map((x) => x.rps)).toFixed(0)} orders/s, ` +
        `CPU ${median(all.map((x) => x.cpuMs)).toFixed(3)} ms per order, ` +
        `p99 ${median(all.map((x) => x.p99)).toFixed(1)} ms; peak RSS ${(Number(hwm) / 1024).toFixed(0)} MB`,
    );
  }
} finally {
  for (const side of sides) await side.stop();
  rmSync(temp, { recursive: true, force: true });
}
