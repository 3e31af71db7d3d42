// The wizard's submission body: what it leaves out so that the server judges the order.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseVendorProfile, type VendorProfile } from '@orderdesk/core';
import {
  buildSubmission,
  fieldsOf,
  orderPartnerTier,
  type FieldSpec,
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
