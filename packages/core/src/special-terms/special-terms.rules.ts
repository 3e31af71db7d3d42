// Does a PO carry the vendor's special-terms clause for this partnership?
//
// The clause is looked for in each haystack (the PO's special terms, its notes, the e-mail
// body) after normalization (see normalizeText): case, whitespace of any kind (newlines, NBSP,
// none at all), quote styles and dash styles do not matter. The template becomes a pattern in
// which the fixed text must appear as written and each placeholder is a bounded capture:
// - fixed text found, captures right            → ok
// - fixed text found, a capture is wrong         → mismatch `agreementDate`, `partnerLegalName`
//                                                   or `both`, with expected and actual
// - fixed text not found as a whole, but most of it is there (≥ 60% of its 12-character
//   pieces, anywhere in one haystack)            → mismatch `text` (reworded clause)
// - otherwise                                    → missing
// A date matches when it names the same day in any usual spelling (see parseDateSpelling). A
// name matches when equal after normalization, ignoring periods and commas ("Acme, Inc." =
// "ACME Inc").
//
// No regular expression ever runs over a whole haystack: the longest fixed piece is located
// with indexOf, and the pattern runs only in a window around each occurrence sized to one
// clause, with captures bounded in length. A 1 MB e-mail body takes about 0.1 s, mostly
// normalization.
import {
  DEFAULT_SPECIAL_TERMS_DATE_FORMAT,
  formatAgreementDate,
  parseSpecialTermsTemplate,
  renderSpecialTerms,
} from './special-terms.template.ts';
import type { SpecialTermsField, SpecialTermsValues } from './special-terms.template.ts';
import { normalizeText, readDate, sourceSlice } from './special-terms.text.ts';
import type { NormalizedText } from './special-terms.text.ts';

/** Which part of a present clause is wrong. */
export const SPECIAL_TERMS_MISMATCH_FIELDS = [
  'agreementDate',
  'partnerLegalName',
  'both',
  'text',
] as const;
export type SpecialTermsMismatchField = (typeof SPECIAL_TERMS_MISMATCH_FIELDS)[number];

export type SpecialTermsMatch =
  | { readonly status: 'ok' }
  | { readonly status: 'missing'; readonly expected: string; readonly message: string }
  | {
      readonly status: 'mismatch';
      readonly field: SpecialTermsMismatchField;
      /** The field's expected value; the whole rendered clause for `both` and `text`. */
      readonly expected: string;
      /** What the PO says instead, when it can be pointed at. */
      readonly actual?: string;
      /** Index in `haystacks` of the text the clause was found in (the closest, for `text`). */
      readonly haystack: number;
      readonly message: string;
    };

/** Longest text a placeholder may capture, in normalized characters (no whitespace). */
const CAPTURE_LIMIT: Readonly<Record<SpecialTermsField, number>> = {
  agreementDate: 60,
  partnerLegalName: 300,
};
/** Occurrences of the anchor examined per haystack: bounds the work on hostile input. */
const MAX_CANDIDATES = 1000;
const PIECE_LENGTH = 12;
const REWORDED_RATIO = 0.6;

/** Where a placeholder sits: between two fixed texts, or at the start or end of the template. */
type Edge = 'start' | 'end' | 'middle';

interface Capture {
  readonly field: SpecialTermsField;
  readonly edge: Edge;
}

interface CompiledClause {
  readonly pattern: RegExp;
  readonly captures: readonly Capture[];
  readonly anchor: string;
  /** Most normalized characters the clause can span before / after the anchor. */
  readonly before: number;
  readonly after: number;
  readonly pieces: readonly string[];
}

/**
 * Check that one of `haystacks` carries the clause rendered for `expected`; `dateFormat` (luxon
 * tokens, as for `renderSpecialTerms`) only shapes the expected values in the result.
 */
export function matchSpecialTerms(
  template: string,
  expected: SpecialTermsValues,
  haystacks: readonly string[],
  dateFormat: string = DEFAULT_SPECIAL_TERMS_DATE_FORMAT,
): SpecialTermsMatch {
  // A partner's POs carry the same clause order after order: the answer is kept per input.
  let size = template.length;
  for (const h of haystacks) size += h.length;
  if (size > MAX_KEPT_INPUT) return matchOnce(template, expected, haystacks, dateFormat);
  const key = keptMatchKey(template, expected, haystacks, dateFormat);
  let match = keptMatches.get(key);
  if (match === undefined) {
    match = Object.freeze(matchOnce(template, expected, haystacks, dateFormat));
    if (keptMatches.size >= MAX_KEPT_MATCHES) {
      keptMatches.delete(keptMatches.keys().next().value as string);
    }
    keptMatches.set(key, match);
  }
  return match;
}

/**
 * The inputs as one text, each part prefixed with its length so that no two inputs give the
 * same key (a cheaper join than JSON.stringify's escaping of the haystacks, which are long).
 */
function keptMatchKey(
  template: string,
  expected: SpecialTermsValues,
  haystacks: readonly string[],
  dateFormat: string,
): string {
  // Every field of the values is in the key: a field added to them fails to compile here.
  const { agreementDate, partnerLegalName, ...others } = expected;
  others satisfies Record<string, never>;
  let key = '';
  for (const part of [template, agreementDate, partnerLegalName, dateFormat])
    key += `${part.length}:${part}`;
  key += `#${haystacks.length}`;
  for (const h of haystacks) key += `${h.length}:${h}`;
  return key;
}

/** Answers of matchSpecialTerms by their inputs (it is a function of them alone). */
const keptMatches = new Map<string, SpecialTermsMatch>();
const MAX_KEPT_MATCHES = 256;
/** Inputs longer than this (characters, template and haystacks) are matched without keeping. */
const MAX_KEPT_INPUT = 16_384;

function matchOnce(
  template: string,
  expected: SpecialTermsValues,
  haystacks: readonly string[],
  dateFormat: string,
): SpecialTermsMatch {
  const rendered = renderSpecialTerms(template, expected, dateFormat);
  const clause = compiledClauseOf(template);
  const want = {
    date: formatAgreementDate(expected.agreementDate, dateFormat),
    isoDate: expected.agreementDate,
    name: expected.partnerLegalName,
    nameKey: nameKey(normalizeText(expected.partnerLegalName).text),
  };

  let firstMismatch: SpecialTermsMatch | null = null;
  let best = { ratio: 0, haystack: 0 };
  for (const [index, haystack] of haystacks.entries()) {
    const text = normalizeText(haystack);
    for (const found of findClauses(clause, text)) {
      const verdict = judge(clause, text, found, want, rendered, index);
      if (verdict.status === 'ok') return verdict;
      firstMismatch ??= verdict;
    }
    const ratio = firstMismatch === null ? piecesFound(clause, text.text) : 0;
    if (ratio > best.ratio) best = { ratio, haystack: index };
  }
  if (firstMismatch !== null) return firstMismatch;
  if (best.ratio >= REWORDED_RATIO) {
    return {
      status: 'mismatch',
      field: 'text',
      expected: rendered,
      haystack: best.haystack,
      message: 'The special-terms clause is there but its wording differs from the required text',
    };
  }
  return {
    status: 'missing',
    expected: rendered,
    message: "The special-terms clause is missing from the PO's special terms and notes",
  };
}

/** Compiled clauses by template: a vendor has one, checked on every order. */
const compiledClauses = new Map<string, CompiledClause>();
const MAX_COMPILED_CLAUSES = 100;

/** The template's clause, compiled once per process (its pattern's lastIndex is reset on use). */
function compiledClauseOf(template: string): CompiledClause {
  let clause = compiledClauses.get(template);
  if (clause === undefined) {
    clause = compileClause(template);
    if (compiledClauses.size >= MAX_COMPILED_CLAUSES) {
      compiledClauses.delete(compiledClauses.keys().next().value as string);
    }
    compiledClauses.set(template, clause);
  }
  return clause;
}

function compileClause(template: string): CompiledClause {
  const parts = parseSpecialTermsTemplate(template).map((part) =>
    part.kind === 'text' ? { ...part, text: normalizeText(part.text).text } : part,
  );
  const texts = parts.flatMap((part) =>
    part.kind === 'text' && part.text !== '' ? [part.text] : [],
  );
  const anchor = texts.reduce((a, b) => (b.length > a.length ? b : a), '');
  if (anchor === '') throw new RangeError('A special-terms template needs some fixed text');

  let source = '';
  const captures: Capture[] = [];
  let before = 0;
  let after = 0;
  let seenAnchor = false;
  parts.forEach((part, i) => {
    if (part.kind === 'text') {
      source += escapeRegExp(part.text);
      if (part.text === anchor && !seenAnchor) seenAnchor = true;
      else if (seenAnchor) after += part.text.length;
      else before += part.text.length;
      return;
    }
    const limit = CAPTURE_LIMIT[part.field];
    const textBefore = parts.slice(0, i).some((p) => p.kind === 'text' && p.text !== '');
    const textAfter = parts.slice(i + 1).some((p) => p.kind === 'text' && p.text !== '');
    const edge: Edge = !textBefore ? 'start' : !textAfter ? 'end' : 'middle';
    // Between two fixed texts the capture is lazy (stops at the next fixed text); at an edge
    // of the template it is greedy and the value is looked for at the end next to the text.
    source += `([^]{1,${limit}}${edge === 'middle' ? '?' : ''})`;
    captures.push({ field: part.field, edge });
    if (seenAnchor) after += limit;
    else before += limit;
  });

  const pieces: string[] = [];
  for (const text of texts) {
    for (let i = 0; i + PIECE_LENGTH / 2 <= text.length; i += PIECE_LENGTH) {
      pieces.push(text.slice(i, i + PIECE_LENGTH));
    }
  }
  return { pattern: new RegExp(source, 'dg'), captures, anchor, before, after, pieces };
}

interface FoundClause {
  readonly start: number;
  readonly end: number;
  /** [start, end) of each capture in the normalized text. */
  readonly spans: readonly (readonly [number, number])[];
}

function* findClauses(clause: CompiledClause, text: NormalizedText): Generator<FoundClause> {
  const seen = new Set<number>();
  let candidates = 0;
  for (
    let at = text.text.indexOf(clause.anchor);
    at >= 0 && candidates < MAX_CANDIDATES;
    at = text.text.indexOf(clause.anchor, at + 1), candidates++
  ) {
    const from = Math.max(0, at - clause.before);
    const to = Math.min(text.text.length, at + clause.anchor.length + clause.after);
    const window = text.text.slice(from, to);
    // Windows of nearby anchors overlap: skip clauses already reported, look further on.
    clause.pattern.lastIndex = 0;
    for (
      let match = clause.pattern.exec(window);
      match !== null;
      match = clause.pattern.exec(window)
    ) {
      const start = from + match.index;
      clause.pattern.lastIndex = match.index + 1;
      if (seen.has(start)) continue;
      seen.add(start);
      const spans = clause.captures.map((_, k): [number, number] => {
        const [s, e] = match.indices?.[k + 1] ?? [0, 0];
        return [from + s, from + e];
      });
      yield { start, end: start + match[0].length, spans };
      break;
    }
  }
}

interface Wanted {
  readonly date: string;
  readonly isoDate: string;
  readonly name: string;
  readonly nameKey: string;
}

function judge(
  clause: CompiledClause,
  text: NormalizedText,
  found: FoundClause,
  want: Wanted,
  rendered: string,
  haystack: number,
): SpecialTermsMatch {
  let dateActual: string | null = null;
  let nameActual: string | null = null;
  clause.captures.forEach((capture, k) => {
    const [start, end] = found.spans[k] ?? [0, 0];
    if (capture.field === 'agreementDate') {
      const wrong = checkDate(text, start, end, capture.edge, want.isoDate);
      if (wrong !== null) dateActual ??= wrong;
    } else {
      const wrong = checkName(text, start, end, capture.edge, want.nameKey);
      if (wrong !== null) nameActual ??= wrong;
    }
  });
  if (dateActual === null && nameActual === null) return { status: 'ok' };
  if (dateActual !== null && nameActual !== null) {
    return {
      status: 'mismatch',
      field: 'both',
      expected: rendered,
      haystack,
      actual: sourceSlice(text, found.start, found.end),
      message: `The special-terms clause names "${nameActual}" on "${dateActual}"; it must name ${want.name} and the agreement date ${want.date}`,
    };
  }
  if (dateActual !== null) {
    return {
      status: 'mismatch',
      field: 'agreementDate',
      expected: want.date,
      actual: dateActual,
      haystack,
      message: `The special-terms clause gives the agreement date as "${dateActual}"; it is ${want.date}`,
    };
  }
  return {
    status: 'mismatch',
    field: 'partnerLegalName',
    expected: want.name,
    actual: nameActual ?? '',
    haystack,
    message: `The special-terms clause names "${nameActual}"; the partner's legal name is ${want.name}`,
  };
}

/** null when the captured date is the expected one, else what the PO says. */
function checkDate(
  text: NormalizedText,
  start: number,
  end: number,
  edge: Edge,
  isoDate: string,
): string | null {
  if (edge === 'middle') {
    const written = sourceSlice(text, start, end);
    return readDate(written) === isoDate ? null : written;
  }
  // At an edge the capture holds neighbouring text too: read the longest date-shaped text
  // next to the fixed text (a suffix for a leading placeholder, a prefix for a trailing one).
  for (let length = Math.min(end - start, CAPTURE_LIMIT.agreementDate); length > 0; length--) {
    const written =
      edge === 'end'
        ? sourceSlice(text, start, start + length)
        : sourceSlice(text, end - length, end);
    const read = readDate(written);
    if (read !== null) return read === isoDate ? null : written;
  }
  return edge === 'end'
    ? sourceSlice(text, start, Math.min(end, start + 20))
    : sourceSlice(text, Math.max(start, end - 20), end);
}

/** null when the captured name is the expected one, else what the PO says. */
function checkName(
  text: NormalizedText,
  start: number,
  end: number,
  edge: Edge,
  expectedKey: string,
): string | null {
  if (edge === 'middle') {
    return nameKey(text.text.slice(start, end)) === expectedKey
      ? null
      : sourceSlice(text, start, end);
  }
  // At an edge the capture holds neighbouring text too: the name must sit right next to the
  // fixed text and start (or end) on a word boundary, so "Notacme Ltd" is not "Acme Ltd".
  for (let k = start; k < end; k++) {
    const [from, to] = edge === 'start' ? [k, end] : [start, k + 1];
    if (nameKey(text.text.slice(from, to)) !== expectedKey) continue;
    const outside =
      edge === 'start'
        ? text.source[(text.origin[from] ?? 0) - 1]
        : text.source[(text.origin[to - 1] ?? text.source.length) + 1];
    if (outside === undefined || !/[\p{L}\p{N}]/u.test(outside)) return null;
  }
  // Show about as much text as the expected name, next to the fixed text.
  const length = Math.min(end - start, expectedKey.length + 8);
  return edge === 'start'
    ? sourceSlice(text, end - length, end)
    : sourceSlice(text, start, start + length);
}

/** A legal name for comparison: normalized, periods and commas dropped. */
function nameKey(normalized: string): string {
  return normalized.replace(/[.,]/g, '');
}

function piecesFound(clause: CompiledClause, text: string): number {
  if (clause.pieces.length === 0) return 0;
  const found = clause.pieces.filter((piece) => text.includes(piece)).length;
  return found / clause.pieces.length;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
