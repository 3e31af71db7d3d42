// One outbox worker per SQLite file. SQLite has no row locks to share the outbox between
// workers (no SKIP LOCKED), so a second `orderdesk worker` on the same file would only fight
// the first for the write lock and send mail twice on a lease race. The lock is a file next
// to the database holding the owner's process id, created exclusively; a lock whose process is
// gone (killed with -9) is taken over. PostgreSQL needs none: its workers share the outbox.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDatabaseUrl } from '@orderdesk/store';

export interface WorkerLock {
  /** The lock file, or null when the database needs none (PostgreSQL, in-memory SQLite). */
  path: string | null;
  release(): void;
}

export class WorkerLockedError extends Error {
  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    super(
      `Another outbox worker (process ${pid}) already runs on this SQLite database (lock ${path}). ` +
        'SQLite takes one worker; stop that one first, or move to PostgreSQL to run several.',
    );
    this.name = 'WorkerLockedError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the worker lock of DATABASE_URL, or throws WorkerLockedError naming the holder. */
export function acquireWorkerLock(databaseUrl: string): WorkerLock {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.dialect !== 'sqlite' || target.file === ':memory:') {
    return { path: null, release: () => {} };
  }
  const path = `${resolve(target.file)}.worker.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        path,
        release: () => {
          if (released) return;
          released = true;
          // Only our own lock: never remove one another process took over.
          try {
            if (Number(readFileSync(path, 'utf8').trim()) === process.pid)
              rmSync(path, { force: true });
          } catch {
            // Already gone.
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder = Number.NaN;
      try {
        holder = Number(readFileSync(path, 'utf8').trim());
      } catch {
        continue; // removed meanwhile: try again
      }
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new WorkerLockedError(path, holder);
      }
      // A stale lock (its worker was killed): take it over.
      rmSync(path, { force: true });
    }
  }
  throw new Error(`Could not take the worker lock ${path}`);
}
