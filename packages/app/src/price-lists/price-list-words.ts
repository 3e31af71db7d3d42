import type { TokenizedProducts } from '@orderdesk/store';
import { doubled } from '../shared/typed-arrays.ts';
import type { PriceRowDraft } from './price-list-rows.ts';

// The words of a batch of checked price rows for the word index, found on the import's parser
// thread (price-list-parse.worker.ts) so that the thread writing the catalog only inserts
// them (store: PriceRowWriter, BulkWordIndexer.addTokenized). The tokenizer is the store's
// for plain text (plainTermsOf in store/search-index.repository.ts, which the parser thread
// does not load): for a name and a description of plain ASCII FTS5's unicode61 yields the
// lower-cased runs of ASCII letters and digits; any other text (a letter outside ASCII, a
// NUL, a text of 32,768 characters or more) is left to FTS5 (count -1). The import's test
// compares the word index it leaves with the staged import's, which tokenizes in the store.

const PLAIN = /^[\x01-\x7f]*$/;

/** The words of `rows` (a name and a description each: columns 3 and 6 of a PriceRowDraft). */
export function wordsOfRows(rows: readonly PriceRowDraft[]): TokenizedProducts {
  const terms: string[] = [];
  const numberOf = new Map<string, number>();
  const counts = new Int32Array(rows.length);
  let postings = new Int32Array(Math.max(16, rows.length * 16));
  let length = 0;
  // Per term number, the row (+ 1) it was last posted for: a term is posted once per row, as
  // met first (in the name, else in the description).
  let postedIn = new Int32Array(1024);
  let row = 0;
  // The runs of ASCII letters and digits of `text` (plain ASCII), lower-cased: scanned by
  // character code rather than split by a regular expression (a third less of this thread's
  // time, no array of pieces per text).
  const post = (text: string, described: 0 | 1): void => {
    const lower = text.toLowerCase();
    let start = -1;
    for (let i = 0; i <= lower.length; i++) {
      const c = i < lower.length ? lower.charCodeAt(i) : 0;
      if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
        if (start < 0) start = i;
        continue;
      }
      if (start < 0) continue;
      const term = lower.slice(start, i);
      start = -1;
      let number = numberOf.get(term);
      if (number === undefined) {
        number = terms.length;
        numberOf.set(term, number);
        terms.push(term);
        if (number === postedIn.length) postedIn = doubled(postedIn);
      } else if (postedIn[number] === row + 1) continue;
      postedIn[number] = row + 1;
      if (length === postings.length) postings = doubled(postings);
      postings[length++] = number * 2 + described;
    }
  };
  for (; row < rows.length; row++) {
    const r = rows[row]!;
    const name = r[3];
    const description = r[6] ?? '';
    if (
      name.length >= 32_768 ||
      description.length >= 32_768 ||
      !PLAIN.test(name) ||
      !PLAIN.test(description)
    ) {
      counts[row] = -1;
      continue;
    }
    const before = length;
    post(name, 0);
    post(description, 1);
    counts[row] = length - before;
  }
  return { terms, counts, postings: postings.slice(0, length) };
}
