import { AppError } from '../errors.ts';

// What an uploaded file may cost before it is refused. Every reader of an upload (price lists,
// Excel order templates, mail attachments) checks these while it streams, so a hostile file is
// refused after reading a bounded amount of it, never after it has been fully expanded in
// memory. The defaults fit a price list of a million rows; the server reads each from the
// environment (UPLOAD_MAX_ROWS …, see the README's configuration table).

export const UPLOAD_LIMIT_NAMES = [
  'maxRows',
  'maxColumns',
  'maxCellBytes',
  'maxRecordBytes',
  'maxSharedStrings',
  'maxSharedStringsBytes',
  'maxUncompressedBytes',
  'maxZipEntries',
  'timeBudgetMs',
  'maxWorkerHeapMb',
] as const;
export type UploadLimitName = (typeof UPLOAD_LIMIT_NAMES)[number];

export type UploadLimits = Record<UploadLimitName, number>;

/** The defaults: generous for real files, small enough that a refusal is quick and cheap. */
export const UPLOAD_LIMITS: Readonly<UploadLimits> = Object.freeze({
  /** Data rows of one sheet or CSV file. */
  maxRows: 1_000_000,
  /** Columns of a row (the column letter in XLSX: XFD is 16,384). */
  maxColumns: 256,
  /** One cell's text: UTF-8 bytes in CSV, characters in XLSX (Excel itself stops at 32,767). */
  maxCellBytes: 32_767,
  /** One CSV record, or one XLSX row's XML. */
  maxRecordBytes: 1024 * 1024,
  /** Entries of an XLSX shared-strings table. */
  maxSharedStrings: 1_000_000,
  /** The shared-strings part of an XLSX, uncompressed. */
  maxSharedStringsBytes: 64 * 1024 * 1024,
  /** All parts of a zip (XLSX) together, uncompressed, as the central directory declares them. */
  maxUncompressedBytes: 512 * 1024 * 1024,
  /** Entries of a zip (XLSX). */
  maxZipEntries: 10_000,
  /** Wall time for reading and checking one file. */
  timeBudgetMs: 120_000,
  /** V8 heap of the worker thread that parses a file. */
  maxWorkerHeapMb: 192,
});

/** The defaults with some limits replaced (undefined values keep the default). */
export function uploadLimits(
  overrides: Partial<Record<UploadLimitName, number | undefined>> = {},
): UploadLimits {
  const out: UploadLimits = { ...UPLOAD_LIMITS };
  for (const name of UPLOAD_LIMIT_NAMES) {
    const value = overrides[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** A limit of `UploadLimits` was exceeded: 413, naming the limit (`limit.maxRows`) and where. */
export function uploadTooLarge(
  limit: UploadLimitName | 'maxBytes',
  message: string,
  path = 'file',
): AppError {
  return new AppError('too_large', 'payload-too-large', message, [
    { path, code: `limit.${limit}`, message },
  ]);
}

/** The file is not what it claims to be (not a zip, a broken part, encrypted): 422. */
export function uploadUnreadable(message: string, path = 'file'): AppError {
  return new AppError('unprocessable', 'validation', message, [{ path, code: 'invalid', message }]);
}
