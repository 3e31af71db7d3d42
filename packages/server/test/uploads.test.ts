// Hostile uploads (issue 13, point 1), over real HTTP on both databases: each file that once
// took the server down is refused with 413 and the reason, quickly and with bounded memory;
// meanwhile another tenant's GET /api/v1/orders keeps answering within 250 ms (the issue's
// acceptance point, in its own test); a refused or failed import leaves nothing, not even
// staged rows; a good import is staged in chunks and appears to readers all at once.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, deflateRawSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { actorFromUser, createApiToken } from '@orderdesk/app';
import { findUserByEmail, findVendorBySlug } from '@orderdesk/store';
import { testDialects } from '@orderdesk/store/testing';
import { createTestApp, type TestApp } from './harness.ts';

const ADMIN = 'admin@northwind.example';
const OTHER_TENANT = 'buyer@contoso.example';
const CSV = 'text/csv';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADER = 'partNumber,name,type,category,listPrice\n';

/** Uploads files one after the other (argv: base, token, files) and prints their statuses. */
const UPLOADER = `
import { readFileSync } from 'node:fs';
const { base, token, files } = JSON.parse(process.argv[1]);
const statuses = [];
for (const file of files) {
  const res = await fetch(base + '/api/v1/vendors/northwind/price-lists', {
    method: 'POST',
    headers: { authorization: 'Bearer ' + token, 'content-type': file.type },
    body: readFileSync(file.path),
  });
  await res.arrayBuffer();
  statuses.push(res.status);
}
process.stdout.write(JSON.stringify(statuses));
`;

// ---- hostile files, built by hand (a part of gigabytes from one deflated block repeated) ----

interface Part {
  name: string;
  data: Buffer;
  size: number;
}

function deflated(name: string, text: string): Part {
  return { name, data: deflateRawSync(Buffer.from(text)), size: Buffer.byteLength(text) };
}

function repeated(name: string, head: string, unit: string, times: number, tail: string): Part {
  const per = Math.max(1, Math.floor((1 << 20) / unit.length));
  const flush = { finishFlush: constants.Z_FULL_FLUSH };
  const block = deflateRawSync(Buffer.from(unit.repeat(per)), flush);
  const chunks = [deflateRawSync(Buffer.from(head), flush)];
  for (let i = 0; i < Math.floor(times / per); i++) chunks.push(block);
  chunks.push(deflateRawSync(Buffer.from(unit.repeat(times % per) + tail)));
  const size = head.length + unit.length * times + tail.length;
  return { name, data: Buffer.concat(chunks), size };
}

function zip(parts: readonly Part[]): Buffer {
  const out: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const name = Buffer.from(p.name);
    const size = Math.min(p.size, 0xfffffffe);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(p.data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    out.push(local, name, p.data);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(p.data.length, 20);
    entry.writeUInt32LE(size, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, name);
    offset += 30 + name.length + p.data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...out, directory, end]);
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const SHEET_HEAD = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${NS}"><sheetData>`;
const HEADER_ROW =
  '<row r="1">' +
  ['partNumber', 'name', 'type', 'category', 'listPrice']
    .map((h, i) => `<c r="${'ABCDE'[i]}1" t="inlineStr"><is><t>${h}</t></is></c>`)
    .join('') +
  '</row>';

function workbook(sheet: Part, sharedStrings?: Part): Buffer {
  return zip([
    deflated(
      'xl/workbook.xml',
      `<workbook xmlns="${NS}" xmlns:r="${REL}"><sheets><sheet name="P" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
    deflated(
      'xl/_rels/workbook.xml.rels',
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        `<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    ),
    { ...sheet, name: 'xl/worksheets/sheet1.xml' },
    ...(sharedStrings ? [{ ...sharedStrings, name: 'xl/sharedStrings.xml' }] : []),
  ]);
}

/** The files: a 4 MB shared-strings bomb, cells in column XFD, 50 M commas, a 50 MB line. */
function hostileFiles(): { label: string; body: Buffer; type: string; code: RegExp }[] {
  const sharedStrings = workbook(
    deflated('s', `${SHEET_HEAD}${HEADER_ROW}</sheetData></worksheet>`),
    repeated('sst', `<sst xmlns="${NS}">`, '<si><t>x</t></si>', 100_000_000, '</sst>'),
  );
  const xfd = workbook(
    repeated(
      's',
      SHEET_HEAD + HEADER_ROW,
      '<row><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>',
      40_000,
      '</sheetData></worksheet>',
    ),
  );
  return [
    {
      label: 'XLSX whose shared strings hold 100 M entries',
      body: sharedStrings,
      type: XLSX,
      code: /^limit\.maxUncompressedBytes$/,
    },
    { label: 'XLSX with cells in column XFD', body: xfd, type: XLSX, code: /^limit\.maxColumns$/ },
    {
      label: 'CSV row of 50 M commas',
      body: Buffer.concat([Buffer.from(HEADER), Buffer.alloc(50_000_000, ',')]),
      type: CSV,
      code: /^limit\.maxColumns$/,
    },
    {
      label: 'CSV line of 50 MB without a newline',
      body: Buffer.concat([Buffer.from(HEADER), Buffer.alloc(50_000_000, 'x')]),
      type: CSV,
      code: /^limit\.max(Cell|Record)Bytes$/,
    },
  ];
}

/** A CSV of `rows` rows, every one of them wrong (an unknown type): refused after all are read. */
function allBadCsv(rows: number): Buffer {
  let text = HEADER;
  for (let i = 0; i < rows; i++) text += `NW-BAD-${i},Bad row ${i},gizmo,Bulk,1.00\n`;
  return Buffer.from(text);
}

function goodCsv(prefix: string, rows: number, badAt?: number): Buffer {
  let text = HEADER;
  for (let i = 0; i < rows; i++) {
    const type = i === badAt ? 'gizmo' : 'service';
    text += `${prefix}-${String(i).padStart(6, '0')},Item ${i},${type},Bulk / Items,${i % 900}.25\n`;
  }
  return Buffer.from(text);
}

describe.each(testDialects())('hostile uploads on %s', (dialect) => {
  let t: TestApp;
  let base: string;
  let adminToken: string;
  let otherToken: string;
  let vendorId: string;

  const tokenOf = async (email: string): Promise<string> => {
    const user = await findUserByEmail(t.store.db, email);
    if (!user) throw new Error(`no demo user ${email}`);
    const actor = await actorFromUser(t.store.db, user, 'token');
    return (await createApiToken(t.ctx, actor, { name: 'uploads test' })).token;
  };
  const upload = async (
    body: Buffer,
    type: string,
    query = '',
  ): Promise<{ status: number; json: Record<string, unknown>; ms: number }> => {
    const started = performance.now();
    const res = await fetch(`${base}/api/v1/vendors/northwind/price-lists${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': type },
      body,
    });
    const json = (await res.json()) as Record<string, unknown>;
    return { status: res.status, json, ms: performance.now() - started };
  };
  const ordersOfOtherTenant = async (): Promise<number> => {
    const started = performance.now();
    const res = await fetch(`${base}/api/v1/orders?limit=20`, {
      headers: { authorization: `Bearer ${otherToken}` },
    });
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    return performance.now() - started;
  };
  const counts = async (): Promise<Record<string, number>> => {
    const db = t.store.db;
    const n = async (table: 'products' | 'price_lists' | 'categories'): Promise<number> =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('vendor_id', '=', vendorId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const all = async (table: 'import_runs' | 'import_price_rows'): Promise<number> =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      products: await n('products'),
      priceLists: await n('price_lists'),
      categories: await n('categories'),
      stagings: await all('import_runs'),
      stagedRows: await all('import_price_rows'),
    };
  };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    adminToken = await tokenOf(ADMIN);
    otherToken = await tokenOf(OTHER_TENANT);
    vendorId = (await findVendorBySlug(t.store.db, 'northwind'))?.id ?? '';
    await ordersOfOtherTenant(); // warm-up
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses each hostile file with 413 and the reason, within 5 s and 150 MB, writing nothing', async () => {
    const before = await counts();
    for (const file of hostileFiles()) {
      global.gc?.();
      const idle = process.memoryUsage().rss;
      let peak = idle;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 10);
      const res = await upload(file.body, file.type);
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      expect(res.status, `${file.label}: ${JSON.stringify(res.json)}`).toBe(413);
      const errors = res.json.errors as { path: string; code: string; message: string }[];
      expect(errors[0]?.code, file.label).toMatch(file.code);
      expect(String(res.json.detail)).toBe(errors[0]?.message);
      expect(res.ms, file.label).toBeLessThan(5000);
      // The bodies themselves (≤ 50 MB) were allocated before `idle` was read.
      expect((peak - idle) / 2 ** 20, `${file.label}: MB over idle`).toBeLessThan(150);
    }
    expect(await counts()).toEqual(before);
  });

  // A wall-clock bound on a shared CI host: a GC pause or a neighbour's burst can cost one run,
  // so it gets two more tries; an import that blocks the event loop fails all three.
  it(
    "keeps another tenant's GET /api/v1/orders within 250 ms while bad files are refused",
    { retry: 2 },
    async () => {
      // The uploads come from another process, as a client's would: the server's event loop
      // then carries only the server's share of the work.
      const dir = mkdtempSync(join(tmpdir(), 'orderdesk-uploads-'));
      const files = [
        ...hostileFiles(),
        { label: 'all bad', body: allBadCsv(100_000), type: CSV },
      ].map((f, i) => {
        const path = join(dir, `file-${i}`);
        writeFileSync(path, f.body);
        return { path, type: f.type };
      });
      let uploading = true;
      const uploads = new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            UPLOADER,
            JSON.stringify({ base, token: adminToken, files }),
          ],
          { maxBuffer: 16 * 1024 * 1024 },
          (error, stdout) => (error ? reject(new Error(error.message)) : resolve(stdout)),
        );
      }).finally(() => {
        uploading = false;
      });
      const latencies: number[] = [];
      try {
        while (uploading) {
          latencies.push(await ordersOfOtherTenant());
          await new Promise((r) => setTimeout(r, 20));
        }
        const statuses = JSON.parse(await uploads) as number[];
        expect(statuses).toEqual([413, 413, 413, 413, 422]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      expect(latencies.length).toBeGreaterThanOrEqual(10);
      const slowest = Math.max(...latencies);
      expect(
        slowest,
        `${latencies.length} requests, slowest ${slowest.toFixed(0)} ms`,
      ).toBeLessThanOrEqual(250);
    },
  );

  it('reports every bad row of a wholly wrong file (1,000 listed, the rest counted)', async () => {
    const res = await upload(allBadCsv(3000), CSV);
    expect(res.status).toBe(422);
    const errors = res.json.errors as { path: string; code: string; message: string }[];
    expect(errors).toHaveLength(1001);
    expect(errors[0]).toMatchObject({ path: 'row 2/type', code: 'invalid' });
    expect(errors.at(-1)?.message).toBe('2000 more problem(s) not listed');
    expect(res.json.detail).toBe('The price list has 3000 problem(s); nothing was imported');
  });

  it('discards the chunks staged before a bad row: nothing visible, nothing left staged', async () => {
    const before = await counts();
    const res = await upload(goodCsv('NW-HALF', 5000, 4500), CSV);
    expect(res.status).toBe(422);
    expect((res.json.errors as { path: string }[]).map((e) => e.path)).toEqual(['row 4502/type']);
    expect(await counts()).toEqual(before);
  });

  it('stages a good import in chunks and shows it to readers all at once', async () => {
    const rows = 20_000;
    const before = (await counts()) as { products: number; priceLists: number };
    const first = 'NW-ATOM-000000';
    const last = `NW-ATOM-${String(rows - 1).padStart(6, '0')}`;
    const seen = async (partNumber: string): Promise<boolean> => {
      const res = await fetch(`${base}/api/v1/products/${partNumber}?vendor=northwind`, {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      await res.arrayBuffer();
      return res.status === 200;
    };
    let done = false;
    const importing = upload(goodCsv('NW-ATOM', rows), CSV, '?effectiveFrom=2031-01-01').finally(
      () => {
        done = true;
      },
    );
    let stagedWhileInvisible = 0;
    const observations: [boolean, boolean][] = [];
    while (!done) {
      const staged = (await counts()).stagedRows ?? 0;
      const firstSeen = await seen(first);
      const pair: [boolean, boolean] = [firstSeen, await seen(last)];
      observations.push(pair);
      if (staged > 0 && !pair[0] && !pair[1])
        stagedWhileInvisible = Math.max(stagedWhileInvisible, staged);
      await new Promise((r) => setTimeout(r, 10));
    }
    const res = await importing;
    expect(res.status, JSON.stringify(res.json).slice(0, 300)).toBe(201);
    expect(res.json).toMatchObject({ rowCount: rows, productsCreated: rows, productsUpdated: 0 });
    // Never the first row without the last, looked up after it: all or nothing.
    for (const [firstSeen, lastSeen] of observations) expect(firstSeen && !lastSeen).toBe(false);
    // Rows were in the staging area, in chunks, before anything was visible.
    expect(stagedWhileInvisible).toBeGreaterThan(0);
    expect(stagedWhileInvisible % 1000).toBe(0);
    // The staging is deleted just after the answer is sent.
    await vi.waitFor(async () => expect((await counts()).stagings).toBe(0), { timeout: 10_000 });
    const after = await counts();
    expect(after).toMatchObject({
      products: before.products + rows,
      priceLists: before.priceLists + 1,
      stagings: 0,
      stagedRows: 0,
    });
    expect(await seen(first)).toBe(true);
  });

  it('takes its limits from the environment (UPLOAD_MAX_ROWS …)', async () => {
    const small = await createTestApp(dialect, { UPLOAD_MAX_ROWS: 10, UPLOAD_MAX_COLUMNS: 6 });
    try {
      const admin = small.as(ADMIN);
      const send = (csv: Buffer) =>
        admin.request({
          method: 'POST',
          url: '/api/v1/vendors/northwind/price-lists',
          payload: csv,
          headers: { 'content-type': CSV },
        });
      const rows = await send(goodCsv('NW-LIM', 11));
      expect(rows.statusCode, rows.body).toBe(413);
      expect(rows.json().errors[0]).toMatchObject({ code: 'limit.maxRows' });
      expect(rows.json().detail).toContain('more than 10 rows');
      const columns = await send(Buffer.from(`${HEADER.trim()},a,b,c\nX,Y,service,Z,1.00,1,2,3\n`));
      expect(columns.statusCode).toBe(413);
      expect(columns.json().errors[0]).toMatchObject({ code: 'limit.maxColumns', path: 'row 1' });
      expect((await send(goodCsv('NW-LIM', 10))).statusCode).toBe(201);
    } finally {
      await small.close();
    }
  });
});
