// `orderdesk import pricelist` and `orderdesk export pricelist` end to end: a real process on
// a temporary database of each dialect, with CSV and XLSX files of a few hundred rows. The
// 100,000-row imports are the bench's (bench/scenarios/price-list-import.ts), not `npm test`'s:
// at that size the files alone outgrew the hook timeout and the tests were reported skipped.
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '@orderdesk/store';
import { createTestDatabaseUrl, testDialects } from '@orderdesk/store/testing';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'packages/cli/bin/orderdesk.js');
const ROWS = 300;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function orderdesk(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** One generated row: a northwind service (the types northwind sells) with a price. */
function row(i: number, prefix: string): [string, string, string, string, string, string] {
  return [
    `${prefix}-${String(i).padStart(6, '0')}`,
    `Generated service ${i}`,
    'service',
    `Generated / Group ${i % 20}`,
    `${i % 5000}.${String(i % 100).padStart(2, '0')}`,
    `Generated for the import test, row ${i}, "quoted"`,
  ];
}

async function writeCsv(file: string, prefix: string): Promise<void> {
  const out = createWriteStream(file);
  out.write('partNumber,name,type,category,listPrice,description\n');
  for (let i = 0; i < ROWS; i++) {
    const cells = row(i, prefix).map((c) => (/[",]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c));
    if (!out.write(`${cells.join(',')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function writeXlsx(file: string, prefix: string): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: file,
    useSharedStrings: true,
  });
  const sheet = workbook.addWorksheet('Price list');
  sheet.addRow(['Part Number', 'Name', 'Type', 'Category', 'List Price', 'Description']).commit();
  for (let i = 0; i < ROWS; i++) {
    const cells: (string | number)[] = row(i, prefix);
    cells[4] = Number(cells[4]); // prices as spreadsheet numbers, as Excel users type them
    sheet.addRow(cells).commit();
  }
  sheet.commit();
  await workbook.commit();
}

describe.each(testDialects())('orderdesk import/export pricelist on %s', (dialect) => {
  let dir: string;
  let env: Record<string, string>;
  let store: Store;

  const count = async (table: 'price_lists' | 'products'): Promise<number> => {
    const r = await store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };
  const itemsOf = async (id: string): Promise<number> => {
    const r = await store.db
      .selectFrom('price_list_items')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('price_list_id', '=', id)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };
  const newListId = (stdout: string): string => /\((prl_[0-9a-z]+)\)/.exec(stdout)?.[1] ?? '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orderdesk-cli-'));
    env = { DATABASE_URL: await createTestDatabaseUrl(dialect, join(dir, 'od.db')) };
    const seeded = await orderdesk(['seed', '--demo'], env);
    expect(seeded.code, seeded.stderr).toBe(0);
    store = openStore(env.DATABASE_URL ?? '');
    await Promise.all([
      writeCsv(join(dir, 'prices.csv'), 'GEN'),
      writeXlsx(join(dir, 'prices.xlsx'), 'GEX'),
    ]);
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports a CSV with a progress bar and records the import', async () => {
    const run = await orderdesk(
      ['import', 'pricelist', join(dir, 'prices.csv'), '--vendor', 'northwind'],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Imported 300 rows as northwind USD price list v2 /);
    expect(run.stdout).toContain('300 products created');
    expect(run.stderr).toMatch(/Importing \|.*\| \d+% \| \d+ rows/);
    expect(run.stderr).toContain('100%');
    const id = newListId(run.stdout);
    expect(await itemsOf(id)).toBe(ROWS);
    // One event, as an import through the API records, by the operator.
    const events = await store.db
      .selectFrom('audit_events')
      .select(['type', 'actor_label', 'actor_user_id'])
      .where('entity_id', '=', id)
      .execute();
    expect(events).toEqual([
      {
        type: 'price_list.imported',
        actor_label: 'orderdesk import pricelist',
        actor_user_id: null,
      },
    ]);
  });

  it('imports an XLSX (shared strings, numeric prices) with a progress bar', async () => {
    const run = await orderdesk(
      [
        'import',
        'pricelist',
        join(dir, 'prices.xlsx'),
        '--vendor',
        'northwind',
        '--effective-from',
        '2030-01-01',
      ],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Imported 300 rows as northwind USD price list v3 .*2030-01-01/);
    expect(run.stderr).toContain('100%');
    const id = newListId(run.stdout);
    expect(await itemsOf(id)).toBe(ROWS);
    const item = await store.db
      .selectFrom('price_list_items')
      .select('list_price_minor')
      .where('price_list_id', '=', id)
      .where('part_number', '=', 'GEX-000245')
      .executeTakeFirstOrThrow();
    expect(item.list_price_minor).toBe(24_545); // row 245: "245.45"
  });

  it('rejects a file with five bad rows, naming each, and writes nothing', async () => {
    const file = join(dir, 'bad.csv');
    const good = Array.from({ length: 250 }, (_, i) => row(i, 'BAD').join(','));
    const lines = [
      'partNumber,name,type,category,listPrice,effectiveFrom',
      ...good.map((l) => `${l.split(',').slice(0, 5).join(',')},2031-01-01`),
      'BAD-X1,Unknown type,gizmo,Generated,1.00,2031-01-01',
      'BAD-X2,Negative price,service,Generated,-1.00,2031-01-01',
      'BAD-000003,Duplicate,service,Generated,1.00,2031-01-01',
      'BAD-X4,Bad date,service,Generated,1.00,31/01/2031',
      'BAD-X5,,service,Generated,1.00,2031-01-01',
    ];
    await import('node:fs/promises').then((fs) => fs.writeFile(file, `${lines.join('\n')}\n`));
    const before = { lists: await count('price_lists'), products: await count('products') };
    const run = await orderdesk(['import', 'pricelist', file, '--vendor', 'northwind'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('5 problem(s); nothing was imported');
    for (const expected of [
      'row 252/type: Unknown type "gizmo"',
      'row 253/listPrice: Negative price -1.00',
      'row 254/partNumber: BAD-000003 is also on row 5',
      'row 255/effectiveFrom: Bad date "31/01/2031"',
      'row 256/name: Name is empty',
    ]) {
      expect(run.stderr).toContain(expected);
    }
    expect({ lists: await count('price_lists'), products: await count('products') }).toEqual(
      before,
    );
  });

  it('moves the progress bar while a wholly wrong file is being refused', async () => {
    const file = join(dir, 'all-bad.csv');
    const lines = ['partNumber,name,type,category,listPrice'];
    for (let i = 0; i < 3000; i++) lines.push(`ALLBAD-${i},Bad ${i},gizmo,Generated,1.00`);
    await import('node:fs/promises').then((fs) => fs.writeFile(file, `${lines.join('\n')}\n`));
    const before = { lists: await count('price_lists'), products: await count('products') };
    const run = await orderdesk(['import', 'pricelist', file, '--vendor', 'northwind'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('3000 problem(s); nothing was imported');
    // The bar reached the end of the file, counting the rejected rows as it went.
    expect(run.stderr).toMatch(/Importing \|.*\| 100% \| 3000 rows/);
    expect({ lists: await count('price_lists'), products: await count('products') }).toEqual(
      before,
    );
  });

  it('refuses a file past the configured limits (UPLOAD_MAX_ROWS) with the reason', async () => {
    const run = await orderdesk(
      ['import', 'pricelist', join(dir, 'prices.csv'), '--vendor', 'northwind'],
      {
        ...env,
        UPLOAD_MAX_ROWS: '100',
      },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('The file has more than 100 rows');
  });

  it('exports the price list in force as CSV and XLSX', async () => {
    const csv = join(dir, 'out.csv');
    const run = await orderdesk(
      ['export', 'pricelist', '--vendor', 'northwind', '--format', 'csv', '--out', csv],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Wrote ${ROWS} rows of northwind USD price list v2`);
    const lines = readFileSync(csv, 'utf8').trim().split('\r\n');
    expect(lines).toHaveLength(ROWS + 1);
    expect(lines[1]).toMatch(/^GEN-000000,Generated service 0,service,generated\.group-0,0\.00,/);

    const xlsx = join(dir, 'out.xlsx');
    const x = await orderdesk(
      ['export', 'pricelist', '--vendor', 'edgeworks', '--format', 'xlsx', '--out', xlsx],
      env,
    );
    expect(x.code, x.stderr).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(xlsx);
    expect(workbook.worksheets[0]?.getRow(1).getCell(1).value).toBe('partNumber');
    expect(workbook.worksheets[0]?.rowCount).toBeGreaterThan(50);

    const missing = await orderdesk(
      ['export', 'pricelist', '--vendor', 'nope', '--format', 'csv', '--out', csv],
      env,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Vendor not found');
  });
});
