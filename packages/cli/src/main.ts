import { Command } from 'commander';
import { registerBench } from './commands/bench.ts';
import { registerBackup } from './commands/backup.ts';
import { registerMigrate } from './commands/db-migrate.ts';
import { registerExportPriceList } from './commands/export-pricelist.ts';
import { registerImportPriceList } from './commands/import-pricelist.ts';
import { registerImportOrder } from './commands/import-order.ts';
import { registerProfile } from './commands/profile-validate.ts';
import { registerRestore } from './commands/restore.ts';
import { registerSeed } from './commands/seed-demo.ts';
import { registerToken } from './commands/token-create.ts';
import { registerVendor } from './commands/vendor-create.ts';
import { registerWorker } from './commands/worker.ts';
import { registerJobs } from './commands/jobs.ts';

const program = new Command()
  .name('orderdesk')
  .description(
    'OrderDesk, the partner order desk. Reads DATABASE_URL (default sqlite:./data/orderdesk.db).',
  )
  .showHelpAfterError();

// `serve` loads the server (Fastify, its plugins, routes and schemas), so its module is loaded
// only when it is asked for, or when the whole list of commands may be shown (no command, an
// option, `help`, a name the other commands do not have). Every other command starts without
// it; its place in the list (first) is kept. A command missing from this list still works: it
// only loads the server for nothing.
const OTHER_COMMANDS = new Set([
  'migrate',
  'seed',
  'profile',
  'token',
  'vendor',
  'import',
  'export',
  'bench',
  'worker',
  'jobs',
  'backup',
  'restore',
]);
const asked = process.argv[2];
if (asked === undefined || !OTHER_COMMANDS.has(asked)) {
  const { registerServe } = await import('./commands/serve.ts');
  registerServe(program);
}
registerMigrate(program);
registerSeed(program);
registerProfile(program);
registerToken(program);
registerVendor(program);
registerImportPriceList(program);
registerImportOrder(program);
registerExportPriceList(program);
registerBench(program);
registerWorker(program);
registerJobs(program);
registerBackup(program);
registerRestore(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`orderdesk: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
