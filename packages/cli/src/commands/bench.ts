import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { repoPath } from '@orderdesk/app';

/** The benchmark runner: a program of its own, run as a child process (the CLI imports none of it). */
const BENCH_RUNNER = repoPath('bench', 'run.ts');

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      'Run the benchmark suite (bench/README.md): builds its own data, prints one table, ' +
        'writes it to bench/results/',
    )
    .option('--quick', 'the smoke run CI does: small data, one turn each (~2 minutes)')
    .option(
      '--only <names>',
      'comma-separated scenarios to run: submit, search, validation, import, orders, outbox, ' +
        'intake, pdf, invoices, startup (`npm run bench -- --help` says what each measures)',
    )
    .option('--markdown', 'also print the table as Markdown (for bench/README.md)')
    .action(async (opts: { quick?: boolean; only?: string; markdown?: boolean }) => {
      const args = [
        '--import',
        'tsx',
        BENCH_RUNNER,
        ...(opts.quick ? ['--quick'] : []),
        ...(opts.markdown ? ['--markdown'] : []),
        ...(opts.only ? [`--only=${opts.only}`] : []),
      ];
      const child = spawn(process.execPath, args, { stdio: 'inherit' });
      const code = await new Promise<number>((resolve) => {
        child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
      });
      process.exit(code);
    });
}
