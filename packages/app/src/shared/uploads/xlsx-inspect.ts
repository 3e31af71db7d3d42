import { AppError } from '../errors.ts';
import {
  UPLOAD_LIMITS,
  uploadTooLarge,
  uploadUnreadable,
  type UploadLimits,
} from './upload-limits.ts';
import { readZipDirectory, type ZipEntry, type ZipSource } from './zip-directory.ts';

/** What `inspectXlsx` found: the parts to read, or why the file is refused (413 or 422). */
export type XlsxInspection =
  | { ok: true; entries: ZipEntry[] }
  | { ok: false; status: 413 | 422; code: string; reason: string };

/** The parts of a workbook that `readXlsxRows` reads, each already checked against the limits. */
export interface XlsxParts {
  entries: ZipEntry[];
  byName: Map<string, ZipEntry>;
}

/**
 * Checks a workbook from its zip directory alone, before inflating anything: a zip at all,
 * not encrypted, at most `maxZipEntries` parts, at most `maxUncompressedBytes` declared in
 * total, a shared-strings part within `maxSharedStringsBytes`, and a workbook part. Throws a
 * 413/422 AppError naming the reason; `inspectXlsx` is the same as a result.
 */
export async function checkXlsxDirectory(
  source: ZipSource,
  limits: UploadLimits = UPLOAD_LIMITS,
): Promise<XlsxParts> {
  const entries = await readZipDirectory(source, limits);
  const byName = new Map(entries.map((e) => [e.name, e]));
  if (!byName.has('xl/workbook.xml')) {
    throw uploadUnreadable(
      'The file is a zip archive but not an Excel workbook (no xl/workbook.xml)',
    );
  }
  for (const entry of entries) {
    if (
      /sharedStrings[^/]*\.xml$/i.test(entry.name) &&
      entry.uncompressedSize > limits.maxSharedStringsBytes
    ) {
      throw uploadTooLarge(
        'maxSharedStringsBytes',
        `The shared-strings table declares ${entry.uncompressedSize} bytes; at most ${limits.maxSharedStringsBytes} are read`,
      );
    }
  }
  return { entries, byName };
}

/**
 * Inspects an XLSX (bytes in memory, or `{ path }` of a file, read by ranges) from its zip
 * directory before anything is inflated.
 *
 * @example
 * const verdict = await inspectXlsx(bytes, UPLOAD_LIMITS);
 * if (!verdict.ok) reply.code(verdict.status).send(verdict.reason);
 */
export async function inspectXlsx(
  source: ZipSource,
  limits: UploadLimits = UPLOAD_LIMITS,
): Promise<XlsxInspection> {
  try {
    return { ok: true, entries: (await checkXlsxDirectory(source, limits)).entries };
  } catch (error) {
    if (
      error instanceof AppError &&
      (error.kind === 'too_large' || error.kind === 'unprocessable')
    ) {
      return {
        ok: false,
        status: error.kind === 'too_large' ? 413 : 422,
        code: error.problems?.[0]?.code ?? 'invalid',
        reason: error.message,
      };
    }
    throw error;
  }
}
