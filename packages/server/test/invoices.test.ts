// Invoices (issue 11): issued by the scheduler on the right business day in the vendor's time
// zone, once however often (and by however many passes at once) the jobs run, numbered
// gaplessly per vendor; the UBL of each demo vendor valid against the UBL 2.1 XSD; the PDF's
// text carries the number, the lines and the total; seed 000's renewal without a welcome mail
// is confirmed by its invoice; copies on request, credit notes (their PDF and UBL CreditNote,
// valid against the UBL 2.1 XSD, mailed to the invoicing contact), payments; tenant walls.
// The buyer is the partner as its partnership bills it (legal name, billing country, tax ID),
// never the end customer, who is the deliver-to; the tax follows the partner's country. A
// resend with an Idempotency-Key mails one copy however often it is retried.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DateTime } from 'luxon';
import { extractText } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMailAttachments, runDueJobs, type JobPassResult } from '@orderdesk/app';
import { businessCalendar, isBusinessDate } from '@orderdesk/core';
import { testDialects } from '@orderdesk/store/testing';
import { createTestApp, type TestApp } from './harness.ts';
import { PARTNER_ISOLATION, VENDOR_ISOLATION } from './isolated-routes.ts';
import { expectIsolated } from './isolation.ts';
import {
  act,
  deviceOrderBody,
  findProducts,
  firstCustomerId,
  partnerIdOf,
  totalOf,
} from './scenario-helpers.ts';

const run = promisify(execFile);
const xsdOf = (name: string): string =>
  new URL(`../../app/test/fixtures/ubl-2.1/maindoc/${name}`, import.meta.url).pathname;
const XSD = xsdOf('UBL-Invoice-2.1.xsd');
const CREDIT_NOTE_XSD = xsdOf('UBL-CreditNote-2.1.xsd');
const ACME = 'buyer@acme.example';
const CONTOSO = 'buyer@contoso.example';
const NY = 'America/New_York';
const today = new Date().toISOString().slice(0, 10);

/** The next Friday (from a week ahead) whose Monday is a US public holiday, and its Tuesday. */
function fridayBeforeMondayHoliday(): { friday: string; tuesday: string } {
  const calendar = businessCalendar({ timeZone: NY, holidays: { country: 'US' } });
  let day = DateTime.now().setZone(NY).startOf('day').plus({ days: 7 });
  for (let i = 0; i < 800; i++, day = day.plus({ days: 1 })) {
    if (day.weekday !== 5) continue;
    const monday = day.plus({ days: 3 }).toISODate()!;
    const tuesday = day.plus({ days: 4 }).toISODate()!;
    if (isBusinessDate(calendar, day.toISODate()!) && !isBusinessDate(calendar, monday)) {
      if (isBusinessDate(calendar, tuesday)) return { friday: day.toISODate()!, tuesday };
    }
  }
  throw new Error('no Friday before a Monday holiday within two years');
}

/** Debian's xmllint; installed with apt-get when missing and allowed (root on Debian). */
function ensureXmllint(): void {
  if (spawnSync('xmllint', ['--version']).status === 0) return;
  if (process.getuid?.() === 0 && existsSync('/etc/debian_version')) {
    spawnSync('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq libxml2-utils'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (spawnSync('xmllint', ['--version']).status === 0) return;
  }
  throw new Error('xmllint is not installed; install it with: apt-get install -y libxml2-utils');
}

async function validateUbl(xml: string, xsd = XSD): Promise<{ ok: boolean; output: string }> {
  ensureXmllint();
  const dir = mkdtempSync(join(tmpdir(), 'ubl-'));
  const file = join(dir, 'invoice.xml');
  writeFileSync(file, xml);
  try {
    const r = await run('xmllint', ['--noout', '--schema', xsd, file]);
    return { ok: true, output: r.stderr };
  } catch (error) {
    const e = error as { stderr: string };
    return { ok: false, output: e.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The element `name` of a UBL document (its first), with what it holds. */
const ublElement = (xml: string, name: string): string =>
  xml.match(new RegExp(`<${name}>[\\s\\S]*?</${name}>`))?.[0] ?? '';

interface InvoiceItem {
  id: string;
  number: string;
  orderId: string;
  status: string;
  issueDate: string;
  dueAt: string;
  total: string;
  subtotal: string;
  taxTotal: string;
  currency: string;
  version: number;
  tax: { category: string; rate: string };
}

describe.each(testDialects())('invoices on %s', (dialect) => {
  let t: TestApp;
  let acmeCustomer: string;
  let contosoCustomer: string;
  let po = 0;
  const invoiceOf: Record<string, InvoiceItem> = {};

  beforeAll(async () => {
    t = await createTestApp(dialect);
    acmeCustomer = await firstCustomerId(t, ACME);
    contosoCustomer = await firstCustomerId(t, CONTOSO);
  });
  afterAll(async () => {
    await t.close();
  });

  // One pass of every job; the invoice job's outcome (other jobs share the registry).
  const jobs = async (at: string | Date, workerId = 'test'): Promise<JobPassResult> => {
    const results = await runDueJobs(t.ctx, { now: new Date(at), workerId });
    const invoices = results.find((r) => r.job === 'invoices.issue-due');
    if (!invoices) throw new Error('the invoice job did not run');
    return invoices;
  };
  const invoicesOf = async (user: string, orderId: string): Promise<InvoiceItem[]> => {
    const res = await t.as(user).get(`/api/v1/invoices?orderId=${orderId}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items;
  };

  /** An edgeworks device order, approved and booked (at the clock's now). */
  async function bookedDeviceOrder(
    user: string,
    customerId: string,
    quantity = 2,
    extra: Record<string, unknown> = {},
  ) {
    const [device] = await findProducts(t, user, 'edgeworks', { type: 'device', count: 1 });
    const { body, lines } = deviceOrderBody(device!, customerId, `INV-PO-${++po}`, {
      quantity,
      date: today,
    });
    const res = await t.as(user).post('/api/v1/orders', { ...body, ...extra });
    expect(res.statusCode, res.body).toBe(201);
    let o = res.json();
    o = await act(t, 'desk@edgeworks.example', o, 'approve', 'booking');
    o = await act(t, 'finance@edgeworks.example', o, 'book', 'provisioning');
    return { order: o, lines };
  }

  it("names the order's invoicing contact as given (an e-mail alone), not with the partnership contact's name", async () => {
    const { order } = await bookedDeviceOrder(ACME, acmeCustomer, 1, {
      contacts: { invoicing: { email: 'billing@acme.example' } },
    });
    await jobs(DateTime.now().plus({ days: 6 }).toJSDate());
    const [invoice] = await invoicesOf(ACME, order.id);
    expect(invoice).toBeDefined();
    const detail = (await t.as(ACME).get(`/api/v1/invoices/${invoice!.id}`)).json();
    expect(detail.buyer.contactEmail).toBe('billing@acme.example');
    const partnership = await t.store.db
      .selectFrom('partnerships')
      .innerJoin('vendors', 'vendors.id', 'partnerships.vendor_id')
      .select('partnerships.invoicing_contact_name as name')
      .where('vendors.slug', '=', 'edgeworks')
      .where('partnerships.partner_id', '=', await partnerIdOf(t, ACME))
      .executeTakeFirstOrThrow();
    expect(partnership.name).toBeTruthy();
    const ubl = (await t.as(ACME).get(`/api/v1/invoices/${invoice!.id}/ubl`)).body;
    expect(ubl).toContain('<cbc:ElectronicMail>billing@acme.example</cbc:ElectronicMail>');
    expect(ubl).not.toContain(`<cbc:Name>${partnership.name}</cbc:Name>`);
  });

  it('invoices an order booked on the Friday before a Monday holiday on Tuesday, New York time, once', async () => {
    const { friday, tuesday } = fridayBeforeMondayHoliday();
    const bookedAt = DateTime.fromISO(`${friday}T16:30`, { zone: NY }).toJSDate();
    t.clock.set(bookedAt);
    const { order, lines } = await bookedDeviceOrder(ACME, acmeCustomer);
    t.clock.reset();

    const tuesdayStart = DateTime.fromISO(`${tuesday}T00:00`, { zone: NY }).toJSDate();
    // Monday 23:59 in New York (the holiday): not yet.
    const before = await jobs(new Date(tuesdayStart.getTime() - 60_000));
    expect(before).toMatchObject({ outcome: 'ran', summary: { issued: 0 } });
    expect(before.summary!.waiting).toBeGreaterThanOrEqual(1);
    expect(await invoicesOf(ACME, order.id)).toEqual([]);

    // Tuesday 00:00 in New York: issued, dated Tuesday, due 30 days later.
    const due = await jobs(tuesdayStart);
    expect(due.summary).toMatchObject({ issued: 1 });
    const [invoice] = await invoicesOf(ACME, order.id);
    expect(invoice).toMatchObject({
      orderId: order.id,
      status: 'issued',
      issueDate: tuesday,
      dueAt: DateTime.fromISO(tuesday).plus({ days: 30 }).toISODate(),
      currency: 'USD',
      subtotal: totalOf(lines),
      tax: { category: 'S', rate: '8.875' },
    });
    expect(invoice!.number).toMatch(/^EW-INV-\d{6}$/);
    // The total is the order's lines plus tax at 8.875 %, to the cent.
    const cents = (s: string) => Math.round(Number(s) * 100);
    expect(cents(invoice!.taxTotal)).toBe(Math.round((cents(invoice!.subtotal) * 8.875) / 100));
    expect(cents(invoice!.total)).toBe(cents(invoice!.subtotal) + cents(invoice!.taxTotal));
    invoiceOf.edgeworks = invoice!;

    // The same instant again: the slot is done. Later, and two passes at once: still one.
    expect(await jobs(tuesdayStart)).toMatchObject({ outcome: 'done_already' });
    const later = new Date(tuesdayStart.getTime() + 3 * 3_600_000);
    const twice = await Promise.all([jobs(later, 'worker-a'), jobs(later, 'worker-b')]);
    expect(twice.map((r) => r.outcome).sort()).toEqual(expect.arrayContaining(['ran']));
    expect(twice.flatMap((r) => (r.summary ? [r.summary.issued] : []))).not.toContain(1);
    expect(await invoicesOf(ACME, order.id)).toHaveLength(1);

    // Mailed to the partnership's invoicing contact with the PDF and the UBL named on it.
    const thread = (await t.as(ACME).get(`/api/v1/orders/${order.id}/messages`)).json().items;
    expect(thread).toContainEqual(
      expect.objectContaining({
        to: ['ap@acme.example'],
        attachments: [
          expect.objectContaining({
            name: `${invoice!.number}.pdf`,
            contentType: 'application/pdf',
          }),
          expect.objectContaining({
            name: `${invoice!.number}.xml`,
            contentType: 'application/xml',
          }),
        ],
      }),
    );
  });

  it('numbers a vendor’s invoices without gaps', async () => {
    const a = await bookedDeviceOrder(ACME, acmeCustomer, 1);
    const b = await bookedDeviceOrder(CONTOSO, contosoCustomer, 1);
    const far = DateTime.now().plus({ days: 30 }).toJSDate();
    expect((await jobs(far)).summary!.issued).toBeGreaterThanOrEqual(2);
    const [ia] = await invoicesOf(ACME, a.order.id);
    const [ib] = await invoicesOf(CONTOSO, b.order.id);
    const seq = (n: string) => Number(n.replace(/\D/g, ''));
    expect([seq(ia!.number), seq(ib!.number)].sort((x, y) => x - y)).toEqual([
      seq(invoiceOf.edgeworks!.number) + 1,
      seq(invoiceOf.edgeworks!.number) + 2,
    ]);
    invoiceOf.contoso = ib!;
    invoiceOf.acme2 = ia!;
  });

  it('confirms seed 000’s renewal without a welcome mail by its invoice', async () => {
    const acmeId = await partnerIdOf(t, ACME);
    const clause = (await t.as(ACME).get('/api/v1/partnerships?vendor=northwind')).json().items[0]
      .specialTerms as string;
    const products = await findProducts(t, ACME, 'northwind', { type: 'subscription', count: 1 });
    const quote = async (orderType: string, extra: Record<string, unknown> = {}) => {
      const created = await t.as('sales@northwind.example').post('/api/v1/quotes', {
        partnerId: acmeId,
        customerId: acmeCustomer,
        orderType,
        lines: [{ partNumber: products[0]!.partNumber, quantity: 3 }],
        ...extra,
      });
      expect(created.statusCode, created.body).toBe(201);
      const approved = await t
        .as('sales@northwind.example')
        .post(`/api/v1/quotes/${created.json().id}/actions/approve`, {});
      expect(approved.statusCode, approved.body).toBe(200);
      return approved.json();
    };
    const orderFrom = async (
      type: string,
      q: { id: string; lines: { partNumber: string; quantity: number; netPrice: string }[] },
    ) => {
      const lines = q.lines.map((l) => ({
        partNumber: l.partNumber,
        quantity: l.quantity,
        unitPrice: l.netPrice,
      }));
      const res = await t.as(ACME).post('/api/v1/orders', {
        vendor: 'northwind',
        type,
        customerId: acmeCustomer,
        quoteId: q.id,
        purchaseOrder: {
          number: `NW-INV-${++po}`,
          date: today,
          currency: 'USD',
          total: totalOf(lines),
          specialTerms: clause,
        },
        lines,
        contacts: {
          siteAdmin: { name: 'Sam Admin', email: 'sam@fabrikam-health.example' },
          provisioningCc: 'orders-team@acme.example',
        },
        attributes: { microsoftDomain: 'fabrikamhealth.onmicrosoft.example', employeeCount: 1200 },
      });
      expect(res.statusCode, res.body).toBe(201);
      let o = res.json();
      o = await act(t, 'desk@northwind.example', o, 'approve', 'booking');
      o = await act(t, 'finance@northwind.example', o, 'book', 'provisioning');
      return o as { id: string; version: number };
    };
    const first = await orderFrom('new', await quote('new'));
    await act(t, 'provisioning@northwind.example', first, 'complete', 'completed');
    const subscription = (await t.as(ACME).get(`/api/v1/subscriptions?customerId=${acmeCustomer}`))
      .json()
      .items.find((s: { vendor: string }) => s.vendor === 'northwind');
    const renewalQuote = await t
      .as('sales@northwind.example')
      .post(`/api/v1/subscriptions/${subscription.id}/renewal-quote`, {});
    expect(renewalQuote.statusCode, renewalQuote.body).toBe(201);
    const approved = await t
      .as('sales@northwind.example')
      .post(`/api/v1/quotes/${renewalQuote.json().id}/actions/approve`, {});
    const renewal = await orderFrom('renewal', approved.json());
    await act(t, 'provisioning@northwind.example', renewal, 'complete', 'completed', {
      welcomeEmail: false,
    });
    // Northwind invoices on completion, at once.
    expect(
      (await jobs(DateTime.now().plus({ minutes: 2 }).toJSDate())).summary!.issued,
    ).toBeGreaterThanOrEqual(2);
    const [invoice] = await invoicesOf(ACME, renewal.id);
    expect(invoice).toMatchObject({ status: 'issued', tax: { category: 'Z' } });
    expect(invoice!.number).toMatch(/^NW-INV-\d{6}$/);
    invoiceOf.northwind = invoice!;
    const thread = (await t.as(ACME).get(`/api/v1/orders/${renewal.id}/messages`)).json().items as {
      template: string;
      to: string[];
      subject: string;
      text: string;
    }[];
    expect(thread.map((m) => m.template)).not.toContain('welcome_email');
    expect(thread).toContainEqual(
      expect.objectContaining({ template: 'invoice.issued', to: ['ap@acme.example'] }),
    );
    // Seed 000: a renewal with no welcome email is confirmed complete by its invoice; the mail
    // says so, and names the invoice.
    const invoiceMail = thread.find((m) => m.template === 'invoice.issued')!;
    expect(invoiceMail.subject).toContain(`invoice ${invoice!.number}`);
    expect(invoiceMail.text).toContain('This invoice is your confirmation that order');
    expect(invoiceMail.text).toContain(`Invoice ${invoice!.number}, total ${invoice!.total} USD`);
  });

  it('invoices a skyline order on completion and its UBL, like every demo vendor’s, is valid', async () => {
    const items = await findProducts(t, ACME, 'skyline', { type: 'subscription', count: 1 });
    const lines = [
      { partNumber: items[0]!.partNumber, quantity: 4, unitPrice: items[0]!.netPrice },
    ];
    const res = await t.as(ACME).post('/api/v1/orders', {
      vendor: 'skyline',
      type: 'new',
      customerId: acmeCustomer,
      lines,
      contacts: {
        siteAdmin: { name: 'Tia Admin', email: 'it@tailspin.example' },
        invoicing: { name: 'Acme AP', email: 'ap@acme.example' },
      },
      attributes: { primaryDomain: 'tailspin.example' },
      termsAccepted: { version: '2025-01' },
    });
    expect(res.statusCode, res.body).toBe(201);
    let o = res.json();
    o = await act(t, 'desk@skyline.example', o, 'approve', 'provisioning');
    await act(t, 'provisioning@skyline.example', o, 'complete', 'completed');
    await jobs(DateTime.now().plus({ minutes: 3 }).toJSDate());
    const [invoice] = await invoicesOf(ACME, o.id);
    expect(invoice).toMatchObject({ currency: 'GBP', subtotal: totalOf(lines) });
    expect(invoice!.number).toMatch(/^SKY-INV-\d{6}$/);
    invoiceOf.skyline = invoice!;

    for (const vendor of ['edgeworks', 'northwind', 'skyline']) {
      const inv = invoiceOf[vendor]!;
      const ubl = await t.as(ACME).get(`/api/v1/invoices/${inv.id}/ubl`);
      expect(ubl.statusCode).toBe(200);
      expect(ubl.headers['content-type']).toContain('application/xml');
      expect(ubl.body).toContain('urn:fdc:peppol.eu:2017:poacc:billing:3.0');
      expect(ubl.body).toContain(`<cbc:ID>${inv.number}</cbc:ID>`);
      expect(ubl.body).toContain(
        `<cbc:PayableAmount currencyID="${inv.currency}">${inv.total}</cbc:PayableAmount>`,
      );
      const check = await validateUbl(ubl.body);
      expect(check.ok, `${vendor}: ${check.output}`).toBe(true);
      expect(check.output).toContain('validates');
    }
    // A broken document fails the same check (the check can fail).
    const broken = (
      await t.as(ACME).get(`/api/v1/invoices/${invoiceOf.skyline.id}/ubl`)
    ).body.replace('<cbc:IssueDate>', '<cbc:Bogus>x</cbc:Bogus><cbc:IssueDate>');
    expect((await validateUbl(broken)).ok).toBe(false);
  });

  it('renders a PDF whose text has the number, the lines and the total', async () => {
    const inv = invoiceOf.edgeworks!;
    const res = await t.as(ACME).get(`/api/v1/invoices/${inv.id}/pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const { text } = await extractText(new Uint8Array(res.rawPayload), { mergePages: true });
    const detail = (await t.as(ACME).get(`/api/v1/invoices/${inv.id}`)).json();
    expect(text).toContain(inv.number);
    for (const line of detail.lines as { partNumber: string; amount: string }[]) {
      expect(text).toContain(line.partNumber);
      expect(text).toContain(line.amount);
    }
    expect(text).toContain(`Total: ${inv.total} USD`);
  });

  it('mails a copy when the partner asks, recorded as an event; strangers get 404', async () => {
    const inv = invoiceOf.edgeworks!;
    const res = await t.as(ACME).post(`/api/v1/invoices/${inv.id}/actions/resend`, {});
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      invoiceId: inv.id,
      number: inv.number,
      sentTo: ['ap@acme.example'],
    });
    expect(
      (await t.as(CONTOSO).post(`/api/v1/invoices/${inv.id}/actions/resend`, {})).statusCode,
    ).toBe(404);
    const events = await t.store.db
      .selectFrom('audit_events')
      .select(['type', 'actor_label'])
      .where('entity_id', '=', inv.id)
      .orderBy('id')
      .execute();
    expect(events).toEqual([
      { type: 'invoice.issued', actor_label: 'system' },
      { type: 'invoice.requested', actor_label: ACME },
    ]);
    const thread = (await t.as(ACME).get(`/api/v1/orders/${inv.orderId}/messages`)).json().items;
    expect(thread).toContainEqual(
      expect.objectContaining({
        template: 'invoice_resent',
        to: ['ap@acme.example'],
        attachments: [
          expect.objectContaining({ name: `${inv.number}.pdf` }),
          expect.objectContaining({ name: `${inv.number}.xml` }),
        ],
      }),
    );
  });

  it("refuses a payment day after today in the vendor's zone, or before the issue date, writing nothing", async () => {
    const open = invoiceOf.contoso!;
    const markPaid = (body: unknown) =>
      t.as('finance@edgeworks.example').post(`/api/v1/invoices/${open.id}/actions/mark-paid`, body);
    // 23:30 in New York, ten days after the issue date: already the next day in UTC.
    const day = DateTime.fromISO(open.issueDate, { zone: NY }).plus({ days: 10 });
    const nyToday = day.toISODate()!;
    const utcToday = day.plus({ days: 1 }).toISODate()!;
    t.clock.set(day.set({ hour: 23, minute: 30 }).toJSDate(), { freeze: true });
    try {
      for (const paidOn of [utcToday, '2100-01-01']) {
        const res = await markPaid({ paidOn });
        expect(res.statusCode, `${paidOn}: ${res.body}`).toBe(422);
        expect(res.json().errors).toEqual([
          {
            path: 'paidOn',
            code: 'invalid',
            message: expect.stringContaining(nyToday),
            expected: `on or before ${nyToday}`,
            actual: paidOn,
          },
        ]);
      }
      const dayBefore = DateTime.fromISO(open.issueDate).minus({ days: 1 }).toISODate()!;
      const early = await markPaid({ paidOn: dayBefore });
      expect(early.statusCode, early.body).toBe(422);
      expect(early.json().errors).toEqual([
        expect.objectContaining({
          path: 'paidOn',
          code: 'invalid',
          expected: `on or after ${open.issueDate}`,
          actual: dayBefore,
        }),
      ]);
    } finally {
      t.clock.reset();
    }
    // Nothing written: still open, at the same version, unpaid.
    const after = (
      await t.as('finance@edgeworks.example').get(`/api/v1/invoices/${open.id}`)
    ).json();
    expect(after).toMatchObject({ status: 'issued', version: open.version, paidOn: null });
  });

  it('credits an invoice in full once (finance), and records payments of issued ones only', async () => {
    const inv = invoiceOf.acme2!;
    expect(
      (await t.as(ACME).post(`/api/v1/invoices/${inv.id}/credit-notes`, { reason: 'x' }))
        .statusCode,
    ).toBe(403);
    expect(
      (await t.as('finance@edgeworks.example').post(`/api/v1/invoices/${inv.id}/credit-notes`, {}))
        .statusCode,
    ).toBe(400);
    const credit = await t
      .as('finance@edgeworks.example')
      .post(`/api/v1/invoices/${inv.id}/credit-notes`, { reason: 'Device returned' });
    expect(credit.statusCode, credit.body).toBe(201);
    expect(credit.json()).toMatchObject({
      invoiceId: inv.id,
      invoiceNumber: inv.number,
      total: `-${inv.total}`,
      reason: 'Device returned',
    });
    expect(credit.json().number).toMatch(/^EW-INV-CN-\d{6}$/);
    const again = await t
      .as('finance@edgeworks.example')
      .post(`/api/v1/invoices/${inv.id}/credit-notes`, { reason: 'Twice' });
    expect(again.statusCode).toBe(409);
    const detail = (await t.as(ACME).get(`/api/v1/invoices/${inv.id}`)).json();
    expect(detail).toMatchObject({
      status: 'credited',
      creditNote: { number: credit.json().number },
    });
    expect((await t.as(ACME).get('/api/v1/invoices?status=credited')).json().items).toEqual([
      expect.objectContaining({ id: inv.id }),
    ]);
    expect(
      (
        await t
          .as('finance@edgeworks.example')
          .post(`/api/v1/invoices/${inv.id}/actions/mark-paid`, {})
      ).statusCode,
    ).toBe(409);

    const open = invoiceOf.contoso!;
    // Paid the day after it was issued, recorded a week later (the job issued it ahead of the
    // wall clock, so the app's clock moves there: a payment day is never after today).
    const paidOn = DateTime.fromISO(open.issueDate).plus({ days: 1 }).toISODate()!;
    t.clock.set(DateTime.fromISO(open.issueDate, { zone: NY }).plus({ days: 8 }).toJSDate());
    const paid = await t
      .as('finance@edgeworks.example')
      .post(
        `/api/v1/invoices/${open.id}/actions/mark-paid`,
        { paidOn },
        { 'if-match': String(open.version) },
      );
    t.clock.reset();
    expect(paid.statusCode, paid.body).toBe(200);
    // The day finance gives is the invoice's paidOn; paidAt is when it was recorded.
    expect(paid.json()).toMatchObject({
      status: 'paid',
      version: open.version + 1,
      paidOn,
      paidAt: expect.any(String),
    });
    expect(
      (await t.as('finance@edgeworks.example').get(`/api/v1/invoices/${open.id}`)).json().paidOn,
    ).toBe(paidOn);
    expect(
      (
        await t
          .as('desk@edgeworks.example')
          .post(`/api/v1/invoices/${open.id}/actions/mark-paid`, {})
      ).statusCode,
    ).toBe(403);
  });

  it('documents the credit note (PDF, UBL CreditNote) and mails both to the invoicing contact', async () => {
    const inv = invoiceOf.acme2!;
    const detail = (await t.as(ACME).get(`/api/v1/invoices/${inv.id}`)).json();
    const note = detail.creditNote as { number: string; total: string; reason: string };
    expect(note).toMatchObject({ total: `-${inv.total}`, reason: 'Device returned' });

    // The PDF: the credit note's number, the invoice it credits, the lines and total negated.
    const pdf = await t.as(ACME).get(`/api/v1/invoices/${inv.id}/credit-note/pdf`);
    expect(pdf.statusCode, pdf.body).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toBe(`inline; filename="${note.number}.pdf"`);
    const { text } = await extractText(new Uint8Array(pdf.rawPayload), { mergePages: true });
    expect(text).toContain(`Credit note ${note.number}`);
    expect(text).toContain(`Credits invoice ${inv.number} of ${inv.issueDate}`);
    expect(text).toContain('Reason: Device returned');
    for (const line of detail.lines as { partNumber: string; amount: string }[]) {
      expect(text).toContain(line.partNumber);
      expect(text).toContain(`-${line.amount}`);
    }
    expect(text).toContain(`Total: ${note.total} USD`);

    // The UBL: a CreditNote valid against the UBL 2.1 XSD, referencing the invoice, its totals
    // the invoice's (a credit note's amounts are positive: its type says it credits).
    const ubl = await t.as(ACME).get(`/api/v1/invoices/${inv.id}/credit-note/ubl`);
    expect(ubl.statusCode, ubl.body).toBe(200);
    expect(ubl.headers['content-type']).toContain('application/xml');
    expect(ubl.headers['content-disposition']).toBe(`inline; filename="${note.number}.xml"`);
    const xml = ubl.body;
    expect(xml).toContain('xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"');
    expect(xml).toContain(`<cbc:ID>${note.number}</cbc:ID>`);
    expect(xml).toContain('<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>');
    expect(xml).toContain(
      `<cac:BillingReference><cac:InvoiceDocumentReference>\n<cbc:ID>${inv.number}</cbc:ID>\n<cbc:IssueDate>${inv.issueDate}</cbc:IssueDate>`,
    );
    const amount = (name: string, value: string) =>
      `<cbc:${name} currencyID="USD">${value}</cbc:${name}>`;
    expect(xml).toContain(amount('TaxAmount', inv.taxTotal));
    expect(xml).toContain(amount('TaxableAmount', inv.subtotal));
    expect(xml).toContain(amount('LineExtensionAmount', inv.subtotal));
    expect(xml).toContain(amount('TaxInclusiveAmount', inv.total));
    expect(xml).toContain(amount('PayableAmount', inv.total));
    expect(xml.match(/<cac:CreditNoteLine>/g)).toHaveLength(detail.lines.length);
    const check = await validateUbl(xml, CREDIT_NOTE_XSD);
    expect(check.ok, check.output).toBe(true);
    expect(check.output).toContain('validates');
    // The same check fails a broken one, and an invoice is no CreditNote.
    const broken = xml.replace('<cbc:IssueDate>', '<cbc:Bogus>x</cbc:Bogus><cbc:IssueDate>');
    expect((await validateUbl(broken, CREDIT_NOTE_XSD)).ok).toBe(false);
    const invoiceUbl = (await t.as(ACME).get(`/api/v1/invoices/${inv.id}/ubl`)).body;
    expect((await validateUbl(invoiceUbl, CREDIT_NOTE_XSD)).ok).toBe(false);
    // It delivers to whom the invoice delivered: the end customer at its ship-to.
    const { endCustomer } = detail as {
      endCustomer: { name: string; shipTo: { line1: string; city: string; country: string } };
    };
    const delivery = ublElement(xml, 'cac:Delivery');
    expect(delivery).toBe(ublElement(invoiceUbl, 'cac:Delivery'));
    expect(ublElement(delivery, 'cac:DeliveryParty')).toContain(
      `<cbc:Name>${endCustomer.name}</cbc:Name>`,
    );
    const location = ublElement(delivery, 'cac:DeliveryLocation');
    expect(location).toContain(`<cbc:StreetName>${endCustomer.shipTo.line1}</cbc:StreetName>`);
    expect(location).toContain(`<cbc:CityName>${endCustomer.shipTo.city}</cbc:CityName>`);
    expect(location).toContain(
      `<cbc:IdentificationCode>${endCustomer.shipTo.country}</cbc:IdentificationCode>`,
    );

    // The mail: on the order's thread, to the invoicing contact, both documents named.
    const thread = (await t.as(ACME).get(`/api/v1/orders/${inv.orderId}/messages`)).json()
      .items as {
      id: string;
      template: string;
      to: string[];
      subject: string;
      text: string;
      attachments: { name: string; contentType: string; size: number }[];
    }[];
    const mails = thread.filter((m) => m.template === 'credit_note');
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail).toMatchObject({
      to: ['ap@acme.example'],
      subject: `Credit note ${note.number} for invoice ${inv.number} (order ${detail.orderNumber})`,
      attachments: [
        { name: `${note.number}.pdf`, contentType: 'application/pdf', size: expect.any(Number) },
        { name: `${note.number}.xml`, contentType: 'application/xml', size: expect.any(Number) },
      ],
    });
    expect(mail.text).toContain(`Credit note ${note.number} credits invoice ${inv.number}`);
    expect(mail.text).toContain(`Total ${note.total} USD.`);
    expect(mail.text).toContain('Reason: Device returned');
    // What the mail worker attaches when it sends the outbox row: the same two documents.
    const message = await t.store.db
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', mail.id)
      .executeTakeFirstOrThrow();
    const row = await t.store.db
      .selectFrom('outbox')
      .selectAll()
      .where('topic', '=', 'mail')
      .where('entity_id', '=', inv.orderId)
      .execute();
    const payload = row
      .map((r) => JSON.parse(r.payload) as { messageId: string; attach?: string[] })
      .find((p) => p.messageId === mail.id);
    expect(payload).toBeDefined();
    const files = await renderMailAttachments({
      ctx: t.ctx,
      db: t.store.db,
      message,
      payload: payload!,
      at: new Date(),
    });
    expect(files.map((f) => [f.filename, f.contentType, f.content.length])).toEqual(
      mail.attachments.map((a) => [a.name, a.contentType, a.size]),
    );
    const mailed = await extractText(new Uint8Array(files[0]!.content), { mergePages: true });
    expect(mailed.text).toContain(`Credit note ${note.number}`);
    expect(files[1]!.content.toString()).toBe(xml);

    // An invoice without a credit note has no such documents; strangers see none of them.
    const open = invoiceOf.edgeworks!;
    for (const format of ['pdf', 'ubl']) {
      expect(
        (await t.as(ACME).get(`/api/v1/invoices/${open.id}/credit-note/${format}`)).statusCode,
      ).toBe(404);
      for (const stranger of [CONTOSO, 'finance@northwind.example']) {
        const res = await t.as(stranger).get(`/api/v1/invoices/${inv.id}/credit-note/${format}`);
        expect(res.statusCode, `${stranger} ${format}`).toBe(404);
        expect(res.body).not.toContain(note.number);
      }
    }
  });

  it('pages the list by cursor, filters by status, and names bad filters', async () => {
    const all = (await t.as('finance@edgeworks.example').get('/api/v1/invoices?limit=100')).json();
    expect(all.items.length).toBeGreaterThanOrEqual(3);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await t
        .as('finance@edgeworks.example')
        .get(`/api/v1/invoices?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.statusCode, page.body).toBe(200);
      seen.push(...page.json().items.map((i: { id: string }) => i.id));
      cursor = page.json().nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((i: { id: string }) => i.id));
    const paid = (
      await t.as('finance@edgeworks.example').get('/api/v1/invoices?status=paid')
    ).json();
    expect(paid.items.map((i: { status: string }) => i.status)).toEqual(['paid']);
    const bad = await t.as(ACME).get('/api/v1/invoices?status=overdue&limit=0');
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['querystring.limit', 'querystring.status']);
    // Another vendor's staff see none of edgeworks' invoices.
    const other = (await t.as('finance@skyline.example').get('/api/v1/invoices')).json();
    expect(other.items.every((i: { number: string }) => i.number.startsWith('SKY-INV-'))).toBe(
      true,
    );
  });

  it('keeps invoices behind the tenant walls', async () => {
    const a = await bookedDeviceOrder(ACME, acmeCustomer, 1);
    const c = await bookedDeviceOrder(CONTOSO, contosoCustomer, 1);
    const issuedAt = DateTime.now().plus({ days: 40 }).toJSDate();
    await jobs(issuedAt);
    const [ia] = await invoicesOf(ACME, a.order.id);
    const [ic] = await invoicesOf(CONTOSO, c.order.id);
    // The app's day catches up with the job's: a payment (mark-paid, today) is not before the
    // invoice's issue date.
    t.clock.set(issuedAt);
    try {
      // Credited, so that each owner reads its credit note's documents.
      for (const inv of [ia!, ic!]) {
        const credit = await t
          .as('finance@edgeworks.example')
          .post(`/api/v1/invoices/${inv.id}/credit-notes`, { reason: 'Isolation check' });
        expect(credit.statusCode, credit.body).toBe(201);
      }
      await expectIsolated(
        t,
        PARTNER_ISOLATION.invoices!,
        { user: ACME, ids: { invoiceId: ia!.id } },
        { user: CONTOSO, ids: { invoiceId: ic!.id } },
      );
      // Vendor side: edgeworks' invoice and order against northwind's.
      const nw = invoiceOf.northwind!;
      await expectIsolated(
        t,
        VENDOR_ISOLATION.invoices!,
        { user: 'admin@edgeworks.example', ids: { invoiceId: ia!.id, orderId: a.order.id } },
        { user: 'admin@northwind.example', ids: { invoiceId: nw.id, orderId: nw.orderId } },
      );
    } finally {
      t.clock.reset();
    }
  });

  it('bills the partner with its billing details, not the end customer it ships to', async () => {
    // Contoso (billed in Germany, VAT DE987654321) orders a device for Wingtip Labs, shipped to
    // Austin with the end customer's US tax ID: edgeworks bills Contoso, an export.
    const { order } = await bookedDeviceOrder(CONTOSO, contosoCustomer, 1);
    await jobs(DateTime.now().plus({ days: 50 }).toJSDate());
    const [invoice] = await invoicesOf(CONTOSO, order.id);
    expect(invoice).toBeDefined();
    const detail = (await t.as(CONTOSO).get(`/api/v1/invoices/${invoice!.id}`)).json();
    expect(detail.buyer).toEqual({
      name: 'Contoso Channel Inc.',
      country: 'DE',
      taxId: 'DE987654321',
      address: { line1: 'Friedrichstraße 120', city: 'Berlin', postalCode: '10117', country: 'DE' },
      contactEmail: 'finance@contoso.example',
    });
    expect(detail.endCustomer).toEqual({
      name: 'Wingtip Labs',
      shipTo: {
        line1: '500 Dock Rd',
        city: 'Austin',
        region: 'TX',
        postalCode: '78701',
        country: 'US',
      },
    });
    // No US sales tax on a buyer abroad (edgeworks' profile): zero-rated, whatever the ship-to.
    expect(detail).toMatchObject({
      tax: {
        category: 'Z',
        rate: '0',
        exemptionReason: 'Export outside the seller’s tax territory',
      },
      taxTotal: '0.00',
      total: detail.subtotal,
    });

    const ubl = (await t.as(CONTOSO).get(`/api/v1/invoices/${invoice!.id}/ubl`)).body;
    const check = await validateUbl(ubl);
    expect(check.ok, check.output).toBe(true);
    const buyer = ublElement(ubl, 'cac:AccountingCustomerParty');
    expect(buyer).toContain('<cbc:Name>Contoso Channel Inc.</cbc:Name>');
    expect(buyer).toContain('<cbc:RegistrationName>Contoso Channel Inc.</cbc:RegistrationName>');
    expect(buyer).toContain('<cbc:CompanyID>DE987654321</cbc:CompanyID>');
    expect(buyer).toContain('<cbc:CityName>Berlin</cbc:CityName>');
    expect(buyer).toContain('<cbc:IdentificationCode>DE</cbc:IdentificationCode>');
    expect(buyer).not.toContain('Austin');
    // The end customer is the deliver-to, with its ship-to address; its tax ID is nowhere.
    const delivery = ublElement(ubl, 'cac:Delivery');
    expect(delivery).toContain('<cbc:Name>Wingtip Labs</cbc:Name>');
    expect(delivery).toContain('<cbc:CityName>Austin</cbc:CityName>');
    expect(delivery).toContain('<cbc:IdentificationCode>US</cbc:IdentificationCode>');
    expect(ubl).not.toContain('US-12-3456789');
    expect(ublElement(ubl, 'cac:TaxTotal')).toContain('<cbc:ID>Z</cbc:ID>');

    const pdf = await t.as(CONTOSO).get(`/api/v1/invoices/${invoice!.id}/pdf`);
    const { text } = await extractText(new Uint8Array(pdf.rawPayload), { mergePages: true });
    expect(text).toContain('Contoso Channel Inc.');
    expect(text).toContain('Tax ID: DE987654321');
    expect(text).toContain('End customer: Wingtip Labs');
    expect(text).not.toContain('US-12-3456789');
  });

  it('taxes by the billing country the vendor sets, and by the seller’s when there is none', async () => {
    const admin = t.as('admin@skyline.example');
    const partnership = (await admin.get('/api/v1/partnerships'))
      .json()
      .items.find((p: { partner: { name: string } }) => p.partner.name === 'Contoso Channel') as {
      id: string;
      billing: unknown;
    };
    expect(partnership.billing).toMatchObject({ country: 'DE', taxId: 'DE987654321' });
    const skylineInvoice = async (daysAhead: number) => {
      const [item] = await findProducts(t, CONTOSO, 'skyline', { type: 'subscription', count: 1 });
      const lines = [{ partNumber: item!.partNumber, quantity: 5, unitPrice: item!.netPrice }];
      const res = await t.as(CONTOSO).post('/api/v1/orders', {
        vendor: 'skyline',
        type: 'new',
        customerId: contosoCustomer,
        lines,
        contacts: {
          siteAdmin: { name: 'Wes Admin', email: 'it@wingtip.example' },
          invoicing: { name: 'Contoso Finance', email: 'finance@contoso.example' },
        },
        attributes: { primaryDomain: 'wingtip.example' },
        termsAccepted: { version: '2025-01' },
      });
      expect(res.statusCode, res.body).toBe(201);
      let o = res.json();
      o = await act(t, 'desk@skyline.example', o, 'approve', 'provisioning');
      await act(t, 'provisioning@skyline.example', o, 'complete', 'completed');
      await jobs(DateTime.now().plus({ days: daysAhead }).toJSDate());
      const [invoice] = await invoicesOf(CONTOSO, o.id);
      expect(invoice).toBeDefined();
      return (await t.as(CONTOSO).get(`/api/v1/invoices/${invoice!.id}`)).json();
    };
    try {
      // As seeded: an EU business with a VAT number accounts for the VAT itself.
      const reverse = await skylineInvoice(51);
      expect(reverse.buyer).toMatchObject({ country: 'DE', taxId: 'DE987654321' });
      expect(reverse).toMatchObject({ tax: { category: 'AE', rate: '0' }, taxTotal: '0.00' });

      // Contoso is billed by its UK branch: UK VAT at 20 %, the end customer unchanged.
      const moved = await admin.patch(`/api/v1/partnerships/${partnership.id}`, {
        billing: {
          country: 'GB',
          address: { line1: '1 Channel Row', city: 'London', postalCode: 'SE1 7PB' },
          taxId: 'GB987654321',
        },
      });
      expect(moved.statusCode, moved.body).toBe(200);
      const uk = await skylineInvoice(52);
      expect(uk.buyer).toMatchObject({
        name: 'Contoso Channel Inc.',
        country: 'GB',
        taxId: 'GB987654321',
        address: { city: 'London', country: 'GB' },
      });
      expect(uk.endCustomer.name).toBe('Wingtip Labs');
      expect(uk.tax).toMatchObject({ category: 'S', rate: '20' });
      const cents = (a: string) => Math.round(Number(a) * 100);
      expect(cents(uk.taxTotal)).toBe(Math.round(cents(uk.subtotal) * 0.2));

      // No billing details: the seller's country, no tax ID — not the end customer's
      // (Wingtip Labs', DE123456789).
      const cleared = await admin.patch(`/api/v1/partnerships/${partnership.id}`, {
        billing: null,
      });
      expect(cleared.statusCode, cleared.body).toBe(200);
      expect(cleared.json().billing).toBeNull();
      const unknown = await skylineInvoice(53);
      expect(unknown.buyer).toMatchObject({ country: 'GB', taxId: null, address: null });
      expect(unknown.tax).toMatchObject({ category: 'S', rate: '20' });
      const ubl = (await t.as(CONTOSO).get(`/api/v1/invoices/${unknown.id}/ubl`)).body;
      expect(ubl).not.toContain('DE123456789');
      expect((await validateUbl(ubl)).ok).toBe(true);
    } finally {
      await admin.patch(`/api/v1/partnerships/${partnership.id}`, {
        billing: {
          country: 'DE',
          address: { line1: 'Friedrichstraße 120', city: 'Berlin', postalCode: '10117' },
          taxId: 'DE987654321',
        },
      });
    }
  });

  it('mails one copy per Idempotency-Key however often a resend is retried', async () => {
    const inv = invoiceOf.northwind!;
    const other = invoiceOf.skyline!;
    const copies = async (orderId: string) => {
      const thread = (await t.as(ACME).get(`/api/v1/orders/${orderId}/messages`)).json().items as {
        template: string;
      }[];
      const outbox = await t.store.db
        .selectFrom('outbox')
        .select('id')
        .where('topic', '=', 'mail')
        .where('entity_id', '=', orderId)
        .execute();
      const requested = await t.store.db
        .selectFrom('audit_events')
        .select('id')
        .where('entity_id', '=', inv.id)
        .where('type', '=', 'invoice.requested')
        .execute();
      return {
        mails: thread.filter((m) => m.template === 'invoice_resent').length,
        outbox: outbox.length,
        requested: requested.length,
      };
    };
    const before = await copies(inv.orderId);
    const resend = (id: string, key: string) =>
      t.as(ACME).post(`/api/v1/invoices/${id}/actions/resend`, {}, { 'idempotency-key': key });

    const first = await resend(inv.id, 'resend-1');
    expect(first.statusCode, first.body).toBe(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(first.json()).toEqual({
      invoiceId: inv.id,
      number: inv.number,
      sentTo: ['ap@acme.example'],
    });
    const once = await copies(inv.orderId);
    expect(once).toEqual({
      mails: before.mails + 1,
      outbox: before.outbox + 1,
      requested: before.requested + 1,
    });

    // The retry: the same answer, replayed; nothing mailed or recorded again.
    const retried = await resend(inv.id, 'resend-1');
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.headers['idempotent-replayed']).toBe('true');
    expect(retried.body).toBe(first.body);
    expect(await copies(inv.orderId)).toEqual(once);

    // The same key for another request (another invoice): 409, and that invoice is not mailed.
    const otherBefore = (await copies(other.orderId)).mails;
    const reused = await resend(other.id, 'resend-1');
    expect(reused.statusCode, reused.body).toBe(409);
    expect(reused.json().errors).toEqual([
      expect.objectContaining({ path: 'headers.idempotency-key', code: 'idempotency.conflict' }),
    ]);
    expect((await copies(other.orderId)).mails).toBe(otherBefore);

    // Another key is another request: another copy.
    expect((await resend(inv.id, 'resend-2')).statusCode).toBe(200);
    expect((await copies(inv.orderId)).mails).toBe(once.mails + 1);
  });

  it('refuses to cancel an order whose invoice is not credited (409 naming it), and cancels once it is', async () => {
    const ADMIN = 'admin@edgeworks.example';
    const FINANCE = 'finance@edgeworks.example';
    const { order } = await bookedDeviceOrder(ACME, acmeCustomer, 1);
    // A slot of the invoice job no other test of this file takes (each slot runs once).
    await jobs(DateTime.now().plus({ days: 61 }).toJSDate());
    const [invoice] = await invoicesOf(ACME, order.id);
    expect(invoice).toMatchObject({ status: 'issued' });
    const cancel = () =>
      t.as(ADMIN).post(`/api/v1/orders/${order.id}/actions/cancel`, { reason: 'cannot ship' });
    const eventTypes = async () =>
      (
        (await t.as(ADMIN).get(`/api/v1/orders/${order.id}/events`)).json().items as {
          type: string;
        }[]
      ).map((e) => e.type);
    const before = await eventTypes();

    // Cancelled, the order would leave a payable invoice behind: the credit note comes first.
    const refused = await cancel();
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    const problem = refused.json();
    expect(problem).toMatchObject({
      type: 'urn:orderdesk:problem:invoice-not-credited',
      status: 409,
      errors: [
        {
          path: 'action',
          code: 'invoice.not_credited',
          expected: 'credited',
          actual: 'issued',
        },
      ],
    });
    expect(problem.detail).toContain(invoice!.number);
    expect(problem.detail).toContain('credit note');
    expect(problem.detail).toContain(`POST /api/v1/invoices/${invoice!.id}/credit-notes`);
    // Nothing written: the order, its timeline and its invoice are as they were.
    expect((await t.as(ADMIN).get(`/api/v1/orders/${order.id}`)).json()).toMatchObject({
      status: 'provisioning',
      version: order.version,
    });
    expect(await eventTypes()).toEqual(before);
    expect(await invoicesOf(ACME, order.id)).toEqual([
      expect.objectContaining({ id: invoice!.id, status: 'issued' }),
    ]);

    const credit = await t
      .as(FINANCE)
      .post(`/api/v1/invoices/${invoice!.id}/credit-notes`, { reason: 'Order cancelled' });
    expect(credit.statusCode, credit.body).toBe(201);
    const cancelled = await cancel();
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled' });
    // (The timeline is in time order: the jobs' events, dated ahead, come after the cancel.)
    expect((await eventTypes()).sort()).toEqual([...before, 'order.cancelled'].sort());
    // Cancelled, it gets no other invoice.
    expect(await jobs(DateTime.now().plus({ days: 62 }).toJSDate())).toMatchObject({
      outcome: 'ran',
    });
    expect(await invoicesOf(ACME, order.id)).toEqual([
      expect.objectContaining({ id: invoice!.id, status: 'credited' }),
    ]);
  });

  it('offers no cancel or reject while the order’s invoice is not credited (GET and the list), and offers them again after its credit note', async () => {
    const ADMIN = 'admin@edgeworks.example';
    const DESK = 'desk@edgeworks.example';
    const FINANCE = 'finance@edgeworks.example';
    const { order } = await bookedDeviceOrder(ACME, acmeCustomer, 1);
    /** What GET /orders/{id} and the list (filtered to the order's status) offer `user`. */
    const offered = async (user: string) => {
      const one = await t.as(user).get(`/api/v1/orders/${order.id}`);
      expect(one.statusCode, one.body).toBe(200);
      const view = one.json<{
        id: string;
        status: string;
        version: number;
        availableActions: string[];
      }>();
      const list = await t
        .as(user)
        .get(`/api/v1/orders?vendor=edgeworks&status=${view.status}&limit=100`);
      expect(list.statusCode, list.body).toBe(200);
      const item = (list.json().items as { id: string; availableActions: string[] }[]).find(
        (o) => o.id === order.id,
      );
      expect(item, 'the order in the list').toBeDefined();
      expect(item!.availableActions, `${user}: the list as GET`).toEqual(view.availableActions);
      return view;
    };
    /** The order's actions for `user` among GET /sla's overdue orders, 64 days on. */
    const overdueActions = async (user: string) => {
      t.clock.set(DateTime.now().plus({ days: 64 }).toJSDate(), { freeze: true });
      try {
        const sla = await t.as(user).get('/api/v1/sla?vendor=edgeworks&limit=100');
        expect(sla.statusCode, sla.body).toBe(200);
        const item = (sla.json().overdue as { id: string; availableActions: string[] }[]).find(
          (o) => o.id === order.id,
        );
        expect(item, 'the order among the overdue').toBeDefined();
        return item!.availableActions;
      } finally {
        t.clock.reset();
      }
    };
    // Booked, not invoiced yet: the vendor admin may cancel it (before completion).
    expect((await offered(ADMIN)).availableActions).toEqual(['cancel']);

    // A slot of the invoice job no other test of this file takes (each slot runs once).
    await jobs(DateTime.now().plus({ days: 64 }).toJSDate());
    const [invoice] = await invoicesOf(ACME, order.id);
    expect(invoice).toMatchObject({ status: 'issued' });
    // Invoiced: cancel would be a 409 (invoice-not-credited), so it is not offered — nor in
    // the SLA summary's overdue orders (the order is overdue by then).
    expect((await offered(ADMIN)).availableActions).toEqual([]);
    expect(await overdueActions(ADMIN)).toEqual([]);
    expect((await offered(DESK)).availableActions).toEqual(['hold']);

    // On hold, the workflow lets the desk reject it and the partner cancel it too: none of them
    // while the invoice stands.
    const held = await act(t, FINANCE, order, 'hold', 'on_hold', { reason: 'Check the invoice' });
    expect((await offered(ADMIN)).availableActions).toEqual([]);
    expect((await offered(DESK)).availableActions).toEqual([]);
    expect((await offered(ACME)).availableActions).toEqual(['resubmit']);
    const reject = await t
      .as(DESK)
      .post(`/api/v1/orders/${order.id}/actions/reject`, { reason: 'Wrong device' });
    expect(reject.statusCode, reject.body).toBe(409);
    expect(reject.json()).toMatchObject({ type: 'urn:orderdesk:problem:invoice-not-credited' });

    // Credited: offered again, as the workflow has them from on_hold.
    const credit = await t
      .as(FINANCE)
      .post(`/api/v1/invoices/${invoice!.id}/credit-notes`, { reason: 'Order to be rejected' });
    expect(credit.statusCode, credit.body).toBe(201);
    expect((await offered(ADMIN)).availableActions).toEqual(['cancel']);
    expect(await overdueActions(ADMIN)).toEqual(['cancel']);
    expect((await offered(ACME)).availableActions).toEqual(['resubmit', 'cancel']);
    const desk = await offered(DESK);
    expect(desk).toMatchObject({ version: held.version, availableActions: ['reject'] });
    await act(t, DESK, desk, 'reject', 'rejected', { reason: 'Wrong device' });
  });
});
