import type { Command } from 'commander';
import { hostname } from 'node:os';
import { jobDefinitions, runDueJobs, type JobPassResult } from '@orderdesk/app';
import { z } from 'zod';
import { cliAppContext, commandGroup, configOrExit, fail, withStore } from './shared.ts';

const instantSchema = z.iso.datetime({ offset: true });

function describeResult(r: JobPassResult): string {
  const what =
    r.outcome === 'ran'
      ? Object.entries(r.summary ?? {})
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'nothing to do'
      : r.outcome === 'failed'
        ? `failed: ${r.error ?? ''}`
        : r.outcome === 'done_already'
          ? 'already done for this slot'
          : r.outcome === 'busy'
            ? 'running in another process'
            : 'not due';
  return `${r.job}${r.slot ? ` @ ${r.slot}` : ''}: ${what}`;
}

/**
 * `orderdesk jobs run [--now ISO]`: every job due at that instant, once, against DATABASE_URL
 * (safe to repeat and to run beside `serve` and workers: a job's slot runs once); how tests
 * and operators travel in time or catch up after downtime. `orderdesk jobs list` names them.
 */
export function registerJobs(program: Command): void {
  const jobs = commandGroup(program, 'jobs', 'Scheduled jobs (invoices due, SLA checks, …)');
  jobs
    .command('run')
    .description('Run every job due now (or at --now) once, then exit')
    .option('--now <instant>', 'the instant to run at, ISO 8601 with offset (default: now)')
    .action(async (opts: { now?: string }) => {
      let now: Date | undefined;
      if (opts.now !== undefined) {
        if (!instantSchema.safeParse(opts.now).success) {
          fail(
            `--now: expected an ISO 8601 instant such as 2026-09-08T04:00:00Z, got "${opts.now}"`,
            2,
          );
        }
        now = new Date(opts.now);
      }
      const config = configOrExit();
      const results = await withStore(config, (store) =>
        runDueJobs(cliAppContext(store, config), {
          workerId: `cli:${hostname()}:${process.pid}`,
          ...(now ? { now } : {}),
          log: (line) => process.stderr.write(`${line}\n`),
        }),
      );
      for (const r of results) process.stdout.write(`${describeResult(r)}\n`);
      if (results.some((r) => r.outcome === 'failed')) process.exitCode = 1;
    });
  jobs
    .command('list')
    .description('List the scheduled jobs')
    .action(() => {
      for (const job of jobDefinitions()) process.stdout.write(`${job.name}\t${job.description}\n`);
    });
}
