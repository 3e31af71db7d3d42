import type { Command } from 'commander';
import { migrateToLatest, openStore } from '@orderdesk/store';
import { configOrExit } from './shared.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations (DATABASE_URL)')
    .action(async () => {
      const config = configOrExit();
      const store = openStore(config.DATABASE_URL, { poolSize: 1 });
      try {
        const applied = await migrateToLatest(store);
        process.stdout.write(
          applied.length ? `Applied: ${applied.join(', ')}\n` : 'Database is up to date.\n',
        );
      } finally {
        await store.close();
      }
    });
}
