import type { Command } from 'commander';
import { backupDatabase, BackupError } from '@orderdesk/store';
import { configOrExit, fail } from './shared.ts';

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description(
      'Copy the database (DATABASE_URL) to a file while the server runs: SQLite through its ' +
        'online backup API (one consistent snapshot), PostgreSQL through pg_dump (custom format)',
    )
    .requiredOption('--out <file>', 'the backup file to write')
    .option('--force', 'overwrite --out if it exists')
    .action(async (opts: { out: string; force?: boolean }) => {
      const config = configOrExit();
      try {
        const r = await backupDatabase(config.DATABASE_URL, opts.out, {
          force: opts.force === true,
        });
        process.stdout.write(
          `Backed up the ${r.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} database to ${r.file} ` +
            `(${r.bytes} bytes, ${r.orders} orders)\n`,
        );
      } catch (error) {
        if (error instanceof BackupError) fail(error.message);
        throw error;
      }
    });
}
