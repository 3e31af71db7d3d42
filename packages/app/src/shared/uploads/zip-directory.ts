import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { uploadTooLarge, uploadUnreadable, type UploadLimits } from './upload-limits.ts';

// A zip (an XLSX is one) read from its central directory, the table at the end of the file
// that lists every part with its declared sizes: a bomb is refused from those numbers before a
// byte is inflated. A directory can lie, so every part is also counted as it inflates and
// refused as soon as it exceeds what it declared.

/** A zip held in memory, or a file on disk (read by ranges: never loaded whole). */
export type ZipSource = Uint8Array | { path: string };

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated (the only two an XLSX uses). */
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const U32_MAX = 0xffffffff;

async function sizeOf(source: ZipSource): Promise<number> {
  return source instanceof Uint8Array ? source.length : (await stat(source.path)).size;
}

async function readRange(source: ZipSource, start: number, length: number): Promise<Buffer> {
  if (source instanceof Uint8Array) {
    return Buffer.from(
      source.buffer,
      source.byteOffset + start,
      Math.max(0, Math.min(length, source.length - start)),
    );
  }
  const handle = await open(source.path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, start);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function notZip(detail: string): Error {
  return uploadUnreadable(`The file is not a readable zip (XLSX) archive: ${detail}`);
}

/**
 * Reads and checks the central directory: entry count, declared sizes (their sum against
 * `maxUncompressedBytes`), no encryption, stored or deflated parts only. Throws a 413 or 422
 * AppError naming the reason.
 */
export async function readZipDirectory(
  source: ZipSource,
  limits: Pick<UploadLimits, 'maxZipEntries' | 'maxUncompressedBytes'>,
): Promise<ZipEntry[]> {
  const size = await sizeOf(source);
  if (size < 22) throw notZip('too short');
  const tailLength = Math.min(size, 22 + 0xffff);
  const tailStart = size - tailLength;
  const tail = await readRange(source, tailStart, tailLength);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw notZip('no end-of-central-directory record');
  let entries = tail.readUInt16LE(at + 10);
  let cdSize = tail.readUInt32LE(at + 12);
  let cdOffset = tail.readUInt32LE(at + 16);
  if (entries === 0xffff || cdSize === U32_MAX || cdOffset === U32_MAX) {
    const locatorAt = at - 20;
    if (locatorAt < 0 || tail.readUInt32LE(locatorAt) !== EOCD64_LOCATOR) {
      throw notZip('a ZIP64 archive without its locator');
    }
    const eocd64 = await readRange(source, Number(tail.readBigUInt64LE(locatorAt + 8)), 56);
    if (eocd64.length < 56 || eocd64.readUInt32LE(0) !== EOCD64)
      throw notZip('a broken ZIP64 record');
    entries = Number(eocd64.readBigUInt64LE(32));
    cdSize = Number(eocd64.readBigUInt64LE(40));
    cdOffset = Number(eocd64.readBigUInt64LE(48));
  }
  if (entries > limits.maxZipEntries) {
    throw uploadTooLarge(
      'maxZipEntries',
      `The archive has ${entries} parts; at most ${limits.maxZipEntries} are read`,
    );
  }
  if (cdOffset + cdSize > size || cdSize < entries * 46)
    throw notZip('its directory is out of bounds');
  const cd = await readRange(source, cdOffset, cdSize);
  const out: ZipEntry[] = [];
  let total = 0;
  let p = 0;
  for (let i = 0; i < entries; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL)
      throw notZip('a broken directory entry');
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    let compressedSize = cd.readUInt32LE(p + 20);
    let uncompressedSize = cd.readUInt32LE(p + 24);
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const commentLength = cd.readUInt16LE(p + 32);
    let localHeaderOffset = cd.readUInt32LE(p + 42);
    const nameEnd = p + 46 + nameLength;
    if (nameEnd + extraLength + commentLength > cd.length) throw notZip('a broken directory entry');
    const name = cd.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, nameEnd);
    if (
      uncompressedSize === U32_MAX ||
      compressedSize === U32_MAX ||
      localHeaderOffset === U32_MAX
    ) {
      // ZIP64 sizes live in extra field 0x0001, in this order, each only when its field is maxed.
      for (let e = nameEnd; e + 4 <= nameEnd + extraLength;) {
        const id = cd.readUInt16LE(e);
        const length = cd.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          const next = (): number => {
            const v = Number(cd.readBigUInt64LE(q));
            q += 8;
            return v;
          };
          if (uncompressedSize === U32_MAX) uncompressedSize = next();
          if (compressedSize === U32_MAX) compressedSize = next();
          if (localHeaderOffset === U32_MAX) localHeaderOffset = next();
        }
        e += 4 + length;
      }
    }
    if (flags & 0x1)
      throw uploadUnreadable(
        'The workbook is encrypted (password-protected); save it without a password',
      );
    if (method !== 0 && method !== 8)
      throw notZip(`part "${name.slice(0, 80)}" uses compression method ${method}`);
    if (localHeaderOffset + 30 > size || compressedSize > size)
      throw notZip(`part "${name.slice(0, 80)}" is out of bounds`);
    total += uncompressedSize;
    if (total > limits.maxUncompressedBytes) {
      throw uploadTooLarge(
        'maxUncompressedBytes',
        `The archive declares more than ${limits.maxUncompressedBytes} bytes uncompressed`,
      );
    }
    out.push({ name, method, flags, compressedSize, uncompressedSize, localHeaderOffset });
    p = nameEnd + extraLength + commentLength;
  }
  return out;
}

/**
 * The inflated bytes of one part, chunk by chunk (64 KiB), refused once they exceed what the
 * directory declared or `maxBytes`. `onRead` gets the compressed bytes consumed (progress).
 */
export async function* readZipEntry(
  source: ZipSource,
  entry: ZipEntry,
  options: {
    maxBytes: number;
    limit: 'maxUncompressedBytes' | 'maxSharedStringsBytes';
    onRead?: (compressedBytes: number) => void;
  },
): AsyncGenerator<Buffer> {
  const header = await readRange(source, entry.localHeaderOffset, 30);
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL)
    throw notZip(`part "${entry.name}" has no header`);
  const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const raw: Readable =
    entry.compressedSize === 0
      ? Readable.from([])
      : source instanceof Uint8Array
        ? Readable.from([
            Buffer.from(source.buffer, source.byteOffset + start, entry.compressedSize),
          ])
        : createReadStream(source.path, {
            start,
            end: start + entry.compressedSize - 1,
            highWaterMark: 64 * 1024,
          });
  if (options.onRead) {
    let read = 0;
    const onRead = options.onRead;
    raw.on('data', (chunk: Buffer) => {
      read += chunk.length;
      onRead(read);
    });
  }
  // 64 KiB chunks rather than zlib's 16: a 100,000-row sheet is ~100 MB of XML, and each chunk
  // costs a round through the stream, the decoder, the XML parser and the consumer's loop.
  const inflated: Readable =
    entry.method === 8 ? raw.pipe(createInflateRaw({ chunkSize: 64 * 1024 })) : raw;
  if (inflated !== raw) raw.on('error', (error) => inflated.destroy(error));
  let total = 0;
  try {
    for await (const chunk of inflated as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > entry.uncompressedSize) {
        throw uploadUnreadable(
          `Part "${entry.name}" inflates to more than the ${entry.uncompressedSize} bytes it declares`,
        );
      }
      if (total > options.maxBytes) {
        throw uploadTooLarge(
          options.limit,
          `Part "${entry.name}" is larger than ${options.maxBytes} bytes uncompressed`,
        );
      }
      yield chunk;
    }
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('Z_')) {
      throw notZip(`part "${entry.name}" is corrupt (${(error as Error).message})`);
    }
    throw error;
  } finally {
    raw.destroy();
    inflated.destroy();
  }
}
