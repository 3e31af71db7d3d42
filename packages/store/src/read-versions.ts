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
 * The tables migration 0031 stamps: each a column of `read_versions` and a set of triggers.
 * The migration keeps its own copy (migrations are frozen); its test checks the two agree.
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
    if (versions !== this.#lastVersions) {
      let stamp = '';
      for (const t of this.tables) stamp += `${versions[t]},`;
      this.#lastVersions = versions;
      this.#lastStamp = stamp;
    }
    const stamp = this.#lastStamp;
    const key = JSON.stringify(args);
    const kept = this.#kept.get(key);
    if (kept !== undefined) {
      this.#kept.delete(key);
      if (kept.stamp === stamp) {
        this.#kept.set(key, kept);
        return kept.value;
      }
    }
    const value = deepFreeze(await this.read(db, args));
    if (this.#kept.size >= this.max) {
      this.#kept.delete(this.#kept.keys().next().value as string);
    }
    this.#kept.set(key, { stamp, value });
    return value;
  }

  /** How many results are kept (tests). */
  get size(): number {
    return this.#kept.size;
  }
}
