// Hot statements built and compiled by Kysely once, then run with each call's values.
//
// Building a query (its operation tree, frozen node by node) and compiling it to SQL cost the
// order submission's path ~12% of the server's CPU (issue 12's profiles): every request
// rebuilt the same dozen statements. `prepared(build)` builds the query once per dialect with
// a marker in place of each argument, compiles it, and notes which parameter is which
// argument; a call then runs the same SQL with the call's values, through the executor it is
// given (a transaction, `batchedReads`, `deferredWrites`: the batching marks follow).
//
// What may change from call to call: strings and numbers, each passed to Kysely as it is (an
// `=` comparison, an inserted value, a limit, a list's items). What decides the statement's
// shape — booleans, null, which properties are given, the length of each list — gives a
// template of its own. `build` must not look at the strings and numbers it gets (they are
// markers): a marker changed before it reached Kysely, or written into the SQL, throws.
// Executors whose plugins rewrite queries would need templates of their own: the store has
// none.
import {
  createQueryId,
  SqliteAdapter,
  type Compilable,
  type CompiledQuery,
  type DatabaseConnection,
  type Insertable,
  type QueryExecutor,
  type QueryResult,
} from 'kysely';
import { markAsIssuedThrough } from './batched-reads.ts';
import type { Executor } from './executor.ts';
import {
  groupCommitDriverOf,
  heldTransactionConnection,
  runInHeldTransaction,
} from './sqlite-group-commit.ts';
import type { Database } from './schema.ts';

/** A parameter of the template: an argument by its path in the arguments, or a constant. */
type Slot = { path: readonly string[] } | { value: unknown };

interface Template {
  sql: string;
  slots: Slot[];
  query: ReturnType<Compilable['compile']>['query'];
  /** The parameters for arguments of this template's shape, else undefined (extractorOf). */
  extract: Extractor | null;
}

/** A template's parameters read from a call's arguments, or undefined for another shape. */
type Extractor = (args: unknown) => unknown[] | undefined;

const MARK = '\u0000orderdesk-argument:';
/** Between the keys of a marker's path (never in a property name of the store's). */
const SEP = '\u0001';
/** Templates kept per query and dialect (lists of many lengths would otherwise pile up). */
const MAX_SHAPES = 64;
/** Templates tried first, through their extractors, before the trie is walked. */
const RECENT_SHAPES = 4;
/** The most values and containers an extractor is compiled for (a 20-row insert has ~600). */
const MAX_EXTRACTED = 1000;

/**
 * The arguments with a marker in place of each string and number, found by their path; what
 * decides the query's shape stays as it is: booleans, null, which properties there are, and
 * the length of each list.
 */
function markersOf(value: unknown, path: string): unknown {
  if (isValue(value)) return `${MARK}${path}`;
  if (Array.isArray(value)) return value.map((v, i) => markersOf(v, `${path}${SEP}${i}`));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, markersOf(v, path ? `${path}${SEP}${k}` : k)]),
    );
  }
  return value;
}

/** A string, a number, or an object that is not a plain one (a Date, a Buffer): a value. */
function isValue(value: unknown): boolean {
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'bigint') return true;
  if (type !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto !== Object.prototype && proto !== null;
}

/**
 * A node of a query's shape trie: the arguments are walked in order (see markersOf) and each
 * step — a value's kind, a list's or object's start and end, a property's name — goes down
 * one edge, so a call that finds its template allocates nothing. Kinds are fields and names a
 * map (a property called "value" is not the kind); the name last taken from a node is kept
 * beside the map, since a call site passes its properties in the same order every time.
 */
class ShapeNode {
  value: ShapeNode | undefined = undefined;
  yes: ShapeNode | undefined = undefined;
  no: ShapeNode | undefined = undefined;
  absent: ShapeNode | undefined = undefined;
  null: ShapeNode | undefined = undefined;
  list: ShapeNode | undefined = undefined;
  listEnd: ShapeNode | undefined = undefined;
  object: ShapeNode | undefined = undefined;
  objectEnd: ShapeNode | undefined = undefined;
  lastName: string | undefined = undefined;
  lastNext: ShapeNode | undefined = undefined;
  names: Map<string, ShapeNode> | undefined = undefined;
  template: Template | undefined = undefined;
}

function nameEdge(node: ShapeNode, name: string): ShapeNode {
  if (node.lastName === name && node.lastNext) return node.lastNext;
  node.names ??= new Map();
  let next = node.names.get(name);
  if (!next) node.names.set(name, (next = new ShapeNode()));
  node.lastName = name;
  node.lastNext = next;
  return next;
}

/** What an argument is to a query's shape: the trie's edges and the extractors' checks. */
type Kind = 'value' | 'true' | 'false' | 'absent' | 'null' | 'list' | 'object';

/** The kind of `value`; anything else than a value, boolean, undefined, null or list is an object. */
function kindOf(value: unknown): Kind {
  if (isValue(value)) return 'value';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (value === undefined) return 'absent';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'list' : 'object';
}

/** The trie node for the shape of `value`, from `node`: one template per shape. */
function shapeNodeOf(node: ShapeNode, value: unknown): ShapeNode {
  switch (kindOf(value)) {
    case 'value':
      return (node.value ??= new ShapeNode());
    case 'true':
      return (node.yes ??= new ShapeNode());
    case 'false':
      return (node.no ??= new ShapeNode());
    case 'absent':
      return (node.absent ??= new ShapeNode());
    case 'null':
      return (node.null ??= new ShapeNode());
    case 'list': {
      let at = (node.list ??= new ShapeNode());
      for (const v of value as unknown[]) at = shapeNodeOf(at, v);
      return (at.listEnd ??= new ShapeNode());
    }
    case 'object': {
      let at = (node.object ??= new ShapeNode());
      for (const k in value as Record<string, unknown>) {
        at = shapeNodeOf(nameEdge(at, k), (value as Record<string, unknown>)[k]);
      }
      return (at.objectEnd ??= new ShapeNode());
    }
  }
}

/**
 * Code compiled for the shape of `sample` that tells whether a call's arguments have that same
 * shape — the walk of shapeNodeOf, written out: each value's kind, each list's length, each
 * object's property names in order — and reads the template's parameters from them as it goes.
 * A hot statement's call then costs a few monomorphic property reads instead of the trie's walk
 * (~3% of the server's CPU per order submission, issue 12). Null past MAX_EXTRACTED values and
 * containers (a long list's shape is rarely met twice): such calls walk the trie.
 */
function extractorOf(sample: unknown, slots: readonly Slot[]): Extractor | null {
  const code: string[] = [];
  const constants: unknown[] = [];
  const byPath = new Map<string, string>();
  let count = 0;
  const walk = (value: unknown, expression: string, path: string): void => {
    if (count > MAX_EXTRACTED) return;
    const v = `v${count++}`;
    code.push(`const ${v} = ${expression};`);
    byPath.set(path, v);
    const kind = kindOf(value);
    const type = typeof value;
    if (kind === 'value' && type !== 'object') {
      // A string, number or bigint is checked by its type first; any value has the same shape.
      code.push(`if (typeof ${v} !== ${JSON.stringify(type)} && kindOf(${v}) !== 'value') return;`);
    } else if (kind === 'true' || kind === 'false' || kind === 'absent' || kind === 'null') {
      // These kinds are each one value: the same test as kindOf, without the call.
      code.push(`if (${v} !== ${String(value)}) return;`);
    } else {
      code.push(`if (kindOf(${v}) !== ${JSON.stringify(kind)}) return;`);
    }
    if (kind === 'list') {
      const items = value as unknown[];
      code.push(`if (${v}.length !== ${items.length}) return;`);
      items.forEach((item, i) => walk(item, `${v}[${i}]`, `${path}${SEP}${i}`));
    } else if (kind === 'object') {
      const names: string[] = [];
      for (const name in value as Record<string, unknown>) names.push(name);
      const at = constants.push(names) - 1;
      code.push(
        `{ const names = c[${at}]; let i = 0;`,
        ` for (const name in ${v}) if (name !== names[i++]) return;`,
        ` if (i !== names.length) return; }`,
      );
      for (const name of names) {
        walk(
          (value as Record<string, unknown>)[name],
          `${v}[${JSON.stringify(name)}]`,
          path ? `${path}${SEP}${name}` : name,
        );
      }
    }
  };
  walk(sample, 'args', '');
  if (count > MAX_EXTRACTED) return null;
  const parameters = slots.map((slot) => {
    if ('value' in slot) return `c[${constants.push(slot.value) - 1}]`;
    const found = byPath.get(slot.path.join(SEP));
    if (found === undefined) throw new Error(`prepared: no argument at ${slot.path.join('.')}`);
    return found;
  });
  code.push(`return [${parameters.join(', ')}];`);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the code is built above from the sample's shape alone: names are JSON-quoted, values are never written into it
  const make = new Function('c', 'kindOf', `return (args) => {\n${code.join('\n')}\n};`);
  return make(constants, kindOf) as Extractor;
}

function valueAt(args: unknown, path: readonly string[]): unknown {
  let v = args;
  for (const k of path) v = (v as Record<string, unknown>)[k];
  return v;
}

function templateOf<A extends Record<string, unknown>>(
  db: Executor,
  build: (db: Executor, args: A) => Compilable,
  sample: A,
): Template {
  const compiled = build(db, markersOf(sample, '') as A).compile();
  const slots: Slot[] = compiled.parameters.map((p) => {
    if (typeof p === 'string' && p.startsWith(MARK)) {
      return { path: p.slice(MARK.length).split(SEP) };
    }
    if (typeof p === 'string' && p.includes(MARK.slice(0, 1))) {
      throw new Error(`prepared: an argument was changed before it became a parameter: ${p}`);
    }
    return { value: p };
  });
  if (compiled.sql.includes(MARK.slice(0, 1))) {
    throw new Error(`prepared: an argument was written into the SQL: ${compiled.sql}`);
  }
  return { sql: compiled.sql, slots, query: compiled.query, extract: extractorOf(sample, slots) };
}

/**
 * A query built by `build` once per dialect and shape of its arguments, and run with the values
 * of each call. `build` gets markers for the strings and numbers: it must pass them to Kysely as
 * they are.
 *
 * @example
 * const findQuoteLines = prepared((db, a: { quoteId: string }) =>
 *   db.selectFrom('quote_lines').selectAll().where('quote_id', '=', a.quoteId).orderBy('line_no'));
 * const { rows } = await findQuoteLines(tx, { quoteId });
 */
export function prepared<A extends Record<string, unknown>, O>(
  build: (db: Executor, args: A) => Compilable<O>,
): (db: Executor, args: A) => Promise<QueryResult<O>> {
  // One trie of templates per adapter class (the SQL differs between dialects, not between
  // stores) and shape of the arguments.
  const shapes = new Map<unknown, { root: ShapeNode; count: number; recent: Template[] }>();
  return async (db, args) => {
    const executor = db.getExecutor();
    const dialect = executor.adapter.constructor;
    let trie = shapes.get(dialect);
    if (!trie) shapes.set(dialect, (trie = { root: new ShapeNode(), count: 0, recent: [] }));
    // The templates of the last few shapes first, each through its compiled extractor.
    const { recent } = trie;
    for (let i = 0; i < recent.length; i++) {
      const known = recent[i] as Template;
      const parameters = known.extract?.(args);
      if (parameters === undefined) continue;
      if (i > 0) recent.splice(0, 0, ...recent.splice(i, 1));
      return runParameters<O>(db, executor, known, parameters);
    }
    let node = shapeNodeOf(trie.root, args);
    let template = node.template;
    if (!template) {
      // Lists of many lengths would otherwise pile up: past the cap, start again.
      if (trie.count >= MAX_SHAPES) {
        shapes.set(dialect, (trie = { root: new ShapeNode(), count: 0, recent: [] }));
        node = shapeNodeOf(trie.root, args);
      }
      template = node.template = templateOf(db, build, args);
      trie.count += 1;
    }
    if (template.extract) {
      trie.recent.unshift(template);
      if (trie.recent.length > RECENT_SHAPES) trie.recent.pop();
    }
    return runTemplate<O>(db, executor, template, args);
  };
}

/**
 * How a statement runs straight on SQLite's connection, without Kysely's executor chain (a
 * provider, an executor and several promises per statement, which cost as much as a small
 * statement); undefined when it cannot now, and the statement goes through Kysely.
 */
type DirectRunner = <O>(query: CompiledQuery) => QueryResult<O> | undefined;

/** The direct runner of each SQLite executor, or null for none (see directRunnerOf). */
const directRunners = new WeakMap<QueryExecutor, DirectRunner | null>();

/**
 * The direct runner of `db`'s executor (SQLite without plugins; PostgreSQL's batching marks
 * are plugins Kysely must apply), found once per executor:
 * - in an open transaction, its connection, while the transaction is open: once it has ended
 *   the statement goes through Kysely, which refuses it;
 * - outside one, the driver, when the connection is free: no transaction in progress holds it
 *   (GroupCommitSqliteDriver.runNowIfFree); else Kysely waits its turn.
 */
async function directRunnerOf(db: Executor, executor: QueryExecutor): Promise<DirectRunner | null> {
  if (!(executor.adapter instanceof SqliteAdapter) || executor.plugins.length > 0) return null;
  let runner = directRunners.get(executor);
  if (runner === undefined) {
    let connection: DatabaseConnection | undefined;
    await executor.provideConnection(async (c) => {
      connection = c;
    });
    if (db.isTransaction) {
      const held = heldTransactionConnection(connection);
      runner = held ? (query) => runInHeldTransaction(held, query) : null;
    } else {
      const driver = groupCommitDriverOf(connection);
      runner = driver ? (query) => driver.runNowIfFree(query) : null;
    }
    directRunners.set(executor, runner);
  }
  return runner;
}

/** The statement of `template` with the values of `args`, on `db`. */
function runTemplate<O>(
  db: Executor,
  executor: QueryExecutor,
  template: Template,
  args: Record<string, unknown>,
): Promise<QueryResult<O>> {
  const parameters = template.slots.map((s) => ('path' in s ? valueAt(args, s.path) : s.value));
  return runParameters<O>(db, executor, template, parameters);
}

/** The statement of `template` with `parameters`, on `db`. */
async function runParameters<O>(
  db: Executor,
  executor: QueryExecutor,
  template: Template,
  parameters: unknown[],
): Promise<QueryResult<O>> {
  // Found once per executor: after that without an await.
  const known = directRunners.get(executor);
  const direct = known !== undefined ? known : await directRunnerOf(db, executor);
  const result = direct?.<O>({
    sql: template.sql,
    parameters,
    query: template.query,
    queryId: DIRECT_QUERY_ID,
  });
  if (result !== undefined) return result;
  const queryId = createQueryId();
  markAsIssuedThrough(db, queryId);
  return executor.executeQuery<O>({
    sql: template.sql,
    parameters,
    query: template.query,
    queryId,
  });
}

/** The id of statements run straight on the connection (nothing looks it up). */
const DIRECT_QUERY_ID = createQueryId();

/**
 * An INSERT of up to `maxRows` rows into `table`, prepared per shape of the rows (their number,
 * their columns, which values are null); longer batches go through Kysely as they are.
 */
export function preparedInsert<T extends keyof Database & string>(
  table: T,
  maxRows = 20,
): (db: Executor, rows: readonly Insertable<Database[T]>[]) => Promise<void> {
  const insert = prepared((db, a: { rows: readonly Insertable<Database[T]>[] }) =>
    db.insertInto(table).values(a.rows as never),
  );
  return async (db, rows) => {
    if (rows.length === 0) return;
    if (rows.length > maxRows) await db.insertInto(table).values(rows).execute();
    else await insert(db, { rows });
  };
}
