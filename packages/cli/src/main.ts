import { Command } from 'commander';

// `orderdesk import pricelist FILE …`: the parser thread starts now, loading its modules on
// the other core while this thread loads the command's (the import then finds it idle). Its
// heap limit as the configuration will read it (UPLOAD_WORKER_HEAP_MB, else the default): a
// thread of another limit is not reused, only started for nothing. In the foreground: the
// import waits for it, so it does not lower its priority as a server's parsing thread does.
if (process.argv[2] === 'import' && process.argv[3] === 'pricelist') {
  const heap = Number(process.env.UPLOAD_WORKER_HEAP_MB);
  const { warmPriceListParser } = await import('@orderdesk/app/price-list-warm-up');
  void warmPriceListParser({
    ...(Number.isInteger(heap) && heap >= 16 ? { maxWorkerHeapMb: heap } : {}),
    foreground: true,
  });
}

const program = new Command()
  .name('orderdesk')
  .description(
    'OrderDesk, the partner order desk. Reads DATABASE_URL (default sqlite:./data/orderdesk.db).',
  )
  .showHelpAfterError();

type Register = (program: Command) => void;

// Each top-level command's name and the modules that register it, in the order of the list of
// commands. `serve` loads the server (Fastify, its plugins, routes and schemas). A command
// asked for by name loads its own modules only: `orderdesk import pricelist` does not load
// the seeding, the backup, the jobs, the bench's … (their code and what it imports at load).
// Everything is loaded when the whole list of commands may be shown (no command, an option,
// `help`, a name not in this list). The modules are imported after the parser thread has been
// started above (dynamic imports are not hoisted as static ones are).
const COMMANDS: [name: string, load: () => Promise<Register[]>][] = [
  ['serve', async () => [(await import('./commands/serve.ts')).registerServe]],
  ['migrate', async () => [(await import('./commands/db-migrate.ts')).registerMigrate]],
  ['seed', async () => [(await import('./commands/seed-demo.ts')).registerSeed]],
  ['profile', async () => [(await import('./commands/profile-validate.ts')).registerProfile]],
  ['token', async () => [(await import('./commands/token-create.ts')).registerToken]],
  ['vendor', async () => [(await import('./commands/vendor-create.ts')).registerVendor]],
  [
    'import',
    async () => {
      const [pricelist, order] = await Promise.all([
        import('./commands/import-pricelist.ts'),
        import('./commands/import-order.ts'),
      ]);
      return [pricelist.registerImportPriceList, order.registerImportOrder];
    },
  ],
  [
    'export',
    async () => [(await import('./commands/export-pricelist.ts')).registerExportPriceList],
  ],
  ['bench', async () => [(await import('./commands/bench.ts')).registerBench]],
  ['worker', async () => [(await import('./commands/worker.ts')).registerWorker]],
  ['jobs', async () => [(await import('./commands/jobs.ts')).registerJobs]],
  ['backup', async () => [(await import('./commands/backup.ts')).registerBackup]],
  ['restore', async () => [(await import('./commands/restore.ts')).registerRestore]],
];

const asked = process.argv[2];
const one = COMMANDS.find(([name]) => name === asked);
for (const registers of await Promise.all((one ? [one] : COMMANDS).map(([, load]) => load()))) {
  for (const register of registers) register(program);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`orderdesk: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
