import type { Command } from 'commander';

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      'Run the benchmark suite (bench/README.md): builds its own data, prints one table, ' +
        'writes it to bench/results/',
    )
    .option('--quick', 'the ~1-minute smoke run: small data, one repetition, short load runs')
    .option(
      '--only <names>',
      'comma-separated scenarios to run: submit, search, validation, import, orders',
    )
    .option('--markdown', 'also print the table as Markdown (for bench/README.md)')
    .action(async (opts: { quick?: boolean; only?: string; markdown?: boolean }) => {
      // Loaded on demand: the suite pulls in the server, Fastify and the data generators.
      const { runBench } = await import('../../../../bench/run.ts');
      const code = await runBench({
        quick: opts.quick ?? false,
        markdown: opts.markdown ?? false,
        ...(opts.only ? { only: opts.only.split(',').map((s) => s.trim()) } : {}),
      });
      // Exit now: a stray keep-alive socket or pool must not keep CI waiting.
      process.exit(code);
    });
}
