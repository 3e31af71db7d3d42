// Hot statements built and compiled by Kysely once, then run with each call's values.
//
// Building a query (its operation tree, frozen node by node) and compiling it to SQL cost the
// order submission's path ~12% of the server's CPU (issue 12's profiles): every request
// rebuilt the same dozen statements. `prepared(build)` builds the query once per dialect with
// a marker in place of each argument, compiles it, and notes which parameter is which
// argument; a call then runs the same SQL with the call's values, through the executor it is
// given (a transaction, `batchedReads`, `deferredWrites`: the batching marks follow).
//
// For statements whose shape never changes with their arguments: an argument must become one
// bound parameter wherever it is used (an `=` comparison, an inserted value, a limit). Lists
// (`in`), optional clauses or values that Kysely would turn into something else (JSON, arrays)
// cannot be arguments — the first call throws if one did not become a parameter. Executors
// whose plugins rewrite queries would need a template of their own: the store has none.
import { createQueryId, type Compilable, type Insertable, type QueryResult } from 'kysely';
import { markAsIssuedThrough } from './batched-reads.ts';
import type { Executor } from './executor.ts';
import type { Database } from './schema.ts';

/** A parameter of the template: an argument by name, or a constant of the query itself. */
type Slot = { arg: string } | { value: unknown };

interface Template {
  sql: string;
  slots: Slot[];
  query: ReturnType<Compilable['compile']>['query'];
}

const MARK = '\u0000orderdesk-argument:';

function templateOf<A extends Record<string, unknown>>(
  db: Executor,
  build: (db: Executor, args: A) => Compilable,
): Template {
  const used = new Set<string>();
  const markers = new Proxy({} as A, {
    get(_, name) {
      if (typeof name !== 'string') return undefined;
      used.add(name);
      return `${MARK}${name}`;
    },
  });
  const compiled = build(db, markers).compile();
  const slots: Slot[] = compiled.parameters.map((p) =>
    typeof p === 'string' && p.startsWith(MARK) ? { arg: p.slice(MARK.length) } : { value: p },
  );
  const bound = slots.flatMap((s) => ('arg' in s ? [s.arg] : []));
  for (const name of used) {
    if (!bound.includes(name)) {
      throw new Error(
        `prepared: the argument "${name}" did not become a parameter of ${compiled.sql}`,
      );
    }
  }
  if (compiled.sql.includes(MARK)) {
    throw new Error(`prepared: an argument was written into the SQL: ${compiled.sql}`);
  }
  return { sql: compiled.sql, slots, query: compiled.query };
}

/**
 * A query built by `build` once per dialect and run with the values of each call. `build` gets
 * markers for the arguments: it must pass them to Kysely as they are.
 *
 * @example
 * const findQuoteLines = prepared((db, a: { quoteId: string }) =>
 *   db.selectFrom('quote_lines').selectAll().where('quote_id', '=', a.quoteId).orderBy('line_no'));
 * const { rows } = await findQuoteLines(tx, { quoteId });
 */
export function prepared<A extends Record<string, unknown>, O>(
  build: (db: Executor, args: A) => Compilable<O>,
): (db: Executor, args: A) => Promise<QueryResult<O>> {
  // One template per adapter class: the SQL differs between dialects, not between stores.
  const templates = new Map<unknown, Template>();
  return async (db, args) => {
    const executor = db.getExecutor();
    const dialect = executor.adapter.constructor;
    let template = templates.get(dialect);
    if (!template) {
      template = templateOf(db, build);
      templates.set(dialect, template);
    }
    const parameters = template.slots.map((s) => ('arg' in s ? args[s.arg] : s.value));
    const queryId = createQueryId();
    markAsIssuedThrough(db, queryId);
    return executor.executeQuery<O>({
      sql: template.sql,
      parameters,
      query: template.query,
      queryId,
    });
  };
}

/**
 * An INSERT of up to `maxRows` rows of `columns` into `table`, prepared once per row count.
 * Rows with another set of columns, or an undefined value (which Kysely would leave to the
 * column's default), and longer batches go through Kysely as they are.
 */
export function preparedInsert<T extends keyof Database & string>(
  table: T,
  columns: readonly (keyof Insertable<Database[T]> & string)[],
  maxRows = 20,
): (db: Executor, rows: readonly Insertable<Database[T]>[]) => Promise<void> {
  const byCount = new Map<number, ReturnType<typeof prepared<Record<string, unknown>, unknown>>>();
  return async (db, rows) => {
    if (rows.length === 0) return;
    const plain = rows.every((row) => {
      const r = row as Record<string, unknown>;
      return Object.keys(r).length === columns.length && columns.every((c) => r[c] !== undefined);
    });
    if (!plain || rows.length > maxRows) {
      await db.insertInto(table).values(rows).execute();
      return;
    }
    let run = byCount.get(rows.length);
    if (!run) {
      const n = rows.length;
      run = prepared((d, a: Record<string, unknown>) =>
        d
          .insertInto(table)
          .values(
            Array.from({ length: n }, (_, i) =>
              Object.fromEntries(columns.map((c) => [c, a[`${i}:${c}`]])),
            ) as never,
          ),
      );
      byCount.set(n, run);
    }
    const args: Record<string, unknown> = {};
    rows.forEach((row, i) => {
      const r = row as Record<string, unknown>;
      for (const c of columns) args[`${i}:${c}`] = r[c];
    });
    await run(db, args);
  };
}
