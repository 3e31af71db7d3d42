import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROUNDING_MODES, multiplyMinor, toDecimal, toMinor } from '../money/index.ts';
import { priceLine } from '../pricing/index.ts';
import { businessCalendar } from '../sla/calendar.ts';
import {
  computeInvoiceTotals,
  creditNoteTotals,
  decideTax,
  formatInvoiceNumber,
  taxOf,
  type TaxDecision,
} from './invoice.rules.ts';
import { invoiceDateOf, invoiceDueDate, invoiceIssueAt } from './invoice.timing.ts';

const currency = fc.constantFrom('USD', 'EUR', 'GBP', 'JPY', 'KWD');
const rate = fc.constantFrom('0', '5', '7.25', '8.875', '19', '20', '21', '0.1');
const mode = fc.constantFrom(...ROUNDING_MODES);
const line = fc.record({
  lineNo: fc.nat({ max: 999 }),
  partNumber: fc.constant('P-1'),
  name: fc.constant('Product'),
  quantity: fc.integer({ min: 1, max: 10_000 }),
  unitPriceMinor: fc.integer({ min: 0, max: 10_000_000 }),
});

describe('invoice totals', () => {
  it('equal the order lines to the cent, with tax rounded once within half a unit (or one, by mode)', () => {
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 30 }),
        currency,
        rate,
        mode,
        (lines, cur, r, m) => {
          const tax: TaxDecision = { category: 'S', rate: r, exemptionReason: null };
          const totals = computeInvoiceTotals({ currency: cur, lines, tax, rounding: m });
          const orderTotal = lines.reduce(
            (s, l) => s + BigInt(l.unitPriceMinor) * BigInt(l.quantity),
            0n,
          );
          expect(BigInt(totals.subtotalMinor)).toBe(orderTotal);
          totals.lines.forEach((l, i) =>
            expect(l.amountMinor).toBe(multiplyMinor(lines[i]!.unitPriceMinor, lines[i]!.quantity)),
          );
          expect(totals.totalMinor).toBe(totals.subtotalMinor + totals.taxMinor);
          expect(totals.taxSubtotals.reduce((s, t) => s + t.taxMinor, 0)).toBe(totals.taxMinor);
          const exact = toDecimal(totals.subtotalMinor, cur).times(r).dividedBy(100);
          const diff = toDecimal(totals.taxMinor, cur).minus(exact).abs();
          const unit = toDecimal(1, cur);
          expect(diff.lessThan(unit)).toBe(true);
          if (m === 'half_up' || m === 'half_even')
            expect(diff.lessThanOrEqualTo(unit.dividedBy(2))).toBe(true);
        },
      ),
    );
  });

  it('hold for lines priced by every rounding mode the profile allows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000_000 }),
        fc.constantFrom('0.5', '0.725', '0.333333', '0.8', '1'),
        fc.integer({ min: 1, max: 500 }),
        mode,
        (listMinor, multiplier, quantity, m) => {
          const priced = priceLine({
            listPriceMinor: listMinor,
            multiplier,
            quantity,
            currency: 'USD',
            rounding: m,
          });
          const totals = computeInvoiceTotals({
            currency: 'USD',
            lines: [
              {
                lineNo: 1,
                partNumber: 'P',
                name: 'P',
                quantity,
                unitPriceMinor: priced.netPriceMinor,
              },
            ],
            tax: { category: 'Z', rate: '0', exemptionReason: 'Zero-rated supply' },
            rounding: m,
          });
          expect(totals.subtotalMinor).toBe(priced.amountMinor);
          expect(totals.totalMinor).toBe(priced.amountMinor);
        },
      ),
    );
  });

  it('a credit note is the exact negation of its invoice', () => {
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 10 }),
        currency,
        rate,
        (lines, cur, r) => {
          const invoice = computeInvoiceTotals({
            currency: cur,
            lines,
            tax: { category: 'S', rate: r, exemptionReason: null },
          });
          const credit = creditNoteTotals(invoice);
          expect(credit.totalMinor + invoice.totalMinor).toBe(0);
          expect(credit.taxMinor + invoice.taxMinor).toBe(0);
          credit.lines.forEach((l, i) =>
            expect(l.amountMinor + invoice.lines[i]!.amountMinor).toBe(0),
          );
        },
      ),
    );
  });

  it('rounds tax by the mode: 10.05 at 5% is 0.5025', () => {
    expect(taxOf(1005, '5', 'USD', 'half_up')).toBe(50);
    expect(taxOf(1010, '5', 'USD', 'half_up')).toBe(51); // 0.505 → 0.51
    expect(taxOf(1010, '5', 'USD', 'half_even')).toBe(50);
    expect(taxOf(1010, '5', 'USD', 'down')).toBe(50);
    expect(taxOf(1001, '5', 'USD', 'up')).toBe(51);
    expect(toMinor('0.505', 'USD')).toBe(51);
  });
});

describe('tax decision', () => {
  const uk = { rates: [{ country: 'GB', rate: '20' }], reverseChargeWhenTaxId: true };
  it('charges the standard rate at home, tax ID or not', () => {
    expect(decideTax(uk, 'GB', { country: 'GB', taxId: 'GB999' })).toEqual({
      category: 'S',
      rate: '20',
      exemptionReason: null,
    });
    expect(decideTax(uk, 'GB', { country: null, taxId: null }).category).toBe('S');
  });
  it('reverses the charge for a business abroad with a tax ID', () => {
    expect(decideTax(uk, 'GB', { country: 'DE', taxId: 'DE123' })).toMatchObject({
      category: 'AE',
      rate: '0',
    });
  });
  it('zero-rates a buyer abroad without one, and a country without a rate', () => {
    expect(decideTax(uk, 'GB', { country: 'DE', taxId: null }).category).toBe('Z');
    expect(
      decideTax({ rates: [{ country: 'US', rate: '0' }], reverseChargeWhenTaxId: false }, 'US', {
        country: 'US',
        taxId: null,
      }).category,
    ).toBe('Z');
    expect(decideTax(undefined, 'US', { country: 'US', taxId: null }).category).toBe('Z');
  });
  it('uses the * rate for other countries', () => {
    expect(
      decideTax({ rates: [{ country: '*', rate: '10' }], reverseChargeWhenTaxId: false }, 'US', {
        country: 'FR',
        taxId: 'FR1',
      }),
    ).toMatchObject({ category: 'S', rate: '10' });
  });
});

describe('invoice timing', () => {
  const ny = businessCalendar({ timeZone: 'America/New_York', holidays: { country: 'US' } });
  it('an order booked on the Friday before Labor Day is invoiced on Tuesday, New York time', () => {
    const booked = new Date('2026-09-04T20:30:00Z'); // Friday 16:30 EDT
    const timing = { afterEvent: 'order.booked' as const, businessDays: { min: 1, max: 2 } };
    const at = invoiceIssueAt(ny, timing, booked);
    expect(at.toISOString()).toBe('2026-09-08T04:00:00.000Z'); // Tuesday 00:00 EDT
    expect(invoiceDateOf('America/New_York', at)).toBe('2026-09-08');
  });
  it('counts from the local day: late Friday evening in New York is still Friday', () => {
    const booked = new Date('2026-09-05T03:30:00Z'); // Friday 23:30 EDT, Saturday in UTC
    const timing = { afterEvent: 'order.booked' as const, businessDays: { min: 1, max: 2 } };
    expect(invoiceIssueAt(ny, timing, booked).toISOString()).toBe('2026-09-08T04:00:00.000Z');
  });
  it('issues at once with zero days, and the due date follows the payment terms', () => {
    const at = new Date('2026-12-31T10:00:00Z');
    expect(
      invoiceIssueAt(ny, { afterEvent: 'order.completed', businessDays: { min: 0, max: 1 } }, at),
    ).toBe(at);
    expect(invoiceDueDate('2026-12-31', 30)).toBe('2027-01-30');
    expect(formatInvoiceNumber('INV-', 42)).toBe('INV-000042');
  });
});
