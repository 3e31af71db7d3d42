// Reads a process keeps while the rows they came from are unchanged (issue 12).
//
// `read_versions` (migrations 0031 and 0033 on SQLite, 0034 on PostgreSQL) holds one stamp per
// table, set to a new random value by triggers on every insert, update and delete of that table,
// whoever writes — on SQLite at the write, on PostgreSQL when the writing transaction commits.
// `readVersions` reads the stamps (one statement); a `VersionedRead` keeps the result of its read
// per arguments, with the stamps of the tables the read looks at, and gives it back only while
// those stamps are the same — otherwise it reads again. So a kept result is always what the
// read would return now, and a write in another process shows at once.
//
// The rule for callers: read the stamps first, then the kept reads, with no write of the
// same transaction in between (a write after the stamps would be in a result kept under the
// stamps from before it, and a rollback would put those stamps back). Results are frozen: they
// are shared by every request that reads the same arguments.
//
// On PostgreSQL the stamps need not be awaited first: a `VersionedRead` also takes them as a
// promise (`readVersions` through `batchedReads`, held with the reads issued in the same turn),
// and a read it has to run then goes out with them, in the same statement, or after them. Either
// way the rows are at least as new as the stamps they are kept under (READ COMMITTED: every
// statement sees the commits before it), and a stamp changes with the commit that changes a
// row: a result may be newer than its stamps (then read again once they move), never older.
import type { Executor } from './executor.ts';
import { sql } from 'kysely';
import { prepared } from './prepared-query.ts';
import { isPostgres } from './search.repository.ts';
import { dropTriggers } from './sqlite-schema.ts';

/**
 * The tables migrations 0031 and 0033 (SQLite) and 0034 (PostgreSQL) stamp: each a column of
 * `read_versions` and triggers. The migrations keep their own copies (migrations are frozen);
 * the tests of the triggers check they agree.
 */
export const VERSIONED_TABLES = [
  'vendors',
  'partners',
  'partnerships',
  'customers',
  'customer_contacts',
  'products',
  'categories',
  'price_lists',
  'price_list_items',
  'partnership_multipliers',
  'subscriptions',
  'users',
  'api_tokens',
] as const;

export type VersionedTable = (typeof VERSIONED_TABLES)[number];

/** Each stamped table's stamp, as read at one moment. */
export type ReadVersions = Readonly<Record<VersionedTable, number>>;

/**
 * A stamp that keeps nothing: PostgreSQL's for a table the transaction itself has written (see
 * selectPostgresVersions).
 */
export const WRITTEN_HERE = -1;

const selectVersions = prepared((db) =>
  db.selectFrom('read_versions').selectAll().where('id', '=', 1),
);

/**
 * PostgreSQL's stamps change when the writing transaction commits, so a transaction that wrote a
 * table sees the table's old stamp beside its own uncommitted rows: a result read after such a
 * write, kept under that stamp, would outlive a rollback. For such a table (noted by the
 * migration's trigger in a transaction-local setting) the stamp is WRITTEN_HERE, and nothing is
 * kept from it or given back — as on SQLite, where the write itself moves the stamp.
 */
const selectPostgresVersions = prepared((db) =>
  db
    .selectFrom('read_versions')
    .select([
      'id',
      ...VERSIONED_TABLES.map((t) =>
        sql<number>`case when current_setting(${sql.lit(`orderdesk.read_version_${t}`)}, true) = 'noted'
          then ${sql.lit(WRITTEN_HERE)} else ${sql.ref(t)} end`.as(t),
      ),
    ])
    .where('id', '=', 1),
);

/**
 * The stamps now (one statement). On PostgreSQL, through `batchedReads`, the statement is held
 * with the reads issued in the same turn: pass the promise on to `VersionedRead.get` unawaited.
 */
export async function readVersions(db: Executor): Promise<ReadVersions> {
  const row = (await (isPostgres(db) ? selectPostgresVersions : selectVersions)(db, {})).rows[0];
  if (!row) throw new Error('read_versions has no row: run the migrations (0031, 0034)');
  return row;
}

/** A new stamp, as the triggers of migrations 0031 and 0033 (SQLite) set it. */
const NEW_STAMP = sql`abs(random() % 9007199254740991)`;

/**
 * For a bulk writer that inserts many rows into `tables` in one transaction (the CLI's
 * price-list import, SQLite): drops the tables' per-row INSERT stamp triggers (migration 0031's
 * `<table>_rv_insert`, each an UPDATE of read_versions per row) and moves the tables' stamps
 * once, now, as the first insert's trigger would. Resolves with what creates the triggers again
 * and moves the stamps once more — call it before the transaction commits: a result kept under
 * the stamps of the meantime is then never given back. Other connections see neither (the stamps
 * and the rows commit together); a rollback puts back the triggers and the stamps from before.
 * Updates and deletes still stamp through their triggers. PostgreSQL: nothing to do (its
 * statement triggers note a table once per transaction).
 */
export async function stampInsertsInBulk(
  tx: Executor,
  tables: readonly VersionedTable[],
): Promise<() => Promise<void>> {
  if (isPostgres(tx) || tables.length === 0) return async () => {};
  const stamp = async (): Promise<void> => {
    await sql`update read_versions set ${sql.join(
      tables.map((t) => sql`${sql.id(t)} = ${NEW_STAMP}`),
    )} where id = 1`.execute(tx);
  };
  const createAgain = await dropTriggers(
    tx,
    tables.map((t) => `${t}_rv_insert`),
  );
  await stamp();
  return async () => {
    await createAgain();
    await stamp();
  };
}

/**
 * The stamps a `VersionedRead` is given: read already, or being read (PostgreSQL: with the
 * reads issued beside them); null keeps nothing (every read runs).
 */
export type Stamps = ReadVersions | null | Promise<ReadVersions>;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

interface Kept<T> {
  stamp: string;
  value: T;
}

/**
 * A read whose results are kept, by arguments, while the tables it reads are unchanged.
 *
 * @example
 * const prices = new VersionedRead(['products', 'price_lists'], (db, a: { id: string }) => …);
 * const versions = await readVersions(tx);
 * const rows = await prices.get(tx, versions, { id }); // a statement only when stale
 */
export class VersionedRead<A, T> {
  readonly #kept = new Map<string, Kept<T>>();
  /** The stamps last seen and this read's stamp in them (one `versions` serves many gets). */
  #lastVersions: ReadVersions | null = null;
  #lastStamp: string | null = '';

  constructor(
    /** Every table the read looks at: a write to any of them makes its kept results stale. */
    private readonly tables: readonly VersionedTable[],
    private readonly read: (db: Executor, args: A) => Promise<T>,
    /** The most results kept; the least recently used one is dropped first. */
    private readonly max = 1_000,
  ) {}

  /**
   * The read's result for `args`: kept if `versions` say it is current, else read (and kept).
   * `versions` may still be on its way (a promise, see Stamps): with nothing kept for `args`,
   * the read is issued at once, beside the stamps' statement.
   */
  async get(db: Executor, versions: Stamps, args: A): Promise<T> {
    if (versions === null) return this.read(db, args);
    const key = JSON.stringify(args);
    if (versions instanceof Promise) {
      if (!this.#kept.has(key)) {
        // Issued now, in the stamps' statement or after it: never older than they are.
        const value = await this.read(db, args);
        return this.#keepFresh(key, this.#stampOf(await versions), value);
      }
      versions = await versions;
    }
    const stamp = this.#stampOf(versions);
    const kept = this.#kept.get(key);
    if (stamp !== null && kept !== undefined && kept.stamp === stamp) return this.#touch(key, kept);
    return this.#keepFresh(key, stamp, await this.read(db, args));
  }

  /**
   * The same for a read outside a transaction, which reads the stamps itself. There the stamps
   * and the read are two statements, and another request's write can come between them — one
   * that may yet be rolled back, which would put the stamps back under a result that has it.
   * So a fresh result is kept only if the stamps read again after it are the same; and an
   * empty one (null or undefined) is not kept, so that reads of unknown arguments cannot push
   * the others out.
   */
  async getOutsideTransaction(db: Executor, args: A): Promise<T> {
    const stamp = this.#stampOf(await readVersions(db));
    if (stamp === null) return this.read(db, args);
    const key = JSON.stringify(args);
    const kept = this.#kept.get(key);
    if (kept !== undefined && kept.stamp === stamp) return this.#touch(key, kept);
    const value = await this.read(db, args);
    if (value === null || value === undefined) return value;
    if (this.#stampOf(await readVersions(db)) !== stamp) return value;
    return this.#keepFresh(key, stamp, value);
  }

  /** `value`, frozen and kept under `stamp` (as it is, unkept, without one). */
  #keepFresh(key: string, stamp: string | null, value: T): T {
    if (stamp === null) return value;
    const frozen = deepFreeze(value);
    this.#keep(key, stamp, frozen);
    return frozen;
  }

  /**
   * This read's tables' stamps in `versions`, as one string (one `versions` serves many gets);
   * null if the transaction wrote one of them (WRITTEN_HERE): nothing is kept or given back.
   */
  #stampOf(versions: ReadVersions): string | null {
    if (versions !== this.#lastVersions) {
      let stamp: string | null = '';
      for (const t of this.tables) {
        const v = versions[t];
        if (v === WRITTEN_HERE) {
          stamp = null;
          break;
        }
        stamp += `${v},`;
      }
      this.#lastVersions = versions;
      this.#lastStamp = stamp;
    }
    return this.#lastStamp;
  }

  /** A current kept result, made the most recently used. */
  #touch(key: string, kept: Kept<T>): T {
    this.#kept.delete(key);
    this.#kept.set(key, kept);
    return kept.value;
  }

  #keep(key: string, stamp: string, value: T): void {
    this.#kept.delete(key);
    if (this.#kept.size >= this.max) {
      this.#kept.delete(this.#kept.keys().next().value as string);
    }
    this.#kept.set(key, { stamp, value });
  }

  /** How many results are kept (tests). */
  get size(): number {
    return this.#kept.size;
  }
}
