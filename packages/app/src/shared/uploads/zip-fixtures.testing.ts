import { constants, crc32, deflateRawSync } from 'node:zlib';

// Test helpers: small and hostile zip/XLSX files built by hand (no library would write a bomb).
// A part of gigabytes is a few megabytes: one ~1 MB block deflated with a full flush (which
// resets the dictionary, so the block's bytes stand alone) is repeated as often as needed.

export interface ZipPart {
  name: string;
  method: 0 | 8;
  data: Buffer;
  uncompressedSize: number;
  crc: number;
}

/** A deflated part of `text`. */
export function deflatedPart(name: string, text: string | Buffer): ZipPart {
  const raw = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  return {
    name,
    method: 8,
    data: deflateRawSync(raw),
    uncompressedSize: raw.length,
    crc: crc32(raw),
  };
}

/**
 * A deflated part `head + unit × times + tail`, built from one compressed ~1 MB block
 * repeated; its CRC is left 0 (readers here never check it). `declared` overrides the size the
 * directory declares (a lying directory).
 */
export function repeatedPart(
  name: string,
  parts: { head: string; unit: string; times: number; tail: string; declared?: number },
): ZipPart {
  const perBlock = Math.max(1, Math.floor((1 << 20) / parts.unit.length));
  const blocks = Math.floor(parts.times / perBlock);
  const rest = parts.times - blocks * perBlock;
  const flush = { finishFlush: constants.Z_FULL_FLUSH };
  const block = deflateRawSync(Buffer.from(parts.unit.repeat(perBlock)), flush);
  const chunks = [deflateRawSync(Buffer.from(parts.head), flush)];
  for (let i = 0; i < blocks; i++) chunks.push(block);
  chunks.push(deflateRawSync(Buffer.from(parts.unit.repeat(rest) + parts.tail)));
  const size =
    Buffer.byteLength(parts.head) +
    Buffer.byteLength(parts.unit) * parts.times +
    Buffer.byteLength(parts.tail);
  return {
    name,
    method: 8,
    data: Buffer.concat(chunks),
    uncompressedSize: parts.declared ?? size,
    crc: 0,
  };
}

/** A zip of the parts (no ZIP64). */
export function buildZip(parts: readonly ZipPart[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(part.method, 8);
    local.writeUInt32LE(part.crc >>> 0, 14);
    local.writeUInt32LE(part.data.length, 18);
    local.writeUInt32LE(Math.min(part.uncompressedSize, 0xfffffffe), 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, part.data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(part.method, 10);
    central.writeUInt32LE(part.crc >>> 0, 16);
    central.writeUInt32LE(part.data.length, 20);
    central.writeUInt32LE(Math.min(part.uncompressedSize, 0xfffffffe), 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + part.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** A minimal workbook around a worksheet part (and a shared-strings part, if given). */
export function workbookOf(sheet: ZipPart, sharedStrings?: ZipPart): Buffer {
  return buildZip([
    deflatedPart(
      '[Content_Types].xml',
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
    ),
    deflatedPart(
      'xl/workbook.xml',
      `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${NS}" xmlns:r="${REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
    deflatedPart(
      'xl/_rels/workbook.xml.rels',
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        `<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>` +
        `<Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
    ),
    { ...sheet, name: 'xl/worksheets/sheet1.xml' },
    ...(sharedStrings ? [{ ...sharedStrings, name: 'xl/sharedStrings.xml' }] : []),
  ]);
}

/** Worksheet XML of rows given as inline-string cells (`{ r: 'A1', v: 'text' }`). */
export function sheetXml(rows: readonly (readonly { r: string; v: string }[])[]): string {
  const body = rows
    .map(
      (cells, i) =>
        `<row r="${i + 1}">${cells.map((c) => `<c r="${c.r}" t="inlineStr"><is><t>${c.v}</t></is></c>`).join('')}</row>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${NS}"><sheetData>${body}</sheetData></worksheet>`;
}

export const SHEET_HEAD = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${NS}"><sheetData>`;
export const SHEET_TAIL = '</sheetData></worksheet>';
export const SST_HEAD = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${NS}">`;
