// The part numbers a price-list file has shown so far, and the row each was first on: the
// duplicate check of checkPriceRow, on the import's parser thread. It holds every part number
// of the file, so it is what grows with the file there: a Map of strings cost ~80 bytes a part
// number (the string, the copy that detaches it from its chunk of the file, the Map's entry),
// ~8 MB at 100,000 rows and ~80 MB at a million. Here a part number costs its characters in
// one byte array plus ~13 bytes of per-entry arrays and 8–16 bytes of table (~25 bytes with
// the doublings' slack: ~4 MB at 100,000 rows), outside the JavaScript heap — so outside the
// parser thread's heap cap too; the file's row limit bounds it (at 1,000,000 rows of 64
// characters, ~90 MB). Part numbers are ASCII (PART_NUMBER: at most 64 characters).
//
// The file is the user's, so the hash is seeded per index (a random 32-bit seed into FNV-1a,
// then murmur3's finaliser; the slot from the top bits): part numbers made to share a slot
// under a fixed hash would turn each look-up into a scan of the table, as a Map's seeded hash
// does not. Should a probe still run long, the index takes a new seed and rehashes.

import { randomBytes } from 'node:crypto';
import { doubled } from '../shared/typed-arrays.ts';

/** A probe this long (the table at most half full: ~2 on average) takes a new seed. */
const MAX_PROBE = 64;

export interface PartNumberIndexOptions {
  /** Slots visited past the first before a new seed is taken (default 64; tests lower it). */
  maxProbe?: number;
}

/** Open addressing with linear probing; the table is doubled past half full. */
export class PartNumberIndex {
  /** The part numbers' characters, one after another. */
  private chars = new Uint8Array(1 << 14);
  private used = 0;
  /** Per entry (in the order added): its hash, where its characters start, how many, its row. */
  private hashes = new Int32Array(1 << 10);
  private starts = new Int32Array(1 << 10);
  private lengths = new Uint8Array(1 << 10);
  private rows = new Int32Array(1 << 10);
  private entries = 0;
  /** Per slot: an entry's number + 1, or 0 when free. */
  private slots = new Int32Array(1 << 11);
  /** 32 - log2(slots.length): the slot is the hash's top bits. */
  private shift = 32 - 11;
  private seed = newSeed();
  private readonly maxProbe: number;
  private visited = 0;

  constructor(options: PartNumberIndexOptions = {}) {
    this.maxProbe = options.maxProbe ?? MAX_PROBE;
  }

  /** Part numbers recorded. */
  get size(): number {
    return this.entries;
  }

  /** Slots visited past the first, by every look-up so far (a measure of clustering). */
  get probes(): number {
    return this.visited;
  }

  /**
   * The row `partNumber` was first on; or, the first time it is met, undefined, and it is
   * recorded as on `row`. `partNumber`: 1 to 255 characters, none above U+00FF.
   */
  firstRowOrAdd(partNumber: string, row: number): number | undefined {
    const length = partNumber.length;
    if (length === 0 || length > 255) throw new RangeError('a part number of 1 to 255 characters');
    let hash = this.seed;
    for (let i = 0; i < length; i++) {
      const c = partNumber.charCodeAt(i);
      if (c > 0xff) {
        throw new RangeError(`part number ${JSON.stringify(partNumber)}: a character above U+00FF`);
      }
      hash = Math.imul(hash ^ c, 0x01000193);
    }
    hash = finished(hash);
    const mask = this.slots.length - 1;
    let slot = hash >>> this.shift;
    let probe = 0;
    for (let entry = this.slots[slot]! - 1; entry >= 0; entry = this.slots[slot]! - 1) {
      if (this.hashes[entry] === hash && this.holds(entry, partNumber)) return this.rows[entry];
      slot = (slot + 1) & mask;
      probe++;
      this.visited++;
    }
    this.add(partNumber, row, hash, slot);
    if (this.entries * 2 > this.slots.length) this.rehash(this.slots.length * 2, this.seed);
    else if (probe > this.maxProbe) this.rehash(this.slots.length, newSeed());
    return undefined;
  }

  private holds(entry: number, partNumber: string): boolean {
    const length = this.lengths[entry]!;
    if (length !== partNumber.length) return false;
    const start = this.starts[entry]!;
    for (let i = 0; i < length; i++) {
      if (this.chars[start + i] !== partNumber.charCodeAt(i)) return false;
    }
    return true;
  }

  private add(partNumber: string, row: number, hash: number, slot: number): void {
    const entry = this.entries;
    if (entry === this.rows.length) {
      this.hashes = doubled(this.hashes);
      this.starts = doubled(this.starts);
      this.lengths = doubled(this.lengths);
      this.rows = doubled(this.rows);
    }
    while (this.used + partNumber.length > this.chars.length) this.chars = doubled(this.chars);
    this.hashes[entry] = hash;
    this.starts[entry] = this.used;
    this.lengths[entry] = partNumber.length;
    this.rows[entry] = row;
    for (let i = 0; i < partNumber.length; i++) {
      this.chars[this.used++] = partNumber.charCodeAt(i);
    }
    this.slots[slot] = entry + 1;
    this.entries++;
  }

  /** Puts every entry into a table of `size` slots, hashed with `seed`. */
  private rehash(size: number, seed: number): void {
    const slots = new Int32Array(size);
    const shift = 32 - Math.log2(size);
    const mask = size - 1;
    const reseeded = seed !== this.seed;
    for (let entry = 0; entry < this.entries; entry++) {
      let hash = this.hashes[entry]!;
      if (reseeded) {
        const start = this.starts[entry]!;
        const end = start + this.lengths[entry]!;
        hash = seed;
        for (let i = start; i < end; i++) hash = Math.imul(hash ^ this.chars[i]!, 0x01000193);
        this.hashes[entry] = hash = finished(hash);
      }
      let slot = hash >>> shift;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
    this.shift = shift;
    this.seed = seed;
  }
}

/** A random 32-bit start for FNV-1a. */
function newSeed(): number {
  return randomBytes(4).readInt32LE(0) ^ 0x811c9dc5;
}

/** murmur3's fmix32: every bit of `h` moves every bit of the result. */
function finished(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
