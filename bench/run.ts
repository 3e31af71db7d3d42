// The benchmark suite's entry: `npm run bench` (full, < 15 minutes) or `npm run bench -- --quick`
// (the smoke run CI does). Builds its own data in a temp dir, runs each scenario, prints one
// table and writes it as JSON to bench/results/. It fails only when something is broken (a
// scenario throws: a request failed, the server did not start, a result was wrong) — never
// because a number is slow. See bench/README.md.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { installSignalHandlers, onCleanup, runCleanup } from './lib/cleanup.ts';
import { postgresAvailable, postgresVersion } from './lib/postgres.ts';
import { REPO_ROOT } from './lib/proc.ts';
import type { BenchContext, Scenario } from './lib/scenario.ts';
import { formatMarkdown, formatText, type ResultRow } from './lib/table.ts';
import { catalogSearch } from './scenarios/catalog-search.ts';
import { orderList } from './scenarios/order-list.ts';
import { orderSubmission } from './scenarios/order-submission.ts';
import { priceListImport } from './scenarios/price-list-import.ts';
import { validation } from './scenarios/validation.ts';
import { outbox } from './scenarios/outbox.ts';
import { intake } from './scenarios/intake.ts';
import { pdfAccuracy } from './scenarios/pdf-accuracy.ts';
import { invoices } from './scenarios/invoices.ts';
import { startup } from './scenarios/startup.ts';

/** In run order: search builds the 1,000,000-product catalog that validation then reuses. */
export const SCENARIOS: readonly Scenario[] = [
  orderSubmission,
  catalogSearch,
  validation,
  priceListImport,
  orderList,
  outbox,
  intake,
  pdfAccuracy,
  invoices,
  startup,
];

export interface BenchOptions {
  quick: boolean;
  /** Scenario names to run (default: all). */
  only?: readonly string[];
  /** Also print the table as Markdown. */
  markdown?: boolean;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  os: string;
  loadAverageAtStart: number[];
  postgres?: string;
}

function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** Runs the suite; resolves with the process exit code (1 if any scenario broke). */
export async function runBench(options: BenchOptions): Promise<number> {
  installSignalHandlers();
  const known = new Set(SCENARIOS.map((s) => s.name));
  const unknown = (options.only ?? []).filter((n) => !known.has(n));
  if (unknown.length > 0) {
    process.stderr.write(
      `bench: unknown scenario ${unknown.join(', ')} (known: ${[...known].join(', ')})\n`,
    );
    return 2;
  }
  const selected = SCENARIOS.filter((s) => !options.only?.length || options.only.includes(s.name));
  const started = new Date();
  const t0 = performance.now();
  const tmp = mkdtempSync(join(os.tmpdir(), 'orderdesk-bench-'));
  onCleanup('remove temp dir', () => rmSync(tmp, { recursive: true, force: true }));
  const info = machine();
  const log = (message: string): void => {
    const s = ((performance.now() - t0) / 1000).toFixed(0).padStart(4);
    process.stderr.write(`[bench ${s}s] ${message}\n`);
  };
  const ctx: BenchContext = {
    quick: options.quick,
    tmp,
    postgres: postgresAvailable(),
    log,
    shared: new Map(),
  };
  log(
    `${options.quick ? 'quick' : 'full'} run: ${selected.map((s) => s.name).join(', ')} ` +
      `on ${info.cpus}× ${info.cpuModel}, ${info.memoryGb} GB, Node ${info.node}, ` +
      `load average ${info.loadAverageAtStart.join(' ')}`,
  );
  if (!ctx.postgres) log('PostgreSQL server binaries not found: the PostgreSQL rows are skipped');

  const rows: ResultRow[] = [];
  const failures: { scenario: string; error: string }[] = [];
  const timings: Record<string, number> = {};
  try {
    for (const scenario of selected) {
      log(`== ${scenario.name}: ${scenario.title}`);
      const s0 = performance.now();
      try {
        rows.push(...(await scenario.run(ctx)));
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        failures.push({ scenario: scenario.name, error: message });
        log(`!! ${scenario.name} failed: ${message}`);
      }
      timings[scenario.name] = Math.round((performance.now() - s0) / 1000);
      log(
        `== ${scenario.name} done in ${timings[scenario.name]} s (load average ${os.loadavg()[0]?.toFixed(2) ?? '?'})`,
      );
    }
    if (ctx.postgres && rows.some((r) => r.figure.includes('PostgreSQL'))) {
      info.postgres = await postgresVersion().catch(() => undefined);
    }
  } finally {
    await runCleanup();
  }

  const seconds = Math.round((performance.now() - t0) / 1000);
  const text = formatText(rows);
  const markdown = formatMarkdown(rows);
  process.stdout.write(
    `\nOrderDesk benchmarks — ${options.quick ? 'quick' : 'full'} run, ${started.toISOString()}, ` +
      `${seconds} s\n${info.cpus}× ${info.cpuModel}, ${info.memoryGb} GB RAM, Node ${info.node}` +
      `${info.postgres ? `, PostgreSQL ${info.postgres}` : ''}, load average at start ` +
      `${info.loadAverageAtStart.join(' ')}\n\n${text}\n` +
      `\nScenario durations: ${Object.entries(timings)
        .map(([name, s]) => `${name} ${s} s`)
        .join(', ')}; load average at the end ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
  );
  if (options.markdown) process.stdout.write(`\n${markdown}\n`);
  const resultsDir = join(REPO_ROOT, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(
    resultsDir,
    `${started.toISOString().replace(/[:.]/g, '-')}-${options.quick ? 'quick' : 'full'}.json`,
  );
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        mode: options.quick ? 'quick' : 'full',
        startedAt: started.toISOString(),
        seconds,
        scenarioSeconds: timings,
        machine: info,
        rows,
        failures,
        markdown,
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`\nResults written to ${file}\n`);
  if (failures.length > 0) {
    process.stderr.write(
      `\nbench: ${failures.length} scenario(s) broke: ${failures.map((f) => f.scenario).join(', ')}\n`,
    );
    return 1;
  }
  return 0;
}

function usage(): string {
  return [
    'Usage: npm run bench -- [--quick] [--only=<scenario>,…] [--markdown]',
    '',
    '  --quick      the smoke run CI does (small data, one turn each; ~2 minutes)',
    "  --only=a,b   run only these scenarios, in the suite's order",
    '  --markdown   also print the table as Markdown (for bench/README.md)',
    '  -h, --help   this text',
    '',
    'Scenarios:',
    ...SCENARIOS.map((s) => `  ${s.name.padEnd(11)}  ${s.title}`),
    '',
  ].join('\n');
}

/** `node --import tsx bench/run.ts [--quick] [--only=a,b] [--markdown] [--help]` */
async function main(): Promise<void> {
  let values: { quick?: boolean; only?: string; markdown?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string' },
        markdown: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${usage()}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(usage());
    process.exit(0);
  }
  const only = values.only?.split(',').map((s) => s.trim());
  if (only !== undefined && only.some((name) => name === '')) {
    process.stderr.write(`bench: --only=${values.only} names an empty scenario\n\n${usage()}`);
    process.exit(2);
  }
  process.exit(
    await runBench({
      quick: values.quick ?? false,
      markdown: values.markdown ?? false,
      ...(only ? { only } : {}),
    }),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
