// Several reads of one transaction in one round trip to PostgreSQL.
//
// A use case that needs several independent reads (the order submission's validation context:
// prices, multipliers, the quote and its lines, the subscription, the PO-number check) issues
// them together through `batchedReads(tx)` (with Promise.all). On PostgreSQL each would cost a
// round trip: the connection is the transaction's, and pg sends one query at a time. Here the
// connection holds the reads issued in the same turn of the event loop and sends them as ONE
// statement, each read a subquery aggregated to JSON:
//
//   select (select coalesce(json_agg(t), '[]'::json) from (<read 1>) t) as r0,
//          (select coalesce(json_agg(t), '[]'::json) from (<read 2>) t) as r1, …
//
// Every column type the store uses comes back the same way through JSON as through pg's own
// parsers (text, integer, and int8 — which the store parses as a safe integer anyway). Only
// reads marked by `batchedReads` are held; every other statement goes out at once, after the
// held ones (pg runs a connection's queries in the order they were sent). On SQLite, which
// runs in-process with no round trips, `batchedReads` changes nothing.
import {
  CompiledQuery,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  PostgresQueryCompiler,
  type ConnectionProvider,
  type Dialect,
  type DatabaseConnection,
  type Driver,
  type PostgresDialectConfig,
  type PostgresPool,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type TransactionSettings,
  type UnknownRow,
} from 'kysely';
import type { QueryId } from 'kysely';
import type { Executor } from './executor.ts';
import { isPlainValue, loadPg, Pipeline, type PipelineStatement } from './pg-pipeline.ts';
import type { Database } from './schema.ts';
import { isPostgres } from './search.repository.ts';

/** The queries issued through `batchedReads` (by Kysely's per-query id). */
const batchable = new WeakSet<QueryId>();

/** A plugin that notes the id of every query issued through it in `marked`. */
class MarkQueries implements KyselyPlugin {
  constructor(private readonly marked: WeakSet<QueryId>) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.marked.add(args.queryId);
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
const MARK = new MarkQueries(batchable);

/**
 * Marks a query compiled ahead (prepared-query.ts: plugins' transformQuery does not run for
 * it) as issued through `db`: held with the reads of `batchedReads`, or with the writes of
 * `deferredWrites`, when `db` is one of them.
 */
export function markAsIssuedThrough(db: Executor, queryId: QueryId): void {
  const plugins = db.getExecutor().plugins;
  if (plugins.includes(MARK)) batchable.add(queryId);
  if (plugins.includes(DEFER)) deferrable.add(queryId);
}

/** The inserts issued through `deferredWrites` (by Kysely's per-query id). */
const deferrable = new WeakSet<QueryId>();
const DEFER = new MarkQueries(deferrable);

/**
 * The executor for the last writes of a transaction whose results nobody reads (the audit
 * rows, the thread messages and outbox rows, the idempotency key): on PostgreSQL its inserts
 * are held and sent with the COMMIT, in one round trip (a pipeline of prepared statements,
 * pg-pipeline.ts). An error in them (a unique key) fails the commit, which rolls
 * the transaction back. Any other statement on the connection first sends what is held, so
 * reads still see every write before them. On SQLite, and outside a transaction, it is `db`.
 */
export function deferredWrites(db: Executor): Executor {
  return isPostgres(db) && db.isTransaction ? db.withPlugin(DEFER) : db;
}

/** An INSERT of plain values (no RETURNING) that can wait for the commit. */
function canDefer(query: CompiledQuery): boolean {
  if (!deferrable.has(query.queryId)) return false;
  const sql = query.sql;
  return (
    /^\s*(insert\s+into|with\b)/i.test(sql) &&
    !/\breturning\b[^)]*$/i.test(sql) &&
    !sql.includes('$$') &&
    query.parameters.every(isPlainValue)
  );
}

/**
 * The executor to issue independent reads of a transaction through, together, so that
 * PostgreSQL gets them in one round trip (see the top of this file). Kysely hands a
 * transaction's connection to one query at a time; this executor hands it to every read at
 * once, and the connection (BatchingConnection) holds them until the turn ends. Use it for
 * reads only, all issued at once (Promise.all), and go back to the transaction for what
 * follows. Outside a transaction, or on SQLite, it is `db` itself.
 */
export async function batchedReads(db: Executor): Promise<Executor> {
  if (!batchesReads(db)) return db;
  const executor = db.getExecutor();
  // A transaction's provider always gives the same connection: borrow it for the reads.
  const connection = await executor.provideConnection(async (c) => c);
  if (!(connection instanceof BatchingConnection)) return db;
  const together: ConnectionProvider = { provideConnection: (consume) => consume(connection) };
  return new Kysely<Database>({
    config: { dialect: READS_ONLY },
    driver: READS_ONLY_DRIVER,
    dialect: READS_ONLY,
    executor: executor.withConnectionProvider(together).withPlugin(MARK),
  });
}

/** Whether reads issued together through `batchedReads(db)` go as one statement. */
export function batchesReads(db: Executor): boolean {
  return isPostgres(db) && db.isTransaction;
}

/** What the reads executor has in place of a driver: it never opens connections. */
const READS_ONLY_DRIVER: Driver = new Proxy({} as Driver, {
  get: () => () => Promise.reject(new Error('batchedReads: reads only, inside their transaction')),
});
const READS_ONLY = {
  createAdapter: () => new PostgresAdapter(),
  createDriver: () => READS_ONLY_DRIVER,
  createIntrospector: () => {
    throw new Error('batchedReads: reads only');
  },
  createQueryCompiler: () => new PostgresQueryCompiler(),
} as Dialect;

/** A read (SELECT or WITH … SELECT) whose placeholders can be renumbered safely. */
function canHold(query: CompiledQuery): boolean {
  if (!batchable.has(query.queryId)) return false;
  const sql = query.sql;
  return (
    /^\s*(select|with)\b/i.test(sql) &&
    !/\b(insert\s+into|delete\s+from|for\s+update|for\s+share)\b/i.test(sql) &&
    !/\bupdate\s+"?\w+"?\s+set\b/i.test(sql) &&
    !sql.includes('$$')
  );
}

/** Statements already shifted, by text and offset (the hot reads are few and repeat). */
const shifted = new Map<string, Map<number, string>>();

/** `sql` with its placeholders $1…$n shifted by `offset`, outside quoted literals and names. */
export function shiftPlaceholders(sql: string, offset: number): string {
  if (offset === 0) return sql;
  let byOffset = shifted.get(sql);
  const known = byOffset?.get(offset);
  if (known !== undefined) return known;
  const out = mapPlaceholders(sql, (n) => `$${n + offset}`);
  if (sql.length > 16_000) return out;
  if (!byOffset) {
    if (shifted.size >= 500) shifted.clear();
    byOffset = new Map();
    shifted.set(sql, byOffset);
  }
  byOffset.set(offset, out);
  return out;
}

/** `sql` with each placeholder $n (outside quoted literals and names) replaced by `to(n)`. */
function mapPlaceholders(sql: string, to: (n: number) => string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    if (c === "'" || c === '"') {
      const end = closingQuote(sql, i, c);
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    if (c === '$') {
      const m = /^\$(\d+)/.exec(sql.slice(i, i + 12));
      if (m?.[1]) {
        out += to(Number(m[1]));
        i += m[0].length;
        continue;
      }
    }
    out += c;
    i++;
  }
  return out;
}

function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

interface Held {
  query: CompiledQuery;
  resolve: (result: QueryResult<UnknownRow>) => void;
  reject: (error: unknown) => void;
}

/** A pg connection that sends the reads it holds as one statement. */
class BatchingConnection implements DatabaseConnection {
  readonly inner: DatabaseConnection;
  #held: Held[] = [];
  #scheduled = false;

  constructor(inner: DatabaseConnection) {
    this.inner = inner;
  }

  #writes: CompiledQuery[] = [];

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (canDefer(query)) {
      this.flush();
      this.#writes.push(query);
      return Promise.resolve({ rows: [] });
    }
    if (canHold(query)) {
      this.#sendWrites();
      return new Promise<QueryResult<UnknownRow>>((resolve, reject) => {
        this.#held.push({ query, resolve, reject });
        if (!this.#scheduled) {
          this.#scheduled = true;
          // After the microtasks of this turn: every read of a Promise.all has arrived by then.
          setImmediate(() => this.flush());
        }
      }) as Promise<QueryResult<R>>;
    }
    this.flush();
    this.#sendWrites();
    if (this.#beginPending) {
      this.#beginPending = false;
      // BEGIN and the statement in one round trip: a pipeline, the statement's result being
      // the answer; a simple query for a statement without parameters (it may hold several
      // commands, which a prepared statement cannot); or BEGIN on its own for values a
      // pipeline does not bind.
      if (query.parameters.length === 0) {
        return this.inner.executeQuery<R>(CompiledQuery.raw(`begin;\n${query.sql}`, []));
      }
      if (query.parameters.every(isPlainValue)) {
        return this.#pipeline<R>([
          { sql: 'begin', values: [] },
          { sql: query.sql, values: query.parameters },
        ]);
      }
      return this.inner
        .executeQuery(CompiledQuery.raw('begin', []))
        .then(() => this.inner.executeQuery<R>(query));
    }
    return this.inner.executeQuery<R>(query);
  }

  /**
   * Set by the driver for a transaction whose BEGIN waits for its first statement that needs
   * it. Under READ COMMITTED (every transaction here) each statement reads its own snapshot
   * anyway, so the reads held by `batchedReads` run before BEGIN with the same meaning, and
   * BEGIN goes with the first other statement, or with the held writes and the COMMIT.
   */
  #beginPending = false;

  deferBegin(): void {
    this.#beginPending = true;
  }

  /** Whether the transaction's BEGIN was never sent (nothing but reads ran). */
  takeBeginPending(): boolean {
    const pending = this.#beginPending;
    this.#beginPending = false;
    return pending;
  }

  /** Sends a pending BEGIN on its own (before a savepoint or a stream). */
  async begin(): Promise<void> {
    this.flush();
    if (!this.takeBeginPending()) return;
    await this.inner.executeQuery(CompiledQuery.raw('begin', []));
  }

  /**
   * Sends the held writes in one round trip, followed by `then` (COMMIT) if given; resolves
   * when PostgreSQL has run them all, rejects with the first one's error.
   */
  sendWrites(then?: string): Promise<void> | null {
    const writes = this.#writes;
    if (writes.length === 0) return null;
    this.#writes = [];
    const statements: PipelineStatement[] = writes.map((w) => ({
      sql: w.sql,
      values: w.parameters,
    }));
    if (this.takeBeginPending()) statements.unshift({ sql: 'begin', values: [] });
    if (then) statements.push({ sql: then, values: [] });
    return this.#pipeline(statements).then(() => undefined);
  }

  /**
   * Statements in one round trip. The pipeline goes through Kysely's connection in place of
   * the SQL text: the pool's clients (lastResults) hand it to pg as it is, a submittable.
   */
  #pipeline<R>(statements: readonly PipelineStatement[]): Promise<QueryResult<R>> {
    const pipeline = new Pipeline(statements);
    return this.inner.executeQuery<R>(CompiledQuery.raw(pipeline as unknown as string, []));
  }

  /** Held writes go out before another statement; their error then surfaces at the commit. */
  #sendWrites(): void {
    const sent = this.sendWrites();
    if (sent) this.#failed = sent.catch((error: unknown) => error);
  }

  /** The error of writes sent ahead of another statement (reported by the commit). */
  #failed: Promise<unknown> | null = null;

  async takeFailure(): Promise<unknown> {
    const failed = this.#failed;
    this.#failed = null;
    return failed ? await failed : undefined;
  }

  async *streamQuery<R>(
    query: CompiledQuery,
    chunkSize?: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    this.flush();
    this.#sendWrites();
    await this.begin();
    yield* this.inner.streamQuery<R>(query, chunkSize);
  }

  /** Forgets the held writes (the transaction is rolled back). */
  discardWrites(): void {
    this.#writes = [];
  }

  /** Sends what is held (one read as it is, several as one statement); pg keeps the order. */
  flush(): void {
    this.#scheduled = false;
    const held = this.#held;
    if (held.length === 0) return;
    this.#held = [];
    if (held.length === 1) {
      const [only] = held as [Held];
      this.inner.executeQuery<UnknownRow>(only.query).then(only.resolve, only.reject);
      return;
    }
    const parts: string[] = [];
    const parameters: unknown[] = [];
    for (const [i, h] of held.entries()) {
      const sql = shiftPlaceholders(h.query.sql, parameters.length);
      parts.push(`(select coalesce(json_agg(t), '[]'::json) from (${sql}) t) as r${i}`);
      parameters.push(...h.query.parameters);
    }
    const combined = CompiledQuery.raw(`select ${parts.join(',\n  ')}`, parameters);
    this.inner.executeQuery<Record<string, UnknownRow[]>>(combined).then(
      (result) => {
        const row = result.rows[0] ?? {};
        for (const [i, h] of held.entries()) h.resolve({ rows: row[`r${i}`] ?? [] });
      },
      (error: unknown) => {
        for (const h of held) h.reject(error);
      },
    );
  }
}

/** Wraps the pg driver's connections in BatchingConnection. */
class BatchingDriver implements Driver {
  readonly #inner: Driver;
  readonly #wrapped = new WeakMap<DatabaseConnection, BatchingConnection>();

  constructor(inner: Driver) {
    this.#inner = inner;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.#inner.acquireConnection();
    let wrapped = this.#wrapped.get(connection);
    if (!wrapped) {
      wrapped = new BatchingConnection(connection);
      this.#wrapped.set(connection, wrapped);
    }
    return wrapped;
  }

  async beginTransaction(
    connection: DatabaseConnection,
    settings: TransactionSettings,
  ): Promise<void> {
    // The default READ COMMITTED: BEGIN waits for the first statement that needs it.
    if (
      connection instanceof BatchingConnection &&
      !settings.isolationLevel &&
      !settings.accessMode
    ) {
      connection.deferBegin();
      return;
    }
    return this.#inner.beginTransaction(innerOf(connection), settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof BatchingConnection) {
      connection.flush();
      // Writes sent ahead of a later statement that failed: the transaction is aborted, and
      // PostgreSQL would answer COMMIT with a silent ROLLBACK. Say so instead.
      const failed = await connection.takeFailure();
      if (failed !== undefined) throw failed;
      // The held writes and the COMMIT in one round trip (with the BEGIN if still pending).
      const sent = connection.sendWrites('commit');
      if (sent) return sent;
      // Only reads ran: there is no transaction to end.
      if (connection.takeBeginPending()) return;
    }
    return this.#inner.commitTransaction(innerOf(connection));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof BatchingConnection) {
      connection.discardWrites();
      await connection.takeFailure();
      connection.flush();
      if (connection.takeBeginPending()) return;
    }
    return this.#inner.rollbackTransaction(innerOf(connection));
  }

  async savepoint(
    connection: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['savepoint']>>[2],
  ): Promise<void> {
    if (connection instanceof BatchingConnection) await connection.begin();
    await this.#inner.savepoint?.(innerOf(connection), name, compile);
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['rollbackToSavepoint']>>[2],
  ): Promise<void> {
    if (connection instanceof BatchingConnection) await connection.begin();
    await this.#inner.rollbackToSavepoint?.(innerOf(connection), name, compile);
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['releaseSavepoint']>>[2],
  ): Promise<void> {
    if (connection instanceof BatchingConnection) await connection.begin();
    await this.#inner.releaseSavepoint?.(innerOf(connection), name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(innerOf(connection));
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}

/** The pg connection behind a BatchingConnection, with what it holds sent first. */
function innerOf(connection: DatabaseConnection): DatabaseConnection {
  if (connection instanceof BatchingConnection) {
    connection.flush();
    return connection.inner;
  }
  return connection;
}

/**
 * Kysely's PostgreSQL dialect with batched reads (`batchedReads`). Constructing it loads `pg`
 * with the store's int8 parser (loadPg), whoever made the pool: bigint columns (money in
 * minor units, counters) come back as numbers from its first query.
 */
export class BatchingPostgresDialect extends PostgresDialect {
  constructor(config: PostgresDialectConfig) {
    const { pool } = config;
    super({
      ...config,
      pool: typeof pool === 'function' ? async () => lastResults(await pool()) : lastResults(pool),
    });
    loadPg();
  }

  override createDriver(): Driver {
    return new BatchingDriver(super.createDriver());
  }
}

const answeringLast = new WeakSet<object>();

/**
 * The pool, its clients answering a multi-statement query with the last statement's result,
 * the one asked for: pg answers with one result per statement, and Kysely reads a single one.
 * A Pipeline (pg-pipeline.ts) that Kysely's connection passes in place of the SQL text goes to
 * pg as the submittable it is, and is awaited as the thenable it is. Callbacks and cursors
 * pass through.
 */
function lastResults(pool: PostgresPool): PostgresPool {
  return new Proxy(pool, {
    get(target, property, receiver) {
      if (property !== 'connect') return Reflect.get(target, property, receiver) as unknown;
      return async () => {
        const client = await target.connect();
        if (!answeringLast.has(client)) {
          answeringLast.add(client);
          const query = client.query.bind(client) as (...args: unknown[]) => unknown;
          (client as { query: unknown }).query = (...args: unknown[]) => {
            if (args[0] instanceof Pipeline) return query(args[0]);
            const out = query(...args);
            if (!(out instanceof Promise)) return out;
            return out.then((result: unknown) =>
              Array.isArray(result) ? (result[result.length - 1] as unknown) : result,
            );
          };
        }
        return client;
      };
    },
  });
}
