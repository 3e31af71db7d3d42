import type { Command } from 'commander';
import { BackupError, restoreDatabase } from '@orderdesk/store';
import { configOrExit, fail } from './shared.ts';

export function registerRestore(program: Command): void {
  program
    .command('restore')
    .description(
      'Replace the database (DATABASE_URL) with a backup made by `orderdesk backup`. Stop the ' +
        'server and workers first: a database in use is refused. A database holding data is ' +
        'replaced only with --force (SQLite keeps the old file as <file>.pre-restore-<time>; ' +
        'PostgreSQL drops its public schema). The next `orderdesk serve` applies any newer migrations.',
    )
    .requiredOption('--from <file>', 'the backup file')
    .option('--force', 'replace a database that holds data')
    .action(async (opts: { from: string; force?: boolean }) => {
      const config = configOrExit();
      try {
        const r = await restoreDatabase(config.DATABASE_URL, opts.from, {
          force: opts.force === true,
        });
        process.stdout.write(
          `Restored ${opts.from} (${r.orders} orders)` +
            (r.keptAs ? `; the replaced database is kept as ${r.keptAs}` : '') +
            '\n',
        );
      } catch (error) {
        if (error instanceof BackupError) fail(error.message);
        throw error;
      }
    });
}
