// The billing fields of the administration: what they send, and how they start from what is stored.
import { describe, expect, it } from 'vitest';
import {
  billingDraftOf,
  billingInputOf,
  EMPTY_BILLING,
  formatBillingAddress,
} from '../src/routes/admin/billing.ts';

describe('billingInputOf', () => {
  it('sends nothing when every field is empty', () => {
    expect(billingInputOf(EMPTY_BILLING)).toBeUndefined();
    expect(billingInputOf({ ...EMPTY_BILLING, city: '  ' })).toBeUndefined();
  });

  it('sends the country and tax ID without an address when none is typed', () => {
    expect(billingInputOf({ ...EMPTY_BILLING, country: ' nl ', taxId: 'NL123456789B01' })).toEqual({
      country: 'nl',
      taxId: 'NL123456789B01',
    });
  });

  it('sends the address with its optional lines only when filled', () => {
    expect(
      billingInputOf({
        ...EMPTY_BILLING,
        country: 'DE',
        line1: 'Friedrichstraße 120',
        city: 'Berlin',
        postalCode: '10117',
      }),
    ).toEqual({
      country: 'DE',
      address: { line1: 'Friedrichstraße 120', city: 'Berlin', postalCode: '10117' },
    });
  });

  it('sends what is missing empty, for the API to name it, rather than dropping the rest', () => {
    expect(billingInputOf({ ...EMPTY_BILLING, city: 'Berlin', taxId: 'DE987654321' })).toEqual({
      country: '',
      address: { line1: '', city: 'Berlin', postalCode: '' },
      taxId: 'DE987654321',
    });
  });
});

describe('billingDraftOf', () => {
  it('fills the fields from what is stored, and round-trips', () => {
    const stored = {
      country: 'US',
      address: { line1: '1200 Commerce St', city: 'Dallas', region: 'TX', postalCode: '75202' },
      taxId: 'US-47-1234567',
    };
    expect(billingInputOf(billingDraftOf(stored))).toEqual(stored);
    expect(billingDraftOf(null)).toEqual(EMPTY_BILLING);
    expect(formatBillingAddress(stored.address)).toBe('1200 Commerce St, 75202 Dallas, TX');
  });
});
