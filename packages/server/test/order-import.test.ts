// The Excel order template and its import (issue 10, point 5; API.md "Mail", Excel): the
// template carries the order type's fields with help, part-number lists and the partner's net
// prices; a filled-in template imports valid; problems point at Sheet!Cell; submit=true with
// an Idempotency-Key places the order once; workbooks from other writers read back; hostile
// files are refused with a reason. Both databases.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findUserByEmail,
  insertUser,
  migrateToLatest,
  openStore,
  type Store,
} from '@orderdesk/store';
import { createTestDatabaseUrl, testDialects } from '@orderdesk/store/testing';
import {
  DEFAULT_APP_SETTINGS,
  LoginThrottle,
  SettableClock,
  actorFromUser,
  downloadOrderTemplate,
  readOrderWorkbook,
  seedDemo,
} from '@orderdesk/app';
import { createTestApp, type TestApp } from './harness.ts';
import { expectIsolated } from './isolation.ts';
import { PARTNER_ISOLATION, VENDOR_ISOLATION } from './isolated-routes.ts';
import { findProducts, type PricedProduct } from './scenario-helpers.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ACME = 'buyer@acme.example';
const CONTOSO = 'buyer@contoso.example';
const TYPE = 'license_maintenance';

interface ImportProblem {
  path: string;
  field: string;
  code: string;
  severity: string;
  message: string;
}

function multipart(content: Buffer, name = 'order.xlsx') {
  const boundary = `----orderdesk${randomBytes(8).toString('hex')}`;
  return {
    payload: Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n` +
          `Content-Type: ${XLSX}\r\n\r\n`,
      ),
      content,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** The row of the Order sheet whose hidden key (column E) is `key`. */
function orderRow(sheet: ExcelJS.Worksheet, key: string): number {
  let found = 0;
  sheet.eachRow((row, r) => {
    if (row.getCell(5).value === key) found = r;
  });
  expect(found, `the Order sheet has a row for ${key}`).toBeGreaterThan(0);
  return found;
}

/** The column letter of the Lines sheet whose key (row 2) is `key`. */
function lineColumn(sheet: ExcelJS.Worksheet, key: string): string {
  let found = '';
  sheet.getRow(2).eachCell((cell, col) => {
    if (cell.value === key) found = sheet.getColumn(col).letter;
  });
  expect(found, `the Lines sheet has a column for ${key}`).not.toBe('');
  return found;
}

describe.each(testDialects())('Excel order template on %s', (dialect) => {
  let t: TestApp;
  let licenses: PricedProduct[];
  let customer: { id: string; name: string };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    licenses = await findProducts(t, ACME, 'edgeworks', { type: 'perpetual_license', count: 2 });
    customer = (await t.as(ACME).get('/api/v1/customers')).json().items[0];
  });
  afterAll(async () => {
    await t.close();
  });

  const template = async (user = ACME, vendor = 'edgeworks', type = TYPE) =>
    t.as(user).get(`/api/v1/vendors/${vendor}/order-template?type=${type}`);
  const load = async (bytes: Buffer): Promise<ExcelJS.Workbook> => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as never);
    return wb;
  };
  const upload = (bytes: Buffer, query = '', headers: Record<string, string> = {}, user = ACME) => {
    const body = multipart(bytes);
    return t.as(user).request({
      method: 'POST',
      url: `/api/v1/orders/import${query}`,
      payload: body.payload,
      headers: { ...body.headers, ...headers },
    });
  };

  let poCounter = 0;
  /** The downloaded template filled in as a partner would in Excel. */
  const filled = async (
    change: (order: ExcelJS.Worksheet, lines: ExcelJS.Worksheet) => void = () => {},
  ): Promise<Buffer> => {
    const res = await template();
    expect(res.statusCode, res.body).toBe(200);
    const wb = await load(res.rawPayload);
    const order = wb.getWorksheet('Order')!;
    const lines = wb.getWorksheet('Lines')!;
    const set = (key: string, value: ExcelJS.CellValue) => {
      order.getCell(`B${orderRow(order, key)}`).value = value;
    };
    set('customerId', customer.name);
    set('purchaseOrder.number', `PO-XL-${dialect}-${++poCounter}`);
    set('purchaseOrder.date', new Date(Date.UTC(2026, 10, 20)));
    const total = licenses.reduce((s, l, i) => s + Number(l.netPrice) * (i + 1), 0);
    set('purchaseOrder.total', Number(total.toFixed(2)));
    set('attributes.endUserName', 'Tailspin Toys, Building 7');
    const [part, qty, price, host] = [
      'partNumber',
      'quantity',
      'unitPrice',
      'attributes.hostId',
    ].map((k) => lineColumn(lines, k));
    licenses.forEach((l, i) => {
      const r = 3 + i;
      lines.getCell(`${part}${r}`).value = l.partNumber;
      lines.getCell(`${qty}${r}`).value = i + 1;
      lines.getCell(`${price}${r}`).value = Number(l.netPrice);
      lines.getCell(`${host}${r}`).value = `HOST-${i + 1}`;
    });
    change(order, lines);
    return Buffer.from(await wb.xlsx.writeBuffer());
  };

  it('downloads the template: the order type’s fields with help, part-number lists, the partner’s net prices', async () => {
    const res = await template();
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain(XLSX);
    expect(res.headers['content-disposition']).toContain('edgeworks-license_maintenance');
    const wb = await load(res.rawPayload);
    expect(wb.worksheets.map((s) => s.name)).toEqual(
      expect.arrayContaining(['Order', 'Lines', 'Prices', 'Customers']),
    );
    const order = wb.getWorksheet('Order')!;
    expect(order.getCell(`B${orderRow(order, 'vendor')}`).value).toBe('edgeworks');
    expect(order.getCell(`B${orderRow(order, 'type')}`).value).toBe(TYPE);
    const po = orderRow(order, 'purchaseOrder.number');
    expect(order.getCell(`C${po}`).value).toBe('required');
    expect(order.getCell(`C${orderRow(order, 'purchaseOrder.date')}`).value).toBe('required');
    const endUser = orderRow(order, 'attributes.endUserName');
    expect(order.getCell(`A${endUser}`).value).toBe('End-user name');
    expect(order.getCell(`D${endUser}`).text).toContain('registered to');
    // The customer is picked from a list of the partner's customers.
    const customerCell = order.getCell(`B${orderRow(order, 'customerId')}`);
    expect(customerCell.dataValidation?.type).toBe('list');
    const names: unknown[] = [];
    wb.getWorksheet('Customers')!.eachRow((row, r) => r > 1 && names.push(row.getCell(1).value));
    expect(names).toContain(customer.name);

    const lines = wb.getWorksheet('Lines')!;
    const part = lineColumn(lines, 'partNumber');
    const validation = lines.getCell(`${part}3`).dataValidation;
    expect(validation?.type).toBe('list');
    expect(validation?.formulae?.[0]).toMatch(/Prices'?!\$A\$2:\$A\$\d+/);
    expect(lines.getCell(`${part}150`).dataValidation?.type).toBe('list');
    expect(lines.getCell(`${lineColumn(lines, 'attributes.hostId')}1`).value).toBe('Host ID');

    // Net prices are the partner's (GET /prices: list × its multiplier), only allowed types.
    const prices = new Map<string, number>();
    wb.getWorksheet('Prices')!.eachRow((row, r) => {
      if (r > 1) prices.set(row.getCell(1).text, Number(row.getCell(4).value));
    });
    for (const l of licenses) {
      expect(prices.get(l.partNumber), l.partNumber).toBeCloseTo(Number(l.netPrice), 2);
      expect(Number(l.netPrice)).not.toBe(Number(l.listPrice)); // the multiplier is applied
    }
    const training = await findProducts(t, ACME, 'edgeworks', { type: 'training_seat', count: 1 });
    expect(prices.has(training[0]!.partNumber)).toBe(false); // not a license & maintenance product

    // Another vendor's staff: 404; a partner without that partnership: 404; unknown type: 422.
    expect((await template('admin@northwind.example')).statusCode).toBe(404);
    expect((await template(ACME, 'no-such-vendor')).statusCode).toBe(404);
    const unknown = await template(ACME, 'edgeworks', 'no_such_type');
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors[0]).toMatchObject({ path: 'type', code: 'order_type.unknown' });
    const noType = await t.as(ACME).get('/api/v1/vendors/edgeworks/order-template');
    expect(noType.statusCode).toBe(400);
    expect(noType.json().errors[0]).toMatchObject({ path: 'type', code: 'required' });
    // Vendor staff get list prices, or a named partner's.
    const staff = await template('desk@edgeworks.example');
    expect(staff.statusCode, staff.body).toBe(200);
  });

  it('a partner without a partnership with the vendor gets a 404', async () => {
    // A partner of northwind only, with one user.
    const created = await t.as('admin@northwind.example').post('/api/v1/partners', {
      name: `Solo Partner ${dialect}`,
      legalName: 'Solo Partner LLC',
      tier: 1,
      agreementDate: '2024-01-01',
      multiplier: '0.8',
      camEmail: 'cam@northwind.example',
      invoicingContact: { name: 'AP', email: 'ap@solo.example' },
      provisioningCc: 'it@solo.example',
    });
    expect(created.statusCode, created.body).toBe(201);
    const partnerId = created.json().partner.id as string;
    await insertUser(t.store.db, {
      email: `buyer-${dialect}@solo.example`,
      name: 'Solo Buyer',
      roles: ['partner_admin'],
      partnerId,
      passwordHash: null,
      at: new Date().toISOString(),
    });
    const solo = `buyer-${dialect}@solo.example`;
    expect((await template(solo, 'northwind', 'new')).statusCode).toBe(200);
    const res = await template(solo, 'edgeworks');
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('edgeworks');
  });

  it('imports a filled-in template as valid; nothing is recorded without submit', async () => {
    const bytes = await filled();
    const before = (await t.as(ACME).get('/api/v1/orders?vendor=edgeworks')).json().items.length;
    const res = await upload(bytes);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.problems.filter((p: ImportProblem) => p.severity === 'error')).toEqual([]);
    expect(body.valid).toBe(true);
    expect(body.submission).toMatchObject({
      vendor: 'edgeworks',
      type: TYPE,
      customerId: customer.id,
      channel: 'excel_template',
      purchaseOrder: { date: '2026-11-20', currency: 'USD' },
      attributes: { endUserName: 'Tailspin Toys, Building 7' },
      lines: licenses.map((l, i) => ({
        partNumber: l.partNumber,
        quantity: i + 1,
        attributes: { hostId: `HOST-${i + 1}` },
      })),
    });
    // Money as API.md writes it, with the currency's decimals: a cell holds 715.00 as 715.
    expect(body.submission.lines.map((l: { unitPrice: string }) => l.unitPrice)).toEqual(
      licenses.map((l) => l.netPrice),
    );
    const total = licenses.reduce((s, l, i) => s + Number(l.netPrice) * (i + 1), 0);
    expect(body.submission.purchaseOrder.total).toBe(total.toFixed(2));
    const after = (await t.as(ACME).get('/api/v1/orders?vendor=edgeworks')).json().items.length;
    expect(after).toBe(before);
  });

  it('marks the PO date optional where the order type does (License Authorization Order)', async () => {
    const res = await template(ACME, 'edgeworks', 'license_authorization');
    expect(res.statusCode, res.body).toBe(200);
    const order = (await load(res.rawPayload)).getWorksheet('Order')!;
    expect(order.getCell(`C${orderRow(order, 'purchaseOrder.number')}`).value).toBe('required');
    expect(order.getCell(`C${orderRow(order, 'purchaseOrder.date')}`).value).toBe('optional');
  });

  it('points every problem at its Sheet!Cell', async () => {
    let poRow = 0;
    const bytes = await filled((order, lines) => {
      poRow = orderRow(order, 'purchaseOrder.number');
      order.getCell(`B${poRow}`).value = null; // required
      const price = lineColumn(lines, 'unitPrice');
      const qty = lineColumn(lines, 'quantity');
      const part = lineColumn(lines, 'partNumber');
      const host = lineColumn(lines, 'attributes.hostId');
      lines.getCell(`${price}3`).value = 1; // not the net price
      lines.getCell(`${qty}4`).value = 'three';
      lines.getCell(`${part}7`).value = 'NO-SUCH-PART';
      lines.getCell(`${qty}7`).value = 1;
      lines.getCell(`${price}7`).value = 10;
      lines.getCell(`${host}7`).value = 'HOST-X';
    });
    const res = await upload(bytes);
    expect(res.statusCode, res.body).toBe(200);
    const { valid, problems } = res.json<{ valid: boolean; problems: ImportProblem[] }>();
    expect(valid).toBe(false);
    const at = (path: string) => problems.filter((p) => p.path === path).map((p) => p.code);
    expect(at(`Order!B${poRow}`)).toContain('required');
    expect(at('Lines!C3')).toContain('price.mismatch');
    expect(at('Lines!B4')).toContain('invalid');
    expect(at('Lines!A7')).toContain('part_number.unknown');
    expect(problems.find((p) => p.path === 'Lines!C3')?.field).toBe('lines[0].unitPrice');
    expect(problems.find((p) => p.path === 'Lines!A7')?.field).toBe('lines[2].partNumber');
    // Submitting it is a 422 with the same cells, and nothing recorded.
    const refused = await upload(bytes, '?submit=true', { 'idempotency-key': `bad-${dialect}` });
    expect(refused.statusCode, refused.body).toBe(422);
    const paths = (refused.json().errors as { path: string }[]).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['Lines!C3', 'Lines!A7', `Order!B${poRow}`]));
  });

  it('submit=true with an Idempotency-Key places the order once per key', async () => {
    const bytes = await filled();
    const key = { 'idempotency-key': `import-${dialect}` };
    const noKey = await upload(bytes, '?submit=true');
    expect(noKey.statusCode, noKey.body).toBe(400);
    expect(noKey.json().errors[0].path).toBe('headers.idempotency-key');
    const first = await upload(bytes, '?submit=true', key);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ status: 'submitted', channel: 'excel_template' });
    const again = await upload(bytes, '?submit=true', key);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    const other = await upload(await filled(), '?submit=true', key);
    expect(other.statusCode).toBe(409);
    const orders = (await t.as(ACME).get('/api/v1/orders?vendor=edgeworks')).json().items as {
      purchaseOrder: { number: string } | null;
      id: string;
    }[];
    expect(orders.filter((o) => o.id === first.json().id)).toHaveLength(1);
    // The same PO again (a new key) is a duplicate PO at its cell.
    const dup = await upload(bytes, '?submit=true', { 'idempotency-key': `dup-${dialect}` });
    expect(dup.statusCode, dup.body).toBe(422);
    expect(dup.json().errors.map((e: { code: string }) => e.code)).toContain('po.duplicate');
  });

  it('reads a workbook from another writer: inline strings, no keys, numbers as text, decimal commas, date serials, shared formulas', async () => {
    // exceljs's streaming writer, as an older Excel or LibreOffice export would lay it out:
    // labels only (no key column or key row), every value typed differently.
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useSharedStrings: false,
      useStyles: false,
    });
    const order = wb.addWorksheet('Order');
    order.addRow(['Field', 'Value']).commit();
    order.addRow(['Vendor', 'edgeworks']).commit();
    order.addRow(['Order type', TYPE]).commit();
    order.addRow(['Customer', customer.id]).commit();
    order.addRow(['PO number', `PO-LO-${dialect}`]).commit();
    order.addRow(['PO date', 46_346]).commit(); // the serial of 2026-11-20
    order.addRow(['Currency', 'usd']).commit();
    const total = licenses.reduce((s, l) => s + Number(l.netPrice) * 2, 0);
    order.addRow(['PO total', total.toFixed(2).replace('.', ',')]).commit();
    order.addRow(['End-user name', 'Tailspin Toys']).commit();
    order.commit();
    const lines = wb.addWorksheet('Lines');
    lines.addRow(['Part number', 'Qty', 'Unit price', 'Amount', 'Host ID']).commit();
    licenses.forEach((l, i) => {
      const r = i + 2;
      lines
        .addRow([
          l.partNumber,
          '2',
          Number(l.netPrice).toFixed(2).replace('.', ','),
          i === 0 ? { formula: `B${r}*C${r}`, result: 0 } : { sharedFormula: 'D2', result: 0 },
          `HOST-${i}`,
        ])
        .commit();
    });
    lines.commit();
    await wb.commit();
    const bytes = Buffer.concat(chunks);
    const res = await upload(bytes);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.problems.filter((p: ImportProblem) => p.severity === 'error')).toEqual([]);
    expect(body.valid).toBe(true);
    expect(body.submission.purchaseOrder).toMatchObject({
      date: '2026-11-20',
      currency: 'USD',
      total: total.toFixed(2),
    });
    expect(body.submission.lines[1]).toMatchObject({
      quantity: 2,
      attributes: { hostId: 'HOST-1' },
    });
    // Mail intake reads the same workbook into an extraction.
    const read = await readOrderWorkbook(bytes);
    expect(read.ok).toBe(true);
    if (read.ok) {
      expect(read.extracted.purchaseOrder).toMatchObject({ number: `PO-LO-${dialect}` });
      expect(read.extracted.lines).toHaveLength(2);
      expect(read.text).toContain('Tailspin Toys');
    }
  });

  it('refuses hostile and unreadable files with a reason, in bounded time', async () => {
    const problemOf = async (bytes: Buffer) => {
      const res = await upload(bytes);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.valid).toBe(false);
      return body.problems[0] as ImportProblem;
    };
    // An encrypted workbook is an OLE compound file.
    const ole = Buffer.concat([
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      randomBytes(4096),
    ]);
    expect((await problemOf(ole)).message).toMatch(/password-protected/);
    expect((await problemOf(Buffer.from('partNumber,quantity\nA,1\n'))).message).toMatch(
      /not a zip/,
    );
    // A zip bomb: 200 MB of zeros declared as 1 KB (a lying header), or declared honestly.
    const bomb = (declared: number) => {
      const data = deflateRawSync(Buffer.alloc(200 * 1024 * 1024));
      const name = Buffer.from('xl/worksheets/sheet1.xml');
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(8, 8);
      local.writeUInt32LE(data.length, 18);
      local.writeUInt32LE(declared, 22);
      local.writeUInt16LE(name.length, 26);
      const central = Buffer.alloc(46);
      central.writeUInt32LE(0x02014b50, 0);
      central.writeUInt16LE(8, 10);
      central.writeUInt32LE(data.length, 20);
      central.writeUInt32LE(declared, 24);
      central.writeUInt16LE(name.length, 28);
      const end = Buffer.alloc(22);
      end.writeUInt32LE(0x06054b50, 0);
      end.writeUInt16LE(1, 8);
      end.writeUInt16LE(1, 10);
      end.writeUInt32LE(46 + name.length, 12);
      end.writeUInt32LE(30 + name.length + data.length, 16);
      return Buffer.concat([local, name, data, central, name, end]);
    };
    expect((await problemOf(bomb(1024))).message).toMatch(/zip bomb|declared/);
    expect((await problemOf(bomb(200 * 1024 * 1024))).message).toMatch(/inflates to more/);
    // A workbook that is no order template.
    const other = new ExcelJS.Workbook();
    other.addWorksheet('Sheet1').addRow(['hello']);
    const notTemplate = Buffer.from(await other.xlsx.writeBuffer());
    expect((await problemOf(notTemplate)).message).toMatch(/Not an order template/);
    const read = await readOrderWorkbook(ole);
    expect(read).toMatchObject({ ok: false, reason: expect.stringMatching(/password/) });
    // Larger than the limit: 413.
    const huge = await upload(Buffer.alloc(11 * 1024 * 1024, 1));
    expect(huge.statusCode).toBe(413);
  });

  it('keeps tenants apart', async () => {
    await expectIsolated(
      t,
      VENDOR_ISOLATION.orderImport ?? [],
      {
        user: 'admin@edgeworks.example',
        ids: { slug: 'edgeworks' },
      },
      { user: 'admin@northwind.example', ids: { slug: 'northwind' } },
    );
    await expectIsolated(
      t,
      PARTNER_ISOLATION.orderImport ?? [],
      { user: ACME, ids: { slug: 'edgeworks' } },
      { user: CONTOSO, ids: { slug: 'edgeworks' } },
    );
    // A workbook naming another partner's customer: unknown customer at its cell.
    const contosoCustomer = (await t.as(CONTOSO).get('/api/v1/customers')).json().items[0];
    const bytes = await filled((order) => {
      order.getCell(`B${orderRow(order, 'customerId')}`).value = contosoCustomer.id;
    });
    const res = await upload(bytes);
    const problems = res.json().problems as ImportProblem[];
    expect(problems.find((p) => p.field === 'customerId')).toMatchObject({ code: 'invalid' });
    expect(problems.find((p) => p.field === 'customerId')?.path).toMatch(/^Order!B\d+$/);
    expect(res.body).not.toContain(contosoCustomer.name);
  });
});

/** The template filled from its own sheets: the first customer, two priced parts at net price. */
async function fillFromSheets(bytes: Buffer, po: string, priceOfFirst?: number): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as never);
  const order = wb.getWorksheet('Order')!;
  const lines = wb.getWorksheet('Lines')!;
  const prices = wb.getWorksheet('Prices')!;
  const set = (key: string, value: ExcelJS.CellValue) => {
    order.getCell(`B${orderRow(order, key)}`).value = value;
  };
  set('customerId', wb.getWorksheet('Customers')!.getCell('A2').text);
  set('purchaseOrder.number', po);
  set('purchaseOrder.date', '2026-11-20');
  set('attributes.endUserName', 'Fabrikam');
  const parts = [2, 3].map((r) => ({
    partNumber: prices.getCell(`A${r}`).text,
    net: Number(prices.getCell(`D${r}`).value),
  }));
  set('purchaseOrder.total', parts.reduce((sum, p) => sum + p.net, 0).toFixed(2));
  parts.forEach((p, i) => {
    const r = 3 + i;
    lines.getCell(`${lineColumn(lines, 'partNumber')}${r}`).value = p.partNumber;
    lines.getCell(`${lineColumn(lines, 'quantity')}${r}`).value = 1;
    lines.getCell(`${lineColumn(lines, 'unitPrice')}${r}`).value =
      i === 0 && priceOfFirst !== undefined ? priceOfFirst : p.net;
    lines.getCell(`${lineColumn(lines, 'attributes.hostId')}${r}`).value = `H-${i}`;
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// `orderdesk import order`: the same check and submission from the command line, against a
// database file the command opens itself.
describe.each(testDialects())('orderdesk import order on %s', (dialect) => {
  const BIN = fileURLToPath(new URL('../../cli/bin/orderdesk.js', import.meta.url));
  let dir: string;
  let url: string;
  let store: Store;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orderdesk-import-order-'));
    url = await createTestDatabaseUrl(dialect, join(dir, 'cli.db'));
    store = openStore(url);
    await migrateToLatest(store);
    await store.db.transaction().execute((tx) => seedDemo(tx, 'demo', new Date()));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        { env: { ...process.env, DATABASE_URL: url } },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('checks a workbook, reports problems at their cells, and submits it', async () => {
    const clock = new SettableClock();
    const ctx = {
      store,
      clock,
      config: DEFAULT_APP_SETTINGS,
      loginThrottle: new LoginThrottle(60_000),
      now: () => clock.now(),
    };
    const user = (await findUserByEmail(store.db, ACME))!;
    const actor = await actorFromUser(store.db, user, 'token');
    const template = await downloadOrderTemplate(ctx, actor, { vendor: 'edgeworks', type: TYPE });
    const good = join(dir, 'good.xlsx');
    const bad = join(dir, 'bad.xlsx');
    writeFileSync(good, await fillFromSheets(template.bytes, `PO-CLI-${dialect}`));
    writeFileSync(bad, await fillFromSheets(template.bytes, `PO-CLI-BAD-${dialect}`, 0.5));
    const common = ['--vendor', 'edgeworks', '--as', ACME];

    const checked = await run(['import', 'order', good, ...common]);
    expect(checked.stderr).toBe('');
    expect(checked.stdout).toContain('Valid: 2 line(s)');
    expect(checked.code).toBe(0);

    const refused = await run(['import', 'order', bad, ...common]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/error Lines!C3 \(lines\[0\]\.unitPrice\) price\.mismatch/);

    const submitted = await run(['import', 'order', good, ...common, '--submit']);
    expect(submitted.stderr).toBe('');
    expect(submitted.stdout).toMatch(/^Submitted order EW-\d+ \(ord_/);
    const rows = await store.db
      .selectFrom('orders')
      .select(['channel', 'po_number'])
      .where('po_number', '=', `PO-CLI-${dialect}`)
      .execute();
    expect(rows).toEqual([{ channel: 'excel_template', po_number: `PO-CLI-${dialect}` }]);

    const missing = await run(['import', 'order', join(dir, 'nope.xlsx'), ...common]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Cannot read');
  }, 120_000);
});
