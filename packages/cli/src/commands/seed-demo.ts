import type { Command } from 'commander';
import { seedDemo } from '@orderdesk/app';
import { configOrExit, fail, withStore } from './shared.ts';

export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('Seed data into the database (migrating it first)')
    .option('--demo', 'the demo vendors, staff, partners and customers of API.md')
    .action(async (opts: { demo?: boolean }) => {
      if (!opts.demo) fail('Nothing to seed: pass --demo');
      const config = configOrExit();
      const summary = await withStore(config, (store) =>
        store.db
          .transaction()
          .execute((tx) => seedDemo(tx, config.ORDERDESK_DEMO_PASSWORD, new Date())),
      );
      process.stdout.write(`Demo data: ${summary.created} records created (existing ones kept).\n`);
    });
}
