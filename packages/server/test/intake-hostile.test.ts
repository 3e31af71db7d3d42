// Hostile mail (issue 10, point 8): a 50 MB attachment, 500 attachments, a zip-bomb workbook,
// a PDF decompression bomb, a PDF whose page tree never ends, an encrypted PDF, a
// password-protected workbook, malformed MIME, no attachment — each becomes an unreadable
// intake item with its reason, in bounded time, the big message never downloaded whole, and
// the poller goes on to read the honest PO delivered after them. Both databases.
import { constants, deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@orderdesk/store/testing';
import { repeatedPart, workbookOf } from '../../app/src/shared/uploads/zip-fixtures.testing.ts';
import { configSchema, type Config } from '../src/config.ts';
import { startImapPoller, type ImapPoller } from '../src/mail/imap-poller.ts';
import { startDovecot, type Dovecot } from './dovecot.ts';
import { createTestApp, type TestApp } from './harness.ts';
import { appendMails, composeMail, makePoPdf, type MailAttachment } from './intake-fixtures.ts';

const BUYER = 'buyer@acme.example';
const DESK = 'desk@edgeworks.example';
const MB = 1024 * 1024;

let dovecot: Dovecot;
beforeAll(async () => {
  // Every user up front: dovecot may not see a passwd-file line added within a second of its
  // last look-up (seen in CI: the second database's login failed).
  dovecot = await startDovecot(
    Object.fromEntries(testDialects().map((d) => [`hostile-${d}`, `secret-${d}`])),
  );
}, 60_000);
afterAll(async () => {
  await dovecot?.stop();
});

/** A PDF file of the given objects (bodies without `n 0 obj`), with a correct xref table. */
function pdfOf(objects: readonly (string | Buffer)[], root = 1): Buffer {
  const chunks: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let size = chunks[0]!.length;
  objects.forEach((body, i) => {
    offsets.push(size);
    const part = Buffer.concat([
      Buffer.from(`${i + 1} 0 obj\n`),
      typeof body === 'string' ? Buffer.from(body, 'latin1') : body,
      Buffer.from('\nendobj\n'),
    ]);
    chunks.push(part);
    size += part.length;
  });
  const xref = [
    'xref',
    `0 ${objects.length + 1}`,
    '0000000000 65535 f ',
    ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n `),
    'trailer',
    `<< /Size ${objects.length + 1} /Root ${root} 0 R >>`,
    'startxref',
    String(size),
    '%%EOF',
  ].join('\n');
  chunks.push(Buffer.from(xref + '\n'));
  return Buffer.concat(chunks);
}

/** A page whose content stream inflates to `megabytes` of spaces (a decompression bomb). */
function pdfBomb(megabytes: number): Buffer {
  const flush = { finishFlush: constants.Z_FULL_FLUSH };
  const block = deflateRawSync(Buffer.alloc(MB, 0x20), flush);
  const body = Buffer.concat([
    Buffer.from([0x78, 0x9c]),
    ...Array.from({ length: megabytes }, () => block),
    deflateRawSync(Buffer.from('BT ET')),
  ]);
  return pdfOf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>',
    Buffer.concat([
      Buffer.from(`<< /Length ${body.length} /Filter /FlateDecode >>\nstream\n`),
      body,
      Buffer.from('\nendstream'),
    ]),
  ]);
}

/** A page tree that contains itself: a reader that follows it never ends. */
function pdfEndlessTree(): Buffer {
  return pdfOf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [2 0 R 3 0 R 2 0 R] /Count 1000000000 >>',
    '<< /Type /Pages /Parent 2 0 R /Kids [3 0 R 2 0 R] /Count 1000000000 >>',
  ]);
}

/** A workbook whose one sheet inflates to about 2 GB. */
function zipBombWorkbook(): Buffer {
  const unit = '<row><c t="inlineStr"><is><t>x</t></is></c></row>';
  return workbookOf(
    repeatedPart('xl/worksheets/sheet1.xml', {
      head: '<?xml version="1.0"?><worksheet><sheetData>',
      unit,
      times: Math.floor((2048 * MB) / unit.length),
      tail: '</sheetData></worksheet>',
    }),
  );
}

/** What Office writes for a workbook with a password: an OLE compound file, not a zip. */
function passwordProtectedWorkbook(): Buffer {
  const cfb = Buffer.alloc(4096);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(cfb);
  Buffer.from('EncryptedPackage', 'utf16le').copy(cfb, 1024);
  return cfb;
}

describe.each(testDialects())('hostile mail on %s', (dialect) => {
  let t: TestApp;
  let poller: ImapPoller;
  let config: Config & { IMAP_URL: string };
  let n = 0;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const user = `hostile-${dialect}`;
    config = {
      ...configSchema.parse({}),
      IMAP_URL: dovecot.urlOf(user),
      IMAP_TIMEOUT_MS: 20_000,
      INTAKE_READ_TIMEOUT_MS: 5_000,
    };
    poller = startImapPoller(t.ctx, config, { autoStart: false });
  }, 60_000);
  afterAll(async () => {
    await poller?.stop();
    await t?.close();
  });

  const mail = (subject: string, attachments: MailAttachment[], text = 'PO attached.') =>
    composeMail({
      from: BUYER,
      to: 'orders@edgeworks.example',
      subject,
      text,
      messageId: `<hostile.${++n}.${dialect}@acme.example>`,
      attachments,
    });

  it('stores every hostile message as unreadable with its reason and keeps reading', async () => {
    const s = (name: string) => `${name} (${dialect})`;
    const honest = await makePoPdf({
      buyer: 'Acme Distribution',
      number: `ACME-${dialect}-5500`,
      date: '2026-11-30',
      currency: 'USD',
      lines: [{ partNumber: 'EW-X', description: 'x', quantity: 1, unitPrice: '10.00' }],
      total: '10.00',
    });
    const malformed = Buffer.from(
      [
        `From: ${BUYER}`,
        'To: orders@edgeworks.example',
        `Subject: ${s('malformed MIME')}`,
        `Message-ID: <malformed.${dialect}@acme.example>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed',
        '',
        '--what-boundary',
        'Content-Type: application/pdf; name="po.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        '%%%not base64%%%',
        '--what-boundary--',
        '',
      ].join('\r\n'),
    );
    const cases: [subject: string, raw: Buffer, reason: RegExp][] = [
      [
        s('50 MB attachment'),
        await mail(s('50 MB attachment'), [
          {
            filename: 'huge.pdf',
            content: Buffer.alloc(50 * MB, 0x41),
            contentType: 'application/pdf',
          },
        ]),
        /over the 25\.0 MB intake limit/,
      ],
      [
        s('500 attachments'),
        await mail(
          s('500 attachments'),
          Array.from({ length: 500 }, (_, i) => ({
            filename: `part-${i}.txt`,
            content: Buffer.from(`part ${i}`),
          })),
        ),
        /500 attachments/,
      ],
      [
        s('zip bomb'),
        await mail(s('zip bomb'), [{ filename: 'order.xlsx', content: zipBombWorkbook() }]),
        /order\.xlsx: .*uncompressed/,
      ],
      [
        s('PDF bomb'),
        await mail(s('PDF bomb'), [{ filename: 'bomb.pdf', content: pdfBomb(1024) }]),
        /bomb\.pdf: .*(decompression bomb|expands|took longer)/,
      ],
      [
        s('endless PDF'),
        await mail(s('endless PDF'), [{ filename: 'loop.pdf', content: pdfEndlessTree() }]),
        /loop\.pdf: .*(circular|took longer)/,
      ],
      [
        s('encrypted PDF'),
        await mail(s('encrypted PDF'), [
          {
            filename: 'locked.pdf',
            content: await makePoPdf({
              buyer: 'Acme Distribution',
              number: 'LOCKED-1',
              date: '2026-11-30',
              lines: [],
              total: '0.00',
              userPassword: 'secret',
            }),
          },
        ]),
        /locked\.pdf: .*(encrypted|password)/,
      ],
      [
        s('protected workbook'),
        await mail(s('protected workbook'), [
          { filename: 'order.xlsx', content: passwordProtectedWorkbook() },
        ]),
        /order\.xlsx: .*password-protected/,
      ],
      [s('malformed MIME'), malformed, /malformed MIME/],
      [s('no attachment'), await mail(s('no attachment'), []), /No attachment/],
    ];
    await appendMails(config.IMAP_URL, [
      ...cases.map(([, raw]) => raw),
      await mail(s('honest PO'), [{ filename: 'po.pdf', content: honest }]),
    ]);

    const started = Date.now();
    const passes = [];
    for (let i = 0; i < 5; i++) {
      const r = await poller.pollNow();
      passes.push(r);
      if (r.read === 0) break;
    }
    const seconds = (Date.now() - started) / 1000;
    expect(passes.reduce((sum, p) => sum + p.failed, 0)).toBe(0);
    expect(passes.reduce((sum, p) => sum + p.intake, 0)).toBe(cases.length + 1);
    // Bounded time: every budget together, with room for a loaded machine.
    expect(seconds).toBeLessThan(cases.length * 10);

    const res = await t.as(DESK).get('/api/v1/intake?limit=100');
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().items as {
      subject: string;
      status: string;
      reason: string | null;
      id: string;
    }[];
    for (const [subject, , reason] of cases) {
      const item = items.find((i) => i.subject === subject);
      expect(item, subject).toBeDefined();
      expect(item!.status, subject).toBe('unreadable');
      expect(item!.reason ?? '', subject).toMatch(reason);
    }
    const ok = items.find((i) => i.subject === s('honest PO'));
    expect(ok?.status).toBe('new');

    // The 50 MB message was never downloaded: only its header is stored (it stays on the server).
    const big = items.find((i) => i.subject === s('50 MB attachment'))!;
    const stored = await t.store.db
      .selectFrom('inbound_mails')
      .select(['size', 'truncated', 'raw'])
      .where('entity_id', '=', big.id)
      .executeTakeFirstOrThrow();
    expect(stored.truncated).toBe(1);
    expect(stored.size).toBeGreaterThan(50 * MB);
    expect(stored.raw.byteLength).toBeLessThan(64 * 1024);
    const view = (await t.as(DESK).get(`/api/v1/intake/${big.id}`)).json();
    expect(view.attachments).toEqual([expect.objectContaining({ name: 'huge.pdf' })]);
  }, 240_000);
});
