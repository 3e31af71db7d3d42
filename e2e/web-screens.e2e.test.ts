// The back-office and portal screens added after the first browser suite, in real Chromium
// against `orderdesk serve --demo` on a fresh SQLite database: documents uploaded and
// downloaded on the order page, a fulfilment that completes the order, its invoice listed and
// opened by the partner (PDF and UBL answer 200), credited by finance; a return and an
// escalation by the partner; the SLA summary, the licenses report, the intake desk converting
// and rejecting mailed orders; axe-core on each new page. Orders are seeded through the public
// API, as a client would; the flows build on each other (one server), so they run in order.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  DEFAULT_APP_SETTINGS,
  LoginThrottle,
  receiveMail,
  systemClock,
  type AppContext,
} from '@orderdesk/app';
import { openStore } from '@orderdesk/store';
import { apiAs as apiAsUser, placeSkylineOrder, type Call } from './support/api.ts';
import { screenshot, settledAxeViolations, step } from './support/browser.ts';
import { ROOT } from './support/web-server.ts';
import { webHarness } from './support/harness.ts';

const web = webHarness();

const { as } = web;

/** The API as the user (support/api.ts), on this file's server. */
const apiAs = (email: string): Promise<Call> => apiAsUser(web.server.url, email);

async function statusOf(page: Page): Promise<string> {
  return page.getByTestId('order-status').innerText();
}

async function axeOf(page: Page, label: string, found: string[]): Promise<void> {
  found.push(...(await settledAxeViolations(page, label)));
}

const state: {
  order?: { id: string; number: string };
  invoice?: { id: string; number: string };
} = {};
const violations: string[] = [];

describe.sequential('the new screens in Chromium', () => {
  it('provisioning uploads a product file, downloads it, and records the fulfilment that completes the order', async () => {
    const buyer = await apiAs('buyer@acme.example');
    const order = await placeSkylineOrder(buyer);
    state.order = order;
    const desk = await apiAs('desk@skyline.example');
    const current = await desk('GET', `/api/v1/orders/${order.id}`);
    const approved = await desk(
      'POST',
      `/api/v1/orders/${order.id}/actions/approve`,
      {},
      { 'if-match': String(current.json.version) },
    );
    expect(approved.status, approved.bytes.toString()).toBe(200);
    expect(approved.json.status).toBe('provisioning');

    const page = await as('provisioning@skyline.example');
    await step(page, 'documents-upload', async () => {
      await page.goto(`${web.server.url}/orders/${order.id}`);
      await page.getByTestId('order-title-number').filter({ hasText: order.number }).waitFor();
      await page.getByRole('heading', { name: 'Documents' }).waitFor();
      await page.getByText('No documents yet.').waitFor();
      const form = page.getByRole('form', { name: 'Upload a document' });
      await form.locator('input[type=file]').setInputFiles({
        name: 'setup-guide.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('Skyline setup guide for Fabrikam Health.\n'),
      });
      await form.getByRole('combobox', { name: 'Kind' }).click();
      await page.getByRole('option', { name: 'Product file' }).click();
      await form.getByRole('button', { name: 'Upload' }).click();
      const link = page
        .getByRole('table', { name: 'Documents of the order' })
        .getByRole('link', { name: 'setup-guide.txt' });
      await link.waitFor();
      const href = (await link.getAttribute('href')) ?? '';
      const download = await page.request.get(`${web.server.url}${href}`);
      expect(download.status()).toBe(200);
      expect((await download.body()).toString()).toContain('Skyline setup guide');
      await screenshot(page, 'order-documents');
      await axeOf(page, 'order page with documents (provisioning)', violations);
    });

    await step(page, 'fulfilment', async () => {
      await page.getByRole('button', { name: 'Record a fulfilment' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Quantity delivered of line 1').waitFor();
      expect(await dialog.getByLabel('Quantity delivered of line 1').inputValue()).toBe('3');
      // A click during the dialog's opening transition can be lost (CI saw one): check again
      // until it holds, as a user would click again.
      const productFile = dialog.getByRole('checkbox', { name: 'setup-guide.txt' });
      await expect
        .poll(async () => {
          await productFile.check().catch(() => undefined);
          return productFile.isChecked();
        })
        .toBe(true);
      await screenshot(page, 'fulfilment-form');
      await axeOf(page, 'fulfilment form', violations);
      await dialog.getByRole('button', { name: 'Record fulfilment' }).click();
      await dialog.getByText('Every line is fulfilled: the order is completed.').waitFor();
      await dialog.getByRole('button', { name: 'Close', exact: true }).click();
      await expect.poll(() => statusOf(page)).toMatch(/Completed/);
    });
  });

  it('the invoice of the completed order is listed for the partner, its PDF and UBL answer 200, a copy is requested', async () => {
    const order = state.order!;
    // The scheduler issues it (skyline: on completion); run the due jobs, as an operator would.
    // Each job runs once per one-minute slot, and the server's own loop may have taken this
    // minute's slot already: each try runs the slot of a later minute.
    const buyer = await apiAs('buyer@acme.example');
    const invoiceCount = async (): Promise<number> =>
      (await buyer('GET', `/api/v1/invoices?orderId=${order.id}`)).json.items.length as number;
    for (let attempt = 1; attempt <= 3 && (await invoiceCount()) === 0; attempt += 1) {
      const at = new Date(Date.now() + attempt * 60_000).toISOString();
      const jobs = spawnSync(
        process.execPath,
        [join(ROOT, 'packages/cli/bin/orderdesk.js'), 'jobs', 'run', '--now', at],
        {
          cwd: ROOT,
          encoding: 'utf8',
          env: { ...process.env, DATABASE_URL: web.server.databaseUrl, LOG_LEVEL: 'warn' },
        },
      );
      expect(jobs.status, `${jobs.stdout}${jobs.stderr}`).toBe(0);
    }
    expect(await invoiceCount()).toBe(1);

    const page = await as('buyer@acme.example');
    await step(page, 'invoices-list', async () => {
      await page.getByRole('link', { name: 'Invoices' }).click();
      await page.getByRole('heading', { name: 'Invoices' }).waitFor();
      const row = page.getByRole('row').filter({ hasText: order.number });
      await row.waitFor();
      expect(await row.innerText()).toMatch(/Issued/);
      await axeOf(page, '/invoices (partner)', violations);
      // The status filter: nothing credited yet.
      await page.getByRole('combobox', { name: 'Status' }).click();
      await page.getByRole('option', { name: 'Credited' }).click();
      await page.getByText('No invoices credited.').waitFor();
      await page.getByRole('combobox', { name: 'Status' }).click();
      await page.getByRole('option', { name: 'Issued' }).click();
      await row.getByRole('link').first().click();
    });

    await step(page, 'invoice-page', async () => {
      const number = await page.getByTestId('invoice-number').innerText();
      state.invoice = { id: page.url().split('/').pop()!, number };
      expect(number.length).toBeGreaterThan(0);
      expect(await page.getByTestId('invoice-total').innerText()).toMatch(/\d/);
      for (const [name, type] of [
        ['Invoice PDF', 'application/pdf'],
        ['UBL (XML)', 'xml'],
      ] as const) {
        const href = (await page.getByRole('link', { name }).getAttribute('href')) ?? '';
        const answer = await page.request.get(`${web.server.url}${href}`);
        expect(answer.status(), name).toBe(200);
        expect(answer.headers()['content-type'], name).toContain(type);
      }
      await page.getByRole('button', { name: 'Request my invoice' }).click();
      await page.getByText(/^Sent to /).waitFor();
      await screenshot(page, 'invoice-page-partner');
      await axeOf(page, 'invoice page (partner)', violations);
      // The order page links to it.
      await page.getByRole('link', { name: order.number }).click();
      await page.getByRole('link', { name: `Invoice ${number}` }).waitFor();
    });
  });

  it('the partner requests a return of the completed order and sees the decision', async () => {
    const order = state.order!;
    const page = await as('buyer@acme.example');
    await step(page, 'return', async () => {
      await page.goto(`${web.server.url}/orders/${order.id}`);
      await page.getByRole('button', { name: 'Request a return' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Quantity to return of line 1').fill('1');
      await dialog.getByLabel('Reason').fill('One seat too many was ordered.');
      await dialog.getByRole('button', { name: 'Request the return' }).click();
      const decision = dialog.getByRole('status');
      await decision.waitFor();
      expect(await decision.innerText()).toMatch(/Approved|Refused|Requested/);
      await screenshot(page, 'return-decision');
      await dialog.getByRole('button', { name: 'Close', exact: true }).click();
      await page
        .getByRole('region', { name: 'Returns' })
        .getByText('One seat too many was ordered.')
        .waitFor();
      await page.getByRole('link', { name: 'Returns' }).click();
      await page.getByRole('heading', { name: 'Returns' }).waitFor();
      await page.getByText('One seat too many was ordered.').waitFor();
      await axeOf(page, '/returns (partner)', violations);
    });
  });

  it('the order desk approves the return left to it, with a reason the partner reads', async () => {
    const page = await as('desk@skyline.example');
    await step(page, 'return-decided', async () => {
      await page.goto(`${web.server.url}/returns?status=requested`);
      await page.getByRole('heading', { name: 'Returns' }).waitFor();
      const row = page.getByRole('row').filter({ hasText: 'One seat too many was ordered.' });
      await row.getByRole('button', { name: 'Approve' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Reason').fill('Within the first week: seat removed.');
      await axeOf(page, '/returns (decide dialog)', violations);
      await dialog.getByRole('button', { name: 'Confirm: approve' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.goto(`${web.server.url}/returns?status=approved`);
      await page
        .getByText('Approved by the vendor: Within the first week: seat removed.')
        .waitFor();
    });
    const buyer = await apiAs('buyer@acme.example');
    const mine = await buyer('GET', `/api/v1/returns?orderId=${state.order!.id}`);
    expect(mine.json.items[0]).toMatchObject({
      status: 'approved',
      decision: { message: 'Approved by the vendor: Within the first week: seat removed.' },
    });
  });

  it('finance credits the invoice in full, with the reason', async () => {
    const invoice = state.invoice!;
    const page = await as('finance@skyline.example');
    await step(page, 'credit-note', async () => {
      await page.getByRole('link', { name: 'Invoices' }).click();
      // The invoice's link comes first in its row (skyline numbers both alike).
      await page.getByRole('link', { name: invoice.number }).first().click();
      await page.getByTestId('invoice-number').filter({ hasText: invoice.number }).waitFor();
      await axeOf(page, 'invoice page (finance)', violations);
      await page.getByRole('button', { name: 'Credit note' }).click();
      const dialog = page.getByRole('dialog');
      // The reason is required: the browser refuses the empty form.
      await dialog.getByLabel('Reason').fill('Ordered by mistake; returned.');
      await dialog.getByRole('button', { name: 'Issue the credit note' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('heading', { name: /^Credit note / }).waitFor();
      await page.getByText('Reason: Ordered by mistake; returned.').waitFor();
      await page.getByText('Credited', { exact: true }).first().waitFor();
      await screenshot(page, 'invoice-credited');
    });
  });

  it('the partner escalates an open order with a reason; it is on the timeline', async () => {
    const buyer = await apiAs('buyer@acme.example');
    const order = await placeSkylineOrder(buyer);
    const page = await as('buyer@acme.example');
    await step(page, 'escalate', async () => {
      await page.goto(`${web.server.url}/orders/${order.id}`);
      await page.getByRole('button', { name: 'Escalate' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Reason').fill('The customer starts on Monday: please approve.');
      await dialog.getByRole('button', { name: 'Confirm escalation' }).click();
      await dialog.getByText('Escalated').first().waitFor();
      await dialog.getByRole('button', { name: 'Close', exact: true }).click();
      await page
        .getByRole('region', { name: 'Timeline' })
        .getByText(/Escalation raised|The customer starts on Monday/)
        .first()
        .waitFor();
      await axeOf(page, 'order page (partner, escalated)', violations);
    });
  });

  it('the SLA summary and the unauthorized-licenses report', async () => {
    const desk = await as('desk@skyline.example');
    await step(desk, 'sla', async () => {
      await desk.getByRole('link', { name: 'SLA' }).click();
      await desk.getByRole('heading', { name: 'Service levels' }).waitFor();
      await desk.getByRole('heading', { name: 'Acknowledge' }).waitFor();
      await desk.getByRole('heading', { name: 'Overdue orders' }).waitFor();
      await axeOf(desk, '/sla', violations);
      // No licensing in skyline's profile: no report in its menu.
      expect(await desk.getByRole('link', { name: 'Licenses' }).count()).toBe(0);
    });

    const acme = await apiAs('buyer@acme.example');
    const products = await acme('GET', '/api/v1/products?vendor=edgeworks');
    const license = (products.json.items as { partNumber: string; type: string }[]).find(
      (p) => p.type === 'perpetual_license',
    )!;
    const registered = await acme('POST', '/api/v1/licenses', {
      vendor: 'edgeworks',
      licenses: [{ licenseId: 'E2E-LIC-0001', partNumber: license.partNumber, hostId: 'HOST-E2E' }],
    });
    expect(registered.status, registered.bytes.toString()).toBe(201);

    const edgeworks = await as('desk@edgeworks.example');
    await step(edgeworks, 'licenses', async () => {
      await edgeworks.getByRole('link', { name: 'Licenses' }).click();
      await edgeworks.getByRole('heading', { name: 'Licenses' }).waitFor();
      const row = edgeworks.getByRole('row').filter({ hasText: 'E2E-LIC-0001' });
      await row.waitFor();
      expect(await row.innerText()).toContain('Acme Distribution');
      await axeOf(edgeworks, '/licenses', violations);
      const csv = await edgeworks.request.get(
        `${web.server.url}${(await edgeworks.getByRole('link', { name: /CSV/ }).getAttribute('href')) ?? ''}`,
      );
      expect(csv.status()).toBe(200);
      expect((await csv.body()).toString()).toContain('E2E-LIC-0001');
    });
  });

  it('the intake desk converts a mailed order template and rejects another mail with a reason', async () => {
    // Two mails as the IMAP poller hands them over, stored by the same use case into the
    // server's database (the e2e server reads no mailbox).
    const buyer = await apiAs('buyer@acme.example');
    const template = await buyer(
      'GET',
      '/api/v1/vendors/edgeworks/order-template?type=license_maintenance',
    );
    expect(template.status).toBe(200);
    const products = (await buyer('GET', '/api/v1/products?vendor=edgeworks')).json.items as {
      partNumber: string;
      type: string;
    }[];
    const license = products.find((p) => p.type === 'perpetual_license')!;
    const price = await buyer(
      'GET',
      `/api/v1/prices?vendor=edgeworks&partNumbers=${encodeURIComponent(license.partNumber)}`,
    );
    const unitPrice = price.json.items[0].netPrice as string;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(template.bytes as never);
    const sheet = wb.getWorksheet('Order')!;
    const lines = wb.getWorksheet('Lines')!;
    const rowOf = (key: string): number => {
      let found = 0;
      sheet.eachRow((row, r) => {
        if (row.getCell(5).value === key) found = r;
      });
      return found;
    };
    const columnOf = (key: string): string => {
      let found = '';
      lines.getRow(2).eachCell((cell, col) => {
        if (cell.value === key) found = lines.getColumn(col).letter;
      });
      return found;
    };
    const today = new Date().toISOString().slice(0, 10);
    sheet.getCell(`B${rowOf('customerId')}`).value = 'Fabrikam Health';
    sheet.getCell(`B${rowOf('purchaseOrder.number')}`).value = 'ACME-E2E-MAIL-1';
    sheet.getCell(`B${rowOf('purchaseOrder.date')}`).value = new Date(`${today}T00:00:00Z`);
    sheet.getCell(`B${rowOf('purchaseOrder.total')}`).value = Number(unitPrice) * 2;
    sheet.getCell(`B${rowOf('attributes.endUserName')}`).value = 'Fabrikam Health, Austin';
    lines.getCell(`${columnOf('partNumber')}3`).value = license.partNumber;
    lines.getCell(`${columnOf('quantity')}3`).value = 2;
    lines.getCell(`${columnOf('unitPrice')}3`).value = Number(unitPrice);
    lines.getCell(`${columnOf('attributes.hostId')}3`).value = 'MAIL-HOST-1';
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());

    const compose = (subject: string, attachments: { filename: string; content: Buffer }[]) =>
      new Promise<Buffer>((resolve, reject) =>
        new MailComposer({
          from: 'Acme Buyer <buyer@acme.example>',
          to: 'orders@edgeworks.example',
          subject,
          text: 'Our order, on your template.',
          messageId: `<${crypto.randomUUID()}@acme.example>`,
          attachments,
        })
          .compile()
          .build((error, message) => (error ? reject(error) : resolve(message))),
      );
    const store = openStore(web.server.databaseUrl);
    try {
      const ctx: AppContext = {
        store,
        clock: systemClock,
        config: { ...DEFAULT_APP_SETTINGS, DATABASE_URL: web.server.databaseUrl },
        loginThrottle: new LoginThrottle(15 * 60_000),
        now: () => systemClock.now(),
      };
      for (const raw of [
        await compose('Order ACME-E2E-MAIL-1', [
          { filename: 'edgeworks-order.xlsx', content: xlsx },
        ]),
        await compose('Question about our last order', []),
      ]) {
        const outcome = await receiveMail(ctx, {
          mailbox: 'e2e',
          uidValidity: null,
          uid: null,
          raw: new Uint8Array(raw),
          size: raw.length,
          headerOnly: false,
          receivedAt: new Date().toISOString(),
        });
        expect(outcome.outcome).toBe('intake');
      }
    } finally {
      await store.close();
    }

    const page = await as('desk@edgeworks.example');
    await step(page, 'intake-convert', async () => {
      await page.getByRole('link', { name: 'Intake' }).click();
      await page.getByRole('heading', { name: 'Intake' }).waitFor();
      const item = page.getByRole('article', { name: 'Order ACME-E2E-MAIL-1' });
      await item.waitFor();
      expect(await item.innerText()).toContain('ACME-E2E-MAIL-1');
      expect(await item.innerText()).toContain(license.partNumber);
      await screenshot(page, 'intake-list');
      await axeOf(page, '/intake', violations);
      await item.getByRole('button', { name: 'Convert to order' }).click();
      const dialog = page.getByRole('dialog');
      expect(await dialog.getByLabel('PO number').inputValue()).toBe('ACME-E2E-MAIL-1');
      await axeOf(page, 'intake convert dialog', violations);
      await dialog.getByRole('button', { name: 'Place the order' }).click();
      await dialog.waitFor({ state: 'hidden' });
      const placed = page.getByRole('status').filter({ hasText: 'Order placed' });
      await placed.waitFor();
      const link = placed.getByRole('link', { name: /^EW-/ });
      await link.click();
      await page.getByTestId('order-title-number').waitFor();
      expect(await page.getByTestId('order-title-number').innerText()).toMatch(/^EW-/);
      // The mailed workbook is kept on the order as a document.
      await page
        .getByRole('table', { name: 'Documents of the order' })
        .getByRole('link', { name: 'edgeworks-order.xlsx' })
        .waitFor();
    });

    await step(page, 'intake-reject', async () => {
      await page.getByRole('link', { name: 'Intake' }).click();
      const item = page.getByRole('article', { name: 'Question about our last order' });
      await item.getByRole('button', { name: 'Reject' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Reason').fill('Not an order: please write to your CAM.');
      await dialog.getByRole('button', { name: 'Confirm reject' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await item.waitFor({ state: 'detached' });
      await page.getByRole('combobox', { name: 'Status' }).click();
      await page.getByRole('option', { name: 'Rejected' }).click();
      await page
        .getByRole('article', { name: 'Question about our last order' })
        .getByText('Not an order: please write to your CAM.')
        .waitFor();
    });
  });

  it('fits a 375 px phone: none of the new pages scrolls sideways', async () => {
    const wide: string[] = [];
    for (const [email, paths] of [
      ['buyer@acme.example', ['/invoices', `/invoices/${state.invoice!.id}`, '/returns']],
      ['desk@edgeworks.example', ['/intake', '/sla', '/licenses', '/invoices']],
    ] as const) {
      const page = await as(email, 375);
      for (const path of paths) {
        await page.goto(`${web.server.url}${path}`);
        await page.locator('main h2').first().waitFor();
        await page.waitForLoadState('networkidle');
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        if (width > 375) wide.push(`${email} ${path}: ${width}px`);
      }
    }
    expect(wide).toEqual([]);
  });

  it('has no serious or critical axe-core violations on the new pages', () => {
    expect(violations).toEqual([]);
  });
});
