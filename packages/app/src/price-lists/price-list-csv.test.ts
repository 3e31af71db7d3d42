import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  csvRecords,
  PriceListFileError,
  readPriceListRows,
} from '../documents/price-list-import.ts';
import { UPLOAD_LIMITS } from '../shared/uploads/upload-limits.ts';

// The price-list CSV reader reads common lines itself and hands anything else to csv-parse
// (documents/price-list-import.ts, csvRecords): whatever the file and however its bytes are cut
// into chunks, its records, their line numbers and its errors must be csv-parse's own. One
// difference is allowed: csv-parse, failing on a record, drops the records it read before it
// in the same chunk of the file; this reader yields them first (so their rows are checked too).

/** Whether `fast` is `reference`, or the same error after the same records and more. */
function sameOrMore(fast: unknown[], reference: unknown[]): boolean {
  const error = reference.at(-1);
  if (error === undefined || Array.isArray(error)) return false;
  const before = reference.slice(0, -1);
  return (
    JSON.stringify(fast.at(-1)) === JSON.stringify(error) &&
    JSON.stringify(fast.slice(0, before.length)) === JSON.stringify(before)
  );
}

/** What csvRecords gives for `bytes` cut at `cuts`: the records, then the error if any. */
async function read(bytes: Buffer, cuts: readonly number[], fast: boolean): Promise<unknown[]> {
  const parts: Buffer[] = [];
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut > at) parts.push(bytes.subarray(at, cut));
    at = Math.max(at, cut);
  }
  const chunks = (async function* () {
    for (const part of parts) yield part;
  })();
  const first = await chunks.next();
  const out: unknown[] = [];
  try {
    for await (const block of csvRecords(chunks, first, ',', UPLOAD_LIMITS, fast)) {
      for (const r of block) out.push([r.lines, ...r.record]);
    }
  } catch (error) {
    const e = error as { code?: string; message?: string; lines?: number };
    out.push({ code: e.code, message: e.message, lines: e.lines });
  }
  return out;
}

/** A small deterministic random generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'KRV-417-00A3F',
  'Gateway license',
  'é',
  '😀',
  ' ',
  '',
  '12.50',
  ',',
  ',',
  ',',
  '\n',
  '\n',
  '\n',
  '"',
  '""',
  '"quoted, field"',
  '"with ""quotes"""',
  '"two\nlines"',
  '\r\n',
  '\r',
  ';',
  '\t',
  "'=1+1",
];

function csvOf(next: () => number, length: number): string {
  let text = next() < 0.1 ? '\uFEFF' : '';
  // Lines end with '\r\n' in about half the files (Excel's, and the price-list export's).
  const end = next() < 0.5 ? '\r\n' : '\n';
  // Mostly well-formed lines, now and then any piece anywhere.
  for (let i = 0; i < length; i++) {
    if (next() < 0.7) {
      const fields = Array.from({ length: 1 + Math.floor(next() * 4) }, () => {
        const piece = PIECES[Math.floor(next() * 7)] ?? '';
        return next() < 0.2 ? `"${piece.replace(/"/g, '""')}"` : piece;
      });
      text += `${fields.join(',')}${end}`;
    } else text += PIECES[Math.floor(next() * PIECES.length)] ?? '';
  }
  return text;
}

describe('price-list CSV records', () => {
  it('are csv-parse’s for well-formed files, odd files and bad ones, however cut', async () => {
    const next = random(12);
    for (let n = 0; n < 1500; n++) {
      const bytes = Buffer.from(csvOf(next, 1 + Math.floor(next() * 30)), 'utf8');
      const cuts = Array.from({ length: Math.floor(next() * 5) }, () =>
        Math.floor(next() * bytes.length),
      ).sort((a, b) => a - b);
      const fast = await read(bytes, cuts, true);
      const reference = await read(bytes, [], false);
      if (!sameOrMore(fast, reference)) {
        expect(fast, JSON.stringify(bytes.toString('utf8'))).toEqual(reference);
      }
    }
  });

  it('number rows by line across empty lines, a BOM and a last line without its end', async () => {
    for (const end of ['\n', '\r\n']) {
      const text = `\uFEFFa,b${end}${end}1,"x ""y"""${end}${end}${end}2,z`;
      const bytes = Buffer.from(text, 'utf8');
      expect(await read(bytes, [1, 5], true)).toEqual([
        [1, 'a', 'b'],
        [3, '1', 'x "y"'],
        [6, '2', 'z'],
      ]);
      expect(await read(bytes, [], false)).toEqual(await read(bytes, [1, 5], true));
    }
  });

  it('hand a quote out of place to csv-parse, which names its line', async () => {
    const bytes = Buffer.from('a,b\n1,2\n3,x"y\n4,5\n', 'utf8');
    const out = await read(bytes, [9], true);
    expect(out.slice(0, 2)).toEqual([
      [1, 'a', 'b'],
      [2, '1', '2'],
    ]);
    expect(out[2]).toMatchObject({ code: 'INVALID_OPENING_QUOTE', lines: 3 });
    expect(sameOrMore(out, await read(bytes, [], false))).toBe(true);
  });

  it('refuse a quote inside a field as invalid CSV, naming its line', async () => {
    const text =
      'partNumber,name,type,category,listPrice\nA-1,ok,service,Software,5\nA-2,x"y,service,Software,5\n';
    const error = await (async () => {
      for await (const _row of readPriceListRows(Readable.from([Buffer.from(text)]), 'csv')) {
        // read on
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PriceListFileError);
    expect((error as PriceListFileError).problems).toEqual([
      {
        path: 'row 3',
        code: 'invalid',
        message: expect.stringContaining('Invalid Opening Quote') as unknown,
      },
    ]);
  });

  it('read a CRLF price list with multi-line cells through readPriceListRows (csv-parse’s line numbers)', async () => {
    const text =
      'partNumber,name,type,category,listPrice,description\r\n' +
      'A-1,"Gateway, large",device,Hardware,10.00,"two\r\nlines"\r\n' +
      'A-2,Plain,service,Services,5,\r\n';
    const rows = [];
    for await (const row of readPriceListRows(Readable.from([Buffer.from(text)]), 'csv')) {
      rows.push(row);
    }
    expect(rows).toEqual([
      {
        row: 4,
        values: {
          partNumber: 'A-1',
          name: 'Gateway, large',
          type: 'device',
          category: 'Hardware',
          listPrice: '10.00',
          description: 'two\r\nlines',
        },
      },
      {
        row: 5,
        values: {
          partNumber: 'A-2',
          name: 'Plain',
          type: 'service',
          category: 'Services',
          listPrice: '5',
        },
      },
    ]);
  });
});
