import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wordsOfRows } from './price-list-words.ts';
import type { PriceRowDraft } from './price-list-rows.ts';

// wordsOfRows scans character codes for speed; what it must give is what the store's own
// tokenizer for plain text gives (plainTermsOf in store/search-index.repository.ts: the
// lower-cased runs of ASCII letters and digits of the name, then those of the description
// not already in the name; anything that is not plain ASCII under 32,768 characters is left
// to FTS5). The reference below is that tokenizer, written the slow and obvious way — with
// one difference: plainTermsOf leaves a NULL description to FTS5, while the import's rows
// carry an absent description as '' here (as wordsOfRows reads it).

function row(name: string, description: string | null, n = 1): PriceRowDraft {
  return [n, `P-${n}`, `prd_${n}`, name, 'hardware', null, description, null, null, 0, 100];
}

/** Per row: its terms in order with 0 (name) or 1 (description only), or null for FTS5. */
function reference(rows: readonly PriceRowDraft[]): ([string, 0 | 1][] | null)[] {
  return rows.map((r) => {
    const name = r[3];
    const description = r[6] ?? '';
    if (name.length >= 32_768 || description.length >= 32_768) return null;
    if (!/^[\x01-\x7f]*$/.test(name) || !/^[\x01-\x7f]*$/.test(description)) return null;
    const terms = new Map<string, 0 | 1>();
    for (const t of name.toLowerCase().split(/[^a-z0-9]+/)) if (t !== '') terms.set(t, 0);
    for (const t of description.toLowerCase().split(/[^a-z0-9]+/)) {
      if (t !== '' && !terms.has(t)) terms.set(t, 1);
    }
    return [...terms];
  });
}

/** wordsOfRows's output read back per row, in the reference's shape. */
function decoded(rows: readonly PriceRowDraft[]): ([string, 0 | 1][] | null)[] {
  const { terms, counts, postings } = wordsOfRows(rows);
  expect(counts).toHaveLength(rows.length);
  let at = 0;
  const out = Array.from(counts, (count) => {
    if (count < 0) return null;
    const mine = Array.from(postings.subarray(at, at + count), (p): [string, 0 | 1] => [
      terms[p >> 1]!,
      (p & 1) as 0 | 1,
    ]);
    at += count;
    return mine;
  });
  expect(at).toBe(postings.length);
  expect(new Set(terms).size).toBe(terms.length);
  return out;
}

describe('wordsOfRows', () => {
  it('posts each word of a row once, from the name first, lower-cased', () => {
    const rows = [
      row('Edge Gateway EG-200', 'The gateway for the edge, 200 ports', 1),
      row('gateway', null, 2),
      row('', '', 3),
      row('--- / ...', '***', 4),
      row('x1 X1 x1', 'x1', 5),
    ];
    expect(decoded(rows)).toEqual(reference(rows));
    expect(decoded(rows)[0]).toEqual([
      ['edge', 0],
      ['gateway', 0],
      ['eg', 0],
      ['200', 0],
      ['the', 1],
      ['for', 1],
      ['ports', 1],
    ]);
    expect(decoded(rows).slice(2)).toEqual([[], [], [['x1', 0]]]);
  });

  it('leaves text that is not plain ASCII under 32,768 characters to FTS5', () => {
    const rows = [
      row('Café router', null, 1),
      row('plain', 'naïve', 2),
      row('nul\u0000inside', null, 3),
      row('a'.repeat(32_768), null, 4),
      row('short', 'b '.repeat(16_384), 5),
      row('a'.repeat(32_767), null, 6),
      row('after them', 'still counted', 7),
    ];
    const out = decoded(rows);
    expect(out.slice(0, 5)).toEqual([null, null, null, null, null]);
    expect(out[5]).toEqual([['a'.repeat(32_767), 0]]);
    expect(out).toEqual(reference(rows));
  });

  it('grows past its first buffers: many words in a row, many distinct terms', () => {
    // 1 row of 100 distinct words (more than the 16 postings per row first allowed), then
    // 3,000 rows bringing new terms (more than the first 1,024 term slots).
    const wide = row(
      Array.from({ length: 100 }, (_, i) => `w${i}`).join(' '),
      Array.from({ length: 100 }, (_, i) => `w${i} d${i}`).join(', '),
      1,
    );
    const many = Array.from({ length: 3_000 }, (_, i) =>
      row(`Part ${i} model m${i % 7}`, i % 3 === 0 ? null : `fits part ${i + 1}`, i + 2),
    );
    const rows = [wide, ...many];
    const out = decoded(rows);
    expect(out[0]).toHaveLength(200);
    expect(out).toEqual(reference(rows));
  });

  it('gives the same words as the reference for any text', () => {
    const piece = fc.constantFrom(
      'a',
      'B',
      'z',
      'Q',
      '0',
      '9',
      '-',
      '_',
      ' ',
      '.',
      '\t',
      'é',
      '\u0000',
    );
    const text = fc.array(piece, { maxLength: 40 }).map((p) => p.join(''));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(text, fc.option(text, { nil: null })), { maxLength: 50 }),
        (pairs) => {
          const rows = pairs.map(([name, description], i) => row(name, description, i + 1));
          expect(decoded(rows)).toEqual(reference(rows));
        },
      ),
      { numRuns: 300 },
    );
  });
});
