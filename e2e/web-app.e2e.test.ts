// The web app in real Chromium against `orderdesk serve --demo` on a fresh SQLite database
// (issue 9, point 5): the three seed flows through the UI, a held order corrected and
// resubmitted (the desk's problems at their fields), each back-office role on its own queue,
// partners walled off from each other, the wizard's problems in plain words and readable,
// axe-core on every page, a 375 px phone, and the orders list past its first page ("Load more").
// The flows build on each other (one server), so they run in order.
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import {
  logIn,
  logOut,
  screenshot,
  seriousAxeViolations,
  settledAxeViolations,
  step,
  UserActions,
} from './support/browser.ts';
import { apiAs, placeEdgeworksOrder, placeSkylineOrder, type Call } from './support/api.ts';
import { scriptSizes } from './support/bundle-size.ts';
import { webHarness } from './support/harness.ts';

const web = webHarness();

const { as } = web;

async function openOrganizations(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Organizations' }).click();
  await page.getByRole('heading', { name: 'Fabrikam Health' }).waitFor();
}

async function startWizard(page: Page, vendor: RegExp): Promise<void> {
  await page.getByRole('button', { name: 'Place an order for Fabrikam Health' }).click();
  await page.getByRole('menuitem', { name: vendor }).click();
  await page.getByRole('heading', { name: 'Select Items', level: 3 }).waitFor();
}

async function continueTo(page: Page, stepName: string): Promise<void> {
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: stepName, level: 3 }).waitFor();
}

/** Acts on the open order page: the action's button, then its confirmation. */
async function act(page: Page, action: string, reason?: string): Promise<void> {
  await page.getByRole('button', { name: action, exact: true }).click();
  const dialog = page.getByRole('dialog');
  if (reason) await dialog.getByLabel('Reason').fill(reason);
  await dialog.getByRole('button', { name: `Confirm ${action.toLowerCase()}` }).click();
  await dialog.waitFor({ state: 'hidden' });
}

async function statusOf(page: Page): Promise<string> {
  return page.getByTestId('order-status').innerText();
}

async function openOrder(page: Page, number: string): Promise<void> {
  await page.goto(`${web.server.url}/orders`);
  await page.getByRole('link', { name: number }).click();
  await page.getByTestId('order-title-number').filter({ hasText: number }).waitFor();
}

const placed: Record<string, { number: string; url: string }> = {};

describe.sequential('the web app in Chromium', () => {
  it('skyline (seed 001): the wizard from the organization list in ≤ 12 clicks and keystroke groups, then the desk approves', async () => {
    const page = await as('buyer@acme.example');
    await openOrganizations(page);
    const user = new UserActions();
    const number = await step(page, 'skyline-wizard', async () => {
      await user.click(page.getByRole('button', { name: 'Place an order for Fabrikam Health' }));
      await user.click(page.getByRole('menuitem', { name: /^Skyline/ }));
      await page.getByRole('heading', { name: 'Select Items', level: 3 }).waitFor();
      // The search's example is the vendor's own part-number prefix.
      await expect
        .poll(() => page.getByLabel('Search products').getAttribute('placeholder'))
        .toBe('e.g. SKY-');
      await user.type(page.getByLabel('Search products'), 'SKY-');
      const add = page.getByRole('button', { name: /^Add SKY-/ }).first();
      await add.waitFor();
      await user.click(add);
      await page
        .getByLabel(/^Quantity/)
        .first()
        .waitFor();
      await screenshot(page, 'wizard-1-select-items');
      await user.click(page.getByRole('button', { name: 'Continue' }));

      await page.getByRole('heading', { name: 'Contact Details', level: 3 }).waitFor();
      await user.type(page.getByLabel('Site admin name'), 'Dana Admin');
      await user.type(page.getByLabel('Site admin e-mail'), 'dana@fabrikam-health.example');
      await screenshot(page, 'wizard-2-contact-details');
      await user.click(page.getByRole('button', { name: 'Continue' }));

      await page.getByRole('heading', { name: 'Provisioning Information', level: 3 }).waitFor();
      // Prefilled from the organization and the partnership: nothing to type.
      expect(await page.getByLabel('Primary domain').inputValue()).toBe('fabrikam-health.example');
      expect(await page.getByLabel('Invoicing contact e-mail').inputValue()).toBe(
        'ap@acme.example',
      );
      await screenshot(page, 'wizard-3-provisioning-information');
      await user.click(page.getByRole('button', { name: 'Continue' }));

      await page.getByRole('heading', { name: 'Summary', level: 3 }).waitFor();
      // Nothing is said about the terms before the partner has done anything (the live
      // validation has had time to answer).
      await page.waitForTimeout(1_500);
      await page.waitForLoadState('networkidle');
      expect(await page.locator('.mantine-Checkbox-error').count()).toBe(0);
      expect(await page.getByText(/must be accepted|expected 2025/).count()).toBe(0);
      await user.click(page.getByLabel('I Agree'));
      await screenshot(page, 'wizard-4-summary');
      await user.click(page.getByRole('button', { name: 'Proceed for Approval' }));
      const shown = page.getByTestId('order-number');
      await shown.waitFor();
      await screenshot(page, 'wizard-5-order-number');
      return shown.innerText();
    });
    expect(number).toMatch(/^SKY-\d+/);
    expect(
      user.total,
      `${user.clicks} clicks + ${user.keystrokeGroups} keystroke groups`,
    ).toBeLessThanOrEqual(12);
    await page.getByRole('link', { name: 'View the order' }).click();
    await page.getByTestId('order-title-number').waitFor();
    placed.skyline = { number, url: page.url() };

    const desk = await as('desk@skyline.example');
    await step(desk, 'skyline-desk-approves', async () => {
      await desk.getByRole('tab', { name: /Pending approval/ }).waitFor();
      await desk.getByRole('link', { name: number }).click();
      await act(desk, 'Approve');
      await expect.poll(() => statusOf(desk)).toBe('Provisioning');
      await screenshot(desk, 'order-page-skyline');
    });
  });

  it('edgeworks (seed 002): a wrong net price is shown at its field as the partner types, corrected, submitted', async () => {
    const page = await as('buyer@acme.example');
    const number = await step(page, 'edgeworks-wizard', async () => {
      await openOrganizations(page);
      await startWizard(page, /^Edgeworks/);
      await expect
        .poll(() => page.getByLabel('Search products').getAttribute('placeholder'))
        .toBe('e.g. EW-');
      await page.getByLabel('Search products').fill('EW-SUP-LIC-250');
      await page.getByRole('button', { name: 'Add EW-SUP-LIC-250' }).click();
      const price = page.getByLabel(/^Unit price/).first();
      const net = await price.inputValue();
      // 250 points: list 1,200.00 × Acme's 0.65 = 780.00.
      expect(net).toBe('780.00');
      await price.fill('800.00');
      // The problem appears at the price field itself (its error text, tied to the input).
      const error = page.locator('.mantine-InputWrapper-error').filter({ hasText: '780.00' });
      await error.waitFor();
      const describedBy = (await price.getAttribute('aria-describedby')) ?? '';
      expect(describedBy).toContain((await error.getAttribute('id')) ?? 'missing id');
      await error.evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await screenshot(page, 'edgeworks-price-problem');
      await price.fill('780.00');
      await error.waitFor({ state: 'detached' });
      await page.getByLabel(/^Host ID/).fill('HOST-0001');
      await continueTo(page, 'Contact Details');
      await continueTo(page, 'Provisioning Information');
      await page.getByLabel('PO number').fill('ACME-EW-1001');
      expect(await page.getByLabel('End-user name').inputValue()).toBe('Fabrikam Health');
      await continueTo(page, 'Summary');
      // Edgeworks has no terms: "I Agree" confirms the order as summarised, and is asked first.
      await page.getByRole('button', { name: 'Proceed for Approval' }).click();
      await page.getByText('Tick “I Agree” to confirm the order').waitFor();
      await page.getByLabel('I Agree').check();
      await page.getByRole('button', { name: 'Proceed for Approval' }).click();
      const shown = page.getByTestId('order-number');
      await shown.waitFor();
      return shown.innerText();
    });
    expect(number).toMatch(/^EW-/);
    placed.edgeworks = { number, url: '' };
  });

  it('a held order is corrected and resubmitted by the partner', async () => {
    const number = placed.edgeworks!.number;
    const desk = await as('desk@edgeworks.example');
    await step(desk, 'hold', async () => {
      await openOrder(desk, number);
      await act(desk, 'Hold', 'The PO number must be the one on the signed PO: ACME-EW-1002.');
      await expect.poll(() => statusOf(desk)).toMatch(/hold/i);
    });

    const page = await as('buyer@acme.example');
    await step(page, 'correct-and-resubmit', async () => {
      await page.getByRole('heading', { name: 'Orders on hold, waiting for you' }).waitFor();
      await page.getByRole('link', { name: number }).first().click();
      await page.getByText('ACME-EW-1002', { exact: false }).first().waitFor();
      await page.getByRole('link', { name: 'Correct and resubmit' }).click();
      await page.getByRole('heading', { name: 'Select Items', level: 3 }).waitFor();
      await page
        .getByRole('tab', { name: /Provisioning Information/ })
        .or(page.getByRole('button', { name: /Provisioning Information/ }))
        .first()
        .click();
      await page.getByLabel('PO number').fill('ACME-EW-1002');
      await page
        .getByRole('button', { name: /Summary/ })
        .first()
        .click();
      await page.getByRole('button', { name: 'Save and resubmit' }).click();
      await page.getByText('Order corrected and resubmitted').waitFor();
      await page.getByRole('link', { name: 'View the order' }).click();
      await expect.poll(() => statusOf(page)).not.toMatch(/hold/i);
      placed.edgeworks!.url = page.url();
    });
  });

  it('the desk’s hold problems stand at their fields in the correction wizard until the partner changes them', async () => {
    const buyerApi = await apiAs(web.server.url, 'buyer@acme.example');
    const order = await placeSkylineOrder(buyerApi);
    const reason = 'The primary domain is not the one the customer signs in with.';
    const desk = await as('desk@skyline.example');
    await step(desk, 'hold-with-problems', async () => {
      await desk.goto(`${web.server.url}/orders/${order.id}`);
      await desk.getByTestId('order-title-number').filter({ hasText: order.number }).waitFor();
      await desk.getByRole('button', { name: 'Hold', exact: true }).click();
      const dialog = desk.getByRole('dialog');
      await dialog.getByLabel('Reason').fill(reason);
      // Each problem's field is one of the order's, chosen by its name in the form.
      const pick = async (field: string, option: string) => {
        await dialog.getByRole('combobox', { name: field, exact: true }).click();
        await desk.getByRole('option', { name: option, exact: true }).click();
      };
      await dialog.getByRole('button', { name: 'Add a problem' }).click();
      await pick('Field 1', 'Primary domain');
      await dialog
        .getByRole('textbox', { name: 'Problem 1', exact: true })
        .fill('Use fabrikam.example, the sign-in domain');
      await dialog.getByRole('button', { name: 'Add a problem' }).click();
      await pick('Field 2', 'PO number');
      await dialog
        .getByRole('textbox', { name: 'Problem 2', exact: true })
        .fill('Put the number of the signed PO');
      // A problem left without words is named, not dropped.
      await dialog.getByRole('button', { name: 'Add a problem' }).click();
      await dialog.getByRole('button', { name: 'Confirm hold' }).click();
      await dialog.getByText('Say what is wrong here, or remove this problem').waitFor();
      // Left on "The order as a whole": a problem of the order, said above the wizard's steps.
      expect(
        await dialog.getByRole('combobox', { name: 'Field 3', exact: true }).inputValue(),
      ).toBe('The order as a whole');
      await dialog
        .getByRole('textbox', { name: 'Problem 3', exact: true })
        .fill('Send the signed PO to the desk');
      await dialog.getByRole('button', { name: 'Confirm hold' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await expect.poll(() => statusOf(desk)).toMatch(/hold/i);
    });

    const page = await as('buyer@acme.example');
    const found: string[] = [];
    await step(page, 'hold-problems-at-fields', async () => {
      await page.goto(`${web.server.url}/orders/${order.id}`);
      await page.getByRole('link', { name: 'Correct and resubmit' }).waitFor();
      found.push(...(await settledAxeViolations(page, 'order page on hold (partner, light)')));
      await page.getByRole('link', { name: 'Correct and resubmit' }).click();
      await page.getByRole('heading', { name: 'Select Items', level: 3 }).waitFor();
      // The hold reason at the top, and where the desk's problems are.
      const held = page.getByTestId('hold-reason');
      await held.getByText(reason).waitFor();
      expect(await held.innerText()).toContain('Primary domain (Provisioning Information)');
      expect(await held.innerText()).toContain('PO number (Provisioning Information)');

      await page
        .getByRole('button', { name: /Provisioning Information/ })
        .first()
        .click();
      await page.getByRole('heading', { name: 'Provisioning Information', level: 3 }).waitFor();
      const domain = page.getByLabel('Primary domain');
      const error = page
        .locator('.mantine-InputWrapper-error')
        .filter({ hasText: 'Use fabrikam.example, the sign-in domain' });
      await error.waitFor();
      // Tied to its field, as a validation problem is.
      const describedBy = (await domain.getAttribute('aria-describedby')) ?? '';
      expect(describedBy).toContain((await error.getAttribute('id')) ?? 'missing id');
      const poError = page
        .locator('.mantine-InputWrapper-error')
        .filter({ hasText: 'Put the number of the signed PO' });
      await poError.waitFor();
      expect((await page.getByLabel('PO number').getAttribute('aria-describedby')) ?? '').toContain(
        (await poError.getAttribute('id')) ?? 'missing id',
      );
      await held.getByText('Send the signed PO to the desk').waitFor();
      await screenshot(page, 'correction-wizard-hold-problems');
      found.push(...(await settledAxeViolations(page, 'correction wizard (light)')));

      // Changed by the partner: the desk's problem there is gone; the other stands.
      await domain.fill('fabrikam.example');
      await error.waitFor({ state: 'detached' });
      expect(await poError.count()).toBe(1);
      await page.getByLabel('PO number').fill('ACME-SKY-0077');
      await poError.waitFor({ state: 'detached' });
      await page.getByText('Send the signed PO to the desk').first().waitFor();
      await page
        .getByRole('button', { name: /Summary/ })
        .first()
        .click();
      await page.getByRole('button', { name: 'Save and resubmit' }).click();
      await page.getByText('Order corrected and resubmitted').waitFor();
    });
    expect(found).toEqual([]);
  });

  it('correcting a held order: its own PO number is no duplicate, so Continue goes through every step', async () => {
    const buyerApi = await apiAs(web.server.url, 'buyer@acme.example');
    const order = await placeEdgeworksOrder(buyerApi, 'ACME-EW-OWN-1');
    const other = await placeEdgeworksOrder(buyerApi, 'ACME-EW-OWN-2');
    expect(other.number).not.toBe(order.number);
    const deskApi = await apiAs(web.server.url, 'desk@edgeworks.example');
    const { version } = (await deskApi('GET', `/api/v1/orders/${order.id}`)).json as {
      version: number;
    };
    const hold = await deskApi(
      'POST',
      `/api/v1/orders/${order.id}/actions/hold`,
      {
        reason: 'The host ID is not the licensing server’s.',
        problems: [
          { path: 'lines[0].attributes.hostId', message: 'Use the licensing server’s host ID' },
        ],
      },
      { 'if-match': String(version) },
    );
    expect(hold.status, hold.bytes.toString()).toBe(200);

    const page = await as('buyer@acme.example');
    await step(page, 'correct-with-own-po', async () => {
      await page.goto(`${web.server.url}/orders/${order.id}/correct`);
      await page.getByRole('heading', { name: 'Select Items', level: 3 }).waitFor();
      await page.getByLabel(/^Host ID/).fill('HOST-8');
      await continueTo(page, 'Contact Details');
      await continueTo(page, 'Provisioning Information');
      const po = page.getByLabel('PO number');
      expect(await po.inputValue()).toBe('ACME-EW-OWN-1');
      await page.waitForLoadState('networkidle');
      expect(await page.getByText(/already submitted/).count()).toBe(0);
      // Another live order's PO number is still a duplicate, and Continue stays.
      await po.fill('ACME-EW-OWN-2');
      const duplicate = page
        .locator('.mantine-InputWrapper-error')
        .filter({ hasText: 'PO ACME-EW-OWN-2 was already submitted' });
      await duplicate.waitFor();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForLoadState('networkidle');
      await page.getByRole('heading', { name: 'Provisioning Information', level: 3 }).waitFor();
      expect(await page.getByRole('heading', { name: 'Summary', level: 3 }).count()).toBe(0);
      await po.fill('ACME-EW-OWN-1');
      await duplicate.waitFor({ state: 'detached' });
      await continueTo(page, 'Summary');
      await page.getByRole('button', { name: 'Save and resubmit' }).click();
      await page.getByText('Order corrected and resubmitted').waitFor();
    });
    const after = await buyerApi('GET', `/api/v1/orders/${order.id}`);
    expect(after.json.status).toBe('submitted');
    expect(after.json.purchaseOrder.number).toBe('ACME-EW-OWN-1');
  });

  it('finance and provisioning open the queue of their own stage; completing an edgeworks order offers no welcome e-mail', async () => {
    const buyerApi = await apiAs(web.server.url, 'buyer@acme.example');
    const order = await placeEdgeworksOrder(buyerApi, 'ACME-EW-QUEUE-1');
    const actAs = async (api: Call, action: string): Promise<void> => {
      const current = await api('GET', `/api/v1/orders/${order.id}`);
      const done = await api(
        'POST',
        `/api/v1/orders/${order.id}/actions/${action}`,
        {},
        { 'if-match': String(current.json.version) },
      );
      expect(done.status, done.bytes.toString()).toBe(200);
    };
    await actAs(await apiAs(web.server.url, 'desk@edgeworks.example'), 'approve');

    const selectedTab = (page: Page) => page.getByRole('tab', { selected: true });
    const finance = await as('finance@edgeworks.example');
    await step(finance, 'queue-of-finance', async () => {
      await finance.waitForURL((url) => url.pathname === '/desk');
      await expect.poll(() => selectedTab(finance).innerText()).toMatch(/^Sales order/);
      await finance.getByRole('link', { name: order.number, exact: true }).waitFor();
      // A queue chosen is kept in the URL, and a reload opens it again.
      await finance.getByRole('tab', { name: /^Order received/ }).click();
      await finance.waitForURL((url) => url.searchParams.get('queue') === 'submitted');
      await finance.reload();
      await expect.poll(() => selectedTab(finance).innerText()).toMatch(/^Order received/);
    });
    await actAs(await apiAs(web.server.url, 'finance@edgeworks.example'), 'book');

    const provisioning = await as('provisioning@edgeworks.example');
    await step(provisioning, 'queue-of-provisioning', async () => {
      await provisioning.waitForURL((url) => url.pathname === '/desk');
      await expect.poll(() => selectedTab(provisioning).innerText()).toMatch(/^Fulfilment/);
      await provisioning.goto(`${web.server.url}/desk?queue=on_hold`);
      await expect.poll(() => selectedTab(provisioning).innerText()).toMatch(/^On hold/i);
      await provisioning.goto(`${web.server.url}/desk`);
      await provisioning.getByRole('link', { name: order.number, exact: true }).click();
      await provisioning
        .getByTestId('order-title-number')
        .filter({ hasText: order.number })
        .waitFor();
    });
    await step(provisioning, 'no-welcome-mail-for-edgeworks', async () => {
      // Edgeworks' order types say `welcomeEmail: never`: no choice to offer.
      await provisioning.getByRole('button', { name: 'Complete', exact: true }).click();
      const dialog = provisioning.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Confirm complete' }).waitFor();
      expect(await dialog.getByRole('checkbox').count()).toBe(0);
      expect(await dialog.getByText(/welcome e-mail/i).count()).toBe(0);
      await dialog.getByRole('button', { name: 'Close', exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
      await provisioning.getByRole('button', { name: 'Record a fulfilment' }).click();
      const fulfilment = provisioning.getByRole('dialog');
      await fulfilment.getByLabel('Quantity delivered of line 1').waitFor();
      expect(await fulfilment.getByText(/welcome e-mail/i).count()).toBe(0);
      await fulfilment.getByRole('button', { name: 'Close', exact: true }).click();
      await act(provisioning, 'Complete');
      await expect.poll(() => statusOf(provisioning)).toMatch(/Completed/);
    });
  });

  it('northwind (seed 000): quote request → quote → PO with the clause → desk → finance → provisioning', async () => {
    const buyer = await as('buyer@acme.example');
    await step(buyer, 'northwind-request-quote', async () => {
      await buyer.getByRole('link', { name: 'Quotes' }).click();
      await buyer.getByRole('combobox', { name: 'Vendor' }).click();
      await buyer.getByRole('option', { name: /^Northwind/ }).click();
      await buyer.getByRole('combobox', { name: 'Customer' }).click();
      await buyer.getByRole('option', { name: 'Fabrikam Health' }).click();
      await buyer.getByRole('combobox', { name: 'Order type' }).click();
      await buyer.getByRole('option', { name: 'New business' }).click();
      await buyer.getByLabel('Items').fill('NW-MTG-PRO-U-1Y x 25');
      await buyer.getByRole('button', { name: 'Request quote' }).click();
      await buyer.getByText('Quote requested').waitFor();
    });

    const sales = await as('sales@northwind.example');
    await step(sales, 'northwind-sales-quotes', async () => {
      await sales.getByRole('link', { name: 'Quotes' }).click();
      await sales.getByRole('button', { name: 'Create quote for Fabrikam Health' }).click();
      await sales.getByRole('heading', { name: /^Quote / }).waitFor();
      await sales.getByRole('button', { name: 'Approve' }).click();
      await sales.getByText('Approved', { exact: true }).waitFor();
    });

    const number = await step(buyer, 'northwind-wizard', async () => {
      await buyer.goto(`${web.server.url}/quotes`);
      await buyer
        .getByRole('link', { name: /rev\. 1/ })
        .first()
        .click();
      await buyer.getByRole('link', { name: 'Order this quote' }).click();
      await buyer.getByRole('heading', { name: 'Select Items', level: 3 }).waitFor();
      // The quote ordered is chosen, its lines the items, and nothing is said of a missing quote.
      await expect
        .poll(() => buyer.getByRole('combobox', { name: 'Quote' }).inputValue())
        .toMatch(/^Q-NW-\d+ rev\. 1/);
      expect(await buyer.getByText(/need an approved quote/).count()).toBe(0);
      await buyer
        .getByLabel(/^Quantity/)
        .first()
        .waitFor();
      await continueTo(buyer, 'Contact Details');
      await buyer.getByLabel('Site admin name').fill('Dana Admin');
      await buyer.getByLabel('Site admin e-mail').fill('dana@fabrikam-health.example');
      await continueTo(buyer, 'Provisioning Information');
      const clause = await buyer.getByTestId('special-terms').innerText();
      expect(clause).toContain('Acme Distribution Ltd.');
      await buyer.getByRole('button', { name: 'Put it on the PO' }).click();
      await buyer.getByLabel('PO number').fill('ACME-NW-2001');
      await screenshot(buyer, 'northwind-po-with-clause');
      await continueTo(buyer, 'Summary');
      await buyer.getByLabel('I Agree').check();
      await buyer.getByRole('button', { name: 'Proceed for Approval' }).click();
      const shown = buyer.getByTestId('order-number');
      await shown.waitFor();
      return shown.innerText();
    });
    expect(number).toMatch(/^NW-/);
    placed.northwind = { number, url: '' };

    for (const [email, action, next] of [
      ['desk@northwind.example', 'Approve', /Finance/],
      ['finance@northwind.example', 'Book', /Provisioning/],
      ['provisioning@northwind.example', 'Complete', /Completed/],
    ] as const) {
      const staff = await as(email);
      await step(staff, `northwind-${action}`, async () => {
        await openOrder(staff, number);
        if (action === 'Approve') {
          // The desk sees the clause check pass before approving.
          await staff.getByText('Clause found').waitFor();
          await screenshot(staff, 'order-page-northwind-desk');
        }
        await act(staff, action);
        await expect.poll(() => statusOf(staff)).toMatch(next);
      });
    }
  });

  it('a partner cannot see another partner’s orders', async () => {
    const contoso = await as('buyer@contoso.example');
    await step(contoso, 'isolation', async () => {
      await contoso.goto(`${web.server.url}/orders`);
      await contoso.getByRole('heading', { name: 'Orders' }).waitFor();
      await contoso
        .getByText(/No orders|Order/)
        .first()
        .waitFor();
      for (const { number } of Object.values(placed)) {
        expect(await contoso.getByRole('link', { name: number }).count()).toBe(0);
      }
      await contoso.goto(placed.skyline!.url);
      await contoso.getByText('Not found').waitFor();
    });
  });

  it('back office administration: a price list with a bad row is refused with the row named; a broken profile with line:column', async () => {
    const admin = await as('admin@northwind.example');
    await step(admin, 'admin', async () => {
      await admin.getByRole('link', { name: 'Administration' }).click();
      await admin.getByRole('tab', { name: 'Price lists' }).click();
      await admin.locator('input[type=file]').setInputFiles({
        name: 'bad-prices.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(
          'partNumber,name,type,category,listPrice\n' +
            'NW-TEST-1,Test plan,subscription,Services,10.00\n' +
            'NW-TEST-2,Broken plan,subscription,Services,ten\n',
        ),
      });
      await admin.getByRole('button', { name: 'Upload' }).click();
      const refused = admin.getByRole('alert').filter({ hasText: 'listPrice' });
      await refused.waitFor();
      expect(await refused.innerText()).toMatch(/row \d+\/listPrice/);
      await screenshot(admin, 'admin-price-list-row-error');

      await admin.getByRole('tab', { name: 'Profile' }).click();
      const editor = admin.getByLabel('Vendor profile');
      await expect.poll(async () => (await editor.inputValue()).length).toBeGreaterThan(100);
      await editor.fill('slug: northwind\nname: Northwind\norderTypes: 12\n');
      await admin.getByRole('button', { name: 'Publish' }).click();
      const problems = admin.getByRole('alert').filter({ hasText: 'Not saved' });
      await problems.waitFor();
      expect(await problems.innerText()).toMatch(/\d+:\d+/);

      // This server sends no mail (no SMTP_URL): inviting a user shows the link to pass on.
      await admin.getByRole('tab', { name: 'Users' }).click();
      await admin.getByLabel('Name').fill('Ivy Invited');
      await admin.getByLabel('E-mail').fill('ivy@northwind.example');
      await admin.getByRole('button', { name: 'Send invitation' }).click();
      const outcome = admin.getByRole('status').filter({ hasText: 'No mail was sent' });
      await outcome.waitFor();
      expect(await admin.getByLabel('Invitation link').innerText()).toMatch(
        /^http:\/\/\S+\/invitations\/odi_\S+$/,
      );
    });
  });

  it('the wizard in the light theme: each problem once, in plain words and readable (axe); more of the catalog; the terms asked for only on proceeding', async () => {
    const buyer = await as('buyer@acme.example');
    const found: string[] = [];
    await step(buyer, 'wizard-light-problems', async () => {
      await openOrganizations(buyer);
      await startWizard(buyer, /^Skyline/);
      expect(await buyer.locator('html').getAttribute('data-mantine-color-scheme')).toBe('light');

      // The catalog: a page of products, how many are shown, and "Show more" for the rest.
      const adds = buyer.getByRole('button', { name: /^Add SKY-/ });
      await expect.poll(() => adds.count()).toBe(20);
      await buyer.getByText('Showing 20 products (more available)').waitFor();
      await buyer.getByRole('button', { name: 'Show more' }).click();
      await expect.poll(() => adds.count()).toBe(40);
      await buyer.getByText('Showing 40 products (more available)').waitFor();

      // Nothing selected: said once, at the selected items, in plain words.
      await buyer.getByRole('button', { name: 'Continue' }).click();
      await buyer.getByText('Add at least one item').waitFor();
      expect(await buyer.getByText('Add at least one item').count()).toBe(1);
      expect(await buyer.getByRole('alert').filter({ hasText: 'To fix' }).count()).toBe(0);
      expect(await buyer.getByText(/Too small/).count()).toBe(0);
      found.push(...(await settledAxeViolations(buyer, 'wizard, nothing selected (light)')));

      await adds.first().click();
      const quantity = buyer.getByLabel(/^Quantity/).first();
      await quantity.fill('0');
      await buyer
        .locator('.mantine-InputWrapper-error')
        .filter({ hasText: 'Enter a quantity of at least 1' })
        .waitFor();
      expect(await buyer.getByText(/Too small/).count()).toBe(0);
      await quantity.fill('2');

      // A wrong unit price, at its field: the error text and the red input read at 4.5:1.
      const price = buyer.getByLabel(/^Unit price/).first();
      const net = await price.inputValue();
      await price.fill('1.00');
      const error = buyer.locator('.mantine-InputWrapper-error').filter({ hasText: net });
      await error.waitFor();
      await screenshot(buyer, 'wizard-price-problem-light');
      found.push(...(await settledAxeViolations(buyer, 'wizard, price problem (light)')));
      await price.fill(net);
      await error.waitFor({ state: 'detached' });

      await continueTo(buyer, 'Contact Details');
      await buyer.getByLabel('Site admin name').fill('Dana Admin');
      await buyer.getByLabel('Site admin e-mail').fill('dana@fabrikam-health.example');
      await continueTo(buyer, 'Provisioning Information');
      await continueTo(buyer, 'Summary');
      await buyer.waitForTimeout(1_500);
      await buyer.waitForLoadState('networkidle');
      const terms = buyer.locator('.mantine-Checkbox-error');
      expect(await terms.count()).toBe(0);
      // Proceeding without the box ticked: asked for at the box, in plain words.
      await buyer.getByRole('button', { name: 'Proceed for Approval' }).click();
      await terms.filter({ hasText: 'Tick “I Agree”' }).waitFor();
      expect(await terms.innerText()).not.toMatch(/expected|version|2025/);
      expect(await buyer.getByTestId('order-number').count()).toBe(0);
      found.push(...(await settledAxeViolations(buyer, 'wizard, terms not accepted (light)')));
      await buyer.getByLabel('I Agree').check();
      await terms.waitFor({ state: 'detached' });
      // Unticked again: said again.
      await buyer.getByLabel('I Agree').uncheck();
      await terms.waitFor();
    });
    expect(found).toEqual([]);
  });

  it('the wizard keeps the partner’s draft across a reload, for that user only, until sent, discarded or signed out', async () => {
    const page = await as('buyer@acme.example');
    const found: string[] = [];
    const restored = page.getByRole('status').filter({ hasText: 'Draft restored' });
    /** The wizard drafts this tab keeps (sessionStorage), as stored. */
    const storedDrafts = () =>
      page.evaluate(() =>
        Object.keys(sessionStorage)
          .filter((key) => key.startsWith('orderdesk.wizard-draft.'))
          .map((key) => sessionStorage.getItem(key) ?? ''),
      );
    const fillUpToContactDetails = async (customer: string) => {
      await page.getByRole('button', { name: `Place an order for ${customer}` }).click();
      await page.getByRole('menuitem', { name: /^Skyline/ }).click();
      await page.getByRole('heading', { name: 'Select Items', level: 3 }).waitFor();
      await page.getByLabel('Search products').fill('SKY-');
      await page
        .getByRole('button', { name: /^Add SKY-/ })
        .first()
        .click();
      await page
        .getByLabel(/^Quantity/)
        .first()
        .fill('3');
      await continueTo(page, 'Contact Details');
      await page.getByLabel('Site admin name').fill('Dana Draft');
      await page.getByLabel('Site admin e-mail').fill('dana.draft@fabrikam-health.example');
    };

    const partNumber = await step(page, 'draft-restored-after-reload', async () => {
      await openOrganizations(page);
      await fillUpToContactDetails('Fabrikam Health');
      await page.reload();
      // Back where the partner was, with what they typed, and told so.
      await page.getByRole('heading', { name: 'Contact Details', level: 3 }).waitFor();
      await restored.waitFor();
      expect(await page.getByLabel('Site admin name').inputValue()).toBe('Dana Draft');
      expect(await page.getByLabel('Site admin e-mail').inputValue()).toBe(
        'dana.draft@fabrikam-health.example',
      );
      found.push(...(await settledAxeViolations(page, 'wizard, draft restored (light)')));
      await screenshot(page, 'wizard-draft-restored');
      await page.getByRole('button', { name: 'Switch to dark theme' }).click();
      found.push(...(await settledAxeViolations(page, 'wizard, draft restored (dark)')));
      await page.getByRole('button', { name: 'Switch to light theme' }).click();
      await page.getByRole('button', { name: 'Back' }).click();
      await page.getByRole('heading', { name: 'Select Items', level: 3 }).waitFor();
      expect(
        await page
          .getByLabel(/^Quantity/)
          .first()
          .inputValue(),
      ).toBe('3');
      const removeLabel =
        (await page
          .getByRole('button', { name: /^Remove SKY-/ })
          .first()
          .getAttribute('aria-label')) ?? '';
      // The tokens of the session are no part of a draft.
      const drafts = await storedDrafts();
      expect(drafts).toHaveLength(1);
      expect(drafts[0]).toContain('Dana Draft');
      const csrfToken = await page.evaluate(() => sessionStorage.getItem('orderdesk.csrf'));
      expect(csrfToken).toBeTruthy();
      expect(drafts[0]).not.toContain(csrfToken!);
      return removeLabel.replace(/^Remove /, '');
    });
    expect(partNumber).toMatch(/^SKY-/);

    await step(page, 'draft-agreement-asked-again-then-sent', async () => {
      await continueTo(page, 'Contact Details');
      await continueTo(page, 'Provisioning Information');
      await continueTo(page, 'Summary');
      await page.getByLabel('I Agree').check();
      await page.reload();
      await page.getByRole('heading', { name: 'Summary', level: 3 }).waitFor();
      await restored.waitFor();
      // The partner agrees anew after a reload.
      expect(await page.getByLabel('I Agree').isChecked()).toBe(false);
      expect(await page.getByText('Dana Draft').count()).toBeGreaterThan(0);
      await page.getByLabel('I Agree').check();
      const wizardUrl = page.url();
      await page.getByRole('button', { name: 'Proceed for Approval' }).click();
      await page.getByTestId('order-number').waitFor();
      expect(await storedDrafts()).toEqual([]);
      // Opened again: a fresh wizard, nothing restored.
      await page.goto(wizardUrl);
      await page.getByRole('heading', { name: 'Select Items', level: 3 }).waitFor();
      await page.waitForLoadState('networkidle');
      expect(await restored.count()).toBe(0);
      expect(await page.getByRole('button', { name: /^Remove SKY-/ }).count()).toBe(0);
    });

    await step(page, 'draft-discarded', async () => {
      await openOrganizations(page);
      await fillUpToContactDetails('Fabrikam Health');
      await page.getByRole('button', { name: 'Discard draft' }).click();
      const dialog = page.getByRole('dialog', { name: 'Discard this draft?' });
      await dialog.waitFor();
      found.push(...(await settledAxeViolations(page, 'wizard, discard the draft? (light)')));
      await dialog.getByRole('button', { name: 'Discard draft' }).click();
      await dialog.waitFor({ state: 'hidden' });
      const heading = page.getByRole('heading', { name: 'Select Items', level: 3 });
      await heading.waitFor();
      // The button that opened the dialog is gone with the draft: the focus is on the step.
      await expect.poll(() => heading.evaluate((el) => el === document.activeElement)).toBe(true);
      await page.getByRole('status').filter({ hasText: 'Draft discarded' }).waitFor();
      expect(await page.getByRole('button', { name: /^Remove SKY-/ }).count()).toBe(0);
      expect(await storedDrafts()).toEqual([]);
      await page.reload();
      await page.getByRole('heading', { name: 'Select Items', level: 3 }).waitFor();
      await page.waitForLoadState('networkidle');
      expect(await restored.count()).toBe(0);
    });

    await step(page, 'draft-not-shown-to-another-user', async () => {
      // Tailspin Toys is Beta's customer, which Acme (its distributor) may order for too.
      await openOrganizations(page);
      await fillUpToContactDetails('Tailspin Toys');
      const wizardUrl = page.url();
      // The session ends without a sign-out (it expired, say) and the next person at this
      // browser logs in in the same tab, coming back to the same wizard.
      await page.context().clearCookies();
      await page.reload();
      await page.waitForURL((url) => url.pathname.startsWith('/login'));
      await page.getByLabel('E-mail').fill('buyer@beta.example');
      await page.locator('input[type=password]').fill('demo');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(wizardUrl);
      await page.getByRole('heading', { name: 'Select Items', level: 3 }).waitFor();
      await page.waitForLoadState('networkidle');
      expect(await restored.count()).toBe(0);
      expect(await page.getByRole('button', { name: /^Remove SKY-/ }).count()).toBe(0);
      expect((await storedDrafts()).join('\n')).not.toContain('Dana Draft');
    });

    await step(page, 'draft-cleared-on-sign-out', async () => {
      await page.getByLabel('Search products').fill('SKY-');
      await page
        .getByRole('button', { name: /^Add SKY-/ })
        .first()
        .click();
      await expect.poll(storedDrafts).toHaveLength(1);
      await logOut(page);
      expect(await storedDrafts()).toEqual([]);
    });
    expect(found).toEqual([]);
  });

  it('answers no request of a page load with 404: the favicon is the page’s own', async () => {
    const context = await web.newContext();
    const page = await context.newPage();
    const missing: string[] = [];
    page.on('response', (response) => {
      if (response.status() === 404) missing.push(response.url());
    });
    await logIn(page, web.server.url, 'buyer@acme.example');
    await page.getByRole('heading', { name: /^Welcome/ }).waitFor();
    await page.goto(`${web.server.url}/portal/organizations`);
    await page.getByRole('heading', { name: 'Fabrikam Health' }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(missing).toEqual([]);
    // Headless Chromium asks for no /favicon.ico either way: what stops a browser asking is the
    // page naming its icon.
    expect(await page.locator('link[rel=icon]').count()).toBe(1);
  });

  it('has no serious or critical axe-core violations on any page, light and dark', async () => {
    const pages: [string, string[]][] = [
      [
        'buyer@acme.example',
        ['/portal', '/portal/organizations', '/orders', placed.skyline!.url, '/quotes'],
      ],
      ['desk@northwind.example', ['/desk', '/orders', '/catalog', '/quotes']],
      // An order page with its actions (Approve, Hold, Reject).
      ['desk@edgeworks.example', [placed.edgeworks!.url]],
      ['admin@northwind.example', ['/admin']],
    ];
    const found: string[] = [];
    const anon = await web.newContext();
    const login = await anon.newPage();
    await login.goto(`${web.server.url}/login`);
    await login.getByText('Demo logins').waitFor();
    for (const v of await seriousAxeViolations(login))
      found.push(`/login: ${v.id} ${v.nodes.join(', ')}`);
    for (const [email, paths] of pages) {
      const page = await as(email);
      for (const path of paths) {
        await page.goto(path.startsWith('http') ? path : `${web.server.url}${path}`);
        await page.locator('main h2').first().waitFor();
        await page.waitForLoadState('networkidle');
        for (const v of await seriousAxeViolations(page))
          found.push(`${email} ${path}: ${v.id} ${v.help} — ${v.nodes.join(', ')}`);
      }
    }
    // Every administration tab.
    const admin = await as('admin@northwind.example');
    await admin.goto(`${web.server.url}/admin`);
    for (const tab of ['Partners', 'Users', 'Price lists', 'Profile', 'Dead letters']) {
      await admin.getByRole('tab', { name: tab }).click();
      await admin.waitForLoadState('networkidle');
      for (const v of await seriousAxeViolations(admin))
        found.push(`/admin ${tab}: ${v.id} ${v.help} — ${v.nodes.join(', ')}`);
    }
    // The wizard's four steps, and the dark theme.
    const buyer = await as('buyer@acme.example');
    await openOrganizations(buyer);
    await startWizard(buyer, /^Skyline/);
    await buyer.getByRole('button', { name: 'Switch to dark theme' }).click();
    await buyer.getByLabel('Search products').fill('SKY-');
    await buyer
      .getByRole('button', { name: /^Add SKY-/ })
      .first()
      .click();
    for (const name of ['Select Items', 'Contact Details', 'Provisioning Information', 'Summary']) {
      if (name !== 'Select Items') {
        if (name === 'Provisioning Information') {
          await buyer.getByLabel('Site admin name').fill('Dana Admin');
          await buyer.getByLabel('Site admin e-mail').fill('dana@fabrikam-health.example');
        }
        await continueTo(buyer, name);
      }
      await buyer.waitForLoadState('networkidle');
      for (const v of await seriousAxeViolations(buyer))
        found.push(`wizard ${name} (dark): ${v.id} ${v.help} — ${v.nodes.join(', ')}`);
    }
    expect(found).toEqual([]);
  });

  it('loads at most 200 KB of JavaScript (gzip) for the log-in page and the portal', async () => {
    const context = await web.newContext();
    const page = await context.newPage();
    const scripts: string[] = [];
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (url.pathname.endsWith('.js')) scripts.push(url.pathname);
    });
    await logIn(page, web.server.url, 'buyer@acme.example');
    await page.getByRole('heading', { name: /^Welcome/ }).waitFor();
    await page.waitForLoadState('networkidle');
    const sizes = scriptSizes(scripts);
    const total = sizes.reduce((sum, s) => sum + s.gzipBytes, 0);
    console.log(
      `First load (log-in page + portal dashboard): ${sizes.length} scripts, ` +
        `${(total / 1024).toFixed(1)} KB gzipped, ` +
        `${(sizes.reduce((sum, s) => sum + s.bytes, 0) / 1024).toFixed(1)} KB raw`,
    );
    expect(sizes.length).toBeGreaterThan(1);
    expect(total).toBeLessThanOrEqual(200 * 1024);
  });

  /**
   * Presses Tab until `target` has the focus (at most 100 times: the page may still be adding
   * links while its lists load); whether it got there.
   */
  async function tabTo(page: Page, target: Locator): Promise<boolean> {
    await target.waitFor();
    for (let i = 0; i < 100; i += 1) {
      await page.keyboard.press('Tab');
      if (await target.evaluate((el) => el === document.activeElement)) return true;
    }
    return false;
  }

  it('works from the keyboard alone: log in, reach the organizations, open the order menu', async () => {
    const context = await web.newContext();
    const page = await context.newPage();
    await step(page, 'keyboard', async () => {
      await page.goto(`${web.server.url}/login`);
      await page.getByLabel('E-mail').focus();
      await page.keyboard.type('buyer@acme.example');
      await page.keyboard.press('Tab');
      await page.keyboard.type('demo');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: /^Welcome/ }).waitFor();
      const organizations = page.getByRole('link', { name: 'Organizations' });
      expect(await tabTo(page, organizations), 'Tab reaches "Organizations"').toBe(true);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Fabrikam Health' }).waitFor();
      const place = page.getByRole('button', { name: 'Place an order for Fabrikam Health' });
      expect(await tabTo(page, place), 'Tab reaches "Place an order"').toBe(true);
      await page.keyboard.press('Enter');
      await page.getByRole('menuitem', { name: /^Skyline/ }).waitFor();
      // Arrow keys move into the menu once it has taken the focus (it opens with a
      // transition): press until a vendor is focused, then choose it.
      let inMenu = false;
      for (let i = 0; i < 20 && !inMenu; i++) {
        await page.keyboard.press('ArrowDown');
        inMenu = await page.evaluate(
          () => document.activeElement?.getAttribute('role') === 'menuitem',
        );
        if (!inMenu) await page.waitForTimeout(100);
      }
      expect(inMenu, 'ArrowDown reaches a vendor in the order menu').toBe(true);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Select Items', level: 3 }).waitFor();
    });
  });

  it('fits a 375 px phone: no page scrolls sideways', async () => {
    const page = await as('buyer@acme.example', 375);
    const wide: string[] = [];
    for (const path of ['/portal', '/portal/organizations', '/orders', placed.skyline!.url]) {
      await page.goto(path.startsWith('http') ? path : `${web.server.url}${path}`);
      await page.locator('main h2').first().waitFor();
      await page.waitForLoadState('networkidle');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > 375) wide.push(`${path}: ${width}px`);
    }
    await screenshot(page, 'phone-order-page');
    await page.getByRole('button', { name: 'Toggle navigation' }).click();
    await page.getByRole('link', { name: 'Organizations' }).click();
    await startWizard(page, /^Skyline/);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > 375) wide.push(`wizard: ${width}px`);
    await screenshot(page, 'phone-wizard');
    expect(wide).toEqual([]);
  });

  // Last: the 101 orders it places would change what the earlier tests' pages show.
  it('the orders list shows an order older than its first 100 after "Load more"', async () => {
    const buyer = await apiAs(web.server.url, 'buyer@acme.example');
    const older = await placeSkylineOrder(buyer);
    // More than one page (100) after it, so that it is on the second page even if it and the
    // next one share a timestamp.
    let newest = older;
    for (let i = 0; i < 101; i++) newest = await placeSkylineOrder(buyer);

    const page = await as('buyer@acme.example');
    await step(page, 'orders-load-more', async () => {
      await page.goto(`${web.server.url}/orders`);
      await page.getByRole('link', { name: newest.number, exact: true }).waitFor();
      expect(await page.getByRole('link', { name: older.number, exact: true }).count()).toBe(0);
      const more = page.getByRole('button', { name: 'Load more orders' });
      await more.click();
      await page.getByRole('link', { name: older.number, exact: true }).waitFor();
      // The second page was the last: no button for a third.
      await more.waitFor({ state: 'detached' });
      await screenshot(page, 'orders-after-load-more');
    });
  });
});
