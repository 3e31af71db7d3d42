// One throwaway PostgreSQL cluster for the whole run (the test suite's helper: initdb + pg_ctl
// in a temp dir on a free loopback port, as the `postgres` user when we are root). Each
// scenario gets a database of its own. The helper starts the cluster with fsync,
// synchronous_commit and full_page_writes off (fast tests); those are postmaster command-line
// options, which ALTER SYSTEM cannot override, so the bench restarts the cluster once without
// them: PostgreSQL then flushes every commit, like SQLite with synchronous=FULL.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import {
  findPostgresBinDir,
  startPostgres,
  type PostgresServer,
} from '../../packages/store/test/postgres-server.ts';
import { onCleanup } from './cleanup.ts';
import { readCpuMs } from './proc.ts';

let server: Promise<PostgresServer> | undefined;

/** Whether PostgreSQL server binaries are installed (initdb, pg_ctl). */
export function postgresAvailable(): boolean {
  try {
    findPostgresBinDir({ install: false });
    return true;
  } catch {
    return false;
  }
}

/** The cluster, started on first use and stopped by the bench's cleanup. */
export function cluster(): Promise<PostgresServer> {
  server ??= startPostgres().then(async (s) => {
    onCleanup('stop PostgreSQL', () => {
      server = undefined;
      s.stop();
    });
    await restartDurable(s.url);
    return s;
  });
  return server;
}

async function show(url: string, names: readonly string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const out: string[] = [];
    for (const name of names) {
      const r = await client.query<Record<string, string>>(`SHOW ${name}`);
      out.push(Object.values(r.rows[0] ?? {})[0] ?? '');
    }
    return out;
  } finally {
    await client.end();
  }
}

/** The cluster's data directory, port and socket directory. */
async function where(url: string): Promise<{ dataDir: string; port: string; sockets: string }> {
  const [dataDir = '', port = '', sockets = ''] = await show(url, [
    'data_directory',
    'port',
    'unix_socket_directories',
  ]);
  return { dataDir, port, sockets };
}

/** `pg_ctl restart` with the helper's own options and `settings` (more `-c name=value`). */
async function restart(url: string, settings: readonly string[]): Promise<void> {
  const { dataDir, port, sockets } = await where(url);
  const full = join(findPostgresBinDir(), 'pg_ctl');
  const args = [
    'restart',
    '-m',
    'fast',
    '-w',
    '-D',
    dataDir,
    '-l',
    join(dirname(dataDir), 'server.log'),
    '-o',
    [
      `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${sockets} -c max_connections=300`,
      ...settings.map((s) => `-c ${s}`),
    ].join(' '),
  ];
  const [file, argv] =
    process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', full, ...args]] : [full, args];
  execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dirname(dataDir) });
}

/** Restarts the cluster with the default (durable) fsync / synchronous_commit / full_page_writes. */
async function restartDurable(url: string): Promise<void> {
  await restart(url, []);
  const [fsync, syncCommit, walLevel] = await show(url, [
    'fsync',
    'synchronous_commit',
    'wal_level',
  ]);
  if (fsync !== 'on' || syncCommit !== 'on' || walLevel !== 'replica') {
    throw new Error(
      `PostgreSQL restart left fsync=${fsync} synchronous_commit=${syncCommit} wal_level=${walLevel}`,
    );
  }
}

/** What a bulk load gets from withBulkLoadSettings. */
export interface BulkLoad {
  /** The cluster's directory (the data directory's parent): readable by the server's user. */
  dir: string;
  /** psql, for COPY … FROM PROGRAM (the server runs it as its own user). */
  psql: string;
  /** psql's connection options for a database of this cluster (its Unix socket). */
  psqlArgs(database: string): string[];
}

/**
 * Runs `work` (a bulk load of test data) on the cluster restarted without durability and with
 * wal_level = minimal, then restarts it durable (also when `work` fails) and flushes what the
 * load left in the OS's page cache to disk (`sync`), so the measurements that follow run as
 * they do on a cluster that never left its durable settings, without a write-back in their
 * middle. Under wal_level = minimal, CREATE INDEX and a COPY into a table truncated in the same
 * transaction write no WAL at all (the files are synced at commit instead, a no-op with fsync
 * off): the load writes each page once instead of three times (WAL, full-page images after
 * each checkpoint, the table). Nothing else may use the cluster meanwhile (the bench runs its
 * scenarios one at a time; the restart ends every connection).
 */
export async function withBulkLoadSettings<T>(work: (load: BulkLoad) => Promise<T>): Promise<T> {
  const { url } = await cluster();
  const { dataDir, port, sockets } = await where(url);
  await restart(url, [
    'fsync=off',
    'synchronous_commit=off',
    'full_page_writes=off',
    'wal_level=minimal',
    'max_wal_senders=0',
    'max_wal_size=16GB',
    'checkpoint_timeout=30min',
  ]);
  try {
    return await work({
      dir: dirname(dataDir),
      psql: join(findPostgresBinDir(), 'psql'),
      psqlArgs: (database) => [
        '-X',
        '-q',
        '-h',
        sockets,
        '-p',
        port,
        '-U',
        'postgres',
        '-d',
        database,
      ],
    });
  } finally {
    await restartDurable(url);
    execFileSync('sync');
  }
}

function urlFor(base: string, database: string): string {
  const u = new URL(base);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const { url } = await cluster();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new, empty database in the cluster; returns its URL. */
export async function createDatabase(name: string): Promise<string> {
  const { url } = await cluster();
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name}`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  return urlFor(url, name);
}

/** Drops a database made by createDatabase (frees disk between scenarios). */
export async function dropDatabase(name: string): Promise<void> {
  if (!server) return;
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** The server version, e.g. "15.14". */
export async function postgresVersion(): Promise<string> {
  return admin(async (c) => {
    const r = await c.query<{ server_version: string }>('SHOW server_version');
    return r.rows[0]?.server_version ?? '?';
  });
}

/**
 * CPU time (ms) used so far by the cluster: the postmaster, its live children (backends, WAL
 * writer, checkpointer…) and the children it has reaped (backends of closed connections), from
 * /proc. Null where /proc is not readable.
 */
export async function postgresCpuMs(): Promise<number | null> {
  const { url } = await cluster();
  const port = new URL(url).port;
  try {
    const procs: { pid: number; ppid: number; cmd: string }[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        procs.push({ pid: Number(entry), ppid, cmd });
      } catch {
        // gone meanwhile
      }
    }
    const postmaster = procs.find((p) => /postgres/.test(p.cmd) && p.cmd.includes(`-p ${port}`));
    if (!postmaster) return null;
    let sum = readCpuMs(postmaster.pid, true) ?? 0;
    for (const p of procs) if (p.ppid === postmaster.pid) sum += readCpuMs(p.pid) ?? 0;
    return sum;
  } catch {
    return null;
  }
}

/**
 * maintenance_work_mem for building a B-tree index (or key) of a bulk load: its sort runs in
 * pieces of this size, merged in one pass, rather than in one piece in memory. The comparisons
 * of a sort over a gigabyte of index tuples are mostly cache misses (each follows pointers to
 * two tuples); pieces that fit in the cache do the same work for less. CREATE INDEX on 3M
 * bench orders, (ordering_partner_id, status, id), CPU: 2 GB 13.7 s, 256 MB 11.6 s, 64 MB
 * 10.5 s, 32 MB 11.4 s, 16 MB 8.6–9.4 s, 4 MB 7.9–8.2 s. 32 MB keeps 10M orders' tuples
 * (~1.2 GB) to a merge of one pass.
 */
export const SORT_MEMORY = '32MB';
/** A GIN index's build gathers its entries in memory (a smaller buffer means more merges). */
const GIN_BUILD_MEMORY = '2GB';

/** Indexes and keys of some tables, dropped for a bulk load by dropIndexes. */
export interface DroppedIndexes {
  /**
   * Builds them again from their own definitions (sorted builds in pieces of SORT_MEMORY, the
   * clients' statements running side by side, largest table first), then the foreign keys
   * that referred to them,
   * and checks the tables have as many indexes and constraints as before.
   */
  rebuild(clients: readonly pg.Client[], log?: (label: string, ms: number) => void): Promise<void>;
}

/**
 * Drops the indexes of `tables` (largest table first: they are rebuilt in that order; those behind a primary key or unique constraint as the
 * constraint) and the foreign keys that refer to those tables, in the client's transaction:
 * a load then appends rows without maintaining a B-tree per row, and `rebuild` sorts each
 * index once. The tables keep exactly their layout, keys and indexes; only how they are filled
 * differs.
 */
export async function dropIndexes(
  client: pg.Client,
  tables: readonly string[],
): Promise<DroppedIndexes> {
  const indexes = await client.query<{ name: string; def: string; constraint: string | null }>(
    `select i.indexname as name, i.indexdef as def,
       (select pg_get_constraintdef(c.oid) from pg_constraint c
        where c.conrelid = x.indrelid and c.conname = i.indexname) as constraint
     from pg_indexes i
       join pg_class r on r.relname = i.tablename and r.relnamespace = current_schema()::regnamespace
       join pg_class ic on ic.relname = i.indexname and ic.relnamespace = r.relnamespace
       join pg_index x on x.indexrelid = ic.oid
     where i.schemaname = current_schema() and i.tablename = any($1)
     order by array_position($1, i.tablename::text), x.indnatts desc, i.indexname`,
    [tables],
  );
  const foreignKeys = await client.query<{ tbl: string; name: string; def: string }>(
    `select conrelid::regclass::text as tbl, conname as name, pg_get_constraintdef(oid) as def
     from pg_constraint
     where contype = 'f' and confrelid = any(select oid from pg_class
       where relname = any($1) and relnamespace = current_schema()::regnamespace)`,
    [tables],
  );
  const shape = async (c: pg.Client): Promise<string> => {
    const r = await c.query<{ n: string }>(
      `select (select count(*) from pg_indexes where schemaname = current_schema()
               and tablename = any($1)) || '/' ||
              (select count(*) from pg_constraint where conrelid = any($2::regclass[])
               or confrelid = any($2::regclass[])) as n`,
      [tables, tables],
    );
    return r.rows[0]?.n ?? '';
  };
  const before = await shape(client);
  const table = new Map<string, string>();
  for (const f of foreignKeys.rows) {
    await client.query(`alter table ${f.tbl} drop constraint ${f.name}`);
  }
  for (const i of indexes.rows) {
    const on = /\bON (?:ONLY )?(\S+)/.exec(i.def)?.[1] ?? '';
    table.set(i.name, on);
    await client.query(
      i.constraint ? `alter table ${on} drop constraint ${i.name}` : `drop index ${i.name}`,
    );
  }
  return {
    async rebuild(clients, log) {
      const builds = indexes.rows.map((i) => ({
        label: i.name,
        text: i.constraint
          ? `alter table ${table.get(i.name) ?? ''} add constraint ${i.name} ${i.constraint}`
          : i.def,
      }));
      await Promise.all(
        clients.map(async (c) => {
          for (let b = builds.shift(); b; b = builds.shift()) {
            const t = performance.now();
            await c.query(
              `set maintenance_work_mem = '${/ USING gin /i.test(b.text) ? GIN_BUILD_MEMORY : SORT_MEMORY}'`,
            );
            await c.query(b.text);
            log?.(b.label, performance.now() - t);
          }
        }),
      );
      const [first] = clients;
      if (!first) throw new Error('rebuild: no client');
      for (const f of foreignKeys.rows) {
        const t = performance.now();
        await first.query(`alter table ${f.tbl} add constraint ${f.name} ${f.def}`);
        log?.(f.name, performance.now() - t);
      }
      const after = await shape(first);
      if (after !== before) {
        throw new Error(
          `${tables.join(', ')}: ${after} indexes/constraints after the load, ${before} before`,
        );
      }
    },
  };
}
