// Keeping the word index of migration 0018 (search_terms, search_postings) in step with a bulk
// insert of products. On PostgreSQL its statement-level triggers index a whole INSERT … SELECT
// at once, so there is nothing to do. On SQLite the triggers run per row, each tokenizing one
// product through the scratch FTS table: fine for the API's single products, minutes for an
// import's 100,000 under the write lock. So the import's insert runs with the INSERT trigger
// dropped (inside the caller's transaction, created again before it commits; DDL is
// transactional, so a rollback puts it back too) and the new products are then indexed here in
// rowid batches.
//
// A product whose name and description are plain ASCII is tokenized here, in JavaScript: for
// such text FTS5's unicode61 tokenizer (what the triggers use) yields exactly the lower-cased
// runs of ASCII letters and digits (every other ASCII character separates; there is nothing to
// fold or strip), so the terms and scores are the triggers' (search-index.repository.test.ts
// compares both paths). A batch then costs one statement for its terms and their counts and
// multi-row inserts of its postings in primary-key order — B-tree appends, not the random
// inserts and the vocabulary scan of the FTS5 path, which is ~6× the CPU at 100,000 products.
// Any other product (a letter outside ASCII, a NUL, a text long enough for FTS5 to cut a
// token) goes through the scratch FTS table as the triggers do.
//
// The postings' secondary index (migration 0019) takes each batch's entries in random order:
// when the new products outnumber the old ones twice over (a first import, the bench's
// catalogs), it is dropped and built again at the end by one sort, inside the transaction.
import { CompiledQuery, sql } from 'kysely';
import type { Executor } from './executor.ts';
import { isPostgres } from './search.repository.ts';
import { boundPageCache, pragmaNumber } from './sqlite-pragmas.ts';
import {
  createSchemaObjects,
  dropSchemaObjects,
  dropTriggers,
  type SchemaObject,
} from './sqlite-schema.ts';

/**
 * Products indexed per batch (their postings are held in memory meanwhile, 4 bytes each). Each
 * batch inserts into every term's range of the postings' key, i.e. rewrites most of its
 * pages; so a first import (the postings' secondary index dropped) keeps up to COLLECTED
 * products instead and writes their postings once, in key order (100,000-row CSV import:
 * the postings' statements ~1.4 -> ~1.0 s, the terms' ~0.2 -> ~0.03 s on the main thread).
 */
const BATCH = 10_000;
/**
 * Products a BulkWordIndexer keeps before writing their postings, once it has dropped the
 * postings' secondary index (a first import): ~16 postings each, 4 bytes a posting.
 */
const COLLECTED = 1 << 20;
/**
 * Distinct terms a collecting batch keeps before writing (each costs ~150 bytes in JavaScript
 * as it is held): a price list's words are mostly a small vocabulary, but part and model
 * numbers in names make terms grow with the file, and the collection's memory with them.
 */
const COLLECTED_TERMS = 1 << 16;
/** Terms per upsert statement (their JSON and returned rows are held meanwhile). */
const TERMS_PER_UPSERT = 10_000;
/** Products read per statement while indexing. */
const READ_ROWS = 1000;
/** Postings per INSERT statement (3 parameters each; SQLite allows 32,766). */
const POSTINGS_PER_INSERT = 1000;

/**
 * Runs `insert` (one set-based INSERT INTO products) and indexes the products it created for
 * word search. Call inside a transaction: on SQLite the trigger's absence and the indexing
 * must commit with the insert, or not at all.
 */
export async function insertProductsIndexedInBulk<T>(
  tx: Executor,
  insert: () => Promise<T>,
): Promise<T> {
  if (isPostgres(tx)) return insert();
  const from = (await maxProductRowid(tx)) + 1;
  // Dropped rather than deferred (a row in search_index_deferred): its `WHEN NOT EXISTS` would
  // still run per row.
  const createAgain = await dropTriggers(tx, [PRODUCTS_INSERT_TRIGGER]);
  let result: T;
  try {
    result = await insert();
  } finally {
    await createAgain();
  }
  await indexProductsAfterRowid(tx, from - 1);
  return result;
}

/**
 * Indexes for word search the products after rowid `after` on SQLite (nothing to do on
 * PostgreSQL), as a bulk insert's are: for a loader that inserted products with the word
 * index's triggers off (the bench's synthetic catalog). Call inside a transaction.
 */
export async function indexProductsAfterRowid(tx: Executor, after: number): Promise<void> {
  if (isPostgres(tx)) return;
  const to = await maxProductRowid(tx);
  if (to <= after) return;
  const batch = new WordIndexBatch();
  // Dropping the postings' secondary index and building it again after, with one sort, costs
  // less than its random inserts when the new products outnumber the others twice over
  // (rowids approximate the counts). Only this transaction sees it gone: it comes back before
  // the commit, or with the rollback.
  const first = to - after > 2 * after;
  const dropped = first ? await dropPostingsIndexes(tx) : [];
  // Then the postings of up to COLLECTED products are written at once, in key order
  // (or up to COLLECTED_TERMS distinct terms, whichever comes first).
  const step = first ? COLLECTED : BATCH;
  // Read a thousand products at a time: their texts are garbage once tokenized, and die young
  // instead of being promoted (and then growing the old generation) batch after batch.
  for (let from = after + 1; from <= to; from += READ_ROWS) {
    const products = await sql<{
      k: number;
      vendor_id: string;
      name: unknown;
      description: unknown;
    }>`select rowid as k, vendor_id, name, description from products
        where rowid >= ${from} and rowid < ${Math.min(to + 1, from + READ_ROWS)}`.execute(tx);
    for (const p of products.rows) batch.add(p.k, p.vendor_id, p.name, p.description);
    if (batch.products >= step || batch.terms >= COLLECTED_TERMS) await batch.write(tx);
  }
  await batch.write(tx);
  await restoreIndexes(tx, dropped);
}

/**
 * Word indexing of the products a bulk writer inserts itself, row by row as it streams them
 * (the CLI's price-list import, price-list-import.repository.ts), on SQLite: `start` drops the
 * products' INSERT trigger (inside the caller's transaction), `add` takes each new product's
 * key (its rowid) and texts as it is inserted, `flushIfFull` writes the postings every BATCH
 * products (on a first import, once up to COLLECTED products or COLLECTED_TERMS terms have been
 * kept: see flushIfFull), `finish` writes the rest, builds any dropped index again and creates
 * the trigger again. The postings' secondary index is dropped at a flush once the products
 * added outnumber the older ones twice over (as indexProductsAfterRowid decides up front; here
 * the total is not known yet). Rolled back with the transaction, all of it. On PostgreSQL there
 * is nothing to do (its statement triggers index every insert): every method is a no-op.
 */
export class BulkWordIndexer {
  private readonly batch = new WordIndexBatch();
  private added = 0;
  private dropped: SchemaObject[] | undefined;
  /** A first import: products kept until `finish` (see flushIfFull). */
  private collecting = false;

  private constructor(
    private readonly tx: Executor,
    /** The highest product rowid before the import: roughly how many products there were. */
    readonly after: number,
    private readonly active: boolean,
    private readonly batchSize: number,
    private readonly collectedTerms: number,
    /** Creates the products' INSERT trigger again (dropped by `start`). */
    private readonly createTriggerAgain: () => Promise<void> = async () => {},
  ) {}

  /**
   * Drops the INSERT trigger of products until `finish` (SQLite: a deferral would still run its
   * WHEN for every row the writer inserts; sqlite-schema.ts). Call inside the transaction.
   * `batch`: products whose postings are written at once; `collectedTerms`: distinct terms a
   * first import keeps before writing (tests pass small ones).
   */
  static async start(
    tx: Executor,
    batch = BATCH,
    collectedTerms = COLLECTED_TERMS,
  ): Promise<BulkWordIndexer> {
    if (isPostgres(tx)) return new BulkWordIndexer(tx, 0, false, batch, collectedTerms);
    const after = await maxProductRowid(tx);
    const createAgain = await dropTriggers(tx, [PRODUCTS_INSERT_TRIGGER]);
    return new BulkWordIndexer(tx, after, true, batch, collectedTerms, createAgain);
  }

  /** A product just inserted (its rowid, vendor and texts), to index. */
  add(key: number, vendorId: string, name: string, description: string): void {
    if (!this.active) return;
    this.batch.add(key, vendorId, name, description);
    this.added++;
  }

  /**
   * Products just inserted whose words were found elsewhere (the price-list import's parser
   * thread): product i of `words` has key `firstKey + i`, and is indexed if `isNew[i]` is 1.
   */
  addTokenized(
    vendorId: string,
    words: TokenizedProducts,
    firstKey: number,
    isNew: Uint8Array,
  ): void {
    if (!this.active) return;
    this.added += this.batch.addTokenized(vendorId, words, firstKey, isNew);
  }

  /**
   * Writes the postings once a batch of products is waiting. Once the postings' secondary
   * index is dropped (the new products outnumber the old ones twice over: a first import),
   * the products are kept until `finish` (up to COLLECTED of them, 4 bytes a posting, and
   * COLLECTED_TERMS distinct terms), and their postings written at once in key order: appended to the B-tree, instead of each
   * batch inserting into most of its pages again.
   */
  async flushIfFull(): Promise<void> {
    if (this.batch.products < this.batchSize) return;
    if (this.dropped === undefined && this.added > 2 * this.after) {
      this.dropped = await dropPostingsIndexes(this.tx);
      this.collecting = true;
    }
    if (this.collecting && this.batch.products < COLLECTED && this.batch.terms < COLLECTED_TERMS) {
      return;
    }
    await this.flush();
  }

  /**
   * Indexes the products still waiting, builds any dropped index again (`sortKib`: see
   * restoreIndexes), creates the products' INSERT trigger again.
   */
  async finish(options: { sortKib?: number } = {}): Promise<void> {
    if (!this.active) return;
    await this.flush();
    await restoreIndexes(this.tx, this.dropped ?? [], options);
    this.dropped = [];
    await this.createTriggerAgain();
  }

  private async flush(): Promise<void> {
    if (this.batch.products === 0) return;
    if (this.dropped === undefined && this.added > 2 * this.after) {
      this.dropped = await dropPostingsIndexes(this.tx);
    }
    await this.batch.write(this.tx);
  }
}

/** Drops the postings' secondary indexes; returns their definitions, to build them again. */
export async function dropPostingsIndexes(tx: Executor): Promise<SchemaObject[]> {
  return dropSchemaObjects(tx, 'index', sql<boolean>`tbl_name = 'search_postings'`);
}

/**
 * Builds dropped indexes again (SQLite), from their definitions. Each build is one sort, which
 * SQLite may spread over a helper thread (`PRAGMA threads`; the connection's setting is put
 * back after): the import's parser thread is done by then, and its core idle. `sortKib`, if
 * given, bounds the page cache (KiB) while they are built: SQLite sizes each sort's in-memory runs
 * by it (then merges them from temporary files), so a smaller one bounds the sorts' memory —
 * with the default 16 MB cache and two threads, a 100,000-row import's RSS rose by up to ~30 MB
 * while they ran. The cache size is put back after.
 */
export async function restoreIndexes(
  tx: Executor,
  indexes: readonly SchemaObject[],
  options: { sortKib?: number } = {},
): Promise<void> {
  if (indexes.length === 0) return;
  const threads = await pragmaNumber(tx, 'threads', 0);
  await sql`pragma threads = 2`.execute(tx);
  let putCacheBack = async (): Promise<void> => {};
  try {
    if (options.sortKib !== undefined) putCacheBack = await boundPageCache(tx, options.sortKib);
    await createSchemaObjects(tx, indexes);
  } finally {
    await sql.raw(`pragma threads = ${threads}`).execute(tx);
    await putCacheBack();
  }
}

async function maxProductRowid(tx: Executor): Promise<number> {
  const r = await sql<{ hi: number | null }>`select max(rowid) as hi from products`.execute(tx);
  return r.rows[0]?.hi ?? 0;
}

/**
 * Migration 0018's trigger that indexes each product inserted (unless a row of
 * search_index_deferred defers it: nothing in the code writes one any more, bulk inserts drop
 * the trigger for their transaction).
 */
const PRODUCTS_INSERT_TRIGGER = 'search_postings_ai';

/** Product keys the word index takes from JavaScript (a larger one goes through FTS5). */
const KEY_SPAN = 2 ** 42;

/**
 * The words of a batch of products, found where the products were read (the price-list
 * import's parser thread) with the same tokenizer as plainTermsOf here: `terms` the batch's
 * distinct terms; per product `counts[i]`, its number of terms, or -1 when only FTS5 can
 * tokenize it; `postings`, product after product, each term's index in `terms` × 2, + 1 when
 * the term is only in the description. The import's test compares the word index it leaves
 * with the staged import's (which tokenizes here).
 */
export interface TokenizedProducts {
  terms: string[];
  counts: Int32Array;
  postings: Int32Array;
}

/**
 * The terms of a product and whether each is only in the description (1) or also in the name
 * (0), as unicode61 gives them; undefined when the text is not plain ASCII (or so long that
 * FTS5 would cut a token at 32,768 bytes): then only FTS5 itself can say.
 */
function plainTermsOf(name: unknown, description: unknown): Map<string, 0 | 1> | undefined {
  if (typeof name !== 'string' || typeof description !== 'string') return undefined;
  if (name.length >= 32_768 || description.length >= 32_768) return undefined;
  if (!PLAIN.test(name) || !PLAIN.test(description)) return undefined;
  const terms = new Map<string, 0 | 1>();
  for (const term of name.toLowerCase().split(SEPARATORS)) if (term !== '') terms.set(term, 0);
  for (const term of description.toLowerCase().split(SEPARATORS)) {
    if (term !== '' && !terms.has(term)) terms.set(term, 1);
  }
  return terms;
}
const PLAIN = /^[\x01-\x7f]*$/;
const SEPARATORS = /[^a-z0-9]+/;

/** Values per chunk of a ChunkedArray. */
const CHUNK = 1 << 16;

/**
 * A growing list of numbers in typed-array chunks of CHUNK values: no copy as it grows (a
 * doubling array would hold its old and new buffers at once, and up to twice the room).
 */
class ChunkedArray<A extends Int32Array | Float64Array> {
  private chunks: A[] = [];
  length = 0;

  constructor(private readonly make: (length: number) => A) {}

  push(value: number): void {
    const at = this.length & (CHUNK - 1);
    if (at === 0) this.chunks.push(this.make(CHUNK));
    this.chunks[this.chunks.length - 1]![at] = value;
    this.length++;
  }

  clear(): void {
    this.chunks = [];
    this.length = 0;
  }

  /** The values, chunk by chunk (views of `length` values in all). */
  *chunksOf(): Generator<A> {
    const last = this.chunks.length - 1;
    for (let c = 0; c <= last; c++) {
      const chunk = this.chunks[c]!;
      yield c < last ? chunk : (chunk.subarray(0, this.length - c * CHUNK) as A);
    }
  }

  /** All the values in one array of the chunks' type. */
  toArray(): A {
    const all = this.make(this.length);
    let at = 0;
    for (const chunk of this.chunksOf()) {
      all.set(chunk, at);
      at += chunk.length;
    }
    return all;
  }
}

/**
 * One batch of products being indexed, compactly: per product its key and its number of
 * terms; per posting (product after product) its term's number in the batch × 2, + 1 when
 * only in the description — 4 bytes a posting, its score and key derived from its product's.
 * Terms are numbered as met (per vendor: its vocabulary maps a term to its number) and
 * counted; the keys of the products only FTS5 can tokenize are kept apart. `write` stores
 * them: terms and counts, postings in the primary key's order, the others.
 */
class WordIndexBatch {
  private vocabularies = new Map<string, Map<string, number>>();
  private termText: string[] = [];
  private counts: number[] = [];
  private others: number[] = [];
  private readonly keys = new ChunkedArray((n) => new Float64Array(n));
  private readonly lengths = new ChunkedArray((n) => new Int32Array(n));
  private readonly postings = new ChunkedArray((n) => new Int32Array(n));
  /** Whether the products came in key order (else `write` orders them). */
  private inKeyOrder = true;
  private lastKey = -Infinity;
  /** Products added (those only FTS5 can tokenize included). */
  products = 0;

  /** Distinct terms (per vendor) of the products added. */
  get terms(): number {
    return this.termText.length;
  }

  private vocabularyOf(vendorId: string): Map<string, number> {
    let vocabulary = this.vocabularies.get(vendorId);
    if (vocabulary === undefined) this.vocabularies.set(vendorId, (vocabulary = new Map()));
    return vocabulary;
  }

  private numberOf(vocabulary: Map<string, number>, term: string): number {
    let number = vocabulary.get(term);
    if (number === undefined) {
      number = this.termText.length;
      vocabulary.set(term, number);
      this.termText.push(term);
      this.counts.push(0);
    }
    return number;
  }

  private addProduct(key: number, terms: number): void {
    if (key <= this.lastKey) this.inKeyOrder = false;
    this.lastKey = key;
    this.keys.push(key);
    this.lengths.push(terms);
  }

  add(key: number, vendorId: string, name: unknown, description: unknown): void {
    this.products++;
    const terms = key < KEY_SPAN ? plainTermsOf(name, description) : undefined;
    if (terms === undefined) {
      this.others.push(key);
      return;
    }
    const vocabulary = this.vocabularyOf(vendorId);
    this.addProduct(key, terms.size);
    for (const [term, described] of terms) {
      const number = this.numberOf(vocabulary, term);
      this.counts[number]! += 1;
      this.postings.push(number * 2 + described);
    }
  }

  /** As `add` for each new product of `words` (see BulkWordIndexer.addTokenized); how many. */
  addTokenized(
    vendorId: string,
    words: TokenizedProducts,
    firstKey: number,
    isNew: Uint8Array,
  ): number {
    const vocabulary = this.vocabularyOf(vendorId);
    // The batch's number of each of the words' terms, once met (-1 before).
    const numbers = new Int32Array(words.terms.length).fill(-1);
    const { counts, postings } = words;
    let added = 0;
    let at = 0;
    for (let i = 0; i < counts.length; i++) {
      const n = counts[i]!;
      const from = at;
      if (n > 0) at += n;
      if (isNew[i] !== 1) continue;
      added++;
      this.products++;
      const key = firstKey + i;
      if (n < 0 || key >= KEY_SPAN) {
        this.others.push(key);
        continue;
      }
      this.addProduct(key, n);
      for (let p = from; p < at; p++) {
        const posting = postings[p]!;
        const t = posting >> 1;
        let number = numbers[t]!;
        if (number < 0) numbers[t] = number = this.numberOf(vocabulary, words.terms[t]!);
        this.counts[number]! += 1;
        this.postings.push(number * 2 + (posting & 1));
      }
    }
    return added;
  }

  async write(tx: Executor): Promise<void> {
    const { vocabularies, termText, counts, others } = this;
    if (this.postings.length > 0) {
      // Each term's id (a new term, or its count raised by the batch's products that have it).
      const idOf = new Float64Array(termText.length);
      for (const [vendorId, vocabulary] of vocabularies) {
        // In (vendor, term) order, as the triggers upsert them (for these terms JavaScript's
        // order is SQLite's BINARY order).
        const sorted = [...vocabulary.keys()].sort();
        for (let at = 0; at < sorted.length; at += TERMS_PER_UPSERT) {
          const counted = sorted
            .slice(at, at + TERMS_PER_UPSERT)
            .map((t) => [t, counts[vocabulary.get(t)!]]);
          const ids = await sql<{ id: number; term: string }>`
              insert into search_terms (vendor_id, term, products)
                select ${vendorId}, j.value ->> 0, j.value ->> 1
                from json_each(${JSON.stringify(counted)}) j
                where true
              on conflict (vendor_id, term) do update set products = products + excluded.products
              returning id, term`.execute(tx);
          for (const { id, term } of ids.rows) idOf[vocabulary.get(term)!] = id;
        }
      }
      await this.insertPostings(tx, idOf);
    }
    if (others.length > 0) {
      await indexByTokenizer(
        tx,
        sql`rowid in (select value from json_each(${JSON.stringify(others)}))`,
      );
    }
    this.vocabularies = new Map();
    this.termText = [];
    this.counts = [];
    this.others = [];
    this.keys.clear();
    this.lengths.clear();
    this.postings.clear();
    this.inKeyOrder = true;
    this.lastKey = -Infinity;
    this.products = 0;
  }

  /**
   * Inserts the batch's postings in (term id, score, key) order, the primary key's: the
   * postings counted into their terms' ranges (terms in id order), products in key order,
   * each posting as score × span + its product's place; each term's range then sorted.
   */
  private async insertPostings(tx: Executor, idOf: Float64Array): Promise<void> {
    const { postings } = this;
    const products = this.keys.length;
    // The products' keys and lengths in key order (the order they came in, usually), and
    // each product's place in it.
    const keys = this.keys.toArray();
    const lengths = this.lengths.toArray();
    let place: Int32Array | undefined;
    if (!this.inKeyOrder) {
      const byKey = Array.from({ length: products }, (_, i) => i).sort(
        (a, b) => keys[a]! - keys[b]!,
      );
      place = new Int32Array(products);
      byKey.forEach((i, p) => (place![i] = p));
      keys.sort();
    }
    // Terms ranked by id; each rank's range of the sorted postings.
    const terms = idOf.length;
    const byId = Array.from({ length: terms }, (_, t) => t).sort((a, b) => idOf[a]! - idOf[b]!);
    const rank = new Int32Array(terms);
    byId.forEach((t, r) => (rank[t] = r));
    const start = new Int32Array(terms + 1);
    for (const chunk of postings.chunksOf()) {
      for (const posting of chunk) start[rank[posting >> 1]! + 1]! += 1;
    }
    for (let r = 0; r < terms; r++) start[r + 1]! += start[r]!;
    const next = start.slice(0, terms);
    // score (< 2,000) × span + place: 32 bits while the places fit in 21.
    const span = products < 2 ** 21 ? 2 ** 21 : 2 ** 32;
    const sorted =
      span === 2 ** 21 ? new Uint32Array(postings.length) : new Float64Array(postings.length);
    let i = 0;
    let left = 0;
    let base = 0;
    for (const chunk of postings.chunksOf()) {
      for (const posting of chunk) {
        while (left === 0) {
          const n = lengths[i]!;
          base = Math.min(999, n) * span + (place === undefined ? i : place[i]!);
          left = n;
          i++;
        }
        sorted[next[rank[posting >> 1]!]!++] = base + (posting & 1) * 1000 * span;
        left--;
      }
    }
    // A new array per statement: the compiled query freezes its parameters.
    let params: number[] = [];
    for (let r = 0; r < terms; r++) {
      const bucket = sorted.subarray(start[r], start[r + 1]).sort();
      const id = idOf[byId[r]!]!;
      for (const value of bucket) {
        const score = Math.floor(value / span);
        params.push(id, score, keys[value - score * span]!);
        if (params.length === POSTINGS_PER_INSERT * 3) {
          await tx.executeQuery(CompiledQuery.raw(postingsInsert(POSTINGS_PER_INSERT), params));
          params = [];
        }
      }
    }
    // The rest in statements of 100, 10 and 1 rows: a few SQL texts, prepared once each, rather
    // than one of another length at every batch (each kept by the connection's statement cache).
    for (let at = 0; at < params.length;) {
      const left = (params.length - at) / 3;
      const rows = left >= 100 ? 100 : left >= 10 ? 10 : 1;
      const end = at + rows * 3;
      await tx.executeQuery(CompiledQuery.raw(postingsInsert(rows), params.slice(at, end)));
      at = end;
    }
  }
}

const postingsInserts = new Map<number, string>();

/** `insert or ignore into search_postings … values (?, ?, ?), …` for `rows` rows. */
function postingsInsert(rows: number): string {
  let text = postingsInserts.get(rows);
  if (text === undefined) {
    text =
      'insert or ignore into search_postings (term_id, score, product_key) values ' +
      Array.from({ length: rows }, () => '(?, ?, ?)').join(', ');
    postingsInserts.set(rows, text);
  }
  return text;
}

/**
 * Indexes the products `where` selects through FTS5's own tokenizer, set-based, as migration
 * 0018's backfill does: the scratch table tokenizes them, its vocabulary gives the postings.
 */
async function indexByTokenizer(tx: Executor, where: ReturnType<typeof sql>): Promise<void> {
  await sql`insert into search_scratch(rowid, name, description)
      select rowid, name, description from products where ${where}`.execute(tx);
  await sql`create temp table search_bulk_batch as
      select p.vendor_id, s.term, s.score, s.product_key from search_scratch_postings s
      join products p on p.rowid = s.product_key`.execute(tx);
  try {
    // Terms in (vendor, term) order, as the triggers upsert them.
    await sql`insert or ignore into search_terms(vendor_id, term)
        select distinct vendor_id, term from search_bulk_batch
        order by vendor_id, term`.execute(tx);
    await sql`insert or ignore into search_postings(term_id, score, product_key)
        select t.id, b.score, b.product_key from search_bulk_batch b
        join search_terms t on t.vendor_id = b.vendor_id and t.term = b.term`.execute(tx);
    await sql`update search_terms set products = products + c.n
        from (select vendor_id, term, count(*) as n from search_bulk_batch
              group by vendor_id, term) c
        where search_terms.vendor_id = c.vendor_id and search_terms.term = c.term`.execute(tx);
  } finally {
    await sql`drop table search_bulk_batch`.execute(tx);
    await sql`insert into search_scratch(search_scratch) values ('delete-all')`.execute(tx);
  }
}
