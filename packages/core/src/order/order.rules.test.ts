import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseVendorProfile } from '../profile/profile.loader.ts';
import type { VendorProfile } from '../profile/profile.schema.ts';
import { renderSpecialTerms } from '../special-terms/index.ts';
import { LINE_CHECKS, ORDER_CHECKS, validateOrder } from './order.rules.ts';
import type { CatalogEntry, OrderSubmission, OrderValidationContext } from './order.types.ts';

function profile(slug: string): VendorProfile {
  const file = new URL(`../../../../examples/profiles/${slug}.yaml`, import.meta.url);
  const result = parseVendorProfile(readFileSync(file, 'utf8'), file.pathname);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.profile;
}

const northwind = profile('northwind');
const edgeworks = profile('edgeworks');
const skyline = profile('skyline');

function entry(
  partNumber: string,
  listPriceMinor: number,
  overrides: Partial<CatalogEntry> = {},
): CatalogEntry {
  return {
    partNumber,
    productId: `prd_${partNumber}`,
    name: partNumber,
    type: 'subscription',
    categoryId: null,
    active: true,
    listPriceMinor,
    currency: 'USD',
    priceListId: 'pl_1',
    ...overrides,
  };
}

function context(
  p: VendorProfile,
  overrides: Partial<OrderValidationContext> = {},
): OrderValidationContext {
  return {
    profile: p,
    partnership: {
      legalName: 'Acme Distribution Ltd.',
      agreementDate: '2021-03-03',
      multiplier: '0.70',
      multipliers: [],
    },
    orderingPartnerTier: 1,
    catalog: new Map(),
    quote: null,
    currentSubscription: null,
    duplicatePoNumber: false,
    knownLicenseIds: new Set(),
    today: '2026-11-20',
    ...overrides,
  };
}

const clause = renderSpecialTerms(
  northwind.specialTerms?.template ?? '',
  { agreementDate: '2021-03-03', partnerLegalName: 'Acme Distribution Ltd.' },
  northwind.specialTerms?.dateFormat,
);

function nwOrder(overrides: Partial<OrderSubmission> = {}): OrderSubmission {
  return {
    vendor: 'northwind',
    type: 'new',
    customerId: 'cus_1',
    quoteId: 'qt_1',
    purchaseOrder: {
      number: 'PO-1',
      date: '2026-11-19',
      currency: 'USD',
      total: '700.00',
      specialTerms: clause,
    },
    lines: [{ partNumber: 'NW-PRO-USER', quantity: 10, unitPrice: '70.00' }],
    contacts: {
      siteAdmin: { name: 'Sam Admin', email: 'sam@fabrikam.example' },
      provisioningCc: 'orders-team@acme.example',
    },
    ...overrides,
  };
}

const approvedQuote = {
  id: 'qt_1',
  status: 'approved',
  validUntil: '2026-12-31',
  currency: 'USD',
  customerId: 'cus_1',
  orderType: 'new',
  lines: [{ partNumber: 'NW-PRO-USER', quantity: 10, netPriceMinor: 7000 }],
};

const nwContext = (o: Partial<OrderValidationContext> = {}): OrderValidationContext =>
  context(northwind, {
    catalog: new Map([['NW-PRO-USER', entry('NW-PRO-USER', 10000)]]),
    quote: approvedQuote,
    ...o,
  });

const codes = (r: ReturnType<typeof validateOrder>): string[] =>
  r.problems.map((p) => `${p.path}:${p.code}`);

describe('validateOrder — northwind (quote first, special terms)', () => {
  it('accepts a complete order with the clause and an approved quote, and prices it', () => {
    const r = validateOrder(nwOrder(), nwContext());
    expect(codes(r)).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.pricing).toMatchObject({
      currency: 'USD',
      total: '700.00',
      expectedTotal: '700.00',
      lines: [
        {
          listPrice: '100.00',
          multiplier: '0.70',
          expectedNetPrice: '70.00',
          unitPrice: '70.00',
          amount: '700.00',
        },
      ],
    });
  });

  it('lists every problem at once', () => {
    const r = validateOrder(
      nwOrder({
        quoteId: undefined,
        purchaseOrder: { number: 'PO-1', date: '2026-11-19', currency: 'USD', total: '999.00' },
        contacts: undefined,
        lines: [
          { partNumber: 'NW-PRO-USER', quantity: 10, unitPrice: '70.00' },
          { partNumber: 'NOPE', quantity: 1, unitPrice: '1.00' },
        ],
      }),
      nwContext({ quote: null, duplicatePoNumber: true }),
    );
    expect(r.valid).toBe(false);
    expect(codes(r).sort()).toEqual(
      [
        'contacts.siteAdmin.name:required',
        'contacts.siteAdmin.email:required',
        'contacts.provisioningCc:required',
        'lines[1].partNumber:part_number.unknown',
        'purchaseOrder.total:total.mismatch',
        'purchaseOrder.number:po.duplicate',
        'purchaseOrder.specialTerms:special_terms.missing',
        'quoteId:quote.required',
      ].sort(),
    );
    const total = r.problems.find((p) => p.code === 'total.mismatch');
    expect(total).toMatchObject({ expected: '701.00', actual: '999.00' });
  });

  it('says which part of the clause is wrong', () => {
    const wrongDate = clause.replace('March 3, 2021', 'March 4, 2021');
    const r = validateOrder(
      nwOrder({
        purchaseOrder: {
          number: 'PO-1',
          date: '2026-11-19',
          currency: 'USD',
          total: '700.00',
          notes: wrongDate,
        },
      }),
      nwContext(),
    );
    expect(codes(r)).toEqual(['purchaseOrder.specialTerms:special_terms.mismatch']);
    expect(r.problems[0]?.message).toMatch(/date/i);
  });

  it('requires tier-2 reseller information when a tier-2 partner orders', () => {
    const r = validateOrder(nwOrder(), nwContext({ orderingPartnerTier: 2 }));
    expect(codes(r)).toEqual(['tier2Reseller.name:required', 'tier2Reseller.email:required']);
    const ok = validateOrder(
      nwOrder({ tier2Reseller: { name: 'Beta', email: 'b@beta.example' } }),
      nwContext({ orderingPartnerTier: 2 }),
    );
    expect(ok.valid).toBe(true);
  });

  it('checks the quote: approved, unexpired, same customer and lines', () => {
    expect(
      codes(validateOrder(nwOrder(), nwContext({ quote: { ...approvedQuote, status: 'draft' } }))),
    ).toEqual(['quoteId:quote.not_approved']);
    expect(
      codes(
        validateOrder(
          nwOrder(),
          nwContext({ quote: { ...approvedQuote, validUntil: '2026-11-01' } }),
        ),
      ),
    ).toEqual(['quoteId:quote.expired']);
    const more = nwOrder({
      lines: [{ partNumber: 'NW-PRO-USER', quantity: 12, unitPrice: '70.00' }],
      purchaseOrder: {
        number: 'PO-1',
        date: '2026-11-19',
        currency: 'USD',
        total: '840.00',
        specialTerms: clause,
      },
    });
    const r = validateOrder(more, nwContext());
    expect(codes(r)).toEqual(['lines[0].quantity:quote.mismatch']);
    expect(r.problems[0]).toMatchObject({ expected: '10', actual: '12' });
  });

  it('lets an unchanged auto-renewal go with the PO only, and asks for a quote when lines change', () => {
    const renewal = nwOrder({ type: 'auto_renewal', quoteId: undefined, contacts: undefined });
    const subscription = { id: 'sub_1', lines: [{ partNumber: 'NW-PRO-USER', quantity: 10 }] };
    expect(
      codes(validateOrder(renewal, nwContext({ quote: null, currentSubscription: subscription }))),
    ).toEqual([]);
    const changed = { id: 'sub_1', lines: [{ partNumber: 'NW-PRO-USER', quantity: 8 }] };
    const r = validateOrder(renewal, nwContext({ quote: null, currentSubscription: changed }));
    expect(codes(r)).toEqual(['quoteId:quote.required']);
    expect(r.problems[0]?.message).toMatch(/differ/);
  });

  it('refuses an unknown order type', () => {
    expect(codes(validateOrder(nwOrder({ type: 'gift' }), nwContext()))).toContain(
      'type:order_type.unknown',
    );
  });
});

describe('validateOrder — edgeworks (net price = list × multiplier, devices)', () => {
  const catalog = new Map([
    ['LIC-100', entry('LIC-100', 120000, { type: 'perpetual_license' })],
    ['MNT-100', entry('MNT-100', 24000, { type: 'maintenance' })],
    ['F200-EU', entry('F200-EU', 89999, { type: 'device' })],
  ]);
  const ctx = (o: Partial<OrderValidationContext> = {}): OrderValidationContext =>
    context(edgeworks, {
      catalog,
      partnership: {
        legalName: 'Acme',
        agreementDate: '2020-11-20',
        multiplier: '0.65',
        multipliers: [],
      },
      ...o,
    });

  it('flags a wrong net price on one line only, with expected and actual', () => {
    const order: OrderSubmission = {
      vendor: 'edgeworks',
      type: 'license_maintenance',
      customerId: 'cus_1',
      purchaseOrder: { number: 'PO-7', date: '2026-11-19', currency: 'USD', total: '936.00' },
      attributes: { endUserName: 'Fabrikam' },
      lines: [
        { partNumber: 'LIC-100', quantity: 1, unitPrice: '780.00', attributes: { hostId: 'H1' } },
        { partNumber: 'MNT-100', quantity: 1, unitPrice: '156.00', attributes: { hostId: 'H1' } },
      ],
    };
    expect(validateOrder(order, ctx()).valid).toBe(true);
    const wrong = {
      ...order,
      lines: [order.lines[0]!, { ...order.lines[1]!, unitPrice: '160.00' }],
    };
    wrong.purchaseOrder = { ...order.purchaseOrder!, total: '940.00' };
    const r = validateOrder(wrong, ctx());
    expect(codes(r)).toEqual(['lines[1].unitPrice:price.mismatch']);
    expect(r.problems[0]).toMatchObject({ expected: '156.00', actual: '160.00' });
  });

  it('words its messages with the form labels, not the body paths', () => {
    const order: OrderSubmission = {
      vendor: 'edgeworks',
      type: 'license_authorization',
      customerId: 'cus_1',
      purchaseOrder: { number: 'PO-9', currency: 'USD', total: '156.00' },
      lines: [{ partNumber: 'MNT-100', quantity: 1, unitPrice: '156.00' }],
      licenseIds: ['L-1'],
    };
    const messages = (o: OrderSubmission, type: string): string[] =>
      validateOrder({ ...o, type }, ctx({ knownLicenseIds: new Set(['L-1']) })).problems.map(
        (p) => `${p.path}: ${p.message}`,
      );
    expect(messages(order, 'license_authorization')).toContain(
      'purchaseOrder.notes: PO notes is required for License Authorization Orders',
    );
    expect(messages(order, 'license_maintenance')).toContain(
      'lines[0].attributes.hostId: Host ID is required on each maintenance line',
    );
    const device = { ...order, lines: [{ ...order.lines[0]!, partNumber: 'LIC-100' }] };
    expect(messages(device, 'training_seat')).toContain(
      'lines[0].partNumber: Perpetual license products cannot be ordered on Training Seat Orders',
    );
  });

  it('rounds the net price half-up to the cent', () => {
    // 899.99 × 0.65 = 584.9935 → 584.99
    const order: OrderSubmission = {
      vendor: 'edgeworks',
      type: 'device',
      customerId: 'cus_1',
      purchaseOrder: { number: 'PO-8', date: '2026-11-19', currency: 'USD', total: '584.99' },
      shippingAddress: {
        name: 'Dock',
        line1: '1 Road',
        city: 'Austin',
        postalCode: '78701',
        country: 'US',
        taxId: 'US-1',
        confirmed: true,
      },
      lines: [{ partNumber: 'F200-EU', quantity: 1, unitPrice: '584.99' }],
    };
    expect(codes(validateOrder(order, ctx()))).toEqual([]);
  });

  it('refuses a device order without a tax id or an unconfirmed address', () => {
    const order: OrderSubmission = {
      vendor: 'edgeworks',
      type: 'device',
      customerId: 'cus_1',
      purchaseOrder: { number: 'PO-9', date: '2026-11-19', currency: 'USD', total: '584.99' },
      shippingAddress: {
        name: 'Dock',
        line1: '1 Road',
        city: 'Austin',
        postalCode: '78701',
        country: 'US',
        confirmed: false,
      },
      lines: [{ partNumber: 'F200-EU', quantity: 1, unitPrice: '584.99' }],
    };
    expect(codes(validateOrder(order, ctx())).sort()).toEqual(
      [
        'shippingAddress.confirmed:shipping.unconfirmed',
        'shippingAddress.taxId:shipping.tax_id_required',
      ].sort(),
    );
  });

  it('needs known licenses and the phrase on license authorization orders', () => {
    const order: OrderSubmission = {
      vendor: 'edgeworks',
      type: 'license_authorization',
      customerId: 'cus_1',
      purchaseOrder: {
        number: 'PO-10',
        date: '2026-11-19',
        currency: 'USD',
        total: '780.00',
        notes: 'please authorize',
      },
      licenseIds: ['LK-1', 'LK-2'],
      lines: [{ partNumber: 'LIC-100', quantity: 1, unitPrice: '780.00' }],
    };
    const r = validateOrder(order, ctx({ knownLicenseIds: new Set(['LK-1']) }));
    expect(codes(r)).toEqual(['purchaseOrder.notes:required', 'licenseIds[1]:license.unknown']);
  });

  it('refuses products the order type does not allow, and inactive parts', () => {
    const order: OrderSubmission = {
      vendor: 'edgeworks',
      type: 'training_seat',
      customerId: 'cus_1',
      purchaseOrder: { number: 'PO-11', date: '2026-11-19', currency: 'USD', total: '780.00' },
      lines: [
        {
          partNumber: 'LIC-100',
          quantity: 1,
          unitPrice: '780.00',
          attributes: {
            attendeeNames: ['A'],
            attendeeEmails: ['a@x.example'],
            courseDate: '2026-12-01',
          },
        },
      ],
    };
    const inactive = new Map(catalog);
    inactive.set('LIC-100', { ...catalog.get('LIC-100')!, active: false });
    expect(codes(validateOrder(order, ctx({ catalog: inactive }))).sort()).toEqual(
      ['lines[0].partNumber:invalid', 'lines[0].partNumber:part_number.inactive'].sort(),
    );
  });

  it('reports amounts too large to be exact instead of throwing', () => {
    const order: OrderSubmission = {
      vendor: 'edgeworks',
      type: 'kits_renewal',
      customerId: 'cus_1',
      purchaseOrder: { number: 'PO-12', date: '2026-11-19', currency: 'USD', total: '1.00' },
      lines: [
        { partNumber: 'F200-EU', quantity: 1000, unitPrice: '90000000000000.00' },
        { partNumber: 'F200-EU', quantity: 9_000_000, unitPrice: '9000000000.00' },
      ],
      shippingAddress: {
        name: 'Dock',
        line1: '1 Road',
        city: 'Austin',
        postalCode: '78701',
        country: 'US',
        taxId: 'US-1',
        confirmed: true,
      },
    };
    const r = validateOrder(order, ctx());
    expect(r.valid).toBe(false);
    expect(codes(r)).toContain('lines[0].quantity:invalid');
  });

  // 395 lines × 10,000,000 × a 22,750.00 license: 89,862,500,000,000.00 USD fits the safe
  // range of minor units, but with 8.875% New York sales tax its invoice would not.
  const unlimited = entry('EW-SUP-LIC-UNL', 3_500_000, { type: 'perpetual_license' });
  const hugeOrder = (lineCount: number): OrderSubmission => ({
    vendor: 'edgeworks',
    type: 'license_maintenance',
    customerId: 'cus_1',
    purchaseOrder: {
      number: 'PO-HUGE',
      date: '2026-11-19',
      currency: 'USD',
      total: (BigInt(lineCount) * 22_750_000_000_000n).toString().replace(/(\d\d)$/, '.$1'),
    },
    attributes: { endUserName: 'Fabrikam' },
    lines: Array.from({ length: lineCount }, (_, i) => ({
      partNumber: 'EW-SUP-LIC-UNL',
      quantity: 10_000_000,
      unitPrice: '22750.00',
      attributes: { hostId: `H-${i}` },
    })),
  });
  const hugeCtx = () => ctx({ catalog: new Map([['EW-SUP-LIC-UNL', unlimited]]) });

  it('refuses a total whose invoice, with the highest tax rate, would not be exact', () => {
    const r = validateOrder(hugeOrder(395), hugeCtx());
    expect(r.valid).toBe(false);
    // Lines 0–362 come to 82,582,500,000,000.00; line 363 takes the total past the limit.
    expect(codes(r)).toEqual(['lines[363].quantity:invalid']);
    expect(r.problems[0]?.message).toBe(
      'The order total is too large to be exact with 8.875% tax: the largest total accepted is 82729729090617.59 USD',
    );
  });

  it('accepts a total up to the limit', () => {
    const r = validateOrder(hugeOrder(363), hugeCtx());
    expect(codes(r)).toEqual([]);
    expect(r.pricing.total).toBe('82582500000000.00');
  });

  it('leaves the whole safe range to a profile that charges no tax', () => {
    const lines = ORDER_CHECKS.filter((c) => c.name === 'lines');
    const untaxed = { ...edgeworks, invoicing: { ...edgeworks.invoicing, tax: undefined } };
    const r = validateOrder(hugeOrder(395), { ...hugeCtx(), profile: untaxed }, { checks: lines });
    expect(codes(r)).toEqual([]);
    expect(r.pricing.total).toBe('89862500000000.00');
    // Northwind's only rate is 0%.
    const order = hugeOrder(395);
    const northwindTotal = validateOrder(
      { ...order, lines: order.lines.map(({ attributes: _, ...line }) => line) },
      { ...hugeCtx(), profile: northwind },
      { checks: lines },
    );
    expect(codes(northwindTotal)).toEqual([]);
  });

  it('says the currency is wrong once, not that every part is unpriced', () => {
    const eur = new Map(
      [...catalog].map(([k, v]) => [k, { ...v, currency: 'EUR', listPriceMinor: null }]),
    );
    const order: OrderSubmission = {
      vendor: 'edgeworks',
      type: 'kits_renewal',
      customerId: 'cus_1',
      purchaseOrder: { number: 'PO-13', date: '2026-11-19', currency: 'EUR', total: '10.00' },
      lines: [
        {
          partNumber: 'MNT-100',
          quantity: 1,
          unitPrice: '10.00',
          attributes: { serialNumber: 'S1' },
        },
      ],
    };
    expect(codes(validateOrder(order, ctx({ catalog: eur })))).toEqual([
      'purchaseOrder.currency:currency.mismatch',
    ]);
  });
});

describe('validateOrder — the pricing and email-body keys of the profile', () => {
  const device = entry('F200-EU', 89999, { type: 'device', categoryId: 'cat_dev' });
  const deviceOrder = (unitPrice: string): OrderSubmission => ({
    vendor: 'edgeworks',
    type: 'device',
    customerId: 'cus_1',
    purchaseOrder: { number: 'PO-8', date: '2026-11-19', currency: 'USD', total: unitPrice },
    shippingAddress: {
      name: 'Dock',
      line1: '1 Road',
      city: 'Austin',
      postalCode: '78701',
      country: 'US',
      taxId: 'US-1',
      confirmed: true,
    },
    lines: [{ partNumber: 'F200-EU', quantity: 1, unitPrice }],
  });
  const ctx = (
    p: VendorProfile,
    multipliers: OrderValidationContext['partnership']['multipliers'] = [],
  ) =>
    context(p, {
      catalog: new Map([['F200-EU', device]]),
      partnership: {
        legalName: 'Acme',
        agreementDate: '2020-11-20',
        multiplier: '0.65',
        multipliers,
      },
    });

  it('rounds the expected net price by pricing.rounding', () => {
    // 899.99 × 0.65 = 584.9935
    const up = { ...edgeworks, pricing: { ...edgeworks.pricing, rounding: 'up' as const } };
    expect(codes(validateOrder(deviceOrder('585.00'), ctx(up)))).toEqual([]);
    const r = validateOrder(deviceOrder('584.99'), ctx(up));
    expect(codes(r)).toEqual(['lines[0].unitPrice:price.mismatch']);
    expect(r.problems[0]).toMatchObject({ expected: '585.00', actual: '584.99' });
    expect(codes(validateOrder(deviceOrder('584.99'), ctx(edgeworks)))).toEqual([]);
  });

  it('applies category multipliers only when the profile allows them', () => {
    const rule = { categoryId: 'cat_dev', multiplier: '0.50', effectiveFrom: '2020-01-01' };
    // Edgeworks: one multiplier per partner, so a stray category rule is ignored.
    expect(edgeworks.pricing.multipliersPerCategory).toBe(false);
    expect(codes(validateOrder(deviceOrder('584.99'), ctx(edgeworks, [rule])))).toEqual([]);
    const perCategory = {
      ...edgeworks,
      pricing: { ...edgeworks.pricing, multipliersPerCategory: true },
    };
    expect(codes(validateOrder(deviceOrder('450.00'), ctx(perCategory, [rule])))).toEqual([]);
  });

  it('finds the special-terms clause in the email body when the profile accepts it there', () => {
    const order = nwOrder({
      purchaseOrder: { number: 'PO-1', date: '2026-11-19', currency: 'USD', total: '700.00' },
    });
    expect(codes(validateOrder(order, nwContext()))).toEqual([
      'purchaseOrder.specialTerms:special_terms.missing',
    ]);
    expect(
      codes(validateOrder(order, nwContext({ emailBody: `Hello,\n\n${clause}\n\nThanks` }))),
    ).toEqual([]);
    // Not where the profile does not accept it.
    const poOnly = {
      ...northwind,
      specialTerms: {
        ...northwind.specialTerms!,
        locations: ['purchaseOrder.specialTerms' as const],
      },
    };
    expect(
      codes(validateOrder(order, { ...nwContext({ emailBody: clause }), profile: poOnly })),
    ).toEqual(['purchaseOrder.specialTerms:special_terms.missing']);
  });

  it('asks for a phrase in the email body of orders that came by email', () => {
    const withPhrase = {
      ...northwind,
      orderTypes: northwind.orderTypes.map((t) =>
        t.key === 'new'
          ? {
              ...t,
              requiredPhrases: [
                { path: 'email_body' as const, phrase: 'Please process', caseSensitive: false },
              ],
            }
          : t,
      ),
    };
    const ctxWith = (emailBody?: string) => ({
      ...nwContext(emailBody === undefined ? {} : { emailBody }),
      profile: withPhrase,
    });
    expect(codes(validateOrder(nwOrder(), ctxWith()))).toEqual([]);
    expect(codes(validateOrder(nwOrder(), ctxWith('please PROCESS this order')))).toEqual([]);
    const r = validateOrder(nwOrder(), ctxWith('Here is our PO'));
    expect(codes(r)).toEqual(['email_body:required']);
    expect(r.problems[0]).toMatchObject({ expected: 'Please process' });
  });
});

describe('validateOrder as a list of named checks', () => {
  const check = (name: string) => {
    const found = ORDER_CHECKS.find((c) => c.name === name);
    if (!found) throw new Error(`no check ${name}`);
    return found;
  };

  it('names each check once', () => {
    const names = [...ORDER_CHECKS, ...LINE_CHECKS].map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining(['order_type', 'required_fields', 'quote', 'lines', 'line.net_price']),
    );
  });

  it('runs one check alone', () => {
    const order = nwOrder({ type: 'new', contacts: undefined });
    const ctx = nwContext({ quote: { ...approvedQuote, status: 'draft' } });
    expect(codes(validateOrder(order, ctx))).toEqual([
      'contacts.siteAdmin.name:required',
      'contacts.siteAdmin.email:required',
      'contacts.provisioningCc:required',
      'quoteId:quote.not_approved',
    ]);
    expect(codes(validateOrder(order, ctx, { checks: [check('quote')] }))).toEqual([
      'quoteId:quote.not_approved',
    ]);
    expect(codes(validateOrder(order, ctx, { checks: [check('required_fields')] }))).toHaveLength(
      3,
    );
  });

  it('runs chosen line checks, still pricing every line', () => {
    const order = nwOrder({ lines: [{ partNumber: 'NOPE', quantity: 1, unitPrice: 'x' }] });
    const r = validateOrder(order, nwContext(), {
      checks: [check('lines')],
      lineChecks: LINE_CHECKS.filter((c) => c.name === 'line.catalog'),
    });
    expect(codes(r)).toEqual(['lines[0].partNumber:part_number.unknown']);
    expect(r.pricing.lines).toHaveLength(1);
  });
});

describe('validateOrder — correctness gaps of issue 8', () => {
  const skyline = profile('skyline');

  describe('an unchanged auto-renewal keeps the subscription prices', () => {
    const renewal = (unitPrice: string, quantity = 50): OrderSubmission =>
      nwOrder({
        type: 'auto_renewal',
        quoteId: undefined,
        contacts: undefined,
        lines: [{ partNumber: 'NW-PRO-USER', quantity, unitPrice }],
        purchaseOrder: {
          number: 'PO-R',
          date: '2026-11-19',
          currency: 'USD',
          total: (Number(unitPrice) * quantity).toFixed(2),
          specialTerms: clause,
        },
      });
    const sold = {
      id: 'sub_1',
      currency: 'USD',
      lines: [{ partNumber: 'NW-PRO-USER', quantity: 50, unitPriceMinor: 13_580 }],
    };

    it('refuses 50 seats at 1.00 against the 135.80 they were sold at', () => {
      const r = validateOrder(
        renewal('1.00'),
        nwContext({ quote: null, currentSubscription: sold }),
      );
      expect(codes(r)).toEqual(['lines[0].unitPrice:price.mismatch']);
      expect(r.problems[0]).toMatchObject({ expected: '135.80', actual: '1.00' });
      expect(
        codes(
          validateOrder(renewal('135.80'), nwContext({ quote: null, currentSubscription: sold })),
        ),
      ).toEqual([]);
    });

    it('falls back to the price-list net price for a subscription line without a price', () => {
      const unpriced = { id: 'sub_1', lines: [{ partNumber: 'NW-PRO-USER', quantity: 50 }] };
      const r = validateOrder(
        renewal('1.00'),
        nwContext({ quote: null, currentSubscription: unpriced }),
      );
      expect(codes(r)).toEqual(['lines[0].unitPrice:price.mismatch']);
      expect(r.problems[0]).toMatchObject({ expected: '70.00', actual: '1.00' });
    });

    it('refuses a renewal in another currency than the subscription', () => {
      const r = validateOrder(
        renewal('135.80'),
        nwContext({ quote: null, currentSubscription: { ...sold, currency: 'EUR' } }),
      );
      expect(codes(r)).toEqual(['purchaseOrder.currency:currency.mismatch']);
    });
  });

  describe('a change names one of the customer subscriptions', () => {
    const order = (subscriptionId: string): OrderSubmission => ({
      vendor: 'skyline',
      type: 'change',
      customerId: 'cus_1',
      lines: [{ partNumber: 'SKY-M365', quantity: 5, unitPrice: '7.00' }],
      contacts: {
        siteAdmin: { name: 'Sam', email: 'sam@fabrikam.example' },
        invoicing: { name: 'Ivy', email: 'ivy@fabrikam.example' },
      },
      attributes: { subscriptionId },
      termsAccepted: { version: '2025-01' },
    });
    const ctx = (currentSubscription: OrderValidationContext['currentSubscription']) =>
      context(skyline, {
        catalog: new Map([['SKY-M365', entry('SKY-M365', 1000, { currency: 'GBP' })]]),
        currentSubscription,
      });

    it('refuses an unknown subscription id at its path', () => {
      const r = validateOrder(order('sub_nope'), ctx(null));
      expect(codes(r)).toEqual(['attributes.subscriptionId:subscription.unknown']);
      expect(r.problems[0]).toMatchObject({ actual: 'sub_nope' });
      // The context holds another subscription than the one named: still unknown.
      expect(codes(validateOrder(order('sub_nope'), ctx({ id: 'sub_1', lines: [] })))).toEqual([
        'attributes.subscriptionId:subscription.unknown',
      ]);
    });

    it('accepts the id of the subscription found, but not a cancelled one', () => {
      expect(codes(validateOrder(order('sub_1'), ctx({ id: 'sub_1', lines: [] })))).toEqual([]);
      expect(
        codes(validateOrder(order('sub_1'), ctx({ id: 'sub_1', status: 'cancelled', lines: [] }))),
      ).toEqual(['attributes.subscriptionId:invalid']);
    });
  });

  it('refuses a quote made for another order type, at type', () => {
    const r = validateOrder(nwOrder({ type: 'renewal' }), nwContext());
    expect(codes(r)).toEqual(['type:quote.mismatch']);
    expect(r.problems[0]).toMatchObject({ expected: 'new', actual: 'renewal' });
  });

  it("asks for tier-2 details when the tier-2 orders, or its distributor orders for the tier-2's customer", () => {
    const tier2 = ['tier2Reseller.name:required', 'tier2Reseller.email:required'];
    // The distributor (tier 1) ordering for a customer of its own: no tier-2 reseller involved.
    expect(
      codes(
        validateOrder(nwOrder(), nwContext({ orderingPartnerTier: 1, customerPartnerTier: 1 })),
      ),
    ).toEqual([]);
    expect(codes(validateOrder(nwOrder(), nwContext({ orderingPartnerTier: 1 })))).toEqual([]);
    // The tier-2 reseller ordering for its own customer.
    expect(
      codes(
        validateOrder(nwOrder(), nwContext({ orderingPartnerTier: 2, customerPartnerTier: 2 })),
      ),
    ).toEqual(tier2);
    // Seed 000's two-tier case: the distributor's PO for a deal of its tier-2 reseller.
    const forResellersCustomer = nwContext({ orderingPartnerTier: 1, customerPartnerTier: 2 });
    const r = validateOrder(nwOrder(), forResellersCustomer);
    expect(codes(r)).toEqual(tier2);
    expect(r.problems[0]?.message).toBe(
      'Orders placed by a tier-2 reseller, or for one of its customers, must name the reseller and its email.',
    );
    expect(
      validateOrder(
        nwOrder({ tier2Reseller: { name: 'Beta Resellers', email: 'buyer@beta.example' } }),
        forResellersCustomer,
      ).valid,
    ).toBe(true);
  });

  it('takes a condition on partnerTier 1 as the complement: no tier-2 reseller involved', () => {
    const p: VendorProfile = {
      ...northwind,
      orderTypes: northwind.orderTypes.map((t) =>
        t.key === 'new'
          ? {
              ...t,
              conditions: [{ when: { partnerTier: 1 }, require: ['attributes.employeeCount'] }],
            }
          : t,
      ),
    };
    const ctx = (o: Partial<OrderValidationContext>) => nwContext({ profile: p, ...o });
    expect(codes(validateOrder(nwOrder(), ctx({ customerPartnerTier: 1 })))).toEqual([
      'attributes.employeeCount:required',
    ]);
    expect(codes(validateOrder(nwOrder(), ctx({ customerPartnerTier: 2 })))).toEqual([]);
  });

  describe('an auto-renewal of nothing', () => {
    const renewal = nwOrder({ type: 'auto_renewal', quoteId: undefined, contacts: undefined });

    it('says the customer has no subscription to renew, besides the missing quote', () => {
      const r = validateOrder(renewal, nwContext({ quote: null, currentSubscription: null }));
      expect(codes(r)).toEqual(['quoteId:quote.required', 'customerId:subscription.unknown']);
      expect(r.problems[1]?.message).toBe('The customer has no subscription to renew');
    });

    it('leaves it to the quote when one is named, and to customerId when the customer is unknown', () => {
      const quoted = nwOrder({ type: 'auto_renewal', contacts: undefined });
      const quote = { ...approvedQuote, orderType: 'auto_renewal' };
      expect(codes(validateOrder(quoted, nwContext({ quote, currentSubscription: null })))).toEqual(
        [],
      );
      expect(
        codes(
          validateOrder(
            renewal,
            nwContext({ quote: null, currentSubscription: null, customerKnown: false }),
          ),
        ),
      ).toEqual(['customerId:invalid', 'quoteId:quote.required']);
    });

    it('is not said of a renewal that needs a quote anyway', () => {
      const r = validateOrder(
        nwOrder({ type: 'renewal', quoteId: undefined }),
        nwContext({ quote: null, currentSubscription: null }),
      );
      expect(codes(r)).toEqual(['quoteId:quote.required']);
    });
  });

  describe('a PO without a date', () => {
    const undated = (po: NonNullable<OrderSubmission['purchaseOrder']>) => {
      const { date: _date, ...rest } = po;
      return rest;
    };

    it('is refused where the order type requires the date, as a required field', () => {
      const order = nwOrder();
      const r = validateOrder(
        { ...order, purchaseOrder: undated(order.purchaseOrder!) },
        nwContext(),
      );
      expect(codes(r)).toEqual(['purchaseOrder.date:required']);
      expect(r.valid).toBe(false);
      // No PO at all: the PO is what is missing, not each of its fields.
      expect(
        codes(validateOrder({ ...order, purchaseOrder: undefined }, nwContext())).filter((c) =>
          c.endsWith(':required'),
        ),
      ).toEqual(['purchaseOrder:required']);
    });

    it('is accepted where the date is optional (License Authorization Order), priced today', () => {
      const order: OrderSubmission = {
        vendor: 'edgeworks',
        type: 'license_authorization',
        customerId: 'cus_1',
        purchaseOrder: {
          number: 'PO-LA',
          currency: 'USD',
          total: '600.00',
          notes: 'License Authorization Order',
        },
        licenseIds: ['LK-1'],
        lines: [{ partNumber: 'LIC-100', quantity: 1, unitPrice: '600.00' }],
      };
      const ctx = context(edgeworks, {
        catalog: new Map([['LIC-100', entry('LIC-100', 120000, { type: 'perpetual_license' })]]),
        partnership: {
          legalName: 'Acme',
          agreementDate: '2020-11-20',
          multiplier: '0.65',
          // A multiplier in force from today on: the undated PO is priced on today.
          multipliers: [{ categoryId: null, multiplier: '0.50', effectiveFrom: '2026-11-20' }],
        },
        knownLicenseIds: new Set(['LK-1']),
      });
      const r = validateOrder(order, ctx);
      expect(codes(r)).toEqual([]);
      expect(r.pricing.lines[0]).toMatchObject({ multiplier: '0.50', expectedNetPrice: '600.00' });
      // Dated the day before, the same PO is priced on that day.
      const dated = { ...order, purchaseOrder: { ...order.purchaseOrder!, date: '2026-11-19' } };
      expect(codes(validateOrder(dated, ctx))).toEqual(['lines[0].unitPrice:price.mismatch']);
    });
  });

  describe('whatever ships needs a confirmed address with a tax ID', () => {
    const kitOrder = (shippingAddress?: OrderSubmission['shippingAddress']): OrderSubmission => ({
      vendor: 'edgeworks',
      type: 'kits_renewal',
      customerId: 'cus_1',
      purchaseOrder: { number: 'PO-K', date: '2026-11-19', currency: 'USD', total: '650.00' },
      lines: [{ partNumber: 'KIT-1', quantity: 1, unitPrice: '650.00' }],
      ...(shippingAddress ? { shippingAddress } : {}),
    });
    const ctx = (ships: boolean | undefined) =>
      context(edgeworks, {
        catalog: new Map([['KIT-1', entry('KIT-1', 100000, { type: 'kit', ships })]]),
        partnership: {
          legalName: 'A',
          agreementDate: '2020-01-01',
          multiplier: '0.65',
          multipliers: [],
        },
      });

    it('a kit that ships', () => {
      const problems = codes(validateOrder(kitOrder(), ctx(true)));
      expect(problems).toContain('shippingAddress.taxId:shipping.tax_id_required');
      expect(problems).toContain('shippingAddress.confirmed:shipping.unconfirmed');
      expect(codes(validateOrder(kitOrder(), ctx(false)))).toEqual([]);
      expect(codes(validateOrder(kitOrder(), ctx(undefined)))).toEqual([]);
    });

    it('is confirmed, and a device ships unless the catalog says otherwise', () => {
      const address = {
        name: 'Dock',
        line1: '1 Road',
        city: 'Austin',
        postalCode: '78701',
        country: 'US',
        taxId: 'US-1',
        confirmed: false,
      };
      expect(codes(validateOrder(kitOrder(address), ctx(true)))).toEqual([
        'shippingAddress.confirmed:shipping.unconfirmed',
      ]);
      expect(codes(validateOrder(kitOrder({ ...address, confirmed: true }), ctx(true)))).toEqual(
        [],
      );
    });
  });

  describe('a training line of N seats names N attendees', () => {
    const seats = (names: string[], emails: string[], quantity = 3): OrderSubmission => ({
      vendor: 'edgeworks',
      type: 'training_seat',
      customerId: 'cus_1',
      purchaseOrder: {
        number: 'PO-T',
        date: '2026-11-19',
        currency: 'USD',
        total: (650 * quantity).toFixed(2),
      },
      lines: [
        {
          partNumber: 'TRN-1',
          quantity,
          unitPrice: '650.00',
          attributes: { attendeeNames: names, attendeeEmails: emails, courseDate: '2026-12-01' },
        },
      ],
    });
    const ctx = context(edgeworks, {
      catalog: new Map([['TRN-1', entry('TRN-1', 100000, { type: 'training_seat' })]]),
      partnership: {
        legalName: 'A',
        agreementDate: '2020-01-01',
        multiplier: '0.65',
        multipliers: [],
      },
    });

    it('refuses fewer attendees than seats, with a clear message', () => {
      const r = validateOrder(seats(['Ada'], ['ada@fabrikam.example']), ctx);
      expect(codes(r)).toEqual([
        'lines[0].attributes.attendeeNames:invalid',
        'lines[0].attributes.attendeeEmails:invalid',
      ]);
      expect(r.problems[0]).toMatchObject({
        expected: '3',
        actual: '1',
        message: 'Attendee names: a line of 3 needs 3 entries, one per unit; it has 1',
      });
    });

    it('accepts one attendee per seat, and checks each email', () => {
      const names = ['Ada', 'Bob', 'Cy'];
      const emails = ['ada@fabrikam.example', 'bob@fabrikam.example', 'cy@fabrikam.example'];
      expect(codes(validateOrder(seats(names, emails), ctx))).toEqual([]);
      expect(
        codes(
          validateOrder(seats(names, ['ada@fabrikam.example', 'bob', 'cy@fabrikam.example']), ctx),
        ),
      ).toEqual(['lines[0].attributes.attendeeEmails[1]:invalid']);
      expect(codes(validateOrder(seats([], []), ctx))).toEqual([
        'lines[0].attributes.attendeeNames:required',
        'lines[0].attributes.attendeeEmails:required',
      ]);
    });
  });

  it('says a superseded quote was superseded, and by which revision', () => {
    const r = validateOrder(
      nwOrder(),
      nwContext({
        quote: {
          ...approvedQuote,
          number: 'NWQ-7',
          revision: 2,
          status: 'superseded',
          supersededBy: { number: 'NWQ-7', revision: 3 },
        },
      }),
    );
    expect(codes(r)).toEqual(['quoteId:quote.not_approved']);
    expect(r.problems[0]?.message).toBe(
      'Quote NWQ-7 was superseded by revision 3; order against that one',
    );
  });

  it('says a quote never issued (a draft) is not approved, and compares nothing of it', () => {
    const r = validateOrder(nwOrder(), nwContext({ quote: null, unissuedQuoteStatus: 'draft' }));
    expect(r.problems).toEqual([
      expect.objectContaining({
        path: 'quoteId',
        code: 'quote.not_approved',
        expected: 'approved',
        actual: 'draft',
      }),
    ]);
    const none = validateOrder(nwOrder(), nwContext({ quote: null }));
    expect(codes(none)).toEqual(['quoteId:quote.required']);
  });

  it('points a draft revised before approval at its later revision', () => {
    const r = validateOrder(
      nwOrder(),
      nwContext({ quote: null, unissuedQuoteStatus: 'superseded' }),
    );
    expect(r.problems).toEqual([
      expect.objectContaining({
        code: 'quote.not_approved',
        actual: 'superseded',
        message: expect.stringContaining('order against that one'),
      }),
    ]);
  });
});

describe('validateOrder — unreadable fields (a body the schema refused in part)', () => {
  const catalog = new Map([
    ['LIC-100', entry('LIC-100', 120000, { type: 'perpetual_license' })],
    ['MNT-100', entry('MNT-100', 24000, { type: 'maintenance' })],
  ]);
  const ctx = (o: Partial<OrderValidationContext> = {}): OrderValidationContext =>
    context(edgeworks, {
      catalog,
      partnership: {
        legalName: 'Acme',
        agreementDate: '2020-11-20',
        multiplier: '0.65',
        multipliers: [],
      },
      ...o,
    });
  const lic = {
    partNumber: 'LIC-100',
    quantity: 1,
    unitPrice: '780.00',
    attributes: { hostId: 'H' },
  };
  const mnt = {
    partNumber: 'MNT-100',
    quantity: 1,
    unitPrice: '156.00',
    attributes: { hostId: 'H' },
  };
  const order = (lines: OrderSubmission['lines'], total = '1716.00'): OrderSubmission => ({
    vendor: 'edgeworks',
    type: 'license_maintenance',
    customerId: 'cus_1',
    purchaseOrder: { number: 'PO-U', date: '2026-11-19', currency: 'USD', total },
    attributes: { endUserName: 'Fabrikam' },
    lines,
  });

  it('keeps the other lines’ paths and compares no total when a quantity is unreadable', () => {
    // Line 2's quantity (0 as emptied) unreadable; line 3 at a wrong price.
    const lines = [lic, { ...mnt, quantity: 0 }, { ...lic, unitPrice: '700.00' }];
    const r = validateOrder(order(lines), ctx(), { unreadable: new Set(['lines[1].quantity']) });
    expect(codes(r)).toEqual(['lines[2].unitPrice:price.mismatch']);
    expect(r.pricing.lines[1]).toMatchObject({ amount: '', amountMinor: null });
    expect(r.pricing.expectedTotal).toBeNull();
    // Without the mark, quantity 0 would price the line at 0 and the PO total would be "wrong".
    expect(codes(validateOrder(order(lines), ctx()))).toContain(
      'purchaseOrder.total:total.mismatch',
    );
  });

  it('says nothing at or under an unreadable field, and skips the checks that need it', () => {
    const lines = [
      { ...lic, unitPrice: '' },
      { ...mnt, partNumber: '' },
    ];
    const po = { number: '', currency: '', total: '' };
    const r = validateOrder(
      { ...order(lines), type: '', customerId: '', purchaseOrder: po },
      ctx({ customerKnown: false }),
      {
        unreadable: new Set([
          'type',
          'customerId',
          'lines[0].unitPrice',
          'lines[1]',
          'purchaseOrder.number',
          'purchaseOrder.currency',
          'purchaseOrder.total',
        ]),
      },
    );
    expect(r.problems).toEqual([]);
    // The PO's currency unreadable: the vendor's is used, nothing throws.
    expect(r.pricing.currency).toBe('USD');
  });

  it('compares the readable lines with the quote, at their own indices', () => {
    const lines = [
      { partNumber: '', quantity: 10, unitPrice: '70.00' },
      { partNumber: 'NW-PRO-USER', quantity: 12, unitPrice: '70.00' },
    ];
    const r = validateOrder(
      nwOrder({
        lines,
        purchaseOrder: { ...nwOrder().purchaseOrder!, total: '1540.00' },
      }),
      nwContext(),
      { unreadable: new Set(['lines[0].partNumber']) },
    );
    // Not "line 1 is not on the quote", nor "the quote's line is missing from the PO".
    expect(codes(r)).toEqual(['lines[1].quantity:quote.mismatch']);
  });

  it('says a PO in another currency than its quote’s once, as the quote’s', () => {
    const r = validateOrder(
      nwOrder({ purchaseOrder: { ...nwOrder().purchaseOrder!, currency: 'EUR' } }),
      nwContext(),
    );
    expect(r.problems.filter((p) => p.path === 'purchaseOrder.currency')).toEqual([
      expect.objectContaining({ code: 'currency.mismatch', message: 'The quote is in USD' }),
    ]);
  });
});

describe('validateOrder — attributes the profile does not declare', () => {
  // The attribute checks alone: the order's, and the lines' (no catalog, no prices).
  const only = {
    checks: ORDER_CHECKS.filter((c) => ['order_attributes', 'lines'].includes(c.name)),
    lineChecks: LINE_CHECKS.filter((c) => c.name === 'line.attributes'),
  };
  const lines = [{ partNumber: 'SKY-1', quantity: 1, unitPrice: '10.00' }];
  const skylineOrder = (o: Partial<OrderSubmission>): OrderSubmission => ({
    vendor: 'skyline',
    type: 'new',
    customerId: 'cus_1',
    lines,
    ...o,
  });
  const messages = (r: ReturnType<typeof validateOrder>): string[] =>
    r.problems.map((p) => `${p.path}: ${p.message}`);

  it('refuses an unknown order attribute at its path, naming the declared ones', () => {
    const r = validateOrder(
      skylineOrder({ attributes: { primaryDomain: 'wingtip.example', bogusAttr: 'x' } }),
      context(skyline),
      only,
    );
    expect(codes(r)).toEqual(['attributes.bogusAttr:invalid']);
    expect(r.problems[0]).toMatchObject({
      message:
        'Unknown attribute "bogusAttr" on the order; expected one of primaryDomain, subscriptionId',
      expected: 'primaryDomain, subscriptionId',
      actual: 'bogusAttr',
    });
  });

  it('refuses an unknown line attribute at its path', () => {
    const catalog = new Map([['LIC-100', entry('LIC-100', 120000, { type: 'perpetual_license' })]]);
    const order: OrderSubmission = {
      vendor: 'edgeworks',
      type: 'license_maintenance',
      customerId: 'cus_1',
      purchaseOrder: { number: 'PO-A', date: '2026-11-19', currency: 'USD', total: '840.00' },
      attributes: { endUserName: 'Fabrikam' },
      lines: [
        {
          partNumber: 'LIC-100',
          quantity: 1,
          unitPrice: '840.00',
          attributes: { hostId: 'H-1', bogus: 1 },
        },
      ],
    };
    const r = validateOrder(order, context(edgeworks, { catalog }));
    expect(codes(r)).toEqual(['lines[0].attributes.bogus:invalid']);
    expect(messages(r)).toEqual([
      'lines[0].attributes.bogus: Unknown attribute "bogus" on a line; expected one of hostId, attendeeNames, attendeeEmails, courseDate, serialNumber',
    ]);
  });

  it('says where an attribute of the other scope goes, and when a profile has none', () => {
    const order = skylineOrder({ vendor: 'edgeworks', attributes: { hostId: 'H-1' } });
    expect(messages(validateOrder(order, context(edgeworks), only))).toEqual([
      'attributes.hostId: Unknown attribute "hostId" on the order; Host ID is given on each line',
    ]);
    const onLine = skylineOrder({
      lines: [{ ...lines[0]!, attributes: { primaryDomain: 'wingtip.example' } }],
    });
    expect(messages(validateOrder(onLine, context(skyline), only))).toEqual([
      'lines[0].attributes.primaryDomain: Unknown attribute "primaryDomain" on a line; Primary domain is given on the order',
    ]);
    const northwindLine = skylineOrder({
      lines: [{ ...lines[0]!, attributes: { seats: 3 } }],
    });
    expect(messages(validateOrder(northwindLine, context(northwind), only))).toEqual([
      'lines[0].attributes.seats: Unknown attribute "seats" on a line; Northwind takes none on a line',
    ]);
  });

  it('says nothing more of an attribute that could not be read', () => {
    const r = validateOrder(
      skylineOrder({ attributes: { primaryDomain: 'wingtip.example', bad: '' } }),
      context(skyline),
      { ...only, unreadable: new Set(['attributes.bad']) },
    );
    expect(codes(r)).toEqual([]);
  });
});

describe('validateOrder — a PO line that repeats a quote line', () => {
  it('names the quote line it repeats and the PO line that already carries it', () => {
    const r = validateOrder(
      nwOrder({
        lines: [
          { partNumber: '', quantity: 1, unitPrice: '70.00' },
          { partNumber: 'NW-PRO-USER', quantity: 10, unitPrice: '70.00' },
          { partNumber: 'NW-PRO-USER', quantity: 1, unitPrice: '70.00' },
        ],
        purchaseOrder: { ...nwOrder().purchaseOrder!, total: '840.00' },
      }),
      nwContext(),
      { unreadable: new Set(['lines[0].partNumber']) },
    );
    expect(r.problems).toEqual([
      expect.objectContaining({
        path: 'lines[2]',
        code: 'quote.mismatch',
        // The PO's second line (lines[1]): the indices of the PO, not of the lines compared.
        message:
          "The quote's line 1 (10 × NW-PRO-USER) is already on the PO as its line 2; this line repeats it: 11 × NW-PRO-USER on the PO in all, 10 on the quote",
        expected: '10',
        actual: '11',
      }),
    ]);
  });
});
