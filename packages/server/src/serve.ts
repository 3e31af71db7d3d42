import pino from 'pino';
import { hasNoVendors, migrateToLatest, openStore, type Store } from '@orderdesk/store';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { seedDemo } from '@orderdesk/app';
import { startMailWorker } from './mail/mail-worker.ts';
import { acquireWorkerLock, WorkerLockedError, type WorkerLock } from './mail/worker-lock.ts';
import { startInProcessJobs } from './jobs/job-runner.ts';
import { startImapPoller } from './mail/imap-poller.ts';

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  url: string;
  close(): Promise<void>;
}

/**
 * Opens the database, migrates it, seeds the demo data on a first start when asked, and
 * listens. Returns a handle whose close() drains requests and closes the database.
 */
export async function startServer(
  config: Config,
  options: { log?: (line: string) => void } = {},
): Promise<RunningServer> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const logger = pino({ level: config.LOG_LEVEL });
  const store = openStore(config.DATABASE_URL, {
    poolSize: config.DB_POOL_SIZE,
    sqliteSynchronous: config.SQLITE_SYNCHRONOUS,
    // A server's writes should not wait for the WAL's checkpoints (sqlite-checkpointer.ts).
    sqliteBackgroundCheckpoints: true,
    onPoolError: (error) =>
      logger.warn({ err: error }, 'PostgreSQL ended an idle pooled connection'),
  });
  try {
    const applied = await migrateToLatest(store);
    if (applied.length > 0) log(`Applied migrations: ${applied.join(', ')}`);
    if (config.ORDERDESK_DEMO && (await hasNoVendors(store.db))) {
      const summary = await store.db
        .transaction()
        .execute((tx) => seedDemo(tx, config.ORDERDESK_DEMO_PASSWORD, new Date()));
      log(`Seeded demo data (${summary.created} records).`);
    }
  } catch (error) {
    await store.close();
    throw error;
  }
  const { app, ctx } = await buildApp({ store, config, logger });
  const address = await app.listen({ port: config.PORT, host: config.HOST });
  // The outbox worker in-process (off when `orderdesk worker` runs it: OUTBOX_IN_PROCESS=0).
  // On SQLite it takes the one-worker lock like `orderdesk worker`; when a worker process holds
  // it already, that process sends the mail and this server sends none itself.
  let mailWorker: ReturnType<typeof startMailWorker> | null = null;
  let workerLock: WorkerLock | null = null;
  if (config.OUTBOX_IN_PROCESS) {
    try {
      workerLock = acquireWorkerLock(config.DATABASE_URL);
      mailWorker = startMailWorker(ctx, config, { log: (line) => logger.info(line) });
    } catch (error) {
      if (!(error instanceof WorkerLockedError)) throw error;
      logger.warn(`${error.message} This server leaves the outbox to it.`);
    }
  }
  // The intake mailbox poller in-process when IMAP_URL is set (IMAP_IN_PROCESS=0 turns it off).
  const imapPoller =
    config.IMAP_URL && config.IMAP_IN_PROCESS
      ? startImapPoller(
          ctx,
          { ...config, IMAP_URL: config.IMAP_URL },
          { log: (line) => logger.info(line) },
        )
      : null;
  // The scheduler in-process (invoices due, later SLA checks): safe beside `orderdesk worker`.
  const jobs = startInProcessJobs(ctx, (line) => logger.info(line));
  const url = address.replace('127.0.0.1', 'localhost').replace('[::1]', 'localhost');
  return {
    app,
    store,
    url,
    close: async () => {
      await imapPoller?.stop();
      await jobs.stop();
      await mailWorker?.stop();
      workerLock?.release();
      await app.close();
      await store.close();
    },
  };
}
