import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely } from 'kysely';
import type pg from 'pg';
import type { Database } from './schema.ts';
import { BatchingPostgresDialect } from './batched-reads.ts';
import { loadPg } from './pg-pipeline.ts';
import { startBackgroundCheckpoints } from './sqlite-checkpointer.ts';
import { GroupCommitSqliteDialect } from './sqlite-group-commit.ts';

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type DialectName = (typeof DIALECTS)[number];

export type DatabaseTarget =
  { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; connectionString: string };

export interface Store {
  db: Kysely<Database>;
  dialect: DialectName;
  close(): Promise<void>;
}

/**
 * Parses DATABASE_URL: `sqlite:./data/orderdesk.db`, `sqlite::memory:`, a bare file path,
 * or `postgres://…` / `postgresql://…`.
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const trimmed = url.trim();
  if (/^postgres(ql)?:\/\//i.test(trimmed))
    return { dialect: 'postgres', connectionString: trimmed };
  if (/^sqlite:/i.test(trimmed)) {
    const file = trimmed.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file === '')
      throw new Error('DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:./data/orderdesk.db');
    return { dialect: 'sqlite', file };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw new Error(
      `DATABASE_URL scheme not supported: ${trimmed.split(':')[0]} (use sqlite:PATH or postgres://…)`,
    );
  }
  if (trimmed === '') throw new Error('DATABASE_URL is empty');
  return { dialect: 'sqlite', file: trimmed };
}

export interface OpenStoreOptions {
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** SQLite `synchronous` pragma; FULL (default) makes an acknowledged write survive a power cut. */
  sqliteSynchronous?: 'FULL' | 'NORMAL';
  /**
   * Told when PostgreSQL ends an idle pooled connection (a restart, a failover, an administrator's
   * `pg_terminate_backend`, `DROP DATABASE … WITH (FORCE)`). The pool drops that connection and
   * the next query opens a new one; nothing is lost. Default: a one-line warning on stderr.
   */
  onPoolError?: (error: Error) => void;
  /**
   * SQLite (a file): checkpoint the WAL from a worker thread rather than in the COMMIT that
   * fills it (sqlite-checkpointer.ts). For a long-running process with many writes: the server.
   */
  sqliteBackgroundCheckpoints?: boolean;
}

/** The most statements one connection prepares; later new ones run unprepared. */
const PREPARED_PER_CONNECTION = 400;

/**
 * Makes a pooled connection run each parameterized statement it sees as a named prepared
 * statement: PostgreSQL parses and plans it once per connection instead of on every call
 * (the statements of the hot paths are few and repeat). Bounded, so that statements built
 * with long IN lists or many VALUES rows cannot fill the server's memory: only those of at
 * most 64 parameters and 16 kB of text, and at most 400 per connection. The server forgets
 * them when the connection closes (the pool closes idle ones).
 *
 * A prepared statement can go stale while its connection lives: another server's migration
 * changes the columns a `select *` returns ("cached plan must not change result type"), or a
 * pooler in front of PostgreSQL discards the session's statements ("prepared statement … does
 * not exist"). Then every statement of the connection gets a new name (a new generation after
 * a dot), prepared again on its next call: a migration that changed several tables costs a
 * connection one failure, not one per statement. A call outside a transaction is retried at
 * once under its new name; one inside fails as PostgreSQL failed it (its transaction is
 * aborted). Stale names stay on the server until the connection closes, and count towards its
 * 400.
 */
function prepareStatementsOn(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const names = new Map<string, string>();
  /** Bumped when the connection's statements went stale: part of every later name. */
  let generation = 1;
  /** Names this connection has given out, stale ones included (the server keeps those too). */
  let given = 0;
  const nameFor = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && given < PREPARED_PER_CONNECTION) {
      const sha = createHash('sha1').update(text).digest('base64url');
      name = generation === 1 ? `od_${sha}` : `od_${sha}.${generation}`;
      names.set(text, name);
      given += 1;
    }
    return name;
  };
  const run = (text: string, values: unknown[], name: string | undefined) =>
    (name === undefined ? query(text, values) : query({ name, text, values })) as Promise<unknown>;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    if (
      typeof text === 'string' &&
      Array.isArray(values) &&
      values.length > 0 &&
      values.length <= 64 &&
      text.length <= 16_000
    ) {
      const name = nameFor(text);
      if (name !== undefined && args.length === 2) {
        const started = generation;
        return run(text, values, name).catch((error: unknown) => {
          if (!isStaleStatement(error)) throw error;
          // pg remembers the old names as prepared and would not parse them again: new ones
          // for all (unless a call queued before this one has renamed them already).
          if (generation === started) {
            generation += 1;
            names.clear();
          }
          if (client.getTransactionStatus() !== 'I') throw error;
          return run(text, values, nameFor(text));
        });
      }
      if (name !== undefined) return query({ name, text, values }, ...args.slice(2));
    }
    return query(...args);
  };
}

/**
 * PostgreSQL refused a prepared statement that no longer fits or no longer exists. By the
 * server's routine, not its message, which is in the server's language.
 */
function isStaleStatement(error: unknown): boolean {
  const { code, routine } = error as { code?: unknown; routine?: unknown };
  return (
    (code === '26000' && routine === 'FetchPreparedStatement') ||
    (code === '0A000' && routine === 'RevalidateCachedQuery')
  );
}

/** Opens a Kysely store for a DATABASE_URL. */
export function openStore(url: string, options: OpenStoreOptions = {}): Store {
  const target = parseDatabaseUrl(url);
  if (target.dialect === 'postgres') {
    // pg loads here, its INT8 parser set (loadPg): a SQLite store never loads it.
    const pool = new (loadPg().Pool)({
      connectionString: target.connectionString,
      max: options.poolSize ?? 10,
    });
    // Without a listener an idle connection's error is an unhandled 'error' event: the process exits.
    pool.on('error', (error) => {
      if (options.onPoolError) options.onPoolError(error);
      else process.stderr.write(`PostgreSQL ended an idle pooled connection: ${error.message}\n`);
    });
    pool.on('connect', (client) => prepareStatementsOn(client));
    const db = new Kysely<Database>({ dialect: new BatchingPostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  if (target.file !== ':memory:') mkdirSync(dirname(resolve(target.file)), { recursive: true });
  const sqlite = new SqliteDatabase(target.file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${options.sqliteSynchronous ?? 'FULL'}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({
    dialect: new GroupCommitSqliteDialect(sqlite),
  });
  const checkpointer =
    options.sqliteBackgroundCheckpoints && target.file !== ':memory:'
      ? startBackgroundCheckpoints(sqlite, target.file, {
          synchronous: options.sqliteSynchronous ?? 'FULL',
        })
      : undefined;
  return {
    db,
    dialect: 'sqlite',
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}
