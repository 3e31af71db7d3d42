// Reads a process keeps while the rows they came from are unchanged (SQLite; issue 12).
//
// `read_versions` (migration 0031) holds one stamp per table, set to a new random value by a
// trigger on every insert, update and delete of that table, whoever writes. `readVersions`
// reads the stamps (one statement); a `VersionedRead` keeps the result of its read per
// arguments, with the stamps of the tables the read looks at, and gives it back only while
// those stamps are the same — otherwise it reads again. So a kept result is always what the
// read would return now, in this transaction, and a write in another process shows at once.
//
// The rule for callers: read the stamps first, then the kept reads, with no write of the
// same transaction in between (a write after the stamps would be in a result kept under the
// stamps from before it, and a rollback would put those stamps back). Results are frozen: they
// are shared by every request that reads the same arguments.
//
// PostgreSQL has no stamps (`readVersions` gives null and every read runs): its reads go in
// one round trip (batched-reads.ts), which keeping them would not save.
import type { Executor } from './executor.ts';
import { prepared } from './prepared-query.ts';
import { isPostgres } from './search.repository.ts';

/**
 * The tables migrations 0031 and 0033 stamp: each a column of `read_versions` and a set of
 * triggers. The migrations keep their own copies (migrations are frozen); the test of the
 * triggers checks they agree.
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

const selectVersions = prepared((db) =>
  db.selectFrom('read_versions').selectAll().where('id', '=', 1),
);

/** The stamps now (one statement), or null on PostgreSQL, where nothing is kept. */
export async function readVersions(db: Executor): Promise<ReadVersions | null> {
  if (isPostgres(db)) return null;
  const row = (await selectVersions(db, {})).rows[0];
  if (!row) throw new Error('read_versions has no row: run the migrations (0031)');
  return row;
}

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
  #lastStamp = '';

  constructor(
    /** Every table the read looks at: a write to any of them makes its kept results stale. */
    private readonly tables: readonly VersionedTable[],
    private readonly read: (db: Executor, args: A) => Promise<T>,
    /** The most results kept; the least recently used one is dropped first. */
    private readonly max = 1_000,
  ) {}

  /** The read's result for `args`: kept if `versions` say it is current, else read (and kept). */
  async get(db: Executor, versions: ReadVersions | null, args: A): Promise<T> {
    if (versions === null) return this.read(db, args);
    const stamp = this.#stampOf(versions);
    const key = JSON.stringify(args);
    const kept = this.#kept.get(key);
    if (kept !== undefined && kept.stamp === stamp) return this.#touch(key, kept);
    const value = deepFreeze(await this.read(db, args));
    this.#keep(key, stamp, value);
    return value;
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
    const versions = await readVersions(db);
    if (versions === null) return this.read(db, args);
    const stamp = this.#stampOf(versions);
    const key = JSON.stringify(args);
    const kept = this.#kept.get(key);
    if (kept !== undefined && kept.stamp === stamp) return this.#touch(key, kept);
    const value = await this.read(db, args);
    if (value === null || value === undefined) return value;
    const after = await readVersions(db);
    if (after === null || this.#stampOf(after) !== stamp) return value;
    const frozen = deepFreeze(value);
    this.#keep(key, stamp, frozen);
    return frozen;
  }

  /** This read's tables' stamps in `versions`, as one string (one `versions` serves many gets). */
  #stampOf(versions: ReadVersions): string {
    if (versions !== this.#lastVersions) {
      let stamp = '';
      for (const t of this.tables) stamp += `${versions[t]},`;
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
