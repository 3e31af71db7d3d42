// Checkpoints a SQLite database's WAL from a thread of its own, so that the server's event loop
// does not.
//
// In WAL mode every commit appends the pages it changed to the WAL; a checkpoint copies them back
// into the database file (and syncs it) so that the WAL can start over. By default SQLite runs
// one inside the COMMIT that takes the WAL past 1,000 pages — on the connection that committed,
// which for a server is its one connection, in its one thread: every request waiting for that
// connection waits for the copy and the sync too. A server's writes touch many pages that are
// far apart (the idempotency keys' index takes random keys), so its checkpoints are costly.
//
// Here a worker thread holds a second connection to the file and runs a PASSIVE checkpoint
// every INTERVAL_MS: it copies what is committed, never waits for a writer nor blocks one, and
// the next transaction of the server restarts the WAL once everything is copied (SQLite's own
// rule). The server's connection keeps an automatic checkpoint only as a backstop, at
// BACKSTOP_PAGES: it comes into play if the worker falls behind or stops (then also set back to
// SQLite's default), and costs little when the worker has copied nearly everything already.
// Nothing about durability changes: each COMMIT still syncs the WAL (`synchronous=FULL`), and
// the checkpoint syncs the database file before the WAL is reused, as SQLite's own does.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

/** How often the worker checkpoints (a PASSIVE checkpoint with nothing to copy costs ~nothing). */
export const INTERVAL_MS = 100;
/** The server connection's own automatic checkpoint meanwhile (SQLite's default is 1,000 pages). */
export const BACKSTOP_PAGES = 10_000;
const DEFAULT_AUTOCHECKPOINT = 1000;

// CommonJS, evaluated in the worker (no file of its own to find beside the bundle's chunks).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = ' + workerData.synchronous);
db.pragma('busy_timeout = 0');
const checkpoint = () => {
  try {
    // Again while frames were committed meanwhile (each pass copies less), so that the WAL is
    // often all copied when the server's next transaction begins: that one starts it over.
    for (let pass = 0; pass < 4; pass++) {
      const [{ log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)');
      if (checkpointed >= log) break;
    }
  } catch (error) {
    // SQLITE_BUSY: another checkpoint runs (a CLI beside the server); try again next time.
    if (error && error.code !== 'SQLITE_BUSY') throw error;
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface BackgroundCheckpointer {
  /** Stops the worker and closes its connection (before the server's own closes: the last
   * connection to close checkpoints and removes the WAL). */
  stop(): Promise<void>;
}

/**
 * Starts checkpointing `file` (in WAL mode, open on `sqlite`) from a worker thread, and moves the
 * automatic checkpoint of `sqlite` to BACKSTOP_PAGES. The thread does not keep the process alive.
 */
export function startBackgroundCheckpoints(
  sqlite: SqliteDatabase.Database,
  file: string,
  options: { synchronous: 'FULL' | 'NORMAL'; intervalMs?: number },
): BackgroundCheckpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      file,
      synchronous: options.synchronous,
      intervalMs: options.intervalMs ?? INTERVAL_MS,
    },
    // The worker needs little: a V8 heap for a timer and one connection.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
  });
  worker.unref();
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // Stopped unexpectedly (its connection failed): the server's connection checkpoints again
  // as SQLite does by default.
  worker.on('error', (error) => {
    process.stderr.write(`SQLite background checkpoints stopped: ${String(error)}\n`);
  });
  void exited.then(() => {
    if (!stopping && sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
  });
  sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  return {
    async stop() {
      if (!stopping) {
        stopping = true;
        worker.ref(); // the process waits for it to close its connection
        worker.postMessage('stop');
      }
      await exited;
    },
  };
}
