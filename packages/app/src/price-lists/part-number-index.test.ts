import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PartNumberIndex } from './part-number-index.ts';

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

function answers(partNumbers: readonly string[]): (number | undefined)[] {
  const index = new PartNumberIndex();
  return partNumbers.map((p, i) => index.firstRowOrAdd(p, i + 1));
}

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
    // 300,000 part numbers of 1 to 64 characters, every tenth a repeat of an earlier one.
    const partNumbers: string[] = [];
    for (let i = 0; i < 300_000; i++) {
      if (i % 10 === 9) partNumbers.push(partNumbers[(i * 7919) % i]!);
      else partNumbers.push(`P${i.toString(36)}-`.padEnd(1 + (i % 64), 'x').slice(0, 64));
    }
    const index = new PartNumberIndex();
    const got = partNumbers.map((p, i) => index.firstRowOrAdd(p, i + 1));
    expect(got).toEqual(reference(partNumbers));
    expect(index.size).toBe(new Set(partNumbers).size);
  });

  it('tells apart part numbers that differ in one character, wherever it is', () => {
    // Every two-character part number, then each with a third: ~280,000 entries, whose probe
    // sequences cross one another's, all of the same length within a pass.
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-';
    const two = [...chars].flatMap((a) => [...chars].map((b) => a + b));
    const three = two.flatMap((ab) => [...chars].map((c) => ab + c));
    const partNumbers = [...two, ...three, ...[...two].reverse(), ...three.slice(0, 5000)];
    expect(answers(partNumbers)).toEqual(reference(partNumbers));
  });

  it('answers as a Map would, for any part numbers (property)', () => {
    const partNumber = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
    // Few distinct values, so that repeats and hash collisions in a small table are common.
    const list = fc.array(fc.oneof(partNumber, fc.constantFrom('A', 'a', 'A-1', 'A.1', 'A_1')), {
      maxLength: 3000,
    });
    fc.assert(
      fc.property(list, (partNumbers) => {
        expect(answers(partNumbers)).toEqual(reference(partNumbers));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses what it cannot store, rather than mistaking it for another part number', () => {
    const index = new PartNumberIndex();
    expect(() => index.firstRowOrAdd('', 2)).toThrow(RangeError);
    expect(() => index.firstRowOrAdd('x'.repeat(256), 2)).toThrow(RangeError);
    expect(() => index.firstRowOrAdd('NW-Ω', 2)).toThrow(/not ASCII/);
    expect(index.firstRowOrAdd('x'.repeat(255), 3)).toBeUndefined();
    expect(index.firstRowOrAdd('x'.repeat(255), 4)).toBe(3);
    expect(index.size).toBe(1);
  });
});
