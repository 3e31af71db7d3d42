import type { TokenizedProducts } from '@orderdesk/store';
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
const SEPARATORS = /[^a-z0-9]+/;

/** The words of `rows` (a name and a description each: columns 3 and 6 of a PriceRowDraft). */
export function wordsOfRows(rows: readonly PriceRowDraft[]): TokenizedProducts {
  const terms: string[] = [];
  const numberOf = new Map<string, number>();
  const counts = new Int32Array(rows.length);
  let postings = new Int32Array(Math.max(16, rows.length * 16));
  let length = 0;
  const seen = new Map<string, 0 | 1>();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const name = row[3];
    const description = row[6] ?? '';
    if (
      name.length >= 32_768 ||
      description.length >= 32_768 ||
      !PLAIN.test(name) ||
      !PLAIN.test(description)
    ) {
      counts[i] = -1;
      continue;
    }
    seen.clear();
    for (const term of name.toLowerCase().split(SEPARATORS)) if (term !== '') seen.set(term, 0);
    for (const term of description.toLowerCase().split(SEPARATORS)) {
      if (term !== '' && !seen.has(term)) seen.set(term, 1);
    }
    counts[i] = seen.size;
    if (length + seen.size > postings.length) {
      const grown = new Int32Array(Math.max(postings.length * 2, length + seen.size));
      grown.set(postings.subarray(0, length));
      postings = grown;
    }
    for (const [term, described] of seen) {
      let number = numberOf.get(term);
      if (number === undefined) {
        number = terms.length;
        numberOf.set(term, number);
        terms.push(term);
      }
      postings[length++] = number * 2 + described;
    }
  }
  return { terms, counts, postings: postings.slice(0, length) };
}
