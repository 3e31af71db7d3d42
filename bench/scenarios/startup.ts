// Start-up and idle memory of the compiled server (issue 12, point 5): `npm start`'s command —
// `node <its flags> packages/cli/dist/main.js serve --demo` — on a database that exists already
// (migrated and seeded by a first start), timed from spawn to the first 200 from
// /api/v1/health; then 20 more /health calls and the process's RSS once idle. The same start
// from the TypeScript sources (tsx, `ORDERDESK_FROM_SOURCES=1`) is the anchor. The bundle is
// rebuilt first (packages/cli/scripts/build.js), so what is measured is the current code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDatabase, dropDatabase } from '../lib/postgres.ts';
import {
  CLI_BIN,
  freePort,
  readCpuMs,
  readMemory,
  REPO_ROOT,
  runNode,
  spawnNode,
  type Child,
} from '../lib/proc.ts';
import type { BenchContext, Scenario } from '../lib/scenario.ts';
import { median } from '../lib/stats.ts';
import { judge, ratioOf, type ResultRow } from '../lib/table.ts';

const BUNDLE = 'packages/cli/dist/orderdesk.js';
const HEALTH_CALLS = 20;

/** The node flags of the root `start` script (`node <flags> packages/cli/dist/main.js …`). */
function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const words = (pkg.scripts.start ?? '').split(/\s+/);
  const at = words.indexOf(BUNDLE);
  if (words[0] !== 'node' || at < 0) {
    throw new Error(`npm start does not run ${BUNDLE}: ${pkg.scripts.start}`);
  }
  return words.slice(1, at);
}

interface StartSample {
  /** Spawn to the first 200 from /api/v1/health. */
  ms: number;
  /** CPU time the server used until then: steadier than wall time on a shared machine. */
  cpuMs: number | null;
  /** RSS after HEALTH_CALLS more calls and a short pause. */
  idleRssMb: number | null;
}

/** Polls every 10 ms (waitForHttp's 100 ms would be most of the figure's resolution). */
async function waitHealthy(url: string, child: Child, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  for (;;) {
    if (exited) throw new Error(`${child.label} exited before it was healthy:\n${child.output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) {
      throw new Error(`${child.label} not healthy after ${timeoutMs} ms:\n${child.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * One start: spawn to healthy, its CPU, and with `idle` the RSS after HEALTH_CALLS more calls
 * and a pause (only the compiled starts' RSS is a figure: the others skip them).
 */
async function startOnce(
  label: string,
  args: string[],
  env: Record<string, string>,
  idle = true,
): Promise<StartSample> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawnNode(label, args, {
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ORDERDESK_DEMO: '1',
  });
  try {
    await waitHealthy(`${base}/api/v1/health`, child, 60_000);
    const ms = performance.now() - started;
    const cpuMs = readCpuMs(child.pid);
    if (!idle) return { ms, cpuMs, idleRssMb: null };
    for (let i = 0; i < HEALTH_CALLS; i++) {
      const res = await fetch(`${base}/api/v1/health`);
      await res.arrayBuffer();
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { ms, cpuMs, idleRssMb: readMemory(child.pid)?.rssMb ?? null };
  } finally {
    await child.stop();
  }
}

async function measure(
  ctx: BenchContext,
  dbLabel: string,
  databaseUrl: string,
  repeats: number,
): Promise<ResultRow[]> {
  const env = { DATABASE_URL: databaseUrl };
  const compiled = [...startFlags(), BUNDLE, 'serve', '--demo'];
  // The first start migrates and seeds: afterwards the database exists.
  await startOnce('orderdesk (first start)', compiled, env, false);
  const samples: StartSample[] = [];
  const sources: StartSample[] = [];
  for (let i = 0; i < repeats; i++) {
    // In turns, so drifting background load hits both alike.
    samples.push(await startOnce('orderdesk (compiled)', compiled, env));
    const fromSources = await startOnce(
      'orderdesk (tsx)',
      [CLI_BIN, 'serve', '--demo'],
      { ...env, ORDERDESK_FROM_SOURCES: '1' },
      false,
    );
    sources.push(fromSources);
    const last = samples.at(-1);
    ctx.log(
      `startup ${dbLabel}: compiled ${Math.round(last?.ms ?? 0)} ms (CPU ${last?.cpuMs} ms), ` +
        `${last?.idleRssMb?.toFixed(1)} MB idle; tsx ${Math.round(fromSources.ms)} ms`,
    );
  }
  const ms = median(samples.map((s) => s.ms));
  const tsxMs = median(sources.map((s) => s.ms));
  const cpu = (of: StartSample[]): number | null => {
    const known = of.flatMap((s) => (s.cpuMs === null ? [] : [s.cpuMs]));
    return known.length > 0 ? median(known) : null;
  };
  const rss = samples.flatMap((s) => (s.idleRssMb === null ? [] : [s.idleRssMb]));
  const idle = rss.length > 0 ? median(rss) : null;
  return [
    {
      scenario: 'startup',
      figure: `npm start to healthy on an existing database, ${dbLabel}`,
      value: ms,
      unit: 'ms',
      anchor: { label: 'the same from the sources (tsx)', value: tsxMs, unit: 'ms' },
      ratio: ratioOf(ms, tsxMs),
      target: { text: '< 1.5 s', met: judge(ms, (x) => x < 1500) },
      note: `median of ${repeats}; node ${startFlags().join(' ') || '(no flags)'}`,
    },
    {
      scenario: 'startup',
      figure: `CPU time of npm start to healthy, ${dbLabel}`,
      value: cpu(samples),
      unit: 'ms',
      anchor: { label: 'the same from the sources (tsx)', value: cpu(sources), unit: 'ms' },
      ratio: ratioOf(cpu(samples), cpu(sources)),
      note: 'user + system time of the server process: what the start costs, whatever the load',
    },
    {
      scenario: 'startup',
      figure: `idle RSS after start + ${HEALTH_CALLS} /health, ${dbLabel}`,
      value: idle,
      unit: 'MB',
      target: { text: '< 120 MB', met: judge(idle, (x) => x < 120) },
    },
  ];
}

export const startup: Scenario = {
  name: 'startup',
  title: 'Start-up time and idle memory of the compiled server',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const build = await runNode('build', [join(REPO_ROOT, 'packages/cli/scripts/build.js')]);
    if (build.code !== 0) throw new Error(`The server bundle did not build:\n${build.output}`);
    const repeats = ctx.quick ? 2 : 5;
    const rows = await measure(ctx, 'SQLite', `sqlite:${join(ctx.tmp, 'startup.db')}`, repeats);
    if (ctx.postgres) {
      const url = await createDatabase('bench_startup');
      try {
        rows.push(...(await measure(ctx, 'PostgreSQL', url, repeats)));
      } finally {
        await dropDatabase('bench_startup');
      }
    }
    return rows;
  },
};
