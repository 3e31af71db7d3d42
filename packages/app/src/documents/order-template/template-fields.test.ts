// Which rows an order template's header sheet asks for (template-fields.ts), from the example
// profiles the demo runs on.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseVendorProfile, type VendorProfile } from '@orderdesk/core';
import { orderFieldsOf } from './template-fields.ts';

const EXAMPLES = new URL('../../../../../examples/profiles/', import.meta.url);

function profileOf(slug: string): VendorProfile {
  const result = parseVendorProfile(
    readFileSync(new URL(`${slug}.yaml`, EXAMPLES), 'utf8'),
    `examples/profiles/${slug}.yaml`,
  );
  if (!result.ok) throw new Error(`examples/profiles/${slug}.yaml does not load`);
  return result.profile;
}

describe('order template fields', () => {
  it('asks for the currency and total of a PO wherever it offers the PO number (a PO is given whole)', () => {
    for (const slug of ['northwind', 'edgeworks', 'skyline']) {
      const profile = profileOf(slug);
      for (const type of profile.orderTypes) {
        const fields = new Map(orderFieldsOf(profile, type).map((f) => [f.key, f]));
        if (!fields.has('purchaseOrder.number')) continue;
        for (const key of ['purchaseOrder.currency', 'purchaseOrder.total']) {
          expect(fields.has(key), `${slug} ${type.key}: ${key}`).toBe(true);
        }
      }
    }
  });

  it("marks them required with the PO number: required where the PO is, else 'if' a PO number is given", () => {
    const skyline = profileOf('skyline');
    const type = skyline.orderTypes.find((t) => t.key === 'new')!;
    const fields = new Map(orderFieldsOf(skyline, type).map((f) => [f.key, f]));
    expect(fields.get('purchaseOrder.number')?.requirement).toBe('optional');
    expect(fields.get('purchaseOrder.currency')?.requirement).toMatch(/^if: .*PO number/);
    expect(fields.get('purchaseOrder.total')?.requirement).toMatch(/^if: .*PO number/);
    const northwind = profileOf('northwind');
    const withPo = northwind.orderTypes.find((t) => t.purchaseOrderRequired)!;
    const nw = new Map(orderFieldsOf(northwind, withPo).map((f) => [f.key, f]));
    expect(nw.get('purchaseOrder.currency')?.requirement).toBe('required');
  });
});
