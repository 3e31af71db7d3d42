import { describe, expect, it } from 'vitest';
import { calendarDate, orderSubmissionSchema } from './order.types.ts';

describe('calendarDate', () => {
  it('takes an ISO date, or a date-time with an offset as the date it names as written', () => {
    expect(calendarDate.parse('2026-12-04')).toBe('2026-12-04');
    expect(calendarDate.parse('2026-12-04T09:30:00.000Z')).toBe('2026-12-04');
    expect(calendarDate.parse('2026-12-04T23:30:00-05:00')).toBe('2026-12-04');
  });

  it('refuses what is not an ISO date, saying what it takes', () => {
    for (const bad of ['2026-13-01', '04.12.2026', '2026-12-04T09:30:00', 'tomorrow', '']) {
      const result = calendarDate.safeParse(bad);
      expect(result.success, bad).toBe(false);
      expect(result.error?.issues[0]?.message, bad).toBe(
        'An ISO date such as 2026-12-04 (a date-time is taken as its date)',
      );
    }
  });

  it("keeps a PO's date as a date, and its bounds", () => {
    const submission = {
      vendor: 'northwind',
      type: 'new',
      customerId: 'cus_1',
      purchaseOrder: {
        number: 'PO-1',
        date: '2026-12-04T09:30:00.000Z',
        currency: 'USD',
        total: '1.00',
      },
      lines: [{ partNumber: 'NW-1', quantity: 1, unitPrice: '1.00' }],
    };
    expect(orderSubmissionSchema.parse(submission).purchaseOrder?.date).toBe('2026-12-04');
    const typo = orderSubmissionSchema.safeParse({
      ...submission,
      purchaseOrder: { ...submission.purchaseOrder, date: '9999-12-31T00:00:00Z' },
    });
    expect(typo.error?.issues.map((i) => i.message)).toEqual([
      'A date between 2000-01-01 and 2099-12-31',
    ]);
  });

  it('takes a PO without a date (the profile says whether it is required), but not a bad one', () => {
    const submission = {
      vendor: 'edgeworks',
      type: 'license_authorization',
      customerId: 'cus_1',
      purchaseOrder: { number: 'PO-1', currency: 'USD', total: '1.00' },
      lines: [{ partNumber: 'LIC-1', quantity: 1, unitPrice: '1.00' }],
    };
    const parsed = orderSubmissionSchema.safeParse(submission);
    expect(parsed.error?.issues).toBeUndefined();
    expect(parsed.data?.purchaseOrder).not.toHaveProperty('date');
    for (const date of ['', '04.12.2026', '1999-12-31']) {
      const bad = orderSubmissionSchema.safeParse({
        ...submission,
        purchaseOrder: { ...submission.purchaseOrder, date },
      });
      expect(
        bad.error?.issues.map((i) => i.path.join('.')),
        date,
      ).toEqual(['purchaseOrder.date']);
    }
  });
});
