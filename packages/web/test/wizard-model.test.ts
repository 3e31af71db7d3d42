// The wizard's model: the submission body (what it leaves out so that the server judges the
// order), the problems it shows where, and the server's schema texts in its own words.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseVendorProfile, type VendorProfile } from '@orderdesk/core';
import {
  buildSubmission,
  fieldsOf,
  lineFieldsOfLine,
  linesOfQuote,
  openHoldProblems,
  orderPartnerTier,
  orphanProblems,
  pathLabel,
  plainMessage,
  problemsOfField,
  prefill,
  withoutMissingAtFilled,
  withoutOwnPoDuplicate,
  type FieldSpec,
  type WizardState,
} from '../src/routes/wizard/wizard-model.ts';

function profileOf(slug: string): VendorProfile {
  const file = new URL(`../../../examples/profiles/${slug}.yaml`, import.meta.url);
  const parsed = parseVendorProfile(readFileSync(file, 'utf8'), `${slug}.yaml`);
  if (!parsed.ok) throw new Error(`${slug}.yaml does not parse`);
  return parsed.profile;
}
const skyline = (): VendorProfile => profileOf('skyline');

const field = (path: string): FieldSpec => ({ path, label: path, kind: 'email', required: true });

describe('buildSubmission', () => {
  it('keeps contacts given by their e-mail alone (skyline change)', () => {
    const body = buildSubmission(
      skyline(),
      {
        type: 'change',
        quoteId: '',
        lines: [{ partNumber: 'SKY-1', quantity: 1, unitPrice: '1.00', attributes: {} }],
        values: {
          'contacts.siteAdmin.email': 'it@tailspin.example',
          'contacts.invoicing.email': 'ap@tailspin.example',
        },
      } as unknown as Parameters<typeof buildSubmission>[1],
      [field('contacts.siteAdmin.email'), field('contacts.invoicing.email')],
      { customerId: 'cus_1', termsVersion: null, purchaseOrderRequired: false },
    );
    expect(body.contacts).toEqual({
      siteAdmin: { email: 'it@tailspin.example' },
      invoicing: { email: 'ap@tailspin.example' },
    });
  });
});

describe('the tier-2 reseller fields (northwind new business)', () => {
  const northwind = profileOf('northwind');
  const type = northwind.orderTypes.find((t) => t.key === 'new')!;
  const acme = { partner: { id: 'ptr_acme', tier: 1 } };
  const tier2Required = (tier: number): boolean =>
    fieldsOf(northwind, type, { partnerTier: tier, linesShip: false }).find(
      (f) => f.path === 'tier2Reseller.name',
    )?.required === true;

  it('are required when a distributor orders for its tier-2 reseller’s customer', () => {
    const tier = orderPartnerTier(acme, { partnerId: 'ptr_beta' });
    expect(tier).toBe(2);
    expect(tier2Required(tier)).toBe(true);
  });

  it('are required when the tier-2 reseller orders, and not for the distributor’s own customer', () => {
    expect(
      orderPartnerTier({ partner: { id: 'ptr_beta', tier: 2 } }, { partnerId: 'ptr_beta' }),
    ).toBe(2);
    const own = orderPartnerTier(acme, { partnerId: 'ptr_acme' });
    expect(own).toBe(1);
    expect(tier2Required(own)).toBe(false);
    expect(orderPartnerTier({}, { partnerId: 'ptr_acme' })).toBe(1);
  });
});

describe('plainMessage', () => {
  it('puts the schema texts of a 400 in the wizard’s words', () => {
    expect(
      plainMessage({ path: 'lines', message: 'Too small: expected array to have >=1 items' }),
    ).toBe('Add at least one item');
    expect(plainMessage({ path: 'lines', message: 'An order needs at least one line' })).toBe(
      'Add at least one item',
    );
    expect(
      plainMessage({ path: 'lines[0].quantity', message: 'Too small: expected number to be >=1' }),
    ).toBe('Enter a quantity of at least 1');
    expect(
      plainMessage({ path: 'contacts.siteAdmin.email', message: 'Invalid email address' }),
    ).toBe('Enter a valid e-mail address');
  });

  it('puts the server’s plain size words in the wizard’s too', () => {
    expect(plainMessage({ path: 'lines[0].quantity', message: 'Must be at least 1' })).toBe(
      'Enter a quantity of at least 1',
    );
    expect(plainMessage({ path: 'employeeCount', message: 'Must be at most 100' })).toBe(
      'Enter a number of at most 100',
    );
    expect(plainMessage({ path: 'lines', message: 'At least one item is needed' })).toBe(
      'Add at least one item',
    );
    expect(plainMessage({ path: 'purchaseOrder.number', message: 'Must not be empty' })).toBe(
      'Required',
    );
    expect(plainMessage({ path: 'notes', message: 'At most 2000 characters' })).toBe(
      'Shorten this to at most 2000 characters',
    );
  });

  it('leaves the order rules’ own messages alone', () => {
    const message = 'Unit price 800.00 differs from your net price 780.00';
    expect(plainMessage({ path: 'lines[0].unitPrice', message })).toBe(message);
  });
});

describe('problems the wizard lists in a step’s “To fix” box', () => {
  const profile = skyline();
  const problem = (path: string) => ({
    path,
    code: 'invalid',
    message: 'wrong',
    severity: 'error' as const,
  });

  it('leave out the selected items, bare or per line: they are shown there', () => {
    const list = [problem('lines'), problem('lines[0].quantity'), problem('type')];
    expect(orphanProblems(list, [], 0, profile)).toEqual([]);
  });

  it('keep a problem no input of the step shows', () => {
    const list = [
      problem('attributes.unknown'),
      problem('attributes.primaryDomain'),
      problem('purchaseOrder'),
    ];
    const fields = [
      field('attributes.primaryDomain'),
      field('purchaseOrder.number'),
      field('purchaseOrder.date'),
    ];
    expect(orphanProblems(list, fields, 2, profile).map((p) => p.path)).toEqual([
      'attributes.unknown',
    ]);
    // A part of the order is shown at its first field.
    expect(problemsOfField(list, fields, fields[1]!).map((p) => p.path)).toEqual(['purchaseOrder']);
    expect(problemsOfField(list, fields, fields[2]!)).toEqual([]);
  });
});

describe('openHoldProblems', () => {
  const held = (values: WizardState['values']): WizardState => ({
    type: 'new',
    quoteId: '',
    lines: [
      {
        partNumber: 'SKY-1',
        name: 'One',
        description: '',
        billingTerm: null,
        ships: false,
        productType: 'subscription',
        quantity: 3,
        unitPrice: '10.00',
        listPrice: null,
        multiplier: null,
        netPrice: null,
        attributes: {},
      },
    ],
    values,
  });
  const asHeld = held({
    'attributes.primaryDomain': 'fabrikam.example',
    'purchaseOrder.number': 'P1',
  });
  const problems = [
    { path: 'attributes.primaryDomain', message: 'Use the customer’s own domain' },
    { path: 'lines[0].quantity', message: 'Three seats were quoted, not four' },
    { path: 'purchaseOrder', message: 'Attach the signed PO' },
  ];

  it('stand at their fields while nothing there has changed', () => {
    expect(openHoldProblems(problems, asHeld, asHeld, []).map((p) => [p.path, p.severity])).toEqual(
      [
        ['attributes.primaryDomain', 'error'],
        ['lines[0].quantity', 'error'],
        ['purchaseOrder', 'error'],
      ],
    );
  });

  it('go once the partner changes the field (or a field inside the part named)', () => {
    const now = {
      ...held({
        'attributes.primaryDomain': 'fabrikam-health.example',
        'purchaseOrder.number': 'P2',
      }),
    };
    now.lines = [{ ...now.lines[0]!, quantity: 4 }];
    expect(openHoldProblems(problems, asHeld, now, [])).toEqual([]);
  });

  it('give way to what the live validation finds at the same field', () => {
    const live = [
      {
        path: 'attributes.primaryDomain',
        code: 'required',
        message: 'Required',
        severity: 'error' as const,
      },
    ];
    expect(openHoldProblems(problems, asHeld, asHeld, live).map((p) => p.path)).toEqual([
      'lines[0].quantity',
      'purchaseOrder',
    ]);
  });
});

describe('pathLabel', () => {
  it('names a problem’s field in the form’s words, with the profile’s own labels', () => {
    const northwind = profileOf('northwind');
    expect(pathLabel(northwind, 'contacts.siteAdmin.email')).toBe('Site admin e-mail');
    expect(pathLabel(northwind, 'attributes.microsoftDomain')).toBe('Microsoft domain name');
    expect(pathLabel(northwind, 'lines[1].unitPrice')).toBe('Line 2: unit price');
    expect(pathLabel(profileOf('edgeworks'), 'lines[0].attributes.hostId')).toBe('Line 1: Host ID');
    expect(pathLabel(northwind, 'quoteId')).toBe('Quote');
    expect(pathLabel(undefined, 'purchaseOrder.number')).toBe('PO number');
    expect(pathLabel(northwind, 'nothing.known')).toBe('nothing.known');
  });
});

describe('correcting an order on hold: its own PO number', () => {
  // What POST /orders/validate says of the held order's own PO: it does not know which order
  // the wizard corrects (the PATCH of the resubmission does, and leaves it out).
  const duplicate = (number: string) => ({
    path: 'purchaseOrder.number',
    code: 'po.duplicate',
    severity: 'error' as const,
    message: `PO ${number} was already submitted to Edgeworks`,
    actual: number,
  });
  const other = {
    path: 'lines[0].unitPrice',
    code: 'price.mismatch',
    severity: 'error' as const,
    message: 'Wrong net price',
  };

  it('is not a duplicate of itself', () => {
    expect(withoutOwnPoDuplicate([duplicate('CON-EW-1'), other], 'CON-EW-1')).toEqual([other]);
  });

  it('reads the number sent when the problem does not carry it', () => {
    const { actual: _, ...bare } = duplicate('CON-EW-1');
    expect(withoutOwnPoDuplicate([bare], 'CON-EW-1', 'CON-EW-1')).toEqual([]);
    expect(withoutOwnPoDuplicate([bare], 'CON-EW-1', 'CON-EW-2')).toEqual([bare]);
  });

  it('still blocks on another order’s PO number, and outside a correction', () => {
    expect(withoutOwnPoDuplicate([duplicate('CON-EW-2')], 'CON-EW-1')).toEqual([
      duplicate('CON-EW-2'),
    ]);
    expect(withoutOwnPoDuplicate([duplicate('CON-EW-1')], undefined)).toEqual([
      duplicate('CON-EW-1'),
    ]);
    expect(withoutOwnPoDuplicate([duplicate('CON-EW-1')], null)).toEqual([duplicate('CON-EW-1')]);
  });
});

describe('a required field the form has a value for (edgeworks device order)', () => {
  const edgeworks = profileOf('edgeworks');
  const device = edgeworks.orderTypes.find((t) => t.key === 'device')!;
  const fields = fieldsOf(edgeworks, device, { partnerTier: 1, linesShip: true });
  // The demo customer Wingtip Labs: a tax ID, no address.
  const values = prefill({
    fields,
    customer: {
      name: 'Wingtip Labs',
      domains: ['wingtip.example'],
      microsoftDomain: null,
      employeeCount: 430,
      taxId: 'DE123456789',
      addresses: [],
    },
    contacts: [],
    partnership: undefined,
    me: { name: 'Buyer', email: 'buyer@contoso.example' },
  });

  it('is left out of the body with its half-filled address, so the server calls it missing', () => {
    expect(values['shippingAddress.taxId']).toBe('DE123456789');
    const body = buildSubmission(
      edgeworks,
      { type: 'device', quoteId: '', lines: [], values },
      fields,
      { customerId: 'cus_1', termsVersion: null, purchaseOrderRequired: true },
    );
    expect(body.shippingAddress).toBeUndefined();
  });

  it('is not said to be required; the empty fields still are', () => {
    const missing = (path: string, code = 'required') => ({
      path,
      code,
      severity: 'error' as const,
      message: `${path} is required for Device Orders`,
    });
    const found = withoutMissingAtFilled(
      [
        missing('shippingAddress.line1'),
        missing('shippingAddress.taxId', 'shipping.tax_id_required'),
        missing('shippingAddress.confirmed', 'shipping.unconfirmed'),
      ],
      { values: { ...values, 'shippingAddress.line1': '  ' }, lines: [] },
    );
    expect(found.map((p) => p.path)).toEqual([
      'shippingAddress.line1',
      'shippingAddress.confirmed',
    ]);
    const ticked = withoutMissingAtFilled(
      [missing('shippingAddress.confirmed', 'shipping.unconfirmed')],
      { values: { 'shippingAddress.confirmed': true }, lines: [] },
    );
    expect(ticked).toEqual([]);
    // A line's attribute, filled in since the last answer.
    const hostId = missing('lines[0].attributes.hostId');
    const line = (value: string) =>
      ({ attributes: { hostId: value } }) as unknown as WizardState['lines'][number];
    expect(withoutMissingAtFilled([hostId], { values: {}, lines: [line('HOST-1')] })).toEqual([]);
    expect(withoutMissingAtFilled([hostId], { values: {}, lines: [line('')] })).toEqual([hostId]);
  });
});

describe('linesOfQuote', () => {
  it('makes the quote’s lines the items, at its net prices', () => {
    const [line] = linesOfQuote({
      lines: [
        {
          partNumber: 'NW-MTG-PRO-U-1Y',
          name: 'Meetings Pro',
          quantity: 25,
          listPrice: '100.00',
          multiplier: '0.80',
          netPrice: '80.00',
          amount: '2000.00',
        },
      ],
    });
    expect(line).toMatchObject({
      partNumber: 'NW-MTG-PRO-U-1Y',
      quantity: 25,
      unitPrice: '80.00',
      netPrice: '80.00',
    });
  });
});

describe('lineFieldsOfLine', () => {
  it('shows the attributes a line of a held order has, though its product type is not known', () => {
    const edgeworks = profileOf('edgeworks');
    const type = edgeworks.orderTypes.find((t) => t.key === 'license_maintenance')!;
    const held = lineFieldsOfLine(edgeworks, type, {
      productType: '',
      attributes: { hostId: 'HOST-7' },
    });
    expect(held.map((f) => [f.path, f.label])).toContainEqual(['attributes.hostId', 'Host ID']);
    const fresh = lineFieldsOfLine(edgeworks, type, {
      productType: 'perpetual_license',
      attributes: {},
    });
    expect(fresh.filter((f) => f.path === 'attributes.hostId')).toHaveLength(1);
  });
});
