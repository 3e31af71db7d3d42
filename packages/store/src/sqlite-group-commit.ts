// SQLite's one connection, shared by every request of the process, with group commit.
//
// With `synchronous=FULL` every COMMIT waits for the disk (an fsync of the WAL): ~0.5 ms here,
// a fifth of an order submission, during which better-sqlite3 blocks the event loop. So a
// transaction does not commit on its own when it ends: it stays in the open write
// transaction (the first of a group began it; each later one runs in a savepoint, released
// into it), the connection passes to whoever waits for it, and the group commits — one
// fsync for all — when the connection is left free, at the end of that turn of the event
// loop (`setImmediate`), so the requests whose data arrived in the same turn join it first;
// or at once when it holds GROUP_LIMIT transactions. Every transaction's
// `transaction().execute()` returns only after that COMMIT has returned, so nothing is
// acknowledged before it is on disk; if the COMMIT fails, every transaction of the group
// fails with its error, as its own COMMIT would have, and none of their writes remains. A
// transaction's rollback (an error, a conflict) undoes its own work only (its savepoint).
// Transactions still run one at a time, in the order they asked for the connection: each
// sees what the ones before it wrote, as if they had committed.
//
// What changes: a plain read outside a transaction that runs while a group is open sees the
// group's writes a moment (until the fsync) before they are durable — as PostgreSQL readers
// see a commit before a synchronous standby has confirmed it. If the machine dies in that
// moment those writes are lost, as they would have been a moment earlier; none of them was
// acknowledged. Anything else outside a transaction (a write, a PRAGMA) commits the group
// first and runs on its own, durable when it returns. One request at a time runs
// `begin immediate` … `commit`, the statements of before.
//
// Transactions take the write lock when they begin (`BEGIN IMMEDIATE`), not at their first
// write: with a deferred `BEGIN`, a transaction that reads and then writes fails at once with
// SQLITE_BUSY when another process (an `orderdesk worker`, `jobs run`, `backup` or `seed`
// beside `serve`) wrote in between — the busy timeout cannot help a reader upgrading to a
// writer. Taking the lock up front makes the second process wait its turn instead.
import { resolve } from 'node:path';
import type SqliteDatabase from 'better-sqlite3';
import type { CompiledQuery } from 'kysely';
import { withLiteralLimits } from './sqlite-literal-limits.ts';
import {
  SelectQueryNode,
  SqliteDialect,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from 'kysely';

/** The most transactions one COMMIT covers; past it the group commits even with waiters. */
export const GROUP_LIMIT = 32;

/** Prepared statements kept per SQL text (Kysely would prepare every query anew). */
const STATEMENT_CACHE = 500;

const SAVEPOINT = 'od_group_member';

/** The drivers of this process with an open group (see #commitOthers). */
const openGroups = new Set<GroupCommitSqliteDriver>();
const PRAGMA = /^\s*pragma\b/i;

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

interface Group {
  /** Transactions released into the group, waiting for its COMMIT. */
  readonly waiting: Waiter[];
}

/** One hold of the connection: the object Kysely gets from acquireConnection. */
class Lease implements DatabaseConnection {
  released = false;
  /** Whether this hold began a transaction (Kysely's `transaction()`). */
  inTransaction = false;
  /** Whether this hold's transaction is a savepoint inside an open group. */
  member = false;
  /** The COMMITs this hold's transactions wait for (one, unless it ran several). */
  readonly committed: Promise<void>[] = [];
  constructor(readonly driver: GroupCommitSqliteDriver) {}
  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    if (this.released) throw new Error('SQLite connection used after it was released');
    if (!this.inTransaction) await this.driver.othersDone();
    return this.driver.run<R>(compiledQuery, this.inTransaction);
  }
  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(compiledQuery.query)) {
      throw new Error('Sqlite driver only supports streaming of select queries');
    }
    // A statement being iterated is busy: it gets one of its own, not the cached one.
    const stmt = this.driver.sqlite.prepare(compiledQuery.sql);
    for (const row of stmt.iterate(compiledQuery.parameters)) {
      yield { rows: [row as R] };
    }
  }
}

/**
 * The connection of an open transaction, if it is one of this driver's and still in its
 * transaction: a statement may then run on it straight (prepared-query.ts), without Kysely's
 * executor chain around each one. A hold that committed, rolled back or was released gives
 * null, and the statement goes through Kysely, which refuses it.
 */
export function heldTransactionConnection(connection: unknown): DatabaseConnection | null {
  return openTransactionLease(connection);
}

function openTransactionLease(connection: unknown): Lease | null {
  return connection instanceof Lease && connection.inTransaction && !connection.released
    ? connection
    : null;
}

/**
 * Runs a statement at once on the connection of an open transaction (one heldTransactionConnection
 * gave), as its executeQuery would but without a promise; undefined once the transaction has
 * ended (the statement then goes through Kysely, which refuses it).
 */
export function runInHeldTransaction<R>(
  connection: DatabaseConnection,
  compiledQuery: CompiledQuery,
): QueryResult<R> | undefined {
  return openTransactionLease(connection)?.driver.run<R>(compiledQuery, true);
}

/**
 * The driver behind a connection Kysely handed out outside a transaction, if it is one of
 * this module's: a statement outside a transaction may then run on it straight when it is free
 * (GroupCommitSqliteDriver.runNowIfFree, prepared-query.ts).
 */
export function groupCommitDriverOf(connection: unknown): GroupCommitSqliteDriver | null {
  return connection instanceof Lease ? connection.driver : null;
}

export interface GroupCommitOptions {
  /**
   * Told of every statement run, BEGIN, SAVEPOINT and COMMIT included (tests count them); not
   * of the `temp_store` settings around a group's BEGIN (#beginGroup).
   */
  trace?: (sql: string) => void;
}

export class GroupCommitSqliteDriver implements Driver {
  readonly sqlite: SqliteDatabase.Database;
  readonly #trace: ((sql: string) => void) | undefined;
  readonly #statements = new Map<string, SqliteDatabase.Statement>();
  readonly #queue: (() => void)[] = [];
  #held = false;
  #group: Group | null = null;
  #flushScheduled = false;
  /** The database file (null in memory): only connections to the same file wait for each other. */
  readonly #file: string | null;
  /** Told when this connection's open group ends (othersDone). */
  readonly #groupEnded: (() => void)[] = [];

  constructor(sqlite: SqliteDatabase.Database, options: GroupCommitOptions = {}) {
    this.sqlite = sqlite;
    this.#trace = options.trace;
    this.#file = sqlite.memory ? null : resolve(sqlite.name);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#held) await new Promise<void>((resolve) => this.#queue.push(resolve));
    else this.#held = true;
    return new Lease(this);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    lease.inTransaction = true;
    if (this.#group) {
      this.#exec(`savepoint ${SAVEPOINT}`);
      lease.member = true;
    } else {
      await this.othersDone();
      this.#beginGroup();
      this.#group = { waiting: [] };
      openGroups.add(this);
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    const group = this.#group;
    if (!group) throw new Error('commit without a transaction');
    if (lease.member) this.#exec(`release ${SAVEPOINT}`);
    lease.inTransaction = false;
    lease.member = false;
    // Kysely releases the connection right after; the release waits for the group's COMMIT,
    // so `transaction().execute()` returns (or throws the COMMIT's error) only after it.
    const committed = new Promise<void>((resolve, reject) =>
      group.waiting.push({ resolve, reject }),
    );
    committed.catch(() => {});
    lease.committed.push(committed);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    const member = lease.member;
    lease.inTransaction = false;
    lease.member = false;
    const group = this.#group;
    if (!group) return;
    if (member && this.sqlite.inTransaction) {
      try {
        this.#exec(`rollback to ${SAVEPOINT}`);
        this.#exec(`release ${SAVEPOINT}`);
        return;
      } catch (error) {
        this.#failGroup(group, error);
        return;
      }
    }
    // The group's first transaction (nothing released into it yet), or SQLite ended the whole
    // transaction itself (SQLITE_FULL, an I/O error): the transactions released into the
    // group are lost with it and fail.
    this.#failGroup(group, new Error('SQLite rolled back the transaction of a group commit'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    if (lease.released) return;
    this.#release(lease);
    for (const committed of lease.committed) await committed;
  }

  async destroy(): Promise<void> {
    if (this.#group) this.#commitGroup(this.#group);
    this.sqlite.close();
  }

  /**
   * Runs a statement outside a transaction at once, as a hold of the connection would (the
   * same `run`), if nothing has to be waited for: the connection is not held by a transaction
   * in progress (whose uncommitted work it would see, or break into) and no other connection
   * of this process to the file has a group open (othersDone). Undefined otherwise: the caller
   * then goes through Kysely, which waits its turn. Saves Kysely's executor chain — a hold, a
   * provider and several promises — around each plain statement.
   */
  runNowIfFree<R>(compiledQuery: CompiledQuery): QueryResult<R> | undefined {
    if (this.#held) return undefined;
    for (const other of openGroups) {
      if (other !== this && other.#group && other.#file !== null && other.#file === this.#file) {
        return undefined;
      }
    }
    return this.run<R>(compiledQuery, false);
  }

  /**
   * Runs one statement, prepared once per SQL text. A write outside a transaction is durable
   * when it returns (autocommit): an open group commits first, so that it runs on its own.
   */
  run<R>(compiledQuery: CompiledQuery, inTransaction: boolean): QueryResult<R> {
    // A limit is written into the text: bound, it would make SQLite prepare the statement
    // again on every run (sqlite-literal-limits.ts).
    const { sql, parameters } = withLiteralLimits(compiledQuery.sql, compiledQuery.parameters);
    // SQLite applies a PRAGMA's setting when it prepares it (and ignores it inside a
    // transaction): a PRAGMA commits the open group first and is prepared anew every time.
    const pragma = PRAGMA.test(sql);
    if (pragma && !inTransaction && this.#group) this.#commitGroup(this.#group);
    const stmt = pragma ? this.sqlite.prepare(sql) : this.#prepare(sql);
    // Only a plain read runs inside the open group; anything else outside a transaction (a
    // write) runs after the group's COMMIT, on its own, as it always did.
    if (!inTransaction && this.#group && !(stmt.reader && stmt.readonly)) {
      this.#commitGroup(this.#group);
    }
    this.#trace?.(sql);
    if (stmt.reader) return { rows: rowsOf(stmt, parameters) as R[] };
    const { changes, lastInsertRowid } = stmt.run(parameters);
    return {
      numAffectedRows: BigInt(changes),
      insertId: BigInt(lastInsertRowid),
      rows: [],
    };
  }

  #prepare(sql: string): SqliteDatabase.Statement {
    let stmt = this.#statements.get(sql);
    if (stmt === undefined) {
      stmt = this.sqlite.prepare(sql);
      if (stmt.reader) readAsArrays(stmt);
      if (this.#statements.size >= STATEMENT_CACHE) {
        this.#statements.delete(this.#statements.keys().next().value as string);
      }
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  /**
   * BEGIN IMMEDIATE with the statement journal of the transaction in memory. Each later
   * member of a group runs in a savepoint, and a savepoint journals the first change to every
   * page that existed before it: tens of KiB per order. With `temp_store` at its default that
   * journal spills to a temporary file past 64 KiB, which SQLite creates, writes and deletes
   * in every group (a tenth of the server's time under the bench's submissions, perf). SQLite
   * decides where that journal lives when a write transaction begins, and where a sort or a
   * temporary table goes when it starts: so `temp_store` is `memory` for the BEGIN only and
   * back to what it was right after, before any statement of the transaction runs — large
   * sorts and index builds still spill to files and do not grow the memory. The two settings
   * are the connection's, not statements of a transaction: the trace is not told of them.
   * (Changing it outside a transaction also closes a temporary database the connection had
   * open, which only a bulk import's temporary table opens.)
   */
  #beginGroup(): void {
    const before = this.sqlite.pragma('temp_store', { simple: true });
    const journalElsewhere = before !== 2;
    if (!journalElsewhere) return this.#exec('begin immediate');
    this.sqlite.exec('pragma temp_store = memory');
    try {
      this.#exec('begin immediate');
    } finally {
      this.sqlite.exec(`pragma temp_store = ${Number(before)}`);
    }
  }

  #exec(sql: string): void {
    this.#trace?.(sql);
    this.#prepare(sql).run();
  }

  /**
   * Ends a hold and hands the connection to the next waiter. The open group commits when it is
   * full, or when the connection is left free: then at the end of this turn of the event loop
   * (`setImmediate`), so that the requests whose data arrived in the same turn join it first.
   */
  #release(lease: Lease): void {
    lease.released = true;
    const group = this.#group;
    if (group && group.waiting.length >= GROUP_LIMIT) this.#commitGroup(group);
    const next = this.#queue.shift();
    if (next) {
      next();
      return;
    }
    this.#held = false;
    if (this.#group && !this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(this.#flush);
    }
  }

  /** Commits the open group if the connection is free (else its holder's release will). */
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    if (this.#group && !this.#held) this.#commitGroup(this.#group);
  };

  /**
   * Waits until no other connection of this process to the same file has an open group, committing the free
   * ones at once, before this one asks for the write lock (or runs outside a transaction):
   * better-sqlite3 waits for a lock synchronously, blocking the event loop, so a group that
   * commits at the end of the loop's turn, or whose holder is between two statements, would
   * never let go of it (two stores on one file in one process: the bench's mail worker beside
   * its orders, a test's second store). Other processes wait with their busy timeout.
   */
  async othersDone(): Promise<void> {
    for (;;) {
      let busy: GroupCommitSqliteDriver | undefined;
      for (const other of openGroups) {
        if (other === this || !other.#group || other.#file === null || other.#file !== this.#file)
          continue;
        if (other.#held) busy = other;
        else other.#commitGroup(other.#group);
      }
      if (!busy) return;
      await new Promise<void>((resolve) => busy.#groupEnded.push(resolve));
    }
  }

  #endGroup(): void {
    this.#group = null;
    openGroups.delete(this);
    for (const resolve of this.#groupEnded.splice(0)) resolve();
  }

  #commitGroup(group: Group): void {
    this.#endGroup();
    try {
      this.#exec('commit');
    } catch (error) {
      if (this.sqlite.inTransaction) {
        try {
          this.#exec('rollback');
        } catch {
          // The rollback's own failure changes nothing: the group failed.
        }
      }
      for (const waiter of group.waiting) waiter.reject(error);
      return;
    }
    for (const waiter of group.waiting) waiter.resolve();
  }

  #failGroup(group: Group, error: unknown): void {
    this.#endGroup();
    if (this.sqlite.inTransaction) this.#exec('rollback');
    for (const waiter of group.waiting) waiter.reject(error);
  }
}

/** Turns a row's values (SQLite's order of columns) into the object Kysely expects. */
type RowBuilder = ((values: readonly unknown[]) => Record<string, unknown>) & { columns: number };

/** The row builder of each kept reader that returns its rows as arrays (readAsArrays). */
const rowBuilders = new WeakMap<SqliteDatabase.Statement, RowBuilder>();

/**
 * Makes a kept reader return its rows as arrays of values, which rowsOf turns into objects with
 * a function compiled for its columns. better-sqlite3 builds each row object property by
 * property through V8's API: for the wide rows a submission reads (the quote, the stamps of
 * read-versions.ts) that costs about twice as much as the array and an object literal of the
 * same shape. A statement whose column names a literal cannot carry as own properties
 * (`__proto__`) keeps better-sqlite3's objects.
 */
function readAsArrays(stmt: SqliteDatabase.Statement): void {
  const builder = rowBuilderOf(stmt);
  if (!builder) return;
  stmt.raw(true);
  rowBuilders.set(stmt, builder);
}

function rowBuilderOf(stmt: SqliteDatabase.Statement): RowBuilder | undefined {
  const names = stmt.columns().map((c) => c.name);
  if (names.includes('__proto__')) return undefined;
  // Same semantics as better-sqlite3's objects: a name given twice keeps its last value.
  const body = names.map((name, i) => `${JSON.stringify(name)}: v[${i}]`).join(', ');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- names are quoted by JSON.stringify
  const build = new Function('v', `return { ${body} };`) as RowBuilder;
  build.columns = names.length;
  return build;
}

/** A reader's rows as objects, whether it returns arrays (readAsArrays) or objects. */
function rowsOf(stmt: SqliteDatabase.Statement, parameters: readonly unknown[]): unknown[] {
  let build = rowBuilders.get(stmt);
  if (build === undefined) return stmt.all(parameters);
  const rows = stmt.all(parameters) as unknown[][];
  // SQLite prepares a statement again when the schema changes (a migration): `select *` may
  // then have other columns.
  if (rows.length > 0 && rows[0]?.length !== build.columns) {
    build = rowBuilderOf(stmt);
    if (!build) {
      rowBuilders.delete(stmt);
      stmt.raw(false);
      return stmt.all(parameters);
    }
    rowBuilders.set(stmt, build);
  }
  const out = new Array<unknown>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = build(rows[i] as unknown[]);
  return out;
}

/** Kysely's SQLite dialect on the group-committing connection. */
export class GroupCommitSqliteDialect extends SqliteDialect {
  readonly #sqlite: SqliteDatabase.Database;
  readonly #options: GroupCommitOptions;
  constructor(sqlite: SqliteDatabase.Database, options: GroupCommitOptions = {}) {
    super({ database: sqlite });
    this.#sqlite = sqlite;
    this.#options = options;
  }
  override createDriver(): Driver {
    return new GroupCommitSqliteDriver(this.#sqlite, this.#options);
  }
}
