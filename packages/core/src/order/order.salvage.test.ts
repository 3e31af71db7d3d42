import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isPathWithin, salvageSubmission } from './order.salvage.ts';
import { orderSubmissionSchema } from './order.types.ts';

const line = { partNumber: 'SKY-1', quantity: 2, unitPrice: '10.00' };
const base = { vendor: 'skyline', type: 'new', customerId: 'cus_1', lines: [line] };

describe('salvageSubmission', () => {
  it('gives a valid body back as the schema parses it', () => {
    const body = { ...base, purchaseOrder: { number: ' PO-1 ', currency: 'gbp', total: '20' } };
    expect(salvageSubmission(orderSubmissionSchema, body)).toEqual(
      orderSubmissionSchema.parse(body),
    );
  });

  it('leaves out a refused optional value and keeps the rest of its object', () => {
    const out = salvageSubmission(orderSubmissionSchema, {
      ...base,
      contacts: {
        siteAdmin: { name: 'W', email: 'wendy-at-wingtip' },
        invoicing: { name: 'AP', email: 'ap@wingtip.example' },
      },
      purchaseOrder: { number: 'PO-1', date: '05/12/2026', currency: 'GBP', total: '20.00' },
    });
    expect(out?.contacts).toEqual({
      siteAdmin: { name: 'W' },
      invoicing: { name: 'AP', email: 'ap@wingtip.example' },
    });
    expect(out?.purchaseOrder).toEqual({ number: 'PO-1', currency: 'GBP', total: '20.00' });
  });

  it('empties a refused required value, keeping every line in its place', () => {
    const out = salvageSubmission(orderSubmissionSchema, {
      vendor: 'skyline',
      type: 'new',
      lines: [line, { ...line, quantity: 0 }, { ...line, unitPrice: 585 }, 'not a line', line],
      purchaseOrder: { number: 'PO-1', currency: 'XYZ', total: 1430 },
    });
    expect(out).toEqual({
      vendor: 'skyline',
      type: 'new',
      customerId: '',
      lines: [
        line,
        { ...line, quantity: 0 },
        { ...line, unitPrice: '' },
        { partNumber: '', quantity: 0, unitPrice: '' },
        line,
      ],
      purchaseOrder: { number: 'PO-1', currency: '', total: '' },
    });
  });

  it('leaves out unknown fields, a refused attribute and a contact with neither name nor e-mail', () => {
    const out = salvageSubmission(orderSubmissionSchema, {
      ...base,
      surprise: true,
      contacts: { siteAdmin: {}, provisioningCc: 'cc@acme.example' },
      attributes: { primaryDomain: 'wingtip.example', bad: { nested: true }, '': 'x' },
    });
    expect(out).toEqual({
      ...base,
      contacts: { provisioningCc: 'cc@acme.example' },
      attributes: { primaryDomain: 'wingtip.example' },
    });
  });

  it('keeps an empty list empty (the order needs a line: the caller says so)', () => {
    expect(salvageSubmission(orderSubmissionSchema, { ...base, lines: [] })?.lines).toEqual([]);
    expect(salvageSubmission(orderSubmissionSchema, { ...base, lines: 'x' })?.lines).toEqual([]);
  });

  it('reads nothing of a body that is not a JSON object', () => {
    for (const body of [null, [], [base], 'order', 42, true, undefined]) {
      expect(salvageSubmission(orderSubmissionSchema, body)).toBeUndefined();
    }
  });

  it('never sets a prototype from a hostile key', () => {
    const body = JSON.parse(
      '{"vendor":"s","type":"t","customerId":"c","lines":[],"attributes":{"__proto__":{"x":1}}}',
    ) as unknown;
    const out = salvageSubmission(orderSubmissionSchema, body);
    expect(Object.getPrototypeOf(out?.attributes)).toBe(Object.prototype);
  });

  it('returns a value of the schema’s shape for any JSON object', () => {
    const schema = z.strictObject({
      a: z.string().min(2),
      b: z.array(z.strictObject({ n: z.number().int(), s: z.string().optional() })).min(1),
    });
    for (const body of [{}, { a: 1, b: [{ n: 1.5, s: 2 }, null] }, { a: 'xy', b: [] }]) {
      const out = salvageSubmission(schema, body);
      expect(typeof out?.a).toBe('string');
      expect(Array.isArray(out?.b)).toBe(true);
      for (const item of out?.b ?? []) expect(typeof item.n).toBe('number');
    }
  });
});

describe('isPathWithin', () => {
  const fields = new Set(['lines[1]', 'contacts.siteAdmin.email', 'type']);
  it('is true at a field and under it', () => {
    expect(isPathWithin('lines[1]', fields)).toBe(true);
    expect(isPathWithin('lines[1].quantity', fields)).toBe(true);
    expect(isPathWithin('contacts.siteAdmin.email', fields)).toBe(true);
    expect(isPathWithin('type', fields)).toBe(true);
  });
  it('is false beside or above a field, and for a longer name', () => {
    expect(isPathWithin('lines[10].quantity', fields)).toBe(false);
    expect(isPathWithin('lines', fields)).toBe(false);
    expect(isPathWithin('contacts.siteAdmin', fields)).toBe(false);
    expect(isPathWithin('contacts.siteAdmin.emailAddress', fields)).toBe(false);
    expect(isPathWithin('typeOf', fields)).toBe(false);
    expect(isPathWithin('anything', new Set())).toBe(false);
  });
});
