// The wizard's submission body: what it leaves out so that the server judges the order.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseVendorProfile, type VendorProfile } from '@orderdesk/core';
import { buildSubmission, type FieldSpec } from '../src/routes/wizard/wizard-model.ts';

const SKYLINE = new URL('../../../examples/profiles/skyline.yaml', import.meta.url);

function skyline(): VendorProfile {
  const parsed = parseVendorProfile(readFileSync(SKYLINE, 'utf8'), 'skyline.yaml');
  if (!parsed.ok) throw new Error('skyline.yaml does not parse');
  return parsed.profile;
}

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
