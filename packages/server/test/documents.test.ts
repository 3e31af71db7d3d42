// Documents on orders (issue 10, point 6; API.md "Documents"): upload (multipart) with the
// content type sniffed and the SHA-256 recorded, a size limit (413), the bytes on disk under
// DOCUMENTS_DIR, download with Content-Disposition and nosniff, a partner's download of a
// license or product file recorded on the order, a PO PDF read and compared to the order, and
// the walls: another partner or vendor gets 404, a distributor reads its reseller's documents
// but does not add to them.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@orderdesk/store/testing';
import { createTestApp, type TestApp } from './harness.ts';
import { expectIsolated } from './isolation.ts';
import { PARTNER_ISOLATION, VENDOR_ISOLATION } from './isolated-routes.ts';
import {
  findProducts,
  firstCustomerId,
  multipart,
  totalOf,
  type FilePart,
} from './scenario-helpers.ts';

const ACME = 'buyer@acme.example';
const CONTOSO = 'buyer@contoso.example';
const BETA = 'buyer@beta.example';
const DESK = 'desk@edgeworks.example';
const MAX_BYTES = 150_000;
const SAMPLE_PO = new URL(
  '../../../bench/fixtures/po-pdf/Contoso-PO-Adatum-Adel.pdf',
  import.meta.url,
);
const today = new Date().toISOString().slice(0, 10);
// The first bytes of a PNG: enough for the sniffer.
const PNG = Buffer.concat([
  Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'),
  Buffer.alloc(64),
]);

async function pdfOf(lines: { text: string; x: number; y: number }[]): Promise<Buffer> {
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', margin: 40 });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  doc.font('Helvetica').fontSize(10);
  for (const line of lines) doc.text(line.text, line.x, line.y, { lineBreak: false });
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

describe.each(testDialects())('documents on %s', (dialect) => {
  let t: TestApp;
  let dir: string;
  let po = 0;
  const orders: Record<string, { id: string; number: string; total: string; poNumber: string }> =
    {};

  async function placeOrder(user: string, vendor: 'edgeworks' | 'skyline') {
    const customerId = await firstCustomerId(t, user);
    const poNumber = `DOC-PO-${++po}`;
    let body: Record<string, unknown>;
    let total = '';
    if (vendor === 'edgeworks') {
      const [kit] = await findProducts(t, user, 'edgeworks', {
        type: 'kit',
        count: 1,
        partNumberIncludes: '-RENEW-',
      });
      const lines = [{ partNumber: kit!.partNumber, quantity: 2, unitPrice: kit!.netPrice }];
      total = totalOf(lines);
      body = {
        vendor,
        type: 'kits_renewal',
        customerId,
        purchaseOrder: { number: poNumber, date: today, currency: 'USD', total },
        lines,
      };
    } else {
      const [item] = await findProducts(t, user, 'skyline', { type: 'subscription', count: 1 });
      body = {
        vendor,
        type: 'new',
        customerId,
        lines: [{ partNumber: item!.partNumber, quantity: 1, unitPrice: item!.netPrice }],
        contacts: {
          siteAdmin: { name: 'Site Admin', email: 'it@customer.example' },
          invoicing: { name: 'Accounts', email: 'ap@customer.example' },
        },
        attributes: { primaryDomain: 'customer.example' },
        termsAccepted: { version: '2025-01' },
      };
    }
    const res = await t.as(user).post('/api/v1/orders', body);
    expect(res.statusCode, res.body).toBe(201);
    const order = res.json<{ id: string; number: string }>();
    return { id: order.id, number: order.number, total, poNumber };
  }

  const upload = (user: string, orderId: string, part: FilePart) =>
    t.as(user).request({
      method: 'POST',
      url: `/api/v1/orders/${orderId}/documents`,
      ...multipart(part),
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orderdesk-documents-'));
    t = await createTestApp(dialect, { DOCUMENTS_DIR: dir, DOCUMENT_MAX_BYTES: MAX_BYTES });
    orders.acme = await placeOrder(ACME, 'edgeworks');
    orders.contoso = await placeOrder(CONTOSO, 'edgeworks');
    orders.beta = await placeOrder(BETA, 'skyline');
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores an upload with its sniffed type, size and SHA-256, on disk, and lists it', async () => {
    const bytes = readFileSync(SAMPLE_PO);
    // Declared as a spreadsheet: the bytes say PDF, and the bytes win.
    const res = await upload(ACME, orders.acme!.id, {
      name: 'Contoso PO.pdf',
      type: 'application/vnd.ms-excel',
      bytes,
    });
    expect(res.statusCode, res.body).toBe(201);
    const doc = res.json<{ id: string; kind: string; extraction?: { problems: unknown[] } }>();
    expect(doc).toMatchObject({
      id: expect.stringMatching(/^doc_/),
      name: 'Contoso PO.pdf',
      contentType: 'application/pdf',
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      kind: 'po',
    });
    // The bytes are a file under DOCUMENTS_DIR, byte for byte.
    const vendorDirs = readdirSync(dir);
    expect(vendorDirs).toHaveLength(1);
    const stored = readFileSync(join(dir, vendorDirs[0]!, doc.id));
    expect(stored.equals(bytes)).toBe(true);

    const list = await t.as(DESK).get(`/api/v1/orders/${orders.acme!.id}/documents`);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items.map((d: { id: string }) => d.id)).toEqual([doc.id]);
    const events = (await t.as(ACME).get(`/api/v1/orders/${orders.acme!.id}/events`)).json()
      .items as { type: string; data: { documentId?: string } }[];
    expect(events.find((e) => e.type === 'order.document_attached')?.data.documentId).toBe(doc.id);
  });

  it('reads a PO PDF and shows where it disagrees with the order', async () => {
    // Someone else's PO attached to this order: another number and another total.
    const other = await upload(ACME, orders.acme!.id, { bytes: readFileSync(SAMPLE_PO) });
    expect(other.statusCode, other.body).toBe(201);
    const extraction = await t
      .as(DESK)
      .get(`/api/v1/orders/${orders.acme!.id}/documents/${other.json().id}/extraction`);
    expect(extraction.statusCode, extraction.body).toBe(200);
    expect(extraction.json()).toMatchObject({
      ok: true,
      extracted: { purchaseOrder: { number: '190122', total: '6547.55', currency: 'USD' } },
      problems: [
        {
          path: 'purchaseOrder.number',
          code: 'invalid',
          expected: orders.acme!.poNumber,
          actual: '190122',
        },
        {
          path: 'purchaseOrder.total',
          code: 'total.mismatch',
          expected: orders.acme!.total,
          actual: '6547.55',
        },
      ],
    });

    // The order's own PO, drawn in a layout of its own: nothing to report.
    const own = await pdfOf([
      { text: 'PURCHASE ORDER', x: 40, y: 40 },
      { text: 'Acme Distribution', x: 40, y: 60 },
      { text: `PO Number: ${orders.acme!.poNumber}`, x: 350, y: 60 },
      { text: `Date: ${today}`, x: 350, y: 75 },
      { text: 'Item', x: 40, y: 120 },
      { text: 'Qty', x: 300, y: 120 },
      { text: 'Amount', x: 450, y: 120 },
      { text: 'EW-LICENSE', x: 40, y: 138 },
      { text: '2', x: 300, y: 138 },
      { text: `$${orders.acme!.total}`, x: 450, y: 138 },
      { text: 'Total', x: 350, y: 170 },
      { text: `$${orders.acme!.total}`, x: 450, y: 170 },
    ]);
    const ours = await upload(ACME, orders.acme!.id, { name: 'po.pdf', bytes: own });
    expect(ours.statusCode, ours.body).toBe(201);
    expect(ours.json()).toMatchObject({
      kind: 'po',
      extraction: { ok: true, problems: [] },
    });

    // A PDF that is not a PO, without a kind: nothing extracted; from the vendor's staff, a
    // product file (the partner's own would be `other`).
    const leaflet = await pdfOf([{ text: 'Installation guide', x: 40, y: 40 }]);
    const guide = await upload(DESK, orders.acme!.id, { name: 'guide.pdf', bytes: leaflet });
    expect(guide.statusCode, guide.body).toBe(201);
    expect(guide.json().kind).toBe('product_file');
    expect(guide.json().extraction).toBeUndefined();
    expect(
      (
        await t
          .as(DESK)
          .get(`/api/v1/orders/${orders.acme!.id}/documents/${guide.json().id}/extraction`)
      ).statusCode,
    ).toBe(404);
    // Declared a PO, it keeps the reader's reason.
    const declared = await upload(ACME, orders.acme!.id, {
      bytes: leaflet,
      fields: { kind: 'po' },
    });
    expect(declared.json()).toMatchObject({
      kind: 'po',
      extraction: { ok: false, reason: expect.stringMatching(/not a purchase order/) },
    });
  });

  it('honours an Idempotency-Key: the same upload again replays the first answer, another one is a 409', async () => {
    const order = await placeOrder(ACME, 'edgeworks');
    const bytes = readFileSync(SAMPLE_PO);
    const keyed = (key: string, part: FilePart, user = ACME) => {
      const { payload, headers } = multipart(part);
      return t.as(user).request({
        method: 'POST',
        url: `/api/v1/orders/${order.id}/documents`,
        payload,
        headers: { ...headers, 'idempotency-key': key },
      });
    };
    const stored = () => readdirSync(dir).flatMap((v) => readdirSync(join(dir, v)));
    const documents = async () =>
      (await t.as(ACME).get(`/api/v1/orders/${order.id}/documents`)).json().items as {
        id: string;
      }[];
    const attached = async () =>
      (
        (await t.as(ACME).get(`/api/v1/orders/${order.id}/events`)).json().items as {
          type: string;
        }[]
      ).filter((e) => e.type === 'order.document_attached');
    const filesBefore = stored().length;

    const po = { name: 'po.pdf', type: 'application/pdf', bytes, fields: { kind: 'po' } };
    const first = await keyed('doc-key-1', po);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // The same file again (a multipart body with another boundary): the stored answer, byte
    // for byte, and nothing new on the order, in its events or on disk.
    const again = await keyed('doc-key-1', po);
    expect(again.statusCode, again.body).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.body);
    expect((await documents()).map((d) => d.id)).toEqual([first.json().id]);
    expect(await attached()).toHaveLength(1);
    expect(stored()).toHaveLength(filesBefore + 1);

    // The same key with another upload: another file, name, type or kind.
    for (const other of [
      { ...po, bytes: PNG },
      { ...po, name: 'other.pdf' },
      { ...po, type: 'application/octet-stream' },
      { ...po, fields: { kind: 'other' } },
      { ...po, fields: { kind: 'po', name: 'renamed.pdf' } },
    ]) {
      const conflict = await keyed('doc-key-1', other);
      expect(conflict.statusCode, conflict.body).toBe(409);
      expect(conflict.json().errors).toEqual([
        expect.objectContaining({ code: 'idempotency.conflict' }),
      ]);
    }
    // Two at once with a new key: one document; the one answered second replays the first.
    const [a, b] = await Promise.all([keyed('doc-key-2', po), keyed('doc-key-2', po)]);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(a.body).toBe(b.body);
    expect((await documents()).map((d) => d.id)).toEqual([first.json().id, a.json().id]);
    expect(await attached()).toHaveLength(2);
    expect(stored()).toHaveLength(filesBefore + 2);

    // The key is the caller's own: another user's same key is another request.
    const desk = await keyed('doc-key-1', po, DESK);
    expect(desk.statusCode, desk.body).toBe(201);
    expect(desk.json().id).not.toBe(first.json().id);
    expect(await documents()).toHaveLength(3);
    expect(await attached()).toHaveLength(3);

    // Without a key, the same file twice is two documents, as before.
    const plain = { name: 'notes.txt', type: 'text/plain', bytes: Buffer.from('notes\n') };
    const one = await upload(ACME, order.id, plain);
    const two = await upload(ACME, order.id, plain);
    expect([one.statusCode, two.statusCode]).toEqual([201, 201]);
    expect(one.json().id).not.toBe(two.json().id);
    expect(await documents()).toHaveLength(5);
    expect(await attached()).toHaveLength(5);
    expect(stored()).toHaveLength(filesBefore + 5);
  });

  it('sniffs the content type: believes a declared type only for text', async () => {
    const png = await upload(ACME, orders.acme!.id, {
      name: 'logo.txt',
      type: 'text/plain',
      bytes: PNG,
    });
    expect(png.json()).toMatchObject({ contentType: 'image/png', kind: 'other' });
    const text = await upload(ACME, orders.acme!.id, {
      name: 'license.lic',
      type: 'text/plain',
      bytes: Buffer.from('LICENSE EW-SUP host=ABC123 key=XXXX-YYYY\n'),
      fields: { kind: 'license' },
    });
    expect(text.json()).toMatchObject({
      contentType: 'text/plain; charset=utf-8',
      kind: 'license',
    });
    const binary = await upload(ACME, orders.acme!.id, {
      name: 'blob.pdf',
      type: 'application/pdf',
      bytes: Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x10, 0x20]),
    });
    expect(binary.json().contentType).toBe('application/octet-stream');
    // A declared text type on bytes that are not text is not believed either.
    const notText = await upload(ACME, orders.acme!.id, {
      type: 'text/csv',
      bytes: Buffer.from([0x41, 0x00, 0x42]),
    });
    expect(notText.json().contentType).toBe('application/octet-stream');
  });

  it('refuses a document over DOCUMENT_MAX_BYTES with a 413, and bad uploads with a 400 or 415', async () => {
    const big = await upload(ACME, orders.acme!.id, { bytes: Buffer.alloc(MAX_BYTES + 1, 0x41) });
    expect(big.statusCode, big.body).toBe(413);
    expect(big.json().errors).toEqual([
      expect.objectContaining({ path: 'file', code: 'limit.maxBytes' }),
    ]);
    const atLimit = await upload(ACME, orders.acme!.id, { bytes: Buffer.alloc(MAX_BYTES, 0x41) });
    expect(atLimit.statusCode, atLimit.body).toBe(201);

    const badKind = await upload(ACME, orders.acme!.id, {
      bytes: PNG,
      fields: { kind: 'invoice' },
    });
    expect(badKind.statusCode).toBe(400);
    expect(badKind.json().errors).toEqual([expect.objectContaining({ path: 'kind' })]);
    const empty = await upload(ACME, orders.acme!.id, { bytes: Buffer.alloc(0) });
    expect(empty.statusCode).toBe(400);
    const json = await t.as(ACME).post(`/api/v1/orders/${orders.acme!.id}/documents`, {});
    expect(json.statusCode).toBe(415);
  });

  it('sends the bytes back with Content-Disposition and nosniff; a partner download of a license is an event', async () => {
    const license = Buffer.from('EW license key: 1234-5678\n');
    const created = await upload(DESK, orders.acme!.id, {
      type: 'text/plain',
      bytes: license,
      // The name field wins over the part's file name; quotes and control characters go.
      fields: { kind: 'license', name: 'Lizenz "Ä".txt\u0007' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json<{ id: string }>().id;
    const url = `/api/v1/orders/${orders.acme!.id}/documents/${id}`;
    const downloads = async () =>
      (
        (await t.as(ACME).get(`/api/v1/orders/${orders.acme!.id}/events`)).json().items as {
          type: string;
          actor: string;
          data: { documentId?: string; kind?: string };
        }[]
      ).filter((e) => e.type === 'order.document_downloaded' && e.data.documentId === id);

    // Vendor staff read it: no event.
    const byDesk = await t.as(DESK).get(url);
    expect(byDesk.statusCode).toBe(200);
    expect(await downloads()).toHaveLength(0);

    const res = await t.as(ACME).get(url);
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(license)).toBe(true);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="Lizenz _.txt"; filename*=UTF-8''${encodeURIComponent('Lizenz Ä.txt')}`,
    );
    expect(await downloads()).toEqual([
      expect.objectContaining({ actor: ACME, data: expect.objectContaining({ kind: 'license' }) }),
    ]);

    // A PO is the partner's own paper: downloading it records nothing.
    const list = (await t.as(ACME).get(`/api/v1/orders/${orders.acme!.id}/documents`)).json()
      .items as { id: string; kind: string }[];
    const poDoc = list.find((d) => d.kind === 'po')!;
    expect(
      (await t.as(ACME).get(`/api/v1/orders/${orders.acme!.id}/documents/${poDoc.id}`)).statusCode,
    ).toBe(200);
    const events = (await t.as(ACME).get(`/api/v1/orders/${orders.acme!.id}/events`)).json()
      .items as { type: string; data: { documentId?: string } }[];
    expect(
      events.filter(
        (e) => e.type === 'order.document_downloaded' && e.data.documentId === poDoc.id,
      ),
    ).toHaveLength(0);

    // A file the vendor's staff attach without a kind (API.md names none) is a product file:
    // the partner's download of it is recorded too.
    const plain = await upload(DESK, orders.acme!.id, {
      name: 'release-notes.txt',
      type: 'text/plain',
      bytes: Buffer.from('EdgeWorks 4.2 release notes\n'),
    });
    expect(plain.statusCode, plain.body).toBe(201);
    expect(plain.json().kind).toBe('product_file');
    const got = await t
      .as(ACME)
      .get(`/api/v1/orders/${orders.acme!.id}/documents/${plain.json().id}`);
    expect(got.statusCode).toBe(200);
    const after = (await t.as(ACME).get(`/api/v1/orders/${orders.acme!.id}/events`)).json()
      .items as { type: string; data: { documentId?: string; kind?: string } }[];
    expect(
      after.filter(
        (e) => e.type === 'order.document_downloaded' && e.data.documentId === plain.json().id,
      ),
    ).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ kind: 'product_file' }) }),
    ]);
  });

  it('lets a distributor read its reseller’s documents but not add to them', async () => {
    const beta = orders.beta!;
    const product = await upload(BETA, beta.id, {
      name: 'setup.txt',
      type: 'text/plain',
      bytes: Buffer.from('setup notes'),
      fields: { kind: 'product_file' },
    });
    expect(product.statusCode, product.body).toBe(201);
    const docs = await t.as(ACME).get(`/api/v1/orders/${beta.id}/documents`);
    expect(docs.statusCode).toBe(200);
    expect(docs.json().items.map((d: { id: string }) => d.id)).toContain(product.json().id);
    const read = await t.as(ACME).get(`/api/v1/orders/${beta.id}/documents/${product.json().id}`);
    expect(read.statusCode).toBe(200);
    const refused = await upload(ACME, beta.id, { bytes: PNG });
    expect(refused.statusCode, refused.body).toBe(403);
    // The reseller does not see its distributor's order at all.
    expect((await t.as(BETA).get(`/api/v1/orders/${orders.acme!.id}/documents`)).statusCode).toBe(
      404,
    );
    expect((await upload(BETA, orders.acme!.id, { bytes: PNG })).statusCode).toBe(404);
  });

  it('keeps documents behind the walls: another partner or vendor gets 404', async () => {
    const docOf = async (user: string, orderId: string) => {
      const res = await upload(user, orderId, {
        bytes: readFileSync(SAMPLE_PO),
        fields: { kind: 'po' },
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ id: string }>().id;
    };
    await expectIsolated(
      t,
      PARTNER_ISOLATION.documents!,
      {
        user: ACME,
        ids: { orderId: orders.acme!.id, documentId: await docOf(ACME, orders.acme!.id) },
      },
      {
        user: CONTOSO,
        ids: { orderId: orders.contoso!.id, documentId: await docOf(CONTOSO, orders.contoso!.id) },
      },
    );
    await expectIsolated(
      t,
      VENDOR_ISOLATION.documents!,
      {
        user: 'admin@edgeworks.example',
        ids: { orderId: orders.acme!.id, documentId: await docOf(DESK, orders.acme!.id) },
      },
      {
        user: 'admin@skyline.example',
        ids: {
          orderId: orders.beta!.id,
          documentId: await docOf('admin@skyline.example', orders.beta!.id),
        },
      },
    );
    // A document id of another order of the same vendor is not found through this order.
    const contosoDoc = (
      await t.as(CONTOSO).get(`/api/v1/orders/${orders.contoso!.id}/documents`)
    ).json().items[0].id as string;
    expect(
      (await t.as(DESK).get(`/api/v1/orders/${orders.acme!.id}/documents/${contosoDoc}`))
        .statusCode,
    ).toBe(404);
  });
});
