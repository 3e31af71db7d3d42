// Scenario 5: price-list import through the CLI, as an operator runs it:
// `orderdesk import pricelist FILE --vendor northwind` on a fresh demo database, for a CSV and
// an XLSX file of 100,000 rows (new products, so every row is an insert). Each import is a
// child process; its wall time gives rows/s (CLI start-up included) and its peak RSS comes from
// the process itself (bench/lib/rss-reporter.js). Anchors: parsing the same file in-process
// with the same libraries (csv-parse, exceljs's streaming reader) and nothing else; for
// memory, the same import of a file ten times smaller — equal peaks mean memory is flat.
import { createReadStream, createWriteStream, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { seedDemo } from '@orderdesk/server';
import { findVendorBySlug, migrateToLatest, openStore } from '@orderdesk/store';
import { CATEGORY_KEYS, productAt } from '../lib/catalog-data.ts';
import { DEMO_PASSWORD } from '../lib/desk.ts';
import { CLI_BIN, RSS_REPORTER, runNode } from '../lib/proc.ts';
import type { BenchContext, Scenario } from '../lib/scenario.ts';
import { median } from '../lib/stats.ts';
import { judge, ratioOf, type ResultRow } from '../lib/table.ts';

const TYPES = ['subscription', 'service'] as const;
const HEADER = ['partNumber', 'name', 'type', 'category', 'listPrice', 'description'];

function rowAt(i: number): string[] {
  const p = productAt(i, TYPES);
  return [
    p.partNumber,
    p.name,
    p.type,
    CATEGORY_KEYS[p.category] ?? 'software.core',
    (p.listPriceMinor / 100).toFixed(2),
    p.description,
  ];
}

function csvCell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

async function writeCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  out.write(`${HEADER.join(',')}\n`);
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    chunk += `${rowAt(i).map(csvCell).join(',')}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

async function writeXlsx(file: string, rows: number): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: file,
    useStyles: false,
    useSharedStrings: false,
  });
  const ws = wb.addWorksheet('Price list');
  ws.addRow(HEADER).commit();
  for (let i = 0; i < rows; i++) {
    const r = rowAt(i);
    ws.addRow([r[0], r[1], r[2], r[3], Number(r[4]), r[5]]).commit();
  }
  ws.commit();
  await wb.commit();
}

/** Parse-only floor: reads every row of the file with the import's libraries, in-process. */
async function parseOnly(file: string, format: 'csv' | 'xlsx'): Promise<number> {
  let n = 0;
  if (format === 'csv') {
    const parser = createReadStream(file).pipe(parse({ bom: true, relax_column_count: true }));
    for await (const _row of parser) n++;
  } else {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {});
    for await (const ws of reader) {
      for await (const _row of ws) n++;
      break;
    }
  }
  return n - 1; // header
}

async function freshDb(ctx: BenchContext, name: string): Promise<string> {
  const file = join(ctx.tmp, `${name}.db`);
  rmSync(file, { force: true });
  rmSync(`${file}-wal`, { force: true });
  rmSync(`${file}-shm`, { force: true });
  const url = `sqlite:${file}`;
  const store = openStore(url, { poolSize: 1 });
  try {
    await migrateToLatest(store);
    await store.db.transaction().execute((tx) => seedDemo(tx, DEMO_PASSWORD, new Date()));
  } finally {
    await store.close();
  }
  return url;
}

interface ImportRun {
  ms: number;
  peakMb: number | null;
}

async function importOnce(
  ctx: BenchContext,
  file: string,
  rows: number,
  tag: string,
): Promise<ImportRun> {
  const url = await freshDb(ctx, `import-${tag}`);
  const rssFile = join(ctx.tmp, `rss-${tag}.txt`);
  rmSync(rssFile, { force: true });
  const run = await runNode(
    `orderdesk import pricelist (${tag})`,
    ['--import', RSS_REPORTER, CLI_BIN, 'import', 'pricelist', file, '--vendor', 'northwind'],
    { DATABASE_URL: url, BENCH_RSS_FILE: rssFile, LOG_LEVEL: 'silent' },
  );
  if (run.code !== 0) {
    throw new Error(`orderdesk import pricelist exited ${run.code}:\n${run.output}`);
  }
  const store = openStore(url, { poolSize: 1 });
  try {
    const vendor = await findVendorBySlug(store.db, 'northwind');
    const items = await store.db
      .selectFrom('price_list_items as i')
      .innerJoin('price_lists as l', 'l.id', 'i.price_list_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('l.vendor_id', '=', vendor?.id ?? '')
      .executeTakeFirst();
    if (Number(items?.n ?? 0) < rows) {
      throw new Error(
        `after importing ${rows} rows the northwind price lists hold ${items?.n ?? 0} items`,
      );
    }
  } finally {
    await store.close();
  }
  let peakMb: number | null = null;
  try {
    peakMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
  } catch {
    peakMb = null;
  }
  return { ms: run.ms, peakMb };
}

async function importAvailable(): Promise<boolean> {
  const help = await runNode('orderdesk import pricelist --help', [
    CLI_BIN,
    'import',
    'pricelist',
    '--help',
  ]);
  return help.code === 0;
}

export const priceListImport: Scenario = {
  name: 'import',
  title: 'Price-list import through the CLI: CSV and XLSX, rows/s and peak RSS (5)',
  async run(ctx) {
    const rows = ctx.quick ? 10_000 : 100_000;
    const small = rows / 10;
    const repeats = ctx.quick ? 1 : 3;
    if (!(await importAvailable())) {
      ctx.log('import: `orderdesk import pricelist` is not there yet: skipped');
      return (['CSV', 'XLSX'] as const).map((f) => ({
        scenario: '5 import',
        figure: `${f} import, ${rows.toLocaleString('en-US')} rows`,
        value: null,
        unit: 'rows/s',
        note: 'not measured: the CLI command `orderdesk import pricelist` has not landed',
      }));
    }
    const out: ResultRow[] = [];
    for (const format of ['csv', 'xlsx'] as const) {
      const big = join(ctx.tmp, `pricelist-${rows}.${format}`);
      const little = join(ctx.tmp, `pricelist-${small}.${format}`);
      const write = format === 'csv' ? writeCsv : writeXlsx;
      await write(big, rows);
      await write(little, small);
      const parseMs: number[] = [];
      for (let r = 0; r < repeats; r++) {
        const t0 = performance.now();
        const n = await parseOnly(big, format);
        parseMs.push(performance.now() - t0);
        if (n !== rows) throw new Error(`parse-only read ${n} rows of ${rows}`);
      }
      const runs: ImportRun[] = [];
      for (let r = 0; r < repeats; r++)
        runs.push(await importOnce(ctx, big, rows, `${format}-${r}`));
      const littleRun = await importOnce(ctx, little, small, `${format}-small`);
      const ms = median(runs.map((r) => r.ms));
      const rps = rows / (ms / 1000);
      const parseRps = rows / (median(parseMs) / 1000);
      const peaks = runs.map((r) => r.peakMb).filter((m): m is number => m !== null);
      const peak = peaks.length > 0 ? median(peaks) : null;
      const label = format.toUpperCase();
      const limitS = format === 'csv' ? 5 : 15;
      ctx.log(
        `import: ${label} ${rows} rows in ${(ms / 1000).toFixed(1)} s (${rps.toFixed(0)} rows/s), ` +
          `peak RSS ${peak?.toFixed(0) ?? '?'} MB (${small} rows: ${littleRun.peakMb?.toFixed(0) ?? '?'} MB)`,
      );
      const flat = ratioOf(peak, littleRun.peakMb);
      out.push(
        {
          scenario: '5 import',
          figure: `${label} import, ${rows.toLocaleString('en-US')} rows (${(ms / 1000).toFixed(1)} s)`,
          value: rps,
          unit: 'rows/s',
          anchor: { label: 'parse only, in-process', value: parseRps, unit: 'rows/s' },
          ratio: ratioOf(rps, parseRps),
          ...(rows >= 100_000
            ? {
                target: {
                  text: `< ${limitS} s (≥ ${Math.round(rows / limitS).toLocaleString('en-US')} rows/s)`,
                  met: judge(ms, (x) => x < limitS * 1000),
                },
              }
            : {}),
        },
        {
          scenario: '5 import',
          figure: `${label} import peak RSS, ${rows.toLocaleString('en-US')} rows`,
          value: peak,
          unit: 'MB',
          anchor: {
            label: `same import, ${small.toLocaleString('en-US')} rows`,
            value: littleRun.peakMb,
            unit: 'MB',
          },
          ratio: flat,
          target: { text: 'flat: ≤ 1.25× the small import', met: judge(flat, (x) => x <= 1.25) },
        },
      );
    }
    return out;
  },
};
