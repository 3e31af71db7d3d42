// The hold dialog: the desk points each problem at one of the order's fields or lines (the
// paths the partner's correction wizard marks), and no problem is dropped for want of a field.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseVendorProfile, type VendorProfile } from '@orderdesk/core';
import {
  holdFieldChoices,
  holdProblemsBody,
  WHOLE_ORDER,
} from '../src/routes/orders/hold-fields.ts';

function profileOf(slug: string): VendorProfile {
  const file = new URL(`../../../examples/profiles/${slug}.yaml`, import.meta.url);
  const parsed = parseVendorProfile(readFileSync(file, 'utf8'), `${slug}.yaml`);
  if (!parsed.ok) throw new Error(`${slug}.yaml does not parse`);
  return parsed.profile;
}

const order = {
  type: 'device',
  quoteId: null,
  lines: [
    {
      lineNo: 1,
      partNumber: 'F200-GW-01',
      name: 'Gateway',
      quantity: 2,
      unitPrice: '100.00',
      listPrice: null,
      multiplier: null,
      expectedNetPrice: null,
      amount: '200.00',
      attributes: { hostId: 'H-1' },
    },
  ],
};

describe('holdFieldChoices', () => {
  const groups = holdFieldChoices(profileOf('edgeworks'), order, ['lines[3].weird']);
  const all = groups.flatMap((g) => g.items);
  const labelOf = (value: string) => all.find((i) => i.value === value)?.label;

  it('offers the order’s fields in the form’s words', () => {
    expect(labelOf(WHOLE_ORDER)).toBe('The order as a whole');
    expect(labelOf('purchaseOrder.number')).toBe('PO number');
    expect(labelOf('shippingAddress.taxId')).toBe('Tax ID');
  });

  it('offers each line’s price, quantity and attributes', () => {
    expect(labelOf('lines[0].unitPrice')).toBe('Line 1 (F200-GW-01): unit price');
    expect(labelOf('lines[0].quantity')).toBe('Line 1 (F200-GW-01): quantity');
    expect(labelOf('lines[0].attributes.hostId')).toBe('Line 1 (F200-GW-01): Host ID');
  });

  it('keeps a path a problem already has, and lists every value once', () => {
    expect(labelOf('lines[3].weird')).toBeDefined();
    const values = all.map((i) => i.value);
    expect(new Set(values).size).toBe(values.length);
  });
});

describe('holdProblemsBody', () => {
  it('sends a problem of the whole order without a path', () => {
    expect(
      holdProblemsBody([
        { field: WHOLE_ORDER, message: ' Wrong customer ' },
        { field: 'lines[0].unitPrice', message: 'Use the 2026 price' },
      ]),
    ).toEqual({
      ok: true,
      problems: [
        { path: '', message: 'Wrong customer' },
        { path: 'lines[0].unitPrice', message: 'Use the 2026 price' },
      ],
    });
  });

  it('names a problem without words instead of dropping it', () => {
    const checked = holdProblemsBody([
      { field: 'purchaseOrder.number', message: 'Not ours' },
      { field: 'shippingAddress.taxId', message: '  ' },
    ]);
    expect(checked.ok).toBe(false);
    expect(checked.ok ? [] : [...checked.errors.keys()]).toEqual([1]);
  });
});
