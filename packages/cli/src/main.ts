import { Command } from 'commander';

// `orderdesk import pricelist FILE …`: the parser thread starts now, loading its modules on
// the other core while this thread loads the command's (the import then finds it idle). Its
// heap limit as the configuration will read it (UPLOAD_WORKER_HEAP_MB, else the default): a
// thread of another limit is not reused, only started for nothing.
if (process.argv[2] === 'import' && process.argv[3] === 'pricelist') {
  const heap = Number(process.env.UPLOAD_WORKER_HEAP_MB);
  const { warmPriceListParser } = await import('@orderdesk/app/price-list-warm-up');
  void warmPriceListParser(Number.isInteger(heap) && heap >= 16 ? { maxWorkerHeapMb: heap } : {});
}

// The commands' modules after that (dynamic imports are not hoisted as static ones are).
const [
  { registerBench },
  { registerBackup },
  { registerMigrate },
  { registerExportPriceList },
  { registerImportPriceList },
  { registerImportOrder },
  { registerProfile },
  { registerRestore },
  { registerSeed },
  { registerToken },
  { registerVendor },
  { registerWorker },
  { registerJobs },
] = await Promise.all([
  import('./commands/bench.ts'),
  import('./commands/backup.ts'),
  import('./commands/db-migrate.ts'),
  import('./commands/export-pricelist.ts'),
  import('./commands/import-pricelist.ts'),
  import('./commands/import-order.ts'),
  import('./commands/profile-validate.ts'),
  import('./commands/restore.ts'),
  import('./commands/seed-demo.ts'),
  import('./commands/token-create.ts'),
  import('./commands/vendor-create.ts'),
  import('./commands/worker.ts'),
  import('./commands/jobs.ts'),
]);

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
