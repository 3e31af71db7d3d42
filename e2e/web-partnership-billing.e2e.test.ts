// A partnership's billing details (country, address, tax ID: what the tax on the partner's
// invoices follows) in the administration: the vendor admin gives them to a new partner and sees
// them listed, changes a partnership's in its edit form — a bad country named at its field —
// and clears them; each change checked through the API as stored.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { apiAs, type Call } from './support/api.ts';
import { screenshot, settledAxeViolations, step } from './support/browser.ts';
import { webHarness } from './support/harness.ts';

const web = webHarness();

const { as } = web;

interface Billing {
  country: string;
  address: { line1: string; city: string; postalCode: string } | null;
  taxId: string | null;
}

/** The vendor's partnership with the partner named so, as GET /partnerships answers it. */
async function partnershipOf(api: Call, partnerName: string) {
  const answer = await api('GET', '/api/v1/partnerships');
  expect(answer.status).toBe(200);
  const items = answer.json.items as { id: string; partner: { name: string }; billing: Billing }[];
  const found = items.find((p) => p.partner.name === partnerName);
  expect(found, partnerName).toBeDefined();
  return found!;
}

/** The partnership's row in the list (an open billing form is the row below it). */
const row = (page: Page, partnerName: string) =>
  page
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name: partnerName }) })
    .first();

describe.sequential('a partnership’s billing details in the administration', () => {
  it('a new partner is created with its billing country and tax ID, and listed with them', async () => {
    const admin = await as('admin@northwind.example');
    await step(admin, 'billing-new-partner', async () => {
      await admin.getByRole('link', { name: 'Administration' }).click();
      await admin.getByRole('button', { name: 'Create partner' }).waitFor();
      await admin.getByLabel('Partner name').fill('Fabrikam Channel');
      await admin.getByLabel('Legal name').fill('Fabrikam Channel B.V.');
      await admin.getByLabel('Agreement date').fill('2026-01-15');
      await admin.getByLabel('Price multiplier').fill('0.75');
      await admin.getByLabel('CAM e-mail').fill('cam@northwind.example');
      await admin.getByLabel('Invoicing contact name').fill('Fabrikam AP');
      await admin.getByLabel('Invoicing contact e-mail').fill('ap@fabrikam-channel.example');
      await admin.getByLabel('Provisioning CC').fill('orders@fabrikam-channel.example');
      const billing = admin.getByRole('group', { name: 'Billing details (optional)' });
      await billing.getByLabel('Billing country').fill('NL');
      await billing.getByLabel('Tax ID').fill('NL123456789B01');
      await admin.getByRole('button', { name: 'Create partner' }).click();
      await admin.getByRole('status').filter({ hasText: 'Partner created.' }).waitFor();
      const listed = row(admin, 'Fabrikam Channel');
      await listed.getByText('NL123456789B01').waitFor();
      expect(await listed.innerText()).toMatch(/\bNL\b/);
      await screenshot(admin, 'billing-new-partner-listed');
    });
    const api = await apiAs(web.server.url, 'admin@northwind.example');
    expect((await partnershipOf(api, 'Fabrikam Channel')).billing).toEqual({
      country: 'NL',
      address: null,
      taxId: 'NL123456789B01',
    });
  });

  it('the vendor admin changes a partnership’s billing country (a bad one named at its field), then clears it', async () => {
    const api = await apiAs(web.server.url, 'admin@northwind.example');
    const before = await partnershipOf(api, 'Contoso Channel');
    expect(before.billing.country).toBe('DE');

    const admin = await as('admin@northwind.example');
    const form = admin.getByRole('form', { name: 'Billing of Contoso Channel' });
    const country = form.getByLabel('Billing country');
    const found: string[] = [];
    await step(admin, 'billing-edit-open', async () => {
      await admin.getByRole('link', { name: 'Administration' }).click();
      const listed = row(admin, 'Contoso Channel');
      await listed.getByText('DE987654321').waitFor();
      await listed.getByRole('button', { name: 'Edit billing of Contoso Channel' }).click();
      // The form starts from what is stored.
      await expect.poll(() => country.inputValue()).toBe('DE');
      expect(await form.getByLabel('City').inputValue()).toBe('Berlin');
    });
    await step(admin, 'billing-edit-bad-country', async () => {
      await country.fill('Germany');
      await form.getByRole('button', { name: 'Save billing' }).click();
      // The server's problem stands at the country field, tied to it.
      await expect.poll(() => country.getAttribute('aria-invalid')).toBe('true');
      const error = form.locator('.mantine-InputWrapper-error');
      await error.first().waitFor();
      expect(await error.first().innerText()).toMatch(/ISO 3166-1 alpha-2/);
      const described = (await country.getAttribute('aria-describedby')) ?? '';
      expect(described.split(' ')).toContain(await error.first().getAttribute('id'));
      found.push(...(await settledAxeViolations(admin, 'billing form with a country error')));
      await screenshot(admin, 'billing-edit-bad-country');
    });
    // Nothing was written.
    expect((await partnershipOf(api, 'Contoso Channel')).billing.country).toBe('DE');

    await step(admin, 'billing-edit-saved', async () => {
      await country.fill('AT');
      await form.getByRole('button', { name: 'Save billing' }).click();
      await form.getByRole('status').filter({ hasText: 'Billing saved.' }).waitFor();
      await expect.poll(() => country.getAttribute('aria-invalid')).not.toBe('true');
      await row(admin, 'Contoso Channel').getByText(/^AT\b/).first().waitFor();
    });
    expect((await partnershipOf(api, 'Contoso Channel')).billing).toEqual({
      ...before.billing,
      country: 'AT',
    });

    await step(admin, 'billing-edit-cleared', async () => {
      await form.getByRole('button', { name: 'Clear billing' }).click();
      await form.getByRole('status').filter({ hasText: 'Billing cleared.' }).waitFor();
      await row(admin, 'Contoso Channel').getByText('none', { exact: true }).waitFor();
    });
    expect((await partnershipOf(api, 'Contoso Channel')).billing).toBeNull();
    expect(found).toEqual([]);
  });
});
