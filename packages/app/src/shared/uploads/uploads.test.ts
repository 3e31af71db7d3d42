// The upload guards on their own: zip directory checks, the bounded XLSX reader, the CSV guard
// and the worker runner, each with hostile input built by hand (zip-fixtures.testing.ts).
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { csvGuard } from './csv-guard.ts';
import { uploadLimits } from './upload-limits.ts';
import { niceOfThisThread } from './worker-fixture.testing.ts';
import { runWorkerTask, runWorkersInForeground, siblingModule } from './worker-runner.ts';
import { inspectXlsx } from './xlsx-inspect.ts';
import { readXlsxRows, type SheetRow } from './xlsx-reader.ts';
import {
  SHEET_HEAD,
  SHEET_TAIL,
  SST_HEAD,
  deflatedPart,
  repeatedPart,
  sheetXml,
  workbookOf,
} from './zip-fixtures.testing.ts';

async function rowsOf(bytes: Uint8Array, limits = uploadLimits()): Promise<SheetRow[]> {
  const out: SheetRow[] = [];
  for await (const row of readXlsxRows(bytes, { limits })) out.push(row);
  return out;
}

async function refusal(work: Promise<unknown>): Promise<AppError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

/** A CSV stream generated lazily: `head`, then `unit` `times` times, in 64 KiB chunks. */
function lazyCsv(head: string, unit: string, times: number): Readable {
  let left = times;
  const per = Math.max(1, Math.floor(65536 / unit.length));
  return new Readable({
    read() {
      if (head !== '') {
        this.push(head);
        head = '';
        return;
      }
      if (left <= 0) {
        this.push(null);
        return;
      }
      const n = Math.min(per, left);
      left -= n;
      this.push(unit.repeat(n));
    },
  });
}

async function drain(stream: Readable): Promise<void> {
  await pipeline(stream, new Writable({ write: (_c, _e, cb) => cb() }));
}

describe('XLSX', () => {
  it('reads an exceljs workbook: shared strings, numbers, dates, sparse cells', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Prices');
    sheet.addRow(['partNumber', 'listPrice', 'effectiveFrom', 'ok']);
    sheet.addRow(['A-1', 47.5, new Date(Date.UTC(2027, 2, 1)), true]);
    sheet.getCell('F3').value = 'far';
    const bytes = new Uint8Array(await workbook.xlsx.writeBuffer());
    expect(await inspectXlsx(bytes)).toMatchObject({ ok: true });
    expect(await rowsOf(bytes)).toEqual([
      { row: 1, cells: ['partNumber', 'listPrice', 'effectiveFrom', 'ok'] },
      { row: 2, cells: ['A-1', '47.5', '2027-03-01', 'true'] },
      { row: 3, cells: ['', '', '', '', '', 'far'] },
    ]);
  });

  it('refuses a shared-strings table of 100 M entries from the directory, before inflating', async () => {
    const sst = repeatedPart('sst', {
      head: SST_HEAD,
      unit: '<si><t>x</t></si>',
      times: 100_000_000,
      tail: '</sst>',
    });
    const bytes = workbookOf(deflatedPart('s', sheetXml([[{ r: 'A1', v: 'a' }]])), sst);
    expect(bytes.length).toBeLessThan(8 * 1024 * 1024);
    const verdict = await inspectXlsx(bytes);
    expect(verdict).toMatchObject({ ok: false, status: 413, code: 'limit.maxUncompressedBytes' });
    // A directory that lies about the size is caught while inflating, at the declared size.
    const lying = workbookOf(
      deflatedPart('s', sheetXml([[{ r: 'A1', v: 'a' }]])),
      repeatedPart('sst', {
        head: SST_HEAD,
        unit: '<si><t>x</t></si>',
        times: 100_000_000,
        tail: '</sst>',
        declared: 1000,
      }),
    );
    expect((await inspectXlsx(lying)).ok).toBe(true);
    const error = await refusal(rowsOf(lying));
    expect(error.kind).toBe('unprocessable');
    expect(error.message).toMatch(/inflates to more than the 1000 bytes/);
    // Within the byte limit but over the entry limit.
    const many = workbookOf(
      deflatedPart('s', sheetXml([[{ r: 'A1', v: 'a' }]])),
      repeatedPart('sst', { head: SST_HEAD, unit: '<si><t/></si>', times: 2_000, tail: '</sst>' }),
    );
    const tooMany = await refusal(rowsOf(many, uploadLimits({ maxSharedStrings: 1000 })));
    expect(tooMany.problems?.[0]?.code).toBe('limit.maxSharedStrings');
  });

  it('refuses a cell in column XFD at once', async () => {
    const sheet = repeatedPart('s', {
      head: SHEET_HEAD,
      unit: '<row><c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>',
      times: 50_000,
      tail: SHEET_TAIL,
    });
    const bytes = workbookOf(sheet);
    expect(bytes.length).toBeLessThan(200 * 1024);
    const error = await refusal(rowsOf(bytes));
    expect(error.kind).toBe('too_large');
    expect(error.problems?.[0]).toMatchObject({ code: 'limit.maxColumns', path: 'row 1' });
    expect(error.message).toContain('XFD1');
  });

  it('refuses too many rows, a huge cell, and a row without end', async () => {
    const rows = workbookOf(
      repeatedPart('s', {
        head: SHEET_HEAD,
        unit: '<row><c t="inlineStr"><is><t>x</t></is></c></row>',
        times: 5_000,
        tail: SHEET_TAIL,
      }),
    );
    expect((await refusal(rowsOf(rows, uploadLimits({ maxRows: 1000 })))).problems?.[0]?.code).toBe(
      'limit.maxRows',
    );
    const cell = workbookOf(
      repeatedPart('s', {
        head: `${SHEET_HEAD}<row><c t="inlineStr"><is><t>`,
        unit: 'x',
        times: 100_000,
        tail: `</t></is></c></row>${SHEET_TAIL}`,
      }),
    );
    expect((await refusal(rowsOf(cell))).problems?.[0]?.code).toBe('limit.maxCellBytes');
    const endless = workbookOf(
      repeatedPart('s', {
        head: `${SHEET_HEAD}<row>`,
        unit: '<c t="inlineStr"><is><t>x</t></is></c>',
        times: 1_000_000,
        tail: `</row>${SHEET_TAIL}`,
      }),
    );
    const error = await refusal(rowsOf(endless, uploadLimits({ maxColumns: 2_000_000 })));
    expect(error.problems?.[0]?.code).toBe('limit.maxRecordBytes');
  });

  it('calls a non-zip, a truncated zip and a zip without a workbook unreadable (422)', async () => {
    expect(await inspectXlsx(Buffer.from('not a zip at all, just text'))).toMatchObject({
      ok: false,
      status: 422,
    });
    const good = workbookOf(deflatedPart('s', sheetXml([[{ r: 'A1', v: 'a' }]])));
    expect((await inspectXlsx(good.subarray(0, good.length - 30))).ok).toBe(false);
  });
});

describe('CSV guard', () => {
  it('refuses a row of 50 M commas after reading a bounded amount', async () => {
    let read = 0;
    const source = lazyCsv('partNumber,name\n', ',', 50_000_000);
    source.on('data', (c: Buffer) => (read += c.length));
    const error = await refusal(drain(source.pipe(csvGuard())));
    expect(error.problems?.[0]).toMatchObject({ code: 'limit.maxColumns', path: 'row 2' });
    expect(read).toBeLessThan(1024 * 1024);
  });

  it('refuses a 50 MB line without a newline, and too many rows', async () => {
    const error = await refusal(drain(lazyCsv('a,b\n', 'x', 50_000_000).pipe(csvGuard())));
    expect(error.problems?.[0]?.code).toMatch(/limit\.max(Record|Cell)Bytes/);
    const rows = await refusal(
      drain(lazyCsv('a,b\n', '1,2\n', 20).pipe(csvGuard(uploadLimits({ maxRows: 10 })))),
    );
    expect(rows.problems?.[0]?.code).toBe('limit.maxRows');
    // Quoted separators and line breaks are data, not columns or rows.
    await drain(
      lazyCsv('a,b\n', `"${','.repeat(1000)}\n",2\n`, 20).pipe(
        csvGuard(uploadLimits({ maxColumns: 3 })),
      ),
    );
  });
});

describe('worker runner', () => {
  const task = siblingModule(import.meta.url, 'worker-fixture.testing');

  it('streams messages one at a time and returns the result', async () => {
    const seen: number[] = [];
    const result = await runWorkerTask<
      { count: number; then: string },
      { i: number },
      { sent: number }
    >({
      task,
      input: { count: 5, then: 'return' },
      onMessage: async (m) => {
        await new Promise((r) => setTimeout(r, 5));
        seen.push(m.i);
      },
    });
    expect(result).toMatchObject({ sent: 5 });
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it('lends an idle worker to the next run, also after a task that failed', async () => {
    const input = { count: 2, then: 'return' };
    type Result = { sent: number; thread: number };
    const first = await runWorkerTask<typeof input, unknown, Result>({ task, input });
    await refusal(runWorkerTask({ task, input: { count: 1, then: 'refuse' } }));
    const again = await runWorkerTask<typeof input, unknown, Result>({ task, input });
    // The same thread: no new loader and module graph to start.
    expect(again).toMatchObject({ sent: 2, thread: first.thread });
    // A thread stopped for its time budget is not lent again.
    await refusal(runWorkerTask({ task, input: { count: 0, then: 'spin' }, timeBudgetMs: 300 }));
    const fresh = await runWorkerTask<typeof input, unknown, Result>({ task, input });
    expect(fresh.thread).not.toBe(first.thread);
  });

  it('passes an AppError through with its kind and problems', async () => {
    const error = await refusal(runWorkerTask({ task, input: { count: 0, then: 'refuse' } }));
    expect(error.kind).toBe('too_large');
    expect(error.problems?.[0]?.code).toBe('limit.maxRows');
  });

  it('stops a task past its time budget or its heap cap (413)', async () => {
    const slow = await refusal(
      runWorkerTask({ task, input: { count: 0, then: 'spin' }, timeBudgetMs: 500 }),
    );
    expect(slow.problems?.[0]?.code).toBe('limit.timeBudgetMs');
    const hog = await refusal(
      runWorkerTask({ task, input: { count: 0, then: 'hog' }, maxHeapMb: 32 }),
    );
    expect(hog.problems?.[0]?.code).toBe('limit.maxWorkerHeapMb');
  });

  // Last: runWorkersInForeground is for the rest of the process (this file's).
  it('lowers a worker thread priority in a server, not in a one-shot command', async () => {
    const own = niceOfThisThread();
    if (own === null || process.platform !== 'linux') throw new Error('needs Linux /proc');
    const input = { count: 0, then: 'return' };
    type Result = { nice: number };
    const server = await runWorkerTask<typeof input, unknown, Result>({ task, input });
    expect(server.nice).toBe(Math.min(own + 10, 19));
    // The idle background thread is not lent to a foreground run.
    runWorkersInForeground();
    const command = await runWorkerTask<typeof input, unknown, Result>({ task, input });
    expect(command.nice).toBe(own);
  });
});
