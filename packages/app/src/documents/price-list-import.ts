import { Readable, Transform } from 'node:stream';
import { AppError, type ProblemItem } from '../shared/errors.ts';
import { csvGuard } from '../shared/uploads/csv-guard.ts';
import {
  UPLOAD_LIMITS,
  uploadTooLarge,
  type UploadLimits,
} from '../shared/uploads/upload-limits.ts';
import type { ZipSource } from '../shared/uploads/zip-directory.ts';
import { restoreCsvCell } from './price-list-export.ts';

// Reads a price-list file (CSV or XLSX) as a stream of rows, without holding the file in
// memory and within the upload limits (shared/uploads): csv-parse behind the CSV guard for
// CSV, the bounded streaming XLSX reader for XLSX (first worksheet). It runs on the import's
// worker thread (price-lists/price-list-parse.worker.ts).
// The first non-empty row is the header; column names are matched loosely ("Part Number",
// "part_number" and "partNumber" are the same column). Rows are numbered as the user sees
// them: the spreadsheet row, or the CSV line, with the header as row 1.
// The parser only reads: checking values is the price-list service's job.

export const PRICE_LIST_FORMATS = ['csv', 'xlsx'] as const;
export type PriceListFormat = (typeof PRICE_LIST_FORMATS)[number];

export const REQUIRED_COLUMNS = ['partNumber', 'name', 'type', 'category', 'listPrice'] as const;
export const OPTIONAL_COLUMNS = ['effectiveFrom', 'description', 'billingTerm', 'ships'] as const;
export const PRICE_LIST_COLUMNS = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS] as const;
export type PriceListColumn = (typeof PRICE_LIST_COLUMNS)[number];

export const XLSX_CONTENT_TYPE =
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** One data row: its number in the file and its cells as text (trimmed; absent = empty). */
export interface PriceListRow {
  row: number;
  values: Partial<Record<PriceListColumn, string>>;
}

/** The file cannot be read as a price list at all (not CSV/XLSX, or a header is missing). */
export class PriceListFileError extends Error {
  readonly problems: ProblemItem[];
  constructor(message: string, problems: ProblemItem[]) {
    super(message);
    this.problems = problems;
  }
}

const COLUMN_BY_KEY = new Map<string, PriceListColumn>(
  PRICE_LIST_COLUMNS.map((c) => [normalizeHeader(c), c]),
);

function normalizeHeader(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The format named by a file name or content type, if any. */
export function priceListFormatOf(nameOrType: string | undefined): PriceListFormat | undefined {
  if (!nameOrType) return undefined;
  const s = nameOrType.toLowerCase();
  if (s.endsWith('.xlsx') || s.startsWith(XLSX_CONTENT_TYPE)) return 'xlsx';
  if (s.endsWith('.csv') || s.startsWith('text/csv')) return 'csv';
  return undefined;
}

/** Maps header cells to columns (by position); unknown columns are ignored. */
function mapHeader(cells: readonly string[], headerRow: number): (PriceListColumn | undefined)[] {
  const columns = cells.map((c) => COLUMN_BY_KEY.get(normalizeHeader(c)));
  const problems: ProblemItem[] = [];
  for (const required of REQUIRED_COLUMNS) {
    if (!columns.includes(required)) {
      problems.push({
        path: `row ${headerRow}/${required}`,
        code: 'required',
        message: `Missing column "${required}" (the header needs ${REQUIRED_COLUMNS.join(', ')})`,
      });
    }
  }
  const seen = new Set<PriceListColumn>();
  columns.forEach((c) => {
    if (c === undefined) return;
    if (seen.has(c)) {
      problems.push({
        path: `row ${headerRow}/${c}`,
        code: 'duplicate',
        message: `Column "${c}" appears twice`,
      });
    }
    seen.add(c);
  });
  if (problems.length > 0) throw new PriceListFileError('The header row is incomplete', problems);
  return columns;
}

/** NUL or an unpaired UTF-16 surrogate: text PostgreSQL cannot store (SQLite would alter it). */
const UNSTORABLE_TEXT =
  /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function toRow(
  row: number,
  columns: readonly (PriceListColumn | undefined)[],
  cells: readonly string[],
): PriceListRow | undefined {
  const values: Partial<Record<PriceListColumn, string>> = {};
  let empty = true;
  columns.forEach((column, i) => {
    const cell = cells[i]?.trim() ?? '';
    if (column === undefined || cell === '') return;
    if (UNSTORABLE_TEXT.test(cell)) {
      // Refused here, the same on both databases, instead of failing inside an INSERT.
      throw new PriceListFileError('The file holds text that cannot be stored', [
        {
          path: `row ${row}/${column}`,
          code: 'invalid',
          message: 'A cell may not contain a NUL character or an unpaired surrogate',
        },
      ]);
    }
    values[column] = cell;
    empty = false;
  });
  return empty ? undefined : { row, values };
}

export interface PriceListReadOptions {
  limits?: UploadLimits;
  /** Bytes of the file consumed so far (compressed bytes for XLSX). */
  onProgress?: (bytes: number) => void;
}

/**
 * Reads the rows of a price-list file: CSV from a stream, XLSX from a file or bytes (its zip
 * directory is read first). Throws PriceListFileError if it is unreadable, a 413/422 AppError
 * when it exceeds the limits.
 */
export function readPriceListRows(
  source: Readable | ZipSource,
  format: PriceListFormat,
  options: PriceListReadOptions = {},
): AsyncGenerator<PriceListRow> {
  const limits = options.limits ?? UPLOAD_LIMITS;
  if (format === 'csv') {
    const stream =
      source instanceof Readable ? source : Readable.from([Buffer.from(source as Uint8Array)]);
    return readCsv(stream, limits, options.onProgress);
  }
  if (source instanceof Readable)
    throw new Error('An XLSX is read from a file or bytes, not a stream');
  return readXlsx(source, limits, options.onProgress);
}

/**
 * The delimiter of a CSV file, judged from its first line: Excel in many locales writes
 * ';'-separated "CSV", and tab-separated text is common too.
 */
function sniffDelimiter(firstChunk: Buffer | string | undefined): string {
  if (firstChunk === undefined) return ',';
  const text = typeof firstChunk === 'string' ? firstChunk : firstChunk.toString('utf8');
  const unquoted = (text.split('\n')[0] ?? '').replace(/"[^"]*"/g, '');
  const counts = [',', ';', '\t'].map((d) => [d, unquoted.split(d).length - 1] as const);
  const best = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return best[1] > 0 ? best[0] : ',';
}

async function* readCsv(
  input: Readable,
  limits: UploadLimits,
  onProgress: ((bytes: number) => void) | undefined,
  options: { fast?: boolean } = {},
): AsyncGenerator<PriceListRow> {
  let bytes = 0;
  const guard = csvGuard(limits);
  input.on('error', (error) => guard.destroy(error));
  if (onProgress) {
    input.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      onProgress(bytes);
    });
  }
  const source = input.pipe(guard);
  // Peek at the first chunk for the delimiter, then stream it and the rest to the parser.
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const first = await chunks.next();
  const delimiter = sniffDelimiter(first.done ? undefined : first.value);
  let columns: (PriceListColumn | undefined)[] | undefined;
  let rows = 0;
  try {
    for await (const records of csvRecords(
      chunks,
      first,
      delimiter,
      limits,
      options.fast ?? true,
    )) {
      for (const record of records) {
        const line = record.lines;
        if (columns === undefined) {
          if (record.record.every((c) => c.trim() === '')) continue;
          columns = mapHeader(record.record, line);
          continue;
        }
        if (++rows > limits.maxRows) {
          throw uploadTooLarge(
            'maxRows',
            `The file has more than ${limits.maxRows} rows`,
            `row ${line}`,
          );
        }
        // A CSV export neutralised formula-like cells with an apostrophe: take it off again.
        const row = toRow(
          line,
          columns,
          record.record.map((c) => restoreCsvCell(c.trim())),
        );
        if (row) yield row;
      }
    }
  } catch (error) {
    if (error instanceof PriceListFileError || error instanceof AppError) throw error;
    const e = error as { code?: string; message?: string; lines?: number };
    // csv-parse's errors: CSV_… codes, and INVALID_OPENING_QUOTE (a quote inside a field).
    if (
      typeof e.code === 'string' &&
      (e.code.startsWith('CSV_') || e.code === 'INVALID_OPENING_QUOTE')
    ) {
      throw new PriceListFileError('The file is not valid CSV', [
        {
          path: `row ${e.lines ?? '?'}`,
          code: 'invalid',
          message: e.message ?? 'Malformed CSV',
        },
      ]);
    }
    throw error;
  } finally {
    input.destroy();
  }
  if (columns === undefined) throw emptyFile();
}

/** A CSV record: its fields, and the line it ends on (csv-parse's `info.lines`). */
interface CsvRecord {
  record: string[];
  lines: number;
}

const LF = 0x0a;

/**
 * The records of a CSV stream, a block at a time, as csv-parse reads them with the options
 * below (`bom`, the sniffed delimiter, `relax_column_count`, `skip_empty_lines`): csv-parse
 * spends most of a large import's parsing in per-record bookkeeping (its `info` objects), so
 * the common file is read here instead, line by line: every line ending as the first one does
 * ('\n', or '\r\n' as Excel and the price-list export write), fields plain or quoted ('""' a
 * quote) within one line. At anything else — another '\r', a field quoted across lines, a
 * quote out of place (which csv-parse refuses) — the rest of the file, from the start of the
 * record at hand, goes to csv-parse, preceded by as many empty lines as came before it (csv-parse
 * skips them, ending as the first line does): its line numbers, its record delimiter and its
 * errors are then the ones it gives reading the whole file. `fast: false` hands it everything
 * from the start (the tests compare both).
 */
export async function* csvRecords(
  chunks: AsyncIterator<Buffer | string>,
  first: IteratorResult<Buffer | string>,
  delimiter: string,
  limits: UploadLimits,
  fast = true,
): AsyncGenerator<CsvRecord[]> {
  // Bytes after the last '\n' read, still undecoded: a line is decoded whole, so a UTF-8
  // sequence is never cut (a '\n' byte is never inside one).
  let tail: Buffer = Buffer.alloc(0);
  let next = first;
  let lines = 1;
  /** '\r\n' line ends (as the first line's), else '\n'; undefined before the first line. */
  let crlf: boolean | undefined;
  const handOver = (text: string, from: number, rest: Buffer[]) =>
    csvParseRecords(
      [Buffer.from(text.slice(from), 'utf8'), ...rest],
      chunks,
      delimiter,
      limits,
      lines,
      crlf === true,
    );
  while (fast && !next.done) {
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
    const data = tail.length === 0 ? chunk : Buffer.concat([tail, chunk]);
    const end = data.lastIndexOf(LF) + 1;
    tail = data.subarray(end);
    if (end > 0) {
      const text = data.toString('utf8', 0, end);
      let at = 0;
      if (crlf === undefined) {
        at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
        const nl = text.indexOf('\n', at);
        crlf = nl > at && text.charCodeAt(nl - 1) === 0x0d;
      }
      const block = linesOf(text, at, delimiter, lines, crlf);
      if (block.records.length > 0) yield block.records;
      lines = block.lines;
      if (block.stop >= 0) {
        yield* handOver(text, block.stop, [tail]);
        return;
      }
    }
    next = await chunks.next();
  }
  if (!fast) {
    yield* csvParseRecords(next.done ? [] : [next.value], chunks, delimiter, limits, 1, false);
    return;
  }
  if (tail.length === 0) return;
  // The last line, without a line end: one is added (a line of a file read whole from here is
  // judged by csv-parse).
  const text = tail.toString('utf8');
  const at = crlf === undefined && text.charCodeAt(0) === 0xfeff ? 1 : 0;
  crlf ??= false;
  const block = linesOf(`${text}${crlf ? '\r\n' : '\n'}`, at, delimiter, lines, crlf);
  if (block.stop >= 0) {
    yield* handOver(text, block.stop, []);
    return;
  }
  if (block.records.length > 0) yield block.records;
}

/**
 * The records of complete lines (`text` ends with '\n'; with `crlf`, every line must end with
 * '\r\n'), from `at`; `lines` is the number of the first. `stop`: where a line csv-parse must
 * read begins (-1: none), with `lines` its number.
 */
function linesOf(
  text: string,
  at: number,
  delimiter: string,
  lines: number,
  crlf: boolean,
): { records: CsvRecord[]; stop: number; lines: number } {
  const records: CsvRecord[] = [];
  let line = lines;
  // The next '"' and '\r' at or after the line's start (-1: none), found once per stretch.
  let quote = -2;
  let cr = -2;
  for (let start = at; start < text.length;) {
    const end = text.indexOf('\n', start);
    if (quote !== -1 && quote < start) quote = text.indexOf('"', start);
    if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
    // The line's text ends before its '\r\n' (crlf) or '\n'; no other '\r' in it.
    let stop = end;
    if (crlf) {
      if (end === start || cr !== end - 1) return { records, stop: start, lines: line };
      stop = end - 1;
    } else if (cr !== -1 && cr < end) return { records, stop: start, lines: line };
    if (stop === start) {
      // An empty line: skipped (skip_empty_lines), counted.
      line++;
      start = end + 1;
      continue;
    }
    const record =
      quote === -1 || quote >= stop
        ? text.slice(start, stop).split(delimiter)
        : quotedFieldsOf(text, start, stop, delimiter);
    if (record === undefined) return { records, stop: start, lines: line };
    records.push({ record, lines: line });
    line++;
    start = end + 1;
  }
  return { records, stop: -1, lines: line };
}

/**
 * The fields of the line text[start, end), which has a quote, or undefined where csv-parse
 * must judge (a field quoted across lines or not closed, a quote inside an unquoted field,
 * anything but the delimiter after a closing quote).
 */
function quotedFieldsOf(
  text: string,
  start: number,
  end: number,
  delimiter: string,
): string[] | undefined {
  const fields: string[] = [];
  let at = start;
  for (;;) {
    if (text.charCodeAt(at) === 0x22) {
      // A quoted field: up to a quote followed by the delimiter or the line end.
      let value = '';
      let from = at + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0 || q >= end) return undefined;
        value += text.slice(from, q);
        if (q + 1 < end && text.charCodeAt(q + 1) === 0x22) {
          value += '"';
          from = q + 2;
          continue;
        }
        at = q + 1;
        break;
      }
      fields.push(value);
      if (at === end) return fields;
      if (text[at] !== delimiter) return undefined;
      at++;
      continue;
    }
    const d = text.indexOf(delimiter, at);
    const to = d < 0 || d > end ? end : d;
    for (let i = at; i < to; i++) if (text.charCodeAt(i) === 0x22) return undefined;
    fields.push(text.slice(at, to));
    if (to === end) return fields;
    at = to + 1;
  }
}

/**
 * csv-parse over `head` then the rest of `chunks`, as if it had read the file from the start:
 * `line` > 1 puts that many empty lines before (skipped by csv-parse, counted in its lines),
 * ending as the file's first line does (so csv-parse takes the same record delimiter).
 */
async function* csvParseRecords(
  head: readonly (Buffer | string)[],
  chunks: AsyncIterator<Buffer | string>,
  delimiter: string,
  limits: UploadLimits,
  line: number,
  crlf: boolean,
): AsyncGenerator<CsvRecord[]> {
  // The parser loads with the first file that needs it (on the import's worker thread).
  const { parse: parseCsv } = await import('csv-parse');
  const parser = parseCsv({
    bom: true,
    delimiter,
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    // The guard refuses long records first; this bounds the parser's own buffers as well.
    max_record_size: limits.maxRecordBytes,
  });
  const rest = Readable.from(
    (async function* () {
      if (line > 1) yield Buffer.from((crlf ? '\r\n' : '\n').repeat(line - 1));
      for (const chunk of head) if (chunk.length > 0) yield chunk;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
    })(),
  );
  rest.on('error', (error) => parser.destroy(error));
  rest.pipe(parser);
  try {
    for await (const record of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      yield [{ record: record.record, lines: record.info.lines }];
    }
  } finally {
    rest.unpipe(parser);
  }
}

function emptyFile(): PriceListFileError {
  return new PriceListFileError('The file has no header row', [
    {
      path: 'row 1',
      code: 'required',
      message: `Expected a header row: ${REQUIRED_COLUMNS.join(', ')}`,
    },
  ]);
}

/** Text of an exceljs cell value: numbers as written, dates as ISO dates, formulas by result. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? 'invalid date' : value.toISOString().slice(0, 10);
  }
  if (typeof value === 'object') {
    const v = value as {
      richText?: { text: string }[];
      text?: unknown;
      result?: unknown;
      error?: string;
    };
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if ('result' in v) return cellText(v.result);
    if (v.text !== undefined) return cellText(v.text);
    if (typeof v.error === 'string') return v.error;
    return '';
  }
  return typeof value === 'bigint' ? value.toString() : '';
}

async function* readXlsx(
  source: ZipSource,
  limits: UploadLimits,
  onProgress: ((bytes: number) => void) | undefined,
): AsyncGenerator<PriceListRow> {
  let columns: (PriceListColumn | undefined)[] | undefined;
  const { readXlsxRows } = await import('../shared/uploads/xlsx-reader.ts');
  try {
    for await (const row of readXlsxRows(source, {
      limits,
      ...(onProgress ? { onProgress } : {}),
    })) {
      if (columns === undefined) {
        if (row.cells.every((c) => c.trim() === '')) continue;
        columns = mapHeader(row.cells, row.row);
        continue;
      }
      const parsed = toRow(row.row, columns, row.cells);
      if (parsed) yield parsed;
    }
  } catch (error) {
    if (error instanceof PriceListFileError || error instanceof AppError) throw error;
    throw new PriceListFileError('The file is not a readable XLSX workbook', [
      { path: 'file', code: 'invalid', message: (error as Error).message },
    ]);
  }
  if (columns === undefined) throw emptyFile();
}

/** Passes an upload through, failing it with a 413 once it exceeds `maxBytes`. */
export function limitBytes(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) {
        callback(
          new AppError(
            'too_large',
            'payload-too-large',
            `The file is larger than ${maxBytes} bytes`,
          ),
        );
      } else callback(null, chunk);
    },
  });
}
