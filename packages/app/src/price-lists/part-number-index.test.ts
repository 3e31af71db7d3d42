import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PartNumberIndex, type PartNumberIndexOptions } from './part-number-index.ts';

// PartNumberIndex must answer as a Map<string, number> used for the same check would: the row
// a part number was first on, else nothing (and it is then recorded).

/** What the index must answer for each of `partNumbers`, row i + 1 being the i-th. */
function reference(partNumbers: readonly string[]): (number | undefined)[] {
  const firstRowOf = new Map<string, number>();
  return partNumbers.map((p, i) => {
    const first = firstRowOf.get(p);
    if (first === undefined) firstRowOf.set(p, i + 1);
    return first;
  });
}

function answers(
  partNumbers: readonly string[],
  options?: PartNumberIndexOptions,
): (number | undefined)[] {
  const index = new PartNumberIndex(options);
  return partNumbers.map((p, i) => index.firstRowOrAdd(p, i + 1));
}

const PART_NUMBER_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-';

describe('PartNumberIndex', () => {
  it('gives the first row of a part number met again, and records a new one', () => {
    const index = new PartNumberIndex();
    expect(index.firstRowOrAdd('NW-100', 2)).toBeUndefined();
    expect(index.firstRowOrAdd('NW-1000', 3)).toBeUndefined();
    expect(index.firstRowOrAdd('nw-100', 4)).toBeUndefined();
    expect(index.firstRowOrAdd('NW-100', 5)).toBe(2);
    expect(index.firstRowOrAdd('NW-100', 6)).toBe(2);
    expect(index.firstRowOrAdd('NW-1000', 7)).toBe(3);
    expect(index.size).toBe(3);
  });

  it('answers as a Map would, through every growth of its table and arrays', () => {
    // 300,000 part numbers of 1 to 64 characters; every tenth repeats the one half-way back,
    // so repeats of part numbers first seen on rows up to ~150,000.
    const partNumbers: string[] = [];
    for (let i = 0; i < 300_000; i++) {
      if (i % 10 === 9) partNumbers.push(partNumbers[Math.floor(i / 2)]!);
      else partNumbers.push(`P${i.toString(36)}-`.padEnd(1 + (i % 64), 'x').slice(0, 64));
    }
    const expected = reference(partNumbers);
    expect(expected.some((r) => r !== undefined && r > 70_000)).toBe(true);
    const index = new PartNumberIndex();
    expect(partNumbers.map((p, i) => index.firstRowOrAdd(p, i + 1))).toEqual(expected);
    expect(index.size).toBe(new Set(partNumbers).size);
  });

  it('tells apart part numbers that differ in one character, wherever it is', () => {
    // Every two-character part number, then each with a third: ~280,000 entries, whose probe
    // sequences cross one another's, all of the same length within a pass.
    const chars = [...PART_NUMBER_CHARS];
    const two = chars.flatMap((a) => chars.map((b) => a + b));
    const three = two.flatMap((ab) => chars.map((c) => ab + c));
    const partNumbers = [...two, ...three, ...[...two].reverse(), ...three.slice(0, 5000)];
    expect(answers(partNumbers)).toEqual(reference(partNumbers));
  });

  it('answers as a Map would, for any part numbers (property), also when it takes new seeds', () => {
    const partNumber = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
    // Few distinct values among many, so that repeats are common; up to 3,000 part numbers,
    // past the first growths of the table (2,048 slots) and of the arrays (1,024 entries).
    const list = fc.array(fc.oneof(partNumber, fc.constantFrom('A', 'a', 'A-1', 'A.1', 'A_1')), {
      minLength: 1,
      maxLength: 3000,
      size: 'max',
    });
    fc.assert(
      fc.property(list, (partNumbers) => {
        expect(answers(partNumbers)).toEqual(reference(partNumbers));
        // Any probe past the first slot takes a new seed and rehashes the table.
        expect(answers(partNumbers, { maxProbe: 0 })).toEqual(reference(partNumbers));
      }),
      { numRuns: 60 },
    );
  });

  it('keeps its probes short for part numbers made to share a slot under an unseeded hash', () => {
    // 5,000 part numbers whose FNV-1a hashes from the usual offset basis share their low 20
    // bits (a fixed hash's slot in any table up to a million slots): the last three characters
    // are found by running FNV-1a's last three steps backwards from the target.
    const P = 0x01000193;
    let inverse = P; // P's inverse mod 2^32, by Newton's iteration
    for (let i = 0; i < 5; i++) inverse = Math.imul(inverse, 2 - Math.imul(P, inverse));
    const LOW = (1 << 20) - 1;
    const TARGET = 12345;
    const fnv = (text: string): number => {
      let h = 0x811c9dc5;
      for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), P);
      return h;
    };
    const chars = [...PART_NUMBER_CHARS];
    const prefixesByLow = new Map<number, string[]>();
    for (const a of chars.slice(0, 62))
      for (const b of chars)
        for (const c of chars) {
          const low = fnv(a + b + c) & LOW;
          prefixesByLow.set(low, [...(prefixesByLow.get(low) ?? []), a + b + c]);
        }
    const crafted: string[] = [];
    search: for (const x of chars)
      for (const y of chars)
        for (const z of chars) {
          let h = TARGET;
          for (const ch of [z, y, x]) h = Math.imul(h, inverse) ^ ch.charCodeAt(0);
          for (const prefix of prefixesByLow.get(h & LOW) ?? []) {
            crafted.push(prefix + x + y + z);
            if (crafted.length === 5000) break search;
          }
        }
    expect(crafted.length).toBe(5000);
    expect(new Set(crafted).size).toBe(5000);
    expect(crafted.every((p) => (fnv(p) & LOW) === TARGET)).toBe(true);

    const index = new PartNumberIndex();
    crafted.forEach((p, i) => expect(index.firstRowOrAdd(p, i + 1)).toBeUndefined());
    crafted.forEach((p, i) => expect(index.firstRowOrAdd(p, 9999)).toBe(i + 1));
    // Unseeded, each look-up would scan the whole cluster: ~12.5 million probes in all here.
    expect(index.probes).toBeLessThan(3 * 2 * crafted.length);
  });

  it('refuses what it cannot store, rather than mistaking it for another part number', () => {
    const index = new PartNumberIndex();
    expect(() => index.firstRowOrAdd('', 2)).toThrow(RangeError);
    expect(() => index.firstRowOrAdd('x'.repeat(256), 2)).toThrow(RangeError);
    expect(() => index.firstRowOrAdd('NW-Ω', 2)).toThrow(/above U\+00FF/);
    expect(index.firstRowOrAdd('x'.repeat(255), 3)).toBeUndefined();
    expect(index.firstRowOrAdd('x'.repeat(255), 4)).toBe(3);
    expect(index.firstRowOrAdd('NW-é', 5)).toBeUndefined();
    expect(index.firstRowOrAdd('NW-é', 6)).toBe(5);
    expect(index.size).toBe(2);
  });
});
