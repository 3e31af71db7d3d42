// Backups and restores of the configured database (README, "Backups and restore").
// SQLite: a consistent copy through SQLite's online backup API while the server runs, checked
// and made self-contained (no -wal beside it) before it takes its final name. PostgreSQL: the
// cluster's own pg_dump and pg_restore (custom format), found on PG_BIN_DIR, Debian's
// /usr/lib/postgresql/<version>/bin or the PATH.
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import { parseDatabaseUrl } from './dialects.ts';
import { loadPg } from './pg-pipeline.ts';

const run = promisify(execFile);

export class BackupError extends Error {
  override name = 'BackupError';
}

export interface BackupResult {
  dialect: 'sqlite' | 'postgres';
  file: string;
  bytes: number;
  /** Orders in the copy (a quick sign of what it holds). */
  orders: number;
}

export interface RestoreResult {
  dialect: 'sqlite' | 'postgres';
  /** Where the database that was replaced was kept (SQLite with --force), if there was one. */
  keptAs: string | null;
  orders: number;
}

export interface BackupOptions {
  /** Overwrite an existing backup file. */
  force?: boolean;
  /** Directory of pg_dump / pg_restore (default: PG_BIN_DIR, Debian's directory, the PATH). */
  pgBinDir?: string;
}

/** Makes a consistent copy of the database of `url` in `out`, while it may be in use. */
export async function backupDatabase(
  url: string,
  out: string,
  options: BackupOptions = {},
): Promise<BackupResult> {
  if (existsSync(out) && !options.force) {
    throw new BackupError(`${out} exists; give another file or --force to overwrite it`);
  }
  const target = parseDatabaseUrl(url);
  // Written under a temporary name and renamed when complete and checked: a backup that
  // fails half-way never looks like a good one.
  const partial = `${out}.partial-${process.pid}`;
  try {
    if (target.dialect === 'sqlite') {
      if (target.file === ':memory:') throw new BackupError('An in-memory database has no backup');
      if (!existsSync(target.file)) throw new BackupError(`No database at ${target.file}`);
      const source = new SqliteDatabase(target.file, { fileMustExist: true });
      try {
        source.pragma('busy_timeout = 5000');
        // All remaining pages in one step: the copy is one read transaction, a snapshot of
        // the last commit. In WAL mode it does not block the server's writers, and no write
        // by another connection can restart it half-way (small steps would restart on each).
        await source.backup(partial, { progress: () => 0x7fffffff });
      } finally {
        source.close();
      }
      const orders = checkSqliteFile(partial, { makeSelfContained: true });
      renameSync(partial, out);
      return { dialect: 'sqlite', file: out, bytes: statSync(out).size, orders };
    }
    const pgDump = pgTool('pg_dump', options.pgBinDir);
    await run(pgDump, ['--format=custom', '--no-owner', `--file=${partial}`, `--dbname=${url}`], {
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: unknown) => {
      throw new BackupError(`pg_dump failed: ${stderrOf(error)}`);
    });
    renameSync(partial, out);
    return {
      dialect: 'postgres',
      file: out,
      bytes: statSync(out).size,
      orders: await postgresOrders(url),
    };
  } finally {
    rmSync(partial, { force: true });
  }
}

/**
 * Replaces the database of `url` with the backup `from`. Refuses while the database is in use
 * (a server or worker has it open: stop them first), and refuses to replace a database holding
 * data unless `force` (SQLite keeps the replaced file as `<file>.pre-restore-<time>`;
 * PostgreSQL drops the `public` schema first).
 */
export async function restoreDatabase(
  url: string,
  from: string,
  options: BackupOptions = {},
): Promise<RestoreResult> {
  if (!existsSync(from)) throw new BackupError(`No backup at ${from}`);
  const target = parseDatabaseUrl(url);
  if (target.dialect === 'sqlite') {
    if (target.file === ':memory:') throw new BackupError('Cannot restore into :memory:');
    checkSqliteFile(from, { makeSelfContained: false });
    let keptAs: string | null = null;
    if (existsSync(target.file)) {
      const current = new SqliteDatabase(target.file, { fileMustExist: true });
      let hasData: boolean;
      try {
        current.pragma('busy_timeout = 0');
        // Leaving WAL mode needs the only connection to the file: it fails (SQLITE_BUSY) while
        // a server or worker holds it open, and on success folds the -wal into the file.
        try {
          current.pragma('journal_mode = DELETE');
        } catch (error) {
          if ((error as { code?: string }).code === 'SQLITE_BUSY') {
            throw new BackupError(
              `${target.file} is in use (a server or worker has it open); stop them and retry`,
            );
          }
          throw error;
        }
        const tables = current
          .prepare("select count(*) as n from sqlite_master where type = 'table'")
          .get() as { n: number };
        hasData = tables.n > 0;
      } finally {
        current.close();
      }
      if (hasData && !options.force) {
        throw new BackupError(
          `${target.file} holds a database; --force replaces it (the current file is kept as ` +
            `${target.file}.pre-restore-<time>)`,
        );
      }
      keptAs = `${target.file}.pre-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(target.file, keptAs);
      rmSync(`${target.file}-shm`, { force: true });
      rmSync(`${target.file}-wal`, { force: true });
      if (!hasData) {
        rmSync(keptAs, { force: true });
        keptAs = null;
      }
    }
    mkdirSync(dirname(resolve(target.file)), { recursive: true });
    const partial = `${target.file}.restoring-${process.pid}`;
    try {
      copyFileSync(from, partial);
      renameSync(partial, target.file);
    } finally {
      rmSync(partial, { force: true });
    }
    const orders = checkSqliteFile(target.file, { makeSelfContained: false });
    return { dialect: 'sqlite', keptAs, orders };
  }

  const client = new (loadPg().Client)({ connectionString: url });
  await client.connect();
  try {
    const others = await client.query<{ n: string }>(
      `select count(*) as n from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid()`,
    );
    if (Number(others.rows[0]?.n ?? 0) > 0) {
      throw new BackupError(
        `The database has ${others.rows[0]?.n} other connection(s) (a server or worker); stop them and retry`,
      );
    }
    const tables = await client.query<{ n: string }>(
      `select count(*) as n from information_schema.tables where table_schema = 'public'`,
    );
    if (Number(tables.rows[0]?.n ?? 0) > 0) {
      if (!options.force) {
        throw new BackupError(
          'The database holds tables; --force drops its public schema and restores into it',
        );
      }
      await client.query('drop schema public cascade');
      await client.query('create schema public');
    }
  } finally {
    await client.end();
  }
  const pgRestore = pgTool('pg_restore', options.pgBinDir);
  await run(
    pgRestore,
    ['--no-owner', '--exit-on-error', '--single-transaction', `--dbname=${url}`, from],
    { maxBuffer: 16 * 1024 * 1024 },
  ).catch((error: unknown) => {
    throw new BackupError(`pg_restore failed: ${stderrOf(error)}`);
  });
  return { dialect: 'postgres', keptAs: null, orders: await postgresOrders(url) };
}

/**
 * Checks an SQLite file is whole (integrity_check) and an OrderDesk database (it has run
 * migrations); returns its number of orders. `makeSelfContained` turns a fresh copy's WAL
 * mode off, so the one file is the whole backup.
 */
function checkSqliteFile(file: string, options: { makeSelfContained: boolean }): number {
  const db = new SqliteDatabase(file, { fileMustExist: true });
  try {
    if (options.makeSelfContained) db.pragma('journal_mode = DELETE');
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok')
      throw new BackupError(`${file} fails its integrity check: ${String(check)}`);
    const migrated = db
      .prepare("select 1 from sqlite_master where type = 'table' and name = 'kysely_migration'")
      .get();
    if (!migrated) throw new BackupError(`${file} is not an OrderDesk database`);
    const orders = db
      .prepare("select count(*) as n from sqlite_master where name = 'orders'")
      .get() as {
      n: number;
    };
    if (orders.n === 0) return 0;
    return (db.prepare('select count(*) as n from orders').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function postgresOrders(url: string): Promise<number> {
  const client = new (loadPg().Client)({ connectionString: url });
  await client.connect();
  try {
    const exists = await client.query(`select to_regclass('public.orders') as t`);
    if (!exists.rows[0]?.t) return 0;
    const r = await client.query<{ n: string }>('select count(*) as n from orders');
    return Number(r.rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** The path of a PostgreSQL client tool: the given directory, PG_BIN_DIR, Debian's, or the PATH. */
function pgTool(name: 'pg_dump' | 'pg_restore', dir: string | undefined): string {
  const candidates = [dir, process.env.PG_BIN_DIR].filter((d): d is string => !!d);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    // The newest first: pg_dump must be at least as new as the server it dumps.
    for (const v of readdirSync(debian).sort((a, b) => Number(b) - Number(a)))
      candidates.push(join(debian, v, 'bin'));
  }
  for (const d of candidates) if (existsSync(join(d, name))) return join(d, name);
  return name;
}

function stderrOf(error: unknown): string {
  const e = error as { stderr?: string; message?: string; code?: string };
  if (e.code === 'ENOENT') return 'not found (install the PostgreSQL client or set PG_BIN_DIR)';
  return (e.stderr || e.message || String(error)).trim();
}
