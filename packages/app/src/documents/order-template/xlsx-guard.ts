// A look inside an XLSX (a zip) before a spreadsheet library inflates it: a partner's file is
// untrusted, and a few kilobytes of zip can inflate to gigabytes (a zip bomb) or hold a
// shared-strings table that exhausts memory. The central directory's declared sizes are
// checked, then each entry is inflated once with its declared size as a hard cap, so a lying
// header cannot get past either. Encrypted workbooks are OLE compound files, not zips.
import { inflateRawSync } from 'node:zlib';

export interface OrderWorkbookLimits {
  /** The file itself. */
  maxBytes: number;
  /** All entries inflated together. */
  maxInflatedBytes: number;
  /** One entry inflated (sheet XML, shared strings). */
  maxEntryBytes: number;
  maxEntries: number;
}

export const ORDER_WORKBOOK_LIMITS: OrderWorkbookLimits = {
  maxBytes: 10 * 1024 * 1024,
  maxInflatedBytes: 100 * 1024 * 1024,
  maxEntryBytes: 50 * 1024 * 1024,
  maxEntries: 2000,
};

export type OrderWorkbookGuard = { ok: true } | { ok: false; reason: string };

const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const mb = (n: number): string => `${Math.round(n / 1024 / 1024)} MB`;

/** Whether `bytes` is a zip-packaged workbook within the limits. */
export function guardOrderWorkbook(
  bytes: Uint8Array,
  limits: OrderWorkbookLimits = ORDER_WORKBOOK_LIMITS,
): OrderWorkbookGuard {
  if (bytes.length > limits.maxBytes) {
    return { ok: false, reason: `The workbook is larger than ${mb(limits.maxBytes)}` };
  }
  if (OLE_MAGIC.every((b, i) => bytes[i] === b)) {
    return {
      ok: false,
      reason:
        'The workbook is password-protected (encrypted) or an old binary .xls file: save it as an unprotected .xlsx',
    };
  }
  if (bytes[0] !== 0x50 || bytes[1] !== 0x4b || bytes[2] !== 0x03 || bytes[3] !== 0x04) {
    return { ok: false, reason: 'Not an XLSX workbook (it is not a zip package)' };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65_557); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return { ok: false, reason: 'The workbook is broken (no zip directory)' };
  const entries = view.getUint16(eocd + 10, true);
  const directoryOffset = view.getUint32(eocd + 16, true);
  if (entries > limits.maxEntries) {
    return { ok: false, reason: `The workbook has more than ${limits.maxEntries} parts` };
  }
  let at = directoryOffset;
  let total = 0;
  let workbook = false;
  try {
    for (let n = 0; n < entries; n++) {
      if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) {
        return { ok: false, reason: 'The workbook is broken (bad zip directory)' };
      }
      const method = view.getUint16(at + 10, true);
      const compressed = view.getUint32(at + 20, true);
      const size = view.getUint32(at + 24, true);
      const nameLength = view.getUint16(at + 28, true);
      const extraLength = view.getUint16(at + 30, true);
      const commentLength = view.getUint16(at + 32, true);
      const localOffset = view.getUint32(at + 42, true);
      const name = Buffer.from(bytes.subarray(at + 46, at + 46 + nameLength)).toString('utf8');
      at += 46 + nameLength + extraLength + commentLength;
      if (name === 'xl/workbook.xml') workbook = true;
      if (size === 0xffffffff || compressed === 0xffffffff) {
        return { ok: false, reason: 'The workbook is too large (zip64)' };
      }
      if (size > limits.maxEntryBytes) {
        return { ok: false, reason: `${name} inflates to more than ${mb(limits.maxEntryBytes)}` };
      }
      total += size;
      if (total > limits.maxInflatedBytes) {
        return {
          ok: false,
          reason: `The workbook inflates to more than ${mb(limits.maxInflatedBytes)}`,
        };
      }
      if (method !== 8 || size === 0) continue;
      const local = localOffset;
      if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50) {
        return { ok: false, reason: 'The workbook is broken (bad zip entry)' };
      }
      const dataStart =
        local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
      // Inflating past the declared size throws: the header lied, as a zip bomb's does.
      inflateRawSync(bytes.subarray(dataStart, dataStart + compressed), {
        maxOutputLength: size,
      });
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return /maxOutputLength|Cannot create a Buffer larger/i.test(message)
      ? { ok: false, reason: 'A part of the workbook inflates past its declared size (zip bomb)' }
      : { ok: false, reason: `The workbook is broken (${message})` };
  }
  if (!workbook) return { ok: false, reason: 'Not an XLSX workbook (no xl/workbook.xml)' };
  return { ok: true };
}
