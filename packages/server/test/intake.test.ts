// Mail intake (issue 10, points 3 and 7; acceptance "Seed 002 by mail"), on both databases:
// real mails with real PDF attachments are APPENDed into a real dovecot mailbox, the poller
// reads them, the outbox worker sends the acknowledgment through a real SMTP server on
// loopback, the desk converts or rejects through the API, and the partner's reply lands on the
// order's thread.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMailboxCheckpoint, type Store } from '@orderdesk/store';
import { testDialects } from '@orderdesk/store/testing';
import type { AppContext } from '@orderdesk/app';
import { configSchema, type Config } from '../src/config.ts';
import { parseImapUrl, startImapPoller, type ImapPoller } from '../src/mail/imap-poller.ts';
import { mailWorkerSettings, startMailWorker, type MailWorker } from '../src/mail/mail-worker.ts';
import { createSmtpTransport } from '../src/mail/smtp-transport.ts';
import { startDovecot, type Dovecot } from './dovecot.ts';
import { createTestApp, type TestApp } from './harness.ts';
import { appendMails, composeMail, makePoPdf, type PoLine } from './intake-fixtures.ts';
import { VENDOR_ISOLATION } from './isolated-routes.ts';
import { expectIsolated } from './isolation.ts';
import { findProducts, firstCustomerId, partnerIdOf, totalOf } from './scenario-helpers.ts';
import { startSmtpSink, type SmtpSink, type ReceivedMail } from './smtp-sink.ts';

const BUYER = 'buyer@acme.example';
const DESK = 'desk@edgeworks.example';
const NW_DESK = 'desk@northwind.example';
const today = new Date().toISOString().slice(0, 10);

let dovecot: Dovecot;
beforeAll(async () => {
  // Every user up front: dovecot may not see a passwd-file line added within a second of its
  // last look-up (seen in CI: the second database's login failed).
  dovecot = await startDovecot(
    Object.fromEntries(testDialects().map((d) => [`orders-${d}`, `secret-${d}`])),
  );
}, 60_000);
afterAll(async () => {
  await dovecot?.stop();
});

interface IntakeItem {
  id: string;
  vendor: string;
  from: string;
  subject: string;
  status: string;
  reason: string | null;
  partner: { id: string; name: string } | null;
  flags: { code: string; message: string }[];
  extracted: {
    purchaseOrder: Record<string, string>;
    lines: Record<string, string>[];
    specialTermsText?: string;
  };
  validation: { valid: boolean; problems: { path: string; code: string; message: string }[] };
  attachments: { name: string; contentType: string; size: number }[];
  draft: Record<string, unknown>;
  orderId: string | null;
}

describe.each(testDialects())('mail intake on %s', (dialect) => {
  let t: TestApp;
  let sink: SmtpSink;
  let poller: ImapPoller;
  let worker: MailWorker;
  let config: Config & { IMAP_URL: string };
  let n = 0;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    sink = await startSmtpSink();
    const user = `orders-${dialect}`;
    config = {
      ...configSchema.parse({}),
      IMAP_URL: dovecot.urlOf(user),
      SMTP_URL: sink.url,
      IMAP_TIMEOUT_MS: 10_000,
    };
    poller = startImapPoller(t.ctx, config, { autoStart: false });
    worker = startMailWorker(t.ctx, config, {
      autoStart: false,
      settings: mailWorkerSettings(config, createSmtpTransport(sink.url, { timeoutMs: 5000 })),
    });
  }, 60_000);
  afterAll(async () => {
    await poller?.stop();
    await worker?.stop();
    await t?.close();
    await sink?.close();
  });

  /** One worker cycle: read the mailbox, then send what is due. */
  const cycle = async () => {
    const polled = await poller.pollNow();
    const drained = await worker.drainNow();
    return { polled, drained };
  };
  const deliver = (raw: Buffer | Buffer[]) =>
    appendMails(config.IMAP_URL, Array.isArray(raw) ? raw : [raw]);
  const sentTo = (address: string, since: number): ReceivedMail[] =>
    sink.received.slice(since).filter((m) => m.rcptTo.includes(address));
  const items = async (user: string, query = ''): Promise<IntakeItem[]> => {
    const res = await t.as(user).get(`/api/v1/intake${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items as IntakeItem[];
  };
  const itemBySubject = async (user: string, subject: string): Promise<IntakeItem> => {
    const found = (await items(user)).find((i) => i.subject === subject);
    expect(found, `an intake item "${subject}"`).toBeDefined();
    return found!;
  };
  const edgeworksLines = async (): Promise<PoLine[]> => {
    const [license] = await findProducts(t, BUYER, 'edgeworks', {
      type: 'perpetual_license',
      count: 1,
    });
    const [maintenance] = await findProducts(t, BUYER, 'edgeworks', {
      type: 'maintenance',
      count: 1,
    });
    return [
      {
        partNumber: license!.partNumber,
        description: 'License',
        quantity: 2,
        unitPrice: license!.netPrice,
      },
      {
        partNumber: maintenance!.partNumber,
        description: 'Maintenance',
        quantity: 1,
        unitPrice: maintenance!.netPrice,
      },
    ];
  };
  const poMail = async (input: {
    from: string;
    to: string;
    subject: string;
    text: string;
    lines: PoLine[];
    buyer?: string;
    number: string;
    replyTo?: string;
  }): Promise<{ raw: Buffer; messageId: string }> => {
    const pdf = await makePoPdf({
      buyer: input.buyer ?? 'Acme Distribution',
      number: input.number,
      date: today,
      currency: 'USD',
      lines: input.lines,
      total: totalOf(input.lines),
    });
    const messageId = `<${input.number}.${++n}.${dialect}@sender.example>`;
    const raw = await composeMail({
      from: input.from,
      to: input.to,
      subject: input.subject,
      text: input.text,
      messageId,
      ...(input.replyTo ? { replyTo: input.replyTo } : {}),
      attachments: [
        { filename: `${input.number}.pdf`, content: pdf, contentType: 'application/pdf' },
      ],
    });
    return { raw, messageId };
  };

  it('seed 002 by mail: acknowledged within one cycle, read, converted, and the reply joins the order', async () => {
    const lines = await edgeworksLines();
    const number = `ACME-${dialect}-1001`;
    const subject = `Purchase order ${number}`;
    const { raw, messageId } = await poMail({
      from: 'Acme Buyer <buyer@acme.example>',
      to: 'orders@edgeworks.example',
      subject,
      text: 'Hello Edgeworks,\n\nplease find our License & Maintenance Order attached.\nEnd user: Fabrikam Health.\n\nKind regards,\nAcme Buyer',
      lines,
      number,
    });
    await deliver(raw);
    const since = sink.received.length;
    const { polled } = await cycle();
    expect(polled).toMatchObject({ read: 1, intake: 1, failed: 0 });

    // Within the same cycle the sender has the acknowledgment, threaded on its mail.
    const [ack] = sentTo(BUYER, since);
    expect(ack, 'an acknowledgment to the sender').toBeDefined();
    expect(ack!.headers['in-reply-to']).toBe(messageId);
    expect(ack!.headers.subject).toContain(number);
    expect(ack!.text).toContain(`PO ${number}`);
    expect(ack!.headers.from).toContain('orders@edgeworks.example');

    // The desk sees what was read and what is wrong with it.
    const item = await itemBySubject(DESK, subject);
    expect(item.status).toBe('new');
    expect(item.partner?.name).toBe('Acme Distribution');
    expect(item.flags).toEqual([]);
    expect(item.extracted.purchaseOrder).toMatchObject({
      number,
      date: today,
      currency: 'USD',
      total: totalOf(lines),
    });
    expect(item.extracted.lines.map((l) => [l.partNumber, l.quantity, l.unitPrice])).toEqual(
      lines.map((l) => [l.partNumber, String(l.quantity), l.unitPrice]),
    );
    expect(item.attachments).toEqual([
      expect.objectContaining({ name: `${number}.pdf`, contentType: 'application/pdf' }),
    ]);
    expect(item.draft).toMatchObject({ type: 'license_maintenance', channel: 'email' });
    expect(item.validation.valid).toBe(false);
    const paths = item.validation.problems.map((p) => p.path);
    expect(
      paths.some((p) => p.includes('hostId')),
      JSON.stringify(paths),
    ).toBe(true);
    expect((await items(DESK, '?status=converted')).map((i) => i.id)).not.toContain(item.id);

    // Partners never see the intake; another vendor's desk does not find it.
    expect((await t.as(BUYER).get('/api/v1/intake')).statusCode).toBe(403);
    expect((await t.as(BUYER).get(`/api/v1/intake/${item.id}`)).statusCode).toBe(403);
    expect(
      (await t.as(BUYER).post(`/api/v1/intake/${item.id}/actions/convert`, {})).statusCode,
    ).toBe(403);
    expect((await t.as(NW_DESK).get(`/api/v1/intake/${item.id}`)).statusCode).toBe(404);
    // It is the order desk's queue (API.md): other vendor roles neither list nor read it.
    for (const staff of ['finance@edgeworks.example', 'cam@edgeworks.example']) {
      expect((await t.as(staff).get('/api/v1/intake')).statusCode).toBe(403);
      expect((await t.as(staff).get(`/api/v1/intake/${item.id}`)).statusCode).toBe(403);
    }

    // Converting as read is refused with every problem; with the desk's additions it is placed.
    const refused = await t.as(DESK).post(`/api/v1/intake/${item.id}/actions/convert`, {});
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json().errors.length).toBeGreaterThan(0);
    const converted = await t.as(DESK).post(`/api/v1/intake/${item.id}/actions/convert`, {
      attributes: { endUserName: 'Fabrikam Health, Austin' },
      lines: lines.map((l, i) => ({
        partNumber: l.partNumber,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        attributes: { hostId: `HOST-${i + 1}` },
      })),
    });
    expect(converted.statusCode, converted.body).toBe(201);
    const order = converted.json();
    expect(order).toMatchObject({ channel: 'email', vendor: 'edgeworks', status: 'submitted' });
    expect(order.purchaseOrder.number).toBe(number);
    expect(order.number).toMatch(/^EW-\d{6}$/);
    const after = await t.as(DESK).get(`/api/v1/intake/${item.id}`);
    expect(after.json()).toMatchObject({ status: 'converted', orderId: order.id });
    const again = await t.as(DESK).post(`/api/v1/intake/${item.id}/actions/convert`, {});
    expect(again.statusCode).toBe(409);

    // The mail and the acknowledgment are the start of the order's thread, the PO kept.
    const thread = (await t.as(BUYER).get(`/api/v1/orders/${order.id}/messages`)).json();
    const original = thread.items.find((m: { messageId: string }) => m.messageId === messageId);
    expect(original).toMatchObject({ direction: 'in', status: 'received' });
    expect(original.attachments[0]).toMatchObject({ name: `${number}.pdf` });

    // The PO PDF is kept on the order as its document.
    const docs = await t.as(BUYER).get(`/api/v1/orders/${order.id}/documents`);
    expect(docs.statusCode, docs.body).toBe(200);
    expect(docs.json().items).toEqual([
      expect.objectContaining({
        name: `${number}.pdf`,
        kind: 'po',
        contentType: 'application/pdf',
      }),
    ]);

    // The partner answers the acknowledgment: the reply lands on the order's thread.
    const replyId = `<reply.${dialect}@acme.example>`;
    await deliver(
      await composeMail({
        from: 'Acme Buyer <buyer@acme.example>',
        to: 'orders@edgeworks.example',
        subject: `Re: ${ack!.headers.subject}`,
        text: 'Please deliver the licenses to our IT team.',
        messageId: replyId,
        inReplyTo: ack!.headers['message-id'],
        references: [messageId, ack!.headers['message-id']!],
      }),
    );
    const replied = await cycle();
    expect(replied.polled).toMatchObject({ read: 1, replies: 1, intake: 0 });
    const messages = (await t.as(BUYER).get(`/api/v1/orders/${order.id}/messages`)).json().items;
    expect(messages.find((m: { messageId: string }) => m.messageId === replyId)).toMatchObject({
      direction: 'in',
      status: 'received',
      from: BUYER,
      text: expect.stringContaining('IT team'),
    });
    const events = (await t.as(DESK).get(`/api/v1/orders/${order.id}/events`)).json().items;
    expect(events.map((e: { type: string }) => e.type)).toContain('order.mail_received');

    // A reply that names the order number in its subject, without thread headers, joins it too.
    const bySubject = `<by-subject.${dialect}@acme.example>`;
    await deliver(
      await composeMail({
        from: BUYER,
        to: 'orders@edgeworks.example',
        subject: `Question about ${order.number}`,
        text: 'When will it ship?',
        messageId: bySubject,
      }),
    );
    expect((await cycle()).polled).toMatchObject({ replies: 1 });
    const latest = (await t.as(DESK).get(`/api/v1/orders/${order.id}/messages`)).json().items;
    expect(latest.map((m: { messageId: string }) => m.messageId)).toContain(bySubject);

    // A quote number holds the order prefix (Q-EW-000001): it never names the order EW-000001.
    await deliver(
      await composeMail({
        from: BUYER,
        to: 'orders@edgeworks.example',
        subject: `About quote Q-${order.number}`,
        text: 'Is this quote still valid?',
        messageId: `<quote-like.${dialect}@acme.example>`,
      }),
    );
    expect((await cycle()).polled).toMatchObject({ replies: 0, intake: 1 });

    // A mail naming a quote number joins that quote's thread.
    const quote = await t.as('sales@edgeworks.example').post('/api/v1/quotes', {
      partnerId: order.partnerId,
      customerId: order.customerId,
      orderType: 'license_maintenance',
      lines: [{ partNumber: lines[0]!.partNumber, quantity: 1 }],
    });
    expect(quote.statusCode, quote.body).toBe(201);
    const aboutQuote = `<about-quote.${dialect}@acme.example>`;
    await deliver(
      await composeMail({
        from: BUYER,
        to: 'orders@edgeworks.example',
        subject: `Question on ${quote.json().number}`,
        text: 'Can you add training?',
        messageId: aboutQuote,
      }),
    );
    expect((await cycle()).polled).toMatchObject({ replies: 1 });
    const quoteThread = await t.as(DESK).get(`/api/v1/quotes/${quote.json().id}/messages`);
    expect(quoteThread.json().items.map((m: { messageId: string }) => m.messageId)).toContain(
      aboutQuote,
    );

    // The same mail delivered twice is stored once (Message-ID de-duplication).
    const count = (await items(DESK)).length;
    await deliver(raw);
    expect((await cycle()).polled).toMatchObject({ read: 1, duplicates: 1, intake: 0 });
    expect((await items(DESK)).length).toBe(count);
  });

  it('reads the special-terms clause from the mail body (seed 000)', async () => {
    const parts = await findProducts(t, BUYER, 'northwind', { type: 'subscription', count: 1 });
    const partnerships = await t.as(BUYER).get('/api/v1/partnerships?vendor=northwind');
    const clause = partnerships.json().items[0].specialTerms as string;
    expect(clause).toContain('Acme Distribution Ltd.');
    const number = `ACME-NW-${dialect}-7`;
    const subject = `New business order ${number}`;
    const { raw } = await poMail({
      from: BUYER,
      to: 'orders@northwind.example',
      subject,
      text: `Dear Northwind,\n\nour New business order is attached for Fabrikam Health.\n\n${clause}\n\nThanks,\nAcme`,
      lines: parts.map((p) => ({
        partNumber: p.partNumber,
        description: p.name,
        quantity: 5,
        unitPrice: p.netPrice,
      })),
      number,
    });
    await deliver(raw);
    expect((await cycle()).polled).toMatchObject({ intake: 1 });
    const item = await itemBySubject(NW_DESK, subject);
    expect(item.extracted.specialTermsText).toContain('Distributor Agreement');
    expect(item.draft).toMatchObject({ type: 'new', vendor: 'northwind' });
    const codes = item.validation.problems.map((p) => p.code);
    expect(
      codes.filter((c) => c.startsWith('special_terms')),
      JSON.stringify(codes),
    ).toEqual([]);
    // Without the clause the same PO is told what is missing.
    const { raw: bare } = await poMail({
      from: BUYER,
      to: 'orders@northwind.example',
      subject: `${subject} (again)`,
      text: 'Our New business order for Fabrikam Health is attached.',
      lines: parts.map((p) => ({
        partNumber: p.partNumber,
        description: p.name,
        quantity: 5,
        unitPrice: p.netPrice,
      })),
      number: `${number}-B`,
    });
    await deliver(bare);
    await cycle();
    const without = await itemBySubject(NW_DESK, `${subject} (again)`);
    expect(without.validation.problems.map((p) => p.code)).toContain('special_terms.missing');
  });

  /** The vendor's order template filled in for Fabrikam Health, a host ID on each line. */
  const filledTemplate = async (number: string, lines: PoLine[]): Promise<Buffer> => {
    const res = await t
      .as(BUYER)
      .get('/api/v1/vendors/edgeworks/order-template?type=license_maintenance');
    expect(res.statusCode, res.body).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as never);
    const order = wb.getWorksheet('Order')!;
    const sheet = wb.getWorksheet('Lines')!;
    const rowOf = (key: string): number => {
      let found = 0;
      order.eachRow((row, r) => {
        if (row.getCell(5).value === key) found = r;
      });
      return found;
    };
    const columnOf = (key: string): string => {
      let found = '';
      sheet.getRow(2).eachCell((cell, col) => {
        if (cell.value === key) found = sheet.getColumn(col).letter;
      });
      return found;
    };
    order.getCell(`B${rowOf('customerId')}`).value = 'Fabrikam Health';
    order.getCell(`B${rowOf('purchaseOrder.number')}`).value = number;
    order.getCell(`B${rowOf('purchaseOrder.date')}`).value = new Date(`${today}T00:00:00Z`);
    order.getCell(`B${rowOf('purchaseOrder.total')}`).value = Number(totalOf(lines));
    order.getCell(`B${rowOf('attributes.endUserName')}`).value = 'Fabrikam Health, Austin';
    lines.forEach((l, i) => {
      sheet.getCell(`${columnOf('partNumber')}${3 + i}`).value = l.partNumber;
      sheet.getCell(`${columnOf('quantity')}${3 + i}`).value = l.quantity;
      sheet.getCell(`${columnOf('unitPrice')}${3 + i}`).value = Number(l.unitPrice);
      sheet.getCell(`${columnOf('attributes.hostId')}${3 + i}`).value = `XL-HOST-${i + 1}`;
    });
    return Buffer.from(await wb.xlsx.writeBuffer());
  };

  it('reads the vendor’s order template sent by mail, down to the line attributes', async () => {
    const lines = await edgeworksLines();
    const number = `ACME-XL-${dialect}-3001`;
    const xlsx = await filledTemplate(number, lines);
    const subject = `Order template ${number}`;
    await deliver(
      await composeMail({
        from: BUYER,
        to: 'orders@edgeworks.example',
        subject,
        text: 'Our order, on your template.',
        messageId: `<xl.${dialect}@acme.example>`,
        attachments: [{ filename: 'edgeworks-order.xlsx', content: xlsx }],
      }),
    );
    expect((await cycle()).polled).toMatchObject({ intake: 1 });
    const item = await itemBySubject(DESK, subject);
    expect(item.status).toBe('new');
    expect(item.extracted.purchaseOrder.number).toBe(number);
    expect(item.validation, JSON.stringify(item.validation.problems)).toMatchObject({
      valid: true,
    });
    const converted = await t.as(DESK).post(`/api/v1/intake/${item.id}/actions/convert`, {});
    expect(converted.statusCode, converted.body).toBe(201);
    expect(
      converted.json().lines.map((l: { attributes: { hostId: string } }) => l.attributes.hostId),
    ).toEqual(['XL-HOST-1', 'XL-HOST-2']);
  });

  it('rejects with the reason mailed to the sender', async () => {
    const lines = await edgeworksLines();
    const subject = `PO to reject ${dialect}`;
    const { raw, messageId } = await poMail({
      from: BUYER,
      to: 'orders@edgeworks.example',
      subject,
      text: 'Order attached.',
      lines,
      number: `ACME-${dialect}-9003`,
    });
    await deliver(raw);
    await cycle();
    const item = await itemBySubject(DESK, subject);
    const missing = await t.as(DESK).post(`/api/v1/intake/${item.id}/actions/reject`, {});
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0].path).toBe('reason');
    const since = sink.received.length;
    const res = await t
      .as(DESK)
      .post(`/api/v1/intake/${item.id}/actions/reject`, { reason: 'Duplicate of PO 1001' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'rejected', reason: 'Duplicate of PO 1001' });
    await worker.drainNow();
    const [mail] = sentTo(BUYER, since);
    expect(mail?.text).toContain('Duplicate of PO 1001');
    expect(mail?.headers['in-reply-to']).toBe(messageId);
    expect((await items(DESK, '?status=rejected')).map((i) => i.id)).toContain(item.id);
    expect(
      (await t.as(DESK).post(`/api/v1/intake/${item.id}/actions/reject`, { reason: 'x' }))
        .statusCode,
    ).toBe(409);
  });

  it('flags a sender outside the partner’s domains and converts only when confirmed', async () => {
    const lines = await edgeworksLines();
    const subject = `Urgent PO ${dialect}`;
    const { raw } = await poMail({
      from: 'Acme Purchasing <purchasing@acme-orders.example.net>',
      to: 'orders@edgeworks.example',
      subject,
      text: 'License & Maintenance Order for Fabrikam Health attached.',
      lines,
      number: `ACME-${dialect}-9001`,
    });
    await deliver(raw);
    await cycle();
    const item = await itemBySubject(DESK, subject);
    expect(item.partner?.name).toBe('Acme Distribution');
    expect(item.flags.map((f) => f.code)).toEqual(['sender_outside_partner_domains']);
    const body = {
      attributes: { endUserName: 'Fabrikam Health' },
      lines: lines.map((l, i) => ({
        partNumber: l.partNumber,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        attributes: { hostId: `H-${i}` },
      })),
    };
    const silent = await t.as(DESK).post(`/api/v1/intake/${item.id}/actions/convert`, body);
    expect(silent.statusCode, silent.body).toBe(422);
    expect(silent.json().errors.map((e: { path: string }) => e.path)).toEqual(['confirmSender']);
    const confirmed = await t
      .as(DESK)
      .post(`/api/v1/intake/${item.id}/actions/convert`, { ...body, confirmSender: true });
    expect(confirmed.statusCode, confirmed.body).toBe(201);
    const after = (await t.as(DESK).get(`/api/v1/intake/${item.id}`)).json();
    expect(after.status).toBe('converted');
    expect(after.flags.map((f: { code: string }) => f.code)).toEqual([
      'sender_outside_partner_domains',
    ]);

    // Reply-To pointing elsewhere is flagged too; an unknown sender names no partner.
    const { raw: redirected } = await poMail({
      from: BUYER,
      replyTo: 'collect@elsewhere.example',
      to: 'orders@edgeworks.example',
      subject: `Redirected ${dialect}`,
      text: 'See attached.',
      lines,
      number: `ACME-${dialect}-9002`,
    });
    const { raw: stranger } = await poMail({
      from: 'someone@unknown.example',
      to: 'orders@edgeworks.example',
      subject: `Stranger ${dialect}`,
      text: 'See attached.',
      lines,
      buyer: 'Unknown Trading',
      number: `UNK-${dialect}-1`,
    });
    await deliver([redirected, stranger]);
    await cycle();
    expect((await itemBySubject(DESK, `Redirected ${dialect}`)).flags.map((f) => f.code)).toEqual([
      'reply_to_outside_partner_domains',
    ]);
    const unknown = await itemBySubject(DESK, `Stranger ${dialect}`);
    expect(unknown.partner).toBeNull();
    expect(unknown.flags.map((f) => f.code)).toEqual(['sender_unknown']);
    expect(unknown.validation.problems.map((p) => p.path)).toContain('partnerId');
  });

  const orderCount = async (): Promise<number> =>
    (await t.store.db.selectFrom('orders').select('id').execute()).length;

  it('converts an unknown sender’s mail only when confirmed, even with the partner named', async () => {
    const lines = await edgeworksLines();
    const subject = `Stranger to convert ${dialect}`;
    const { raw } = await poMail({
      from: 'someone@unknown.example',
      to: 'orders@edgeworks.example',
      subject,
      text: 'License & Maintenance Order for Fabrikam Health attached.',
      lines,
      buyer: 'Unknown Trading',
      number: `UNK-${dialect}-2`,
    });
    await deliver(raw);
    await cycle();
    const item = await itemBySubject(DESK, subject);
    expect(item.flags.map((f) => f.code)).toEqual(['sender_unknown']);
    const body = {
      partnerId: await partnerIdOf(t, BUYER),
      customerId: await firstCustomerId(t, BUYER),
      attributes: { endUserName: 'Fabrikam Health' },
      lines: lines.map((l, i) => ({
        partNumber: l.partNumber,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        attributes: { hostId: `U-${i}` },
      })),
    };
    const before = await orderCount();
    for (const silent of [body, { ...body, confirmSender: false }]) {
      const refused = await t.as(DESK).post(`/api/v1/intake/${item.id}/actions/convert`, silent);
      expect(refused.statusCode, refused.body).toBe(422);
      expect(refused.json().errors).toEqual([
        expect.objectContaining({ path: 'confirmSender', code: 'required' }),
      ]);
      expect(refused.json().errors[0].message).toContain('someone@unknown.example');
    }
    expect(await orderCount()).toBe(before);
    expect((await t.as(DESK).get(`/api/v1/intake/${item.id}`)).json()).toMatchObject({
      status: 'new',
      orderId: null,
    });
    const confirmed = await t
      .as(DESK)
      .post(`/api/v1/intake/${item.id}/actions/convert`, { ...body, confirmSender: true });
    expect(confirmed.statusCode, confirmed.body).toBe(201);
    expect(confirmed.json()).toMatchObject({ channel: 'email', partnerId: body.partnerId });
    expect(await orderCount()).toBe(before + 1);
  });

  it('keeps the order template’s line attributes in the draft whoever sent it', async () => {
    const lines = await edgeworksLines();
    const number = `UNK-XL-${dialect}-1`;
    const subject = `Stranger's template ${number}`;
    await deliver(
      await composeMail({
        from: 'someone@unknown.example',
        to: 'orders@edgeworks.example',
        subject,
        text: 'Our order, on your template.',
        messageId: `<unk-xl.${dialect}@unknown.example>`,
        attachments: [
          { filename: 'edgeworks-order.xlsx', content: await filledTemplate(number, lines) },
        ],
      }),
    );
    expect((await cycle()).polled).toMatchObject({ intake: 1 });
    const item = await itemBySubject(DESK, subject);
    expect(item.status).toBe('new');
    expect(item.partner).toBeNull();
    expect(item.flags.map((f) => f.code)).toEqual(['sender_unknown']);
    expect(item.draft).toMatchObject({
      vendor: 'edgeworks',
      type: 'license_maintenance',
      channel: 'email',
      purchaseOrder: { number },
      attributes: { endUserName: 'Fabrikam Health, Austin' },
    });
    expect(item.draft.partnerId).toBeUndefined();
    const draftLines = item.draft.lines as {
      partNumber: string;
      attributes?: { hostId?: string };
    }[];
    expect(draftLines.map((l) => [l.partNumber, l.attributes?.hostId])).toEqual(
      lines.map((l, i) => [l.partNumber, `XL-HOST-${i + 1}`]),
    );
    expect(item.validation.problems.map((p) => p.path)).toContain('partnerId');
    const converted = await t.as(DESK).post(`/api/v1/intake/${item.id}/actions/convert`, {
      partnerId: await partnerIdOf(t, BUYER),
      customerId: await firstCustomerId(t, BUYER),
      confirmSender: true,
    });
    expect(converted.statusCode, converted.body).toBe(201);
    expect(
      converted.json().lines.map((l: { attributes: { hostId: string } }) => l.attributes.hostId),
    ).toEqual(['XL-HOST-1', 'XL-HOST-2']);
  });

  it('re-reads a message whose storing was cut short, and keeps the UID checkpoint', async () => {
    const subject = `Crash ${dialect}`;
    const [uid] = await deliver(
      await composeMail({
        from: BUYER,
        to: 'orders@edgeworks.example',
        subject,
        text: 'No attachment in this one.',
        messageId: `<crash.${dialect}@acme.example>`,
      }),
    );
    const key = parseImapUrl(config.IMAP_URL).key;
    const before = await findMailboxCheckpoint(t.store.db, key);
    // A poller whose database dies in the storing transaction (as a process killed there would).
    const dying: AppContext = { ...t.ctx, store: dyingStore(t.store) };
    const crashed = startImapPoller(dying, config, { autoStart: false });
    const first = await crashed.pollNow();
    await crashed.stop();
    expect(first).toMatchObject({ read: 0, failed: 1 });
    expect((await findMailboxCheckpoint(t.store.db, key))?.last_uid).toBe(before?.last_uid);
    expect((await items(DESK)).map((i) => i.subject)).not.toContain(subject);

    const second = await poller.pollNow();
    expect(second).toMatchObject({ read: 1, intake: 1 });
    const item = await itemBySubject(DESK, subject);
    expect(item).toMatchObject({ status: 'unreadable' });
    expect(item.reason).toContain('No attachment');
    expect((await findMailboxCheckpoint(t.store.db, key))?.last_uid).toBe(uid);
    expect((await poller.pollNow()).read).toBe(0);
  });

  it('converts an unreadable mail with what the desk gives, its vendor understood', async () => {
    const subject = `Unreadable ${dialect}`;
    await deliver(
      await composeMail({
        from: BUYER,
        to: 'orders@edgeworks.example',
        subject,
        text: 'Please order what we discussed on the phone.',
        messageId: `<unreadable.${dialect}@acme.example>`,
      }),
    );
    expect((await cycle()).polled).toMatchObject({ intake: 1 });
    const item = await itemBySubject(DESK, subject);
    expect(item).toMatchObject({ status: 'unreadable' });
    const lines = await edgeworksLines();
    // The desk types the order from the phone call; it need not say the vendor, nor the
    // partner its sender was found to be: the item says both.
    expect(item.partner).not.toBeNull();
    const converted = await t.as(DESK).post(`/api/v1/intake/${item.id}/actions/convert`, {
      type: 'license_maintenance',
      customerId: await firstCustomerId(t, BUYER),
      purchaseOrder: {
        number: `PHONE-${dialect}-1`,
        date: today,
        currency: 'USD',
        total: totalOf(lines),
      },
      attributes: { endUserName: 'Fabrikam Health, Austin' },
      lines: lines.map((l, i) => ({
        partNumber: l.partNumber,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        attributes: { hostId: `PHONE-HOST-${i + 1}` },
      })),
    });
    expect(converted.statusCode, converted.body).toBe(201);
    expect(converted.json()).toMatchObject({ vendor: 'edgeworks', channel: 'email' });
  });

  it('re-reads a mailbox whose UIDVALIDITY changed without storing anything twice', async () => {
    const key = parseImapUrl(config.IMAP_URL).key;
    const before = await findMailboxCheckpoint(t.store.db, key);
    expect(before).toBeDefined();
    const count = (await items(DESK)).length;
    // As after a mailbox rebuilt on the server: the stored checkpoint names another UIDVALIDITY.
    await t.store.db
      .updateTable('mailbox_checkpoints')
      .set({ uid_validity: before!.uid_validity + 1 })
      .where('mailbox', '=', key)
      .execute();
    const passes = [];
    for (;;) {
      const r = await poller.pollNow();
      passes.push(r);
      if (r.read === 0) break;
    }
    const read = passes.reduce((n, p) => n + p.read, 0);
    expect(read).toBe(before!.last_uid);
    expect(passes.reduce((n, p) => n + p.intake + p.replies, 0)).toBe(0);
    expect((await items(DESK)).length).toBe(count);
    expect(await findMailboxCheckpoint(t.store.db, key)).toMatchObject({
      uid_validity: before!.uid_validity,
      last_uid: before!.last_uid,
    });
  });

  it('flags a failed sender authentication and sends it no acknowledgment', async () => {
    const lines = await edgeworksLines();
    const pdf = await makePoPdf({
      buyer: 'Acme Distribution',
      number: `ACME-${dialect}-9100`,
      date: today,
      currency: 'USD',
      lines,
      total: totalOf(lines),
    });
    const subject = `Spoofed ${dialect}`;
    await deliver(
      await composeMail({
        from: BUYER,
        to: 'orders@edgeworks.example',
        subject,
        text: 'Attached.',
        messageId: `<spoofed.${dialect}@acme.example>`,
        headers: {
          'Authentication-Results':
            'mx.edgeworks.example; spf=fail smtp.mailfrom=acme.example; dmarc=fail',
        },
        attachments: [{ filename: 'po.pdf', content: pdf }],
      }),
    );
    await worker.drainNow(); // what earlier tests queued
    const since = sink.received.length;
    await cycle();
    const item = await itemBySubject(DESK, subject);
    expect(item.flags.map((f) => f.code)).toEqual(['sender_authentication_failed']);
    expect(sentTo(BUYER, since)).toEqual([]);
  });

  it('answers no automatic mail with an acknowledgment, and marks its own as automatic', async () => {
    // RFC 3834: an out-of-office reply or a bounce is never answered automatically (two robots
    // would write to each other forever); OrderDesk's own mails say they are automatic.
    await worker.drainNow();
    const since = sink.received.length;
    const auto = `Out of office ${dialect}`;
    const person = `Order by hand ${dialect}`;
    for (const [subject, headers] of [
      [auto, { 'Auto-Submitted': 'auto-replied' }],
      [person, {}],
    ] as const) {
      await deliver(
        await composeMail({
          from: BUYER,
          to: 'orders@edgeworks.example',
          subject,
          text: 'No attachment.',
          messageId: `<${subject.replaceAll(' ', '.')}@acme.example>`,
          headers,
        }),
      );
    }
    await cycle();
    await itemBySubject(DESK, auto);
    await itemBySubject(DESK, person);
    const answered = sentTo(BUYER, since);
    expect(answered.map((m) => m.headers['in-reply-to'])).toEqual([
      `<${person.replaceAll(' ', '.')}@acme.example>`,
    ]);
    expect(answered[0]!.headers['auto-submitted']).toBe('auto-generated');
  });

  it('keeps polling when the mailbox cannot be reached', async () => {
    // Its own server: the failed logins' penalties must not slow the shared one.
    const other = await startDovecot({ intake: 'right-password' });
    const url = other.urlOf('intake').replace(':right-password@', ':wrong-password@');
    try {
      const wrong = startImapPoller(t.ctx, { ...config, IMAP_URL: url }, { autoStart: false });
      await expect(wrong.pollNow()).rejects.toThrow();
      await wrong.stop();
      const lines: string[] = [];
      const looping = startImapPoller(
        t.ctx,
        { ...config, IMAP_URL: url, IMAP_POLL_MS: 20 },
        { log: (line) => lines.push(line) },
      );
      const failed = () => lines.filter((l) => l.includes('pass failed')).length;
      const end = Date.now() + 30_000;
      while (failed() < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      await looping.stop();
      expect(failed(), lines.join('\n')).toBeGreaterThanOrEqual(2);
      expect(lines.join('\n')).not.toContain('wrong-password');
    } finally {
      await other.stop();
    }
  });

  it('keeps each vendor’s intake to its own staff', async () => {
    const mail = (to: string, id: string) =>
      composeMail({
        from: BUYER,
        to,
        subject: `Isolation ${id}`,
        text: 'n/a',
        messageId: `<${id}@acme.example>`,
      });
    await deliver([
      await mail('orders@edgeworks.example', `iso-ew-${dialect}`),
      await mail('orders@northwind.example', `iso-nw-${dialect}`),
    ]);
    await cycle();
    const ew = await itemBySubject(DESK, `Isolation iso-ew-${dialect}`);
    const nw = await itemBySubject(NW_DESK, `Isolation iso-nw-${dialect}`);
    expect((await items(DESK)).map((i) => i.id)).not.toContain(nw.id);
    await expectIsolated(
      t,
      VENDOR_ISOLATION.intake ?? [],
      { user: DESK, ids: { intakeId: ew.id } },
      { user: NW_DESK, ids: { intakeId: nw.id } },
    );
  });
});

/** The store with a database whose next transaction fails before it commits. */
function dyingStore(store: Store): Store {
  let alive = false;
  const db = new Proxy(store.db, {
    get(target, prop, receiver) {
      if (prop === 'transaction' && !alive) {
        alive = true;
        return () => ({
          execute: async () => {
            throw new Error('the process died before the commit');
          },
        });
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
  return { ...store, db };
}
