// The part numbers a price-list file has shown so far, and the row each was first on: the
// duplicate check of checkPriceRow, on the import's parser thread. It holds every part number
// of the file, so it is what grows with the file there: a Map of strings cost ~80 bytes a part
// number (the string, the copy that detaches it from its chunk of the file, the Map's entry),
// ~8 MB at 100,000 rows and ~80 MB at a million. Here a part number costs its characters in
// one byte array, plus ~17 bytes of typed-array slots: ~4 MB at 100,000 rows, none of it on
// the JavaScript heap. Part numbers are ASCII (PART_NUMBER: at most 64 characters).

/** Open addressing with linear probing; the table is doubled past half full. */
export class PartNumberIndex {
  /** The part numbers' characters, one after another. */
  private chars = new Uint8Array(1 << 14);
  private used = 0;
  /** Per entry (in the order added): where its characters start, how many, its row. */
  private starts = new Int32Array(1 << 10);
  private lengths = new Uint8Array(1 << 10);
  private rows = new Int32Array(1 << 10);
  /** Entries added. */
  size = 0;
  /** Per slot: an entry's number + 1, or 0 when free. */
  private slots = new Int32Array(1 << 11);

  /**
   * The row `partNumber` was first on; or, the first time it is met, undefined, and it is
   * recorded as on `row`. `partNumber`: 1 to 255 characters, each below U+0100.
   */
  firstRowOrAdd(partNumber: string, row: number): number | undefined {
    const length = partNumber.length;
    if (length === 0 || length > 255) throw new RangeError('a part number of 1 to 255 characters');
    let hash = 0x811c9dc5;
    for (let i = 0; i < length; i++) {
      const c = partNumber.charCodeAt(i);
      if (c > 0xff) throw new RangeError(`part number ${JSON.stringify(partNumber)}: not ASCII`);
      hash = Math.imul(hash ^ c, 0x01000193);
    }
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (let entry = this.slots[slot]! - 1; entry >= 0; entry = this.slots[slot]! - 1) {
      if (this.holds(entry, partNumber)) return this.rows[entry];
      slot = (slot + 1) & mask;
    }
    this.add(partNumber, row, slot);
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

  private add(partNumber: string, row: number, slot: number): void {
    const entry = this.size;
    if (entry === this.rows.length) {
      this.starts = grown(this.starts);
      this.lengths = grown(this.lengths);
      this.rows = grown(this.rows);
    }
    while (this.used + partNumber.length > this.chars.length) this.chars = grown(this.chars);
    this.starts[entry] = this.used;
    this.lengths[entry] = partNumber.length;
    this.rows[entry] = row;
    for (let i = 0; i < partNumber.length; i++) {
      this.chars[this.used++] = partNumber.charCodeAt(i);
    }
    this.slots[slot] = entry + 1;
    this.size++;
    if (this.size * 2 > this.slots.length) this.rehash();
  }

  /** Doubles the table and puts every entry back. */
  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.size; entry++) {
      const start = this.starts[entry]!;
      const end = start + this.lengths[entry]!;
      let hash = 0x811c9dc5;
      for (let i = start; i < end; i++) hash = Math.imul(hash ^ this.chars[i]!, 0x01000193);
      let slot = hash & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }
}

/** `array` copied into one twice its length. */
function grown<A extends Uint8Array | Int32Array>(array: A): A {
  const copy = new (array.constructor as new (length: number) => A)(array.length * 2);
  copy.set(array);
  return copy;
}
