// Several statements in one round trip to PostgreSQL, each a named prepared statement.
//
// The writes a transaction holds for its COMMIT (batched-reads.ts: `deferredWrites`) and the
// BEGIN that goes with a transaction's first statement used to travel as one simple-protocol
// query, with their values written in as literals: PostgreSQL parsed and planned each of them
// on every call (the order's statement alone ~0.2 ms of planning). Here they travel in the
// extended protocol, pipelined: Parse (the first time on a connection) / Bind / Describe /
// Execute for each statement, one Sync at the end, and one answer. The statements run in
// order; the first error skips the rest up to the Sync (PostgreSQL's rule), which ends the
// round trip with that error; an explicit transaction is then aborted, as before.
//
// A `Pipeline` is a pg "submittable" (what pg-cursor is): pg's client hands it the connection
// when the client is free and feeds it the backend's messages until ReadyForQuery. It is also
// a thenable, so that it can travel through Kysely's `client.query(sql, parameters)` in place
// of the SQL text (see batched-reads.ts: `lastResults`) and be awaited there.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type pg from 'pg';

/** The `pg` module (CommonJS), required on first use. */
let pgModule: typeof pg | undefined;

/**
 * The `pg` module, loaded by the first caller (a PostgreSQL store, backup or restore): a
 * process on SQLite never loads it (~50 ms of start-up). Its INT8 parser is set before it is
 * returned, so before any pool or client exists: int8 columns hold money in minor units, and
 * every value we store is a safe integer.
 */
export function loadPg(): typeof pg {
  if (pgModule === undefined) {
    const loaded = createRequire(import.meta.url)('pg') as typeof pg;
    loaded.types.setTypeParser(loaded.types.builtins.INT8, (value: string) => {
      const n = Number(value);
      if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} exceeds 2^53`);
      return n;
    });
    pgModule = loaded;
  }
  return pgModule;
}

/** One statement of a pipeline; `values` go as text parameters ($1…), null as NULL. */
export interface PipelineStatement {
  readonly sql: string;
  readonly values: readonly unknown[];
}

/** The answer Kysely reads from pg: the asked-for statement's rows. */
export interface PipelineResult {
  command: string;
  rowCount: number | null;
  rows: Record<string, unknown>[];
}

/**
 * The most statements a connection prepares through pipelines; later new ones go unnamed.
 * Only those of at most 256 parameters and 16 kB of text are named: a statement built with
 * many VALUES rows (an order of 500 lines) would hold a large plan of its own, per line count,
 * in every connection's memory. A plan takes ~100 bytes per parameter: at most ~25 kB each,
 * 2.5 MB per connection. The order of a few dozen lines, with its ~30 columns, is named.
 */
const NAMED_PER_CONNECTION = 100;
const NAMED_MAX_PARAMETERS = 256;
const NAMED_MAX_TEXT = 16_000;
/** Statement names by SQL text (sha1: the same text, the same name, on every connection). */
const names = new Map<string, string>();

function nameOf(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) {
    name = `odp_${createHash('sha1').update(sql).digest('base64url')}`;
    if (names.size >= 2000) names.clear();
    names.set(sql, name);
  }
  return name;
}

/**
 * What one connection has prepared: `true` once PostgreSQL confirmed it, `false` when a
 * pipeline that parsed it failed (it may or may not exist: it is closed before the next Parse).
 */
const preparedOn = new WeakMap<object, Map<string, boolean>>();

/** pg's Connection, as much of it as a submittable uses. */
interface PgConnection {
  parse(query: { text: string; name: string; types: readonly number[] }): void;
  bind(config: { portal: string; statement: string; values: readonly (string | null)[] }): void;
  describe(message: { type: 'P' | 'S'; name: string }): void;
  execute(config: { portal: string; rows: number }): void;
  close(message: { type: 'P' | 'S'; name: string }): void;
  sync(): void;
  sendCopyFail(message: string): void;
  stream: { cork?: () => void; uncork?: () => void };
}

interface FieldDescription {
  name: string;
  dataTypeID: number;
  format: string;
}

/** A statement's parameter as pg writes it (text), for the plain values the store binds. */
function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return String(value);
  }
  throw new TypeError(`A pipelined statement takes plain values, not a ${typeof value}`);
}

/** Whether a value can be a pipelined statement's parameter (see textOf). */
export function isPlainValue(v: unknown): boolean {
  return (
    v === null ||
    typeof v === 'string' ||
    typeof v === 'boolean' ||
    typeof v === 'bigint' ||
    (typeof v === 'number' && Number.isFinite(v))
  );
}

/**
 * Statements sent in one round trip; resolves with the result of the statement at `answer`
 * (default: the last), rejects with the first error.
 */
export class Pipeline implements PromiseLike<PipelineResult> {
  /** The statements' SQL, for logs and for tests that count what goes over the wire. */
  readonly text: string;
  readonly #statements: readonly PipelineStatement[];
  readonly #answer: number;
  readonly #settled: Promise<PipelineResult>;
  #resolve!: (result: PipelineResult) => void;
  #reject!: (error: unknown) => void;
  /** The statement whose messages arrive now, and what came of each so far. */
  #current = 0;
  #fields: FieldDescription[] = [];
  #parsers: ((text: string) => unknown)[] = [];
  #rows: Record<string, unknown>[] = [];
  #result: PipelineResult | null = null;
  #error: unknown = null;
  /** The names this pipeline asked PostgreSQL to prepare (confirmed at ReadyForQuery). */
  #parsing: string[] = [];
  /** Every named statement this pipeline runs. */
  #named: string[] = [];
  /** Set by pg's client when a query timeout watches this pipeline. */
  callback: ((error: unknown, result?: PipelineResult) => void) | undefined;
  #prepared: Map<string, boolean> | null = null;

  constructor(statements: readonly PipelineStatement[], answer = statements.length - 1) {
    this.#statements = statements;
    this.#answer = answer;
    this.text = statements.map((s) => s.sql).join(';\n');
    this.#settled = new Promise<PipelineResult>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Kysely awaits it; a failure nobody awaits must not become an unhandled rejection.
    this.#settled.catch(() => undefined);
  }

  then<A = PipelineResult, B = never>(
    onFulfilled?: ((value: PipelineResult) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#settled.then(onFulfilled, onRejected);
  }

  /** Called by pg's client when the connection is ours: every message, then one Sync. */
  submit(connection: PgConnection): Error | null {
    let prepared = preparedOn.get(connection);
    if (!prepared) {
      prepared = new Map();
      preparedOn.set(connection, prepared);
    }
    this.#prepared = prepared;
    // Every value is mapped before anything is written: a half-sent pipeline (no Sync) would
    // leave the connection waiting.
    let texts: (string | null)[][];
    try {
      texts = this.#statements.map((s) => s.values.map(textOf));
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
    connection.stream.cork?.();
    try {
      for (const [i, statement] of this.#statements.entries()) {
        const values = texts[i] ?? [];
        let name = '';
        // BEGIN, COMMIT and the like are not worth a name; the largest are not kept.
        if (
          values.length > 0 &&
          values.length <= NAMED_MAX_PARAMETERS &&
          statement.sql.length <= NAMED_MAX_TEXT
        ) {
          name = nameOf(statement.sql);
          const state = prepared.get(name);
          // Parsed already, or earlier in this pipeline (the same statement twice).
          if (state !== true && !this.#parsing.includes(name)) {
            if (state === undefined && prepared.size >= NAMED_PER_CONNECTION) name = '';
            else {
              if (state === false) connection.close({ type: 'S', name });
              connection.parse({ text: statement.sql, name, types: [] });
              this.#parsing.push(name);
            }
          }
        }
        if (name === '') connection.parse({ text: statement.sql, name: '', types: [] });
        else this.#named.push(name);
        connection.bind({ portal: '', statement: name, values });
        connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '', rows: 0 });
      }
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  handleRowDescription(message: { fields: FieldDescription[] }): void {
    this.#fields = message.fields;
    this.#parsers = message.fields.map((f) =>
      f.format === 'binary'
        ? (text: string) => text
        : (loadPg().types.getTypeParser(f.dataTypeID, 'text') as (text: string) => unknown),
    );
    this.#rows = [];
  }

  handleDataRow(message: { fields: (string | null)[] }): void {
    if (this.#current !== this.#answer || this.#error !== null) return;
    const row: Record<string, unknown> = {};
    try {
      for (let i = 0; i < this.#fields.length; i++) {
        const text = message.fields[i];
        const field = this.#fields[i] as FieldDescription;
        row[field.name] = text === null || text === undefined ? null : this.#parsers[i]?.(text);
      }
    } catch (error) {
      // A value the type's parser refuses (an int8 beyond 2^53): the pipeline fails with it
      // once PostgreSQL is done (ReadyForQuery), as pg's own queries do.
      this.#error = error;
      return;
    }
    this.#rows.push(row);
  }

  handleCommandComplete(message: { text?: string }): void {
    if (this.#current === this.#answer) {
      // "INSERT 0 1", "UPDATE 1", "SELECT 2", "COMMIT": the command and its count, as pg reads them.
      const [command = '', ...counts] = (message.text ?? '').split(' ');
      const count = counts.at(-1);
      this.#result = {
        command,
        rowCount: count !== undefined && /^\d+$/.test(count) ? Number(count) : null,
        rows: this.#rows,
      };
    }
    this.#current += 1;
    this.#fields = [];
    this.#parsers = [];
    this.#rows = [];
  }

  handleEmptyQuery(): void {
    this.#current += 1;
  }

  /** The error ends the round trip for pg's client (the rest was skipped up to the Sync). */
  handleError(error: unknown): void {
    this.#error ??= error;
    // Whether the names parsed before the error exist is not known, nor whether one prepared
    // earlier still fits its tables (a column added since: "cached plan must not change result
    // type"): each is closed and prepared again before its next use.
    for (const name of this.#named) this.#prepared?.set(name, false);
    this.#parsing = [];
    this.#settle();
  }

  handleReadyForQuery(): void {
    if (this.#error !== null) {
      this.handleError(this.#error);
      return;
    }
    for (const name of this.#parsing) this.#prepared?.set(name, true);
    this.#parsing = [];
    this.#settle();
  }

  #settle(): void {
    if (this.#error !== null) {
      this.callback?.(this.#error);
      this.#reject(this.#error);
      return;
    }
    const result = this.#result ?? { command: '', rowCount: null, rows: [] };
    this.callback?.(null, result);
    this.#resolve(result);
  }

  handlePortalSuspended(): void {
    // Every Execute asks for all rows: no portal is ever suspended.
  }

  handleCopyInResponse(connection: PgConnection): void {
    connection.sendCopyFail('No COPY in a pipeline');
  }

  handleCopyData(): void {
    // Not used: a pipeline never starts a COPY.
  }
}
