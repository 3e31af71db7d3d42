// Scenario 5: price-list import through the CLI, as an operator runs it:
// `orderdesk import pricelist FILE --vendor northwind` on a fresh demo database, for CSV and
// XLSX files of 10,000 and 100,000 rows [1,000 and 10,000] (new products, so every row is an
// insert). Each import is a child process; its wall time gives rows/s (CLI start-up included)
// and its peak RSS (main and worker threads) comes from the process itself
// (bench/lib/rss-reporter.js). Anchors: parsing the same file in-process with the import's own
// readers (readPriceListRows: csv-parse behind the CSV guard, the bounded XLSX reader) and
// nothing else; for memory, the same import of the file ten times smaller — "flat" means the
// large import's peak is at most 1.25× the small one's (issue 12, point 4). The large file is
// also imported in this process: once as the CLI does it (importPriceList: on SQLite the rows
// go into the catalog as they are read, in one transaction), which is the import itself
// without the CLI's start-up; and once through the staged steps the API runs (parser thread
// and staging, publishing, discarding the staging), each step timed on its own.
import { createReadStream, createWriteStream, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import {
  LoginThrottle,
  discardPriceListImport,
  importPriceList,
  publishPriceListImport,
  readPriceListRows,
  stagePriceListImport,
  systemClock,
} from '@orderdesk/app';
import { loadConfig, seedDemo } from '@orderdesk/server';
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

/** Parse-only floor: reads every row of the file with the import's own readers, in-process. */
async function parseOnly(file: string, format: 'csv' | 'xlsx'): Promise<number> {
  let n = 0;
  const source = format === 'csv' ? createReadStream(file) : { path: file };
  for await (const _row of readPriceListRows(source, format)) n++;
  return n;
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

/** The steps of one staged import in this process (ms), and the CLI's import itself. */
interface InProcessRun {
  /** importPriceList, as the CLI runs it, without the CLI's start-up. */
  importMs: number;
  /** Reading and checking the file on the parser thread while its rows are staged. */
  stageMs: number;
  /** The one publishing transaction (products, word index, items). */
  publishMs: number;
  /** Deleting the staged rows. */
  discardMs: number;
}

/**
 * The import itself, in this process, on fresh demo databases: importPriceList as the CLI
 * runs it; then the three steps of the API's staged import, each timed.
 */
async function importInProcess(
  ctx: BenchContext,
  file: string,
  format: 'csv' | 'xlsx',
  rows: number,
): Promise<InProcessRun> {
  const importMs = await importDirectly(ctx, file, format, rows);
  const url = await freshDb(ctx, `import-${format}-in-process`);
  const store = openStore(url, { poolSize: 2 });
  try {
    const config = loadConfig({ ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' });
    const app = {
      store,
      clock: systemClock,
      config,
      loginThrottle: new LoginThrottle(config.LOGIN_WINDOW_MINUTES * 60_000),
      now: () => systemClock.now(),
    };
    const by = { operator: 'bench' };
    const t0 = performance.now();
    const staged = await stagePriceListImport(app, by, {
      vendor: 'northwind',
      format,
      source: { path: file },
      sourceName: 'bench',
    });
    const t1 = performance.now();
    const result = await publishPriceListImport(app, by, staged).catch(async (error: unknown) => {
      await discardPriceListImport(app, staged);
      throw error;
    });
    const t2 = performance.now();
    await discardPriceListImport(app, staged);
    const t3 = performance.now();
    if (result.rowCount !== rows) throw new Error(`imported ${result.rowCount} rows of ${rows}`);
    return { importMs, stageMs: t1 - t0, publishMs: t2 - t1, discardMs: t3 - t2 };
  } finally {
    await store.close();
  }
}

/** importPriceList in this process, as the CLI calls it, on a fresh demo database (ms). */
async function importDirectly(
  ctx: BenchContext,
  file: string,
  format: 'csv' | 'xlsx',
  rows: number,
): Promise<number> {
  const url = await freshDb(ctx, `import-${format}-direct`);
  const store = openStore(url, { poolSize: 2 });
  try {
    const config = loadConfig({ ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' });
    const app = {
      store,
      clock: systemClock,
      config,
      loginThrottle: new LoginThrottle(config.LOGIN_WINDOW_MINUTES * 60_000),
      now: () => systemClock.now(),
    };
    const t0 = performance.now();
    const result = await importPriceList(
      app,
      { operator: 'bench' },
      {
        vendor: 'northwind',
        format,
        source: { path: file },
        sourceName: 'bench',
      },
    );
    const ms = performance.now() - t0;
    if (result.rowCount !== rows) throw new Error(`imported ${result.rowCount} rows of ${rows}`);
    return ms;
  } finally {
    await store.close();
  }
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
  title: 'Price-list import through the CLI: CSV and XLSX, wall time and peak RSS (5)',
  async run(ctx) {
    const large = ctx.quick ? 10_000 : 100_000;
    const small = large / 10;
    const repeats = ctx.quick ? 1 : 3;
    if (!(await importAvailable())) {
      ctx.log('import: `orderdesk import pricelist` is not there yet: skipped');
      return (['CSV', 'XLSX'] as const).map((f) => ({
        scenario: '5 import',
        figure: `${f} import, ${large.toLocaleString('en-US')} rows`,
        value: null,
        unit: 'rows/s',
        note: 'not measured: the CLI command `orderdesk import pricelist` has not landed',
      }));
    }
    const out: ResultRow[] = [];
    for (const format of ['csv', 'xlsx'] as const) {
      const label = format.toUpperCase();
      // Issue 12: 100,000 rows in < 5 s (CSV) and < 10 s (XLSX), CLI start-up included.
      const limitS = format === 'csv' ? 5 : 10;
      const write = format === 'csv' ? writeCsv : writeXlsx;
      const measured: { rows: number; ms: number; peakMb: number | null; parseRps: number }[] = [];
      let inProcess: InProcessRun = { importMs: 0, stageMs: 0, publishMs: 0, discardMs: 0 };
      for (const rows of [small, large]) {
        const file = join(ctx.tmp, `pricelist-${rows}.${format}`);
        await write(file, rows);
        const parseMs: number[] = [];
        for (let r = 0; r < repeats; r++) {
          const t0 = performance.now();
          const n = await parseOnly(file, format);
          parseMs.push(performance.now() - t0);
          if (n !== rows) throw new Error(`parse-only read ${n} rows of ${rows}`);
        }
        const runs: ImportRun[] = [];
        for (let r = 0; r < repeats; r++) {
          runs.push(await importOnce(ctx, file, rows, `${format}-${rows}-${r}`));
        }
        if (rows === large) inProcess = await importInProcess(ctx, file, format, rows);
        const peaks = runs.map((r) => r.peakMb).filter((m): m is number => m !== null);
        measured.push({
          rows,
          ms: median(runs.map((r) => r.ms)),
          peakMb: peaks.length > 0 ? median(peaks) : null,
          parseRps: rows / (median(parseMs) / 1000),
        });
      }
      const [little, big] = measured as [(typeof measured)[0], (typeof measured)[0]];
      ctx.log(
        `import: ${label} ${big.rows} rows in ${(big.ms / 1000).toFixed(1)} s, peak RSS ` +
          `${big.peakMb?.toFixed(0) ?? '?'} MB; ${little.rows} rows in ${(little.ms / 1000).toFixed(1)} s, ` +
          `peak ${little.peakMb?.toFixed(0) ?? '?'} MB`,
      );
      for (const m of measured) {
        const rps = m.rows / (m.ms / 1000);
        out.push({
          scenario: '5 import',
          figure: `${label} import, ${m.rows.toLocaleString('en-US')} rows (${(m.ms / 1000).toFixed(1)} s)`,
          value: rps,
          unit: 'rows/s',
          anchor: { label: 'parse only, in-process', value: m.parseRps, unit: 'rows/s' },
          ratio: ratioOf(rps, m.parseRps),
          ...(m.rows >= 100_000
            ? {
                target: {
                  text: `< ${limitS} s (≥ ${Math.round(m.rows / limitS).toLocaleString('en-US')} rows/s)`,
                  met: judge(m.ms, (x) => x < limitS * 1000),
                },
              }
            : {}),
        });
      }
      const inProcessMs = inProcess.importMs;
      const stagedMs = inProcess.stageMs + inProcess.publishMs + inProcess.discardMs;
      const seconds = (ms: number): string => (ms / 1000).toFixed(1);
      ctx.log(
        `import: ${label} ${big.rows} rows in-process (no CLI start-up) in ${seconds(inProcessMs)} s; ` +
          `the API's staged steps ${seconds(stagedMs)} s: ` +
          `read, check and stage ${seconds(inProcess.stageMs)} s, publish ${seconds(inProcess.publishMs)} s, ` +
          `discard the staging ${seconds(inProcess.discardMs)} s`,
      );
      out.push({
        scenario: '5 import',
        figure: `${label} import itself, ${big.rows.toLocaleString('en-US')} rows, in-process, no CLI start-up (${(inProcessMs / 1000).toFixed(1)} s)`,
        value: big.rows / (inProcessMs / 1000),
        unit: 'rows/s',
        anchor: { label: 'parse only, in-process', value: big.parseRps, unit: 'rows/s' },
        ratio: ratioOf(big.rows / (inProcessMs / 1000), big.parseRps),
        note: 'importPriceList as the CLI runs it: on SQLite the rows go into the catalog as they are read, in one transaction (no staging)',
      });
      // The API's staged import (POST /vendors/{slug}/price-lists), step by step: the
      // publishing transaction also indexes every new product for word search (on SQLite in
      // JavaScript, batch by batch: search-index.repository.ts).
      for (const [step, ms] of [
        ['read, check and stage (parser thread + staging writes)', inProcess.stageMs],
        ['publish (one transaction: products, search indexing, items)', inProcess.publishMs],
        ['discard the staging', inProcess.discardMs],
      ] as const) {
        out.push({
          scenario: '5 import',
          figure: `${label} import itself, ${big.rows.toLocaleString('en-US')} rows: ${step}`,
          value: ms / 1000,
          unit: 's',
          note: "the API's staged path; the CLI no longer stages on SQLite",
        });
      }
      out.push({
        scenario: '5 import',
        figure: `${label} import peak RSS, ${little.rows.toLocaleString('en-US')} rows`,
        value: little.peakMb,
        unit: 'MB',
      });
      const flat = ratioOf(big.peakMb, little.peakMb);
      out.push({
        scenario: '5 import',
        figure: `${label} import peak RSS, ${big.rows.toLocaleString('en-US')} rows`,
        value: big.peakMb,
        unit: 'MB',
        anchor: {
          label: `same import, ${little.rows.toLocaleString('en-US')} rows`,
          value: little.peakMb,
          unit: 'MB',
        },
        ratio: flat,
        target: { text: 'flat: ≤ 1.25× the small import', met: judge(flat, (x) => x <= 1.25) },
      });
    }
    return out;
  },
};
