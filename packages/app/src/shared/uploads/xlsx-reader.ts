import { StringDecoder } from 'node:string_decoder';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { AppError } from '../errors.ts';
import {
  UPLOAD_LIMITS,
  uploadTooLarge,
  uploadUnreadable,
  type UploadLimits,
} from './upload-limits.ts';
import { checkXlsxDirectory } from './xlsx-inspect.ts';
import { readZipEntry, type ZipEntry, type ZipSource } from './zip-directory.ts';

// The first worksheet of an XLSX as rows of cell texts, streamed with limits: the zip directory
// is checked first (checkXlsxDirectory), every part is counted as it inflates, the shared-strings table
// is bounded in entries and bytes, a cell beyond `maxColumns` (a "cell in column XFD" file),
// a cell longer than `maxCellBytes`, a row whose XML exceeds `maxRecordBytes` and more than
// `maxRows` rows are each refused (413) the moment they are met. Nothing but the shared strings
// and the current row is held in memory. Text of cells: strings as written, numbers as their
// shortest decimal, booleans as true/false, errors as #N/A…, date-formatted numbers as ISO
// dates (YYYY-MM-DD), formulas by their cached result.

/** One row of a worksheet: its number (1-based, as Excel shows it) and its cells from column A. */
export interface SheetRow {
  row: number;
  cells: string[];
}

export interface XlsxReadOptions {
  limits?: UploadLimits;
  /** Compressed bytes of the file consumed so far (for a progress bar). */
  onProgress?: (bytes: number) => void;
}

/** Small parts (workbook, relationships, styles) are read whole, within this bound. */
const SMALL_PART_BYTES = 16 * 1024 * 1024;

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** The 1-based column of a cell reference ("B7" → 2, "XFD1" → 16384); 0 if none. */
export function columnOfRef(ref: string): number {
  let column = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) column = column * 26 + (c - 64);
    else if (c >= 97 && c <= 122) column = column * 26 + (c - 96);
    else break;
    if (column > 1e7) break;
  }
  return column;
}

function xmlError(part: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  return uploadUnreadable(
    `Part "${part}" of the workbook is not valid XML: ${(error as Error).message}`,
  );
}

/**
 * Feeds a part's inflated chunks to an XML parser, pausing (yielding) after each chunk so the
 * caller can take what the handlers collected; refuses when `records()` has not grown for more
 * than `maxRecordBytes` of XML (a row or a string without end).
 */
async function* feedPart(
  source: ZipSource,
  entry: ZipEntry,
  parser: SaxesParser,
  options: {
    maxBytes: number;
    limit: 'maxUncompressedBytes' | 'maxSharedStringsBytes';
    maxRecordBytes: number;
    records: () => number;
    onRead?: (bytes: number) => void;
  },
): AsyncGenerator<void> {
  const decoder = new StringDecoder('utf8');
  let sinceRecord = 0;
  let lastRecords = options.records();
  try {
    for await (const chunk of readZipEntry(source, entry, options)) {
      parser.write(decoder.write(chunk));
      const records = options.records();
      sinceRecord = records === lastRecords ? sinceRecord + chunk.length : chunk.length;
      lastRecords = records;
      if (sinceRecord > options.maxRecordBytes + 64 * 1024) {
        throw uploadTooLarge(
          'maxRecordBytes',
          `A row of "${entry.name}" is longer than ${options.maxRecordBytes} bytes`,
        );
      }
      yield;
    }
    parser.write(decoder.end());
    parser.close();
  } catch (error) {
    throw xmlError(entry.name, error);
  }
}

async function readSmallPart(source: ZipSource, entry: ZipEntry): Promise<string> {
  const decoder = new StringDecoder('utf8');
  let text = '';
  for await (const chunk of readZipEntry(source, entry, {
    maxBytes: SMALL_PART_BYTES,
    limit: 'maxUncompressedBytes',
  })) {
    text += decoder.write(chunk);
  }
  return text + decoder.end();
}

function eachElement(
  part: string,
  text: string,
  onOpen: (name: string, attributes: Record<string, string>) => void,
  onClose?: (name: string) => void,
): void {
  const parser = new SaxesParser();
  parser.on('opentag', (tag) =>
    onOpen(localName(tag.name), tag.attributes as Record<string, string>),
  );
  if (onClose) parser.on('closetag', (tag) => onClose(localName(tag.name)));
  try {
    parser.write(text).close();
  } catch (error) {
    throw xmlError(part, error);
  }
}

function resolveTarget(base: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = `${base}${target}`.split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.' && p !== '') out.push(p);
  }
  return out.join('/');
}

/** Built-in number formats that are dates or times (ECMA-376 18.8.30). */
const DATE_FORMAT_IDS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);

function isDateFormatCode(code: string): boolean {
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\\./g, '');
  return /[dmyhs]/i.test(bare) && !/^general$/i.test(bare.trim());
}

interface WorkbookLayout {
  sheet: ZipEntry;
  sharedStrings: ZipEntry | undefined;
  styles: ZipEntry | undefined;
  date1904: boolean;
}

async function layoutOf(source: ZipSource, byName: Map<string, ZipEntry>): Promise<WorkbookLayout> {
  const workbook = byName.get('xl/workbook.xml');
  if (!workbook) throw uploadUnreadable('The workbook has no xl/workbook.xml');
  let firstSheetRel: string | undefined;
  let date1904 = false;
  eachElement(workbook.name, await readSmallPart(source, workbook), (name, attributes) => {
    if (name === 'workbookPr')
      date1904 = attributes.date1904 === '1' || attributes.date1904 === 'true';
    if (name === 'sheet' && firstSheetRel === undefined) {
      const key = Object.keys(attributes).find((k) => k.includes(':') && localName(k) === 'id');
      firstSheetRel = key ? attributes[key] : undefined;
    }
  });
  const targets = new Map<string, string>();
  let sharedStringsPath = 'xl/sharedStrings.xml';
  let stylesPath = 'xl/styles.xml';
  const rels = byName.get('xl/_rels/workbook.xml.rels');
  if (rels) {
    eachElement(rels.name, await readSmallPart(source, rels), (name, attributes) => {
      if (name !== 'Relationship' || !attributes.Id || !attributes.Target) return;
      const path = resolveTarget('xl/', attributes.Target);
      targets.set(attributes.Id, path);
      if (attributes.Type?.endsWith('/sharedStrings')) sharedStringsPath = path;
      if (attributes.Type?.endsWith('/styles')) stylesPath = path;
    });
  }
  const sheetPath =
    (firstSheetRel !== undefined ? targets.get(firstSheetRel) : undefined) ??
    'xl/worksheets/sheet1.xml';
  const sheet = byName.get(sheetPath);
  if (!sheet) throw uploadUnreadable('The workbook has no worksheet');
  return {
    sheet,
    sharedStrings: byName.get(sharedStringsPath),
    styles: byName.get(stylesPath),
    date1904,
  };
}

/** Which cell styles (the `s` attribute, an index into cellXfs) format a number as a date. */
async function dateStylesOf(source: ZipSource, styles: ZipEntry | undefined): Promise<boolean[]> {
  if (!styles) return [];
  const custom = new Map<number, string>();
  const out: boolean[] = [];
  let inCellXfs = false;
  eachElement(
    styles.name,
    await readSmallPart(source, styles),
    (name, attributes) => {
      if (name === 'numFmt' && attributes.numFmtId !== undefined) {
        custom.set(Number(attributes.numFmtId), attributes.formatCode ?? '');
      } else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) {
        const id = Number(attributes.numFmtId ?? 0);
        const code = custom.get(id);
        out.push(code !== undefined ? isDateFormatCode(code) : DATE_FORMAT_IDS.has(id));
      }
    },
    (name) => {
      if (name === 'cellXfs') inCellXfs = false;
    },
  );
  return out;
}

async function sharedStringsOf(
  source: ZipSource,
  entry: ZipEntry | undefined,
  limits: UploadLimits,
  onRead: (bytes: number) => void,
): Promise<string[]> {
  if (!entry) return [];
  const strings: string[] = [];
  const parser = new SaxesParser();
  let text = '';
  let inText = false;
  let phonetic = 0;
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const name = localName(tag.name);
    if (name === 't' && phonetic === 0) inText = true;
    else if (name === 'rPh') phonetic++;
    else if (name === 'si') text = '';
  });
  const append = (t: string): void => {
    if (!inText) return;
    text += t;
    if (text.length > limits.maxCellBytes) {
      throw uploadTooLarge(
        'maxCellBytes',
        `Shared string ${strings.length + 1} is longer than ${limits.maxCellBytes} characters`,
      );
    }
  };
  parser.on('text', append);
  parser.on('cdata', append);
  parser.on('closetag', (tag: SaxesTagPlain) => {
    const name = localName(tag.name);
    if (name === 't') inText = false;
    else if (name === 'rPh') phonetic--;
    else if (name === 'si') {
      strings.push(text);
      text = '';
      if (strings.length > limits.maxSharedStrings) {
        throw uploadTooLarge(
          'maxSharedStrings',
          `The shared-strings table has more than ${limits.maxSharedStrings} entries`,
        );
      }
    }
  });
  for await (const _ of feedPart(source, entry, parser, {
    maxBytes: limits.maxSharedStringsBytes,
    limit: 'maxSharedStringsBytes',
    maxRecordBytes: limits.maxRecordBytes,
    records: () => strings.length,
    onRead,
  })) {
    // the handlers collect the strings
  }
  return strings;
}

/** An Excel serial day number as an ISO date (1900 system, or 1904 when the workbook says so). */
function serialToIsoDate(serial: number, date1904: boolean): string {
  const days = serial + (date1904 ? 1462 : 0);
  const ms = Math.round((days - 25569) * 86_400_000);
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? 'invalid date' : date.toISOString().slice(0, 10);
}

/**
 * Reads the rows of the first worksheet (see the module comment for the limits). Throws a
 * 413/422 AppError naming the reason, from the directory check or where the limit is met.
 */
export async function* readXlsxRows(
  source: ZipSource,
  options: XlsxReadOptions = {},
): AsyncGenerator<SheetRow> {
  const limits = options.limits ?? UPLOAD_LIMITS;
  const { byName } = await checkXlsxDirectory(source, limits);
  const layout = await layoutOf(source, byName);
  let consumedBefore = 0;
  const progress = (base: number) => (bytes: number) => options.onProgress?.(base + bytes);
  const strings = await sharedStringsOf(source, layout.sharedStrings, limits, progress(0));
  consumedBefore += layout.sharedStrings?.compressedSize ?? 0;
  const dateStyles = await dateStylesOf(source, layout.styles);

  const parser = new SaxesParser();
  const ready: SheetRow[] = [];
  let rowsSeen = 0;
  let rowNumber = 0;
  let cells: string[] = [];
  let column = 0;
  let type = '';
  let style = 0;
  let value = '';
  let capture = false;
  let inInline = false;
  let phonetic = 0;
  const maxRows = limits.maxRows + 1; // the header row too
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const name = localName(tag.name);
    const attributes = tag.attributes as Record<string, string>;
    switch (name) {
      case 'row': {
        rowNumber = attributes.r !== undefined ? Number(attributes.r) : rowNumber + 1;
        cells = [];
        column = 0;
        break;
      }
      case 'c': {
        const ref = attributes.r;
        column = ref !== undefined ? columnOfRef(ref) : column + 1;
        if (column > limits.maxColumns) {
          throw uploadTooLarge(
            'maxColumns',
            `Cell ${ref ?? `in column ${column}`} is beyond column ${limits.maxColumns}, the last one read`,
            `row ${rowNumber}`,
          );
        }
        type = attributes.t ?? 'n';
        style = attributes.s !== undefined ? Number(attributes.s) : 0;
        value = '';
        break;
      }
      case 'v':
        capture = true;
        break;
      case 'is':
        inInline = true;
        break;
      case 'rPh':
        phonetic++;
        break;
      case 't':
        if (inInline && phonetic === 0) capture = true;
        break;
      default:
        break;
    }
  });
  const append = (text: string): void => {
    if (!capture) return;
    value += text;
    if (value.length > limits.maxCellBytes) {
      throw uploadTooLarge(
        'maxCellBytes',
        `A cell is longer than ${limits.maxCellBytes} characters`,
        `row ${rowNumber}`,
      );
    }
  };
  parser.on('text', append);
  parser.on('cdata', append);
  parser.on('closetag', (tag: SaxesTagPlain) => {
    const name = localName(tag.name);
    switch (name) {
      case 'v':
      case 't':
        capture = false;
        break;
      case 'is':
        inInline = false;
        break;
      case 'rPh':
        phonetic--;
        break;
      case 'c': {
        let text = value;
        if (type === 's') text = strings[Number(value)] ?? '';
        else if (type === 'b') text = value === '1' || value === 'true' ? 'true' : 'false';
        else if (type === 'n' && value !== '') {
          const n = Number(value);
          if (Number.isFinite(n))
            text = dateStyles[style] ? serialToIsoDate(n, layout.date1904) : String(n);
        }
        if (text !== '' && column > 0) {
          while (cells.length < column - 1) cells.push('');
          cells[column - 1] = text;
        }
        break;
      }
      case 'row': {
        rowsSeen++;
        if (rowsSeen > maxRows) {
          throw uploadTooLarge(
            'maxRows',
            `The sheet has more than ${limits.maxRows} rows`,
            `row ${rowNumber}`,
          );
        }
        ready.push({ row: rowNumber, cells });
        break;
      }
      default:
        break;
    }
  });
  for await (const _ of feedPart(source, layout.sheet, parser, {
    maxBytes: limits.maxUncompressedBytes,
    limit: 'maxUncompressedBytes',
    maxRecordBytes: limits.maxRecordBytes,
    records: () => rowsSeen,
    onRead: progress(consumedBefore),
  })) {
    // One inflated chunk's rows at a time: memory holds no more than that.
    if (ready.length > 0) yield* ready.splice(0);
  }
  yield* ready.splice(0);
}
