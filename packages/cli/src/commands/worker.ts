import type { Command } from 'commander';
import { startJobLoop } from '@orderdesk/app';
import type { WorkerLock } from '@orderdesk/server';
import { migrateToLatest, openStore } from '@orderdesk/store';
import { cliAppContext, configOrExit } from './shared.ts';

/**
 * `orderdesk worker`: the outbox worker as its own process (several at once on PostgreSQL, one
 * on SQLite). Runs until SIGTERM or SIGINT, then finishes the message in hand, gives back the
 * rest of its batch and exits; `--once` runs one pass and prints what it did.
 */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'Send queued mail from the outbox (SMTP_URL) until SIGTERM; run `serve` with OUTBOX_IN_PROCESS=0 beside it',
    )
    .option('--once', 'run one pass over the due mail and exit')
    .action(async (opts: { once?: boolean }) => {
      const config = configOrExit();
      // The mail worker lives in the server's package: loaded here, not with every command.
      const { WorkerLockedError, acquireWorkerLock, startImapPoller, startMailWorker } =
        await import('@orderdesk/server');
      // SQLite takes one worker: a second one on the same file refuses to start.
      let lock: WorkerLock;
      try {
        lock = acquireWorkerLock(config.DATABASE_URL);
      } catch (error) {
        if (error instanceof WorkerLockedError) {
          process.stderr.write(`orderdesk worker: ${error.message}\n`);
          process.exit(2);
        }
        throw error;
      }
      const store = openStore(config.DATABASE_URL, {
        poolSize: 2,
        sqliteSynchronous: config.SQLITE_SYNCHRONOUS,
        // Long-running, as the server: its commits do not wait for the WAL's checkpoints.
        sqliteBackgroundCheckpoints: !opts.once,
      });
      await migrateToLatest(store);
      const log = (line: string): void => {
        process.stdout.write(`${line}\n`);
      };
      // The scheduler too (invoices due, …): each job's slot runs once across all processes.
      const jobLoop = opts.once ? null : startJobLoop(cliAppContext(store, config), { log });
      process.once('SIGTERM', () => void jobLoop?.stop());
      process.once('SIGINT', () => void jobLoop?.stop());
      const ctx = cliAppContext(store, config);
      const worker = startMailWorker(ctx, config, {
        autoStart: !opts.once,
        log,
      });
      // With IMAP_URL the worker also reads the intake mailbox.
      const poller = config.IMAP_URL
        ? startImapPoller(
            ctx,
            { ...config, IMAP_URL: config.IMAP_URL },
            { autoStart: !opts.once, log },
          )
        : null;
      if (opts.once) {
        try {
          if (poller) {
            const p = await poller.pollNow();
            log(
              `imap: ${p.read} read, ${p.intake} intake, ${p.replies} replies, ${p.failed} failed`,
            );
          }
          const r = await worker.drainNow();
          log(
            `outbox: ${r.claimed} claimed, ${r.sent} sent, ${r.notSent} not sent, ${r.skipped} already done, ${r.retried} to retry, ${r.dead} dead`,
          );
        } finally {
          await poller?.stop();
          await worker.stop();
          await store.close();
          lock.release();
        }
        return;
      }
      log(
        `Outbox worker ${worker.workerId} running${config.SMTP_URL ? '' : ' (no SMTP_URL: mail is kept as not_sent)'}`,
      );
      // The loop's timer does not hold the process open; this does, until a signal.
      const keepAlive = setInterval(() => {}, 1 << 30);
      let closing = false;
      const shutdown = (signal: string): void => {
        if (closing) return;
        closing = true;
        log(`Received ${signal}, finishing the message in hand…`);
        Promise.all([worker.stop(), poller?.stop()])
          .then(() => store.close())
          .then(
            () => {
              clearInterval(keepAlive);
              lock.release();
              process.exit(0);
            },
            (error: unknown) => {
              process.stderr.write(`Error while stopping: ${String(error)}\n`);
              process.exit(1);
            },
          );
      };
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGTERM', () => shutdown('SIGTERM'));
    });
}
