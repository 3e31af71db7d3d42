// Server texts with dates in them are shown with the dates in the user's locale.
import { describe, expect, it } from 'vitest';
import { formatDate, formatDatesIn } from '../src/lib/format.ts';

describe('formatDatesIn', () => {
  it('writes ISO timestamps and dates as dates', () => {
    const at = '2026-12-05T08:36:38.855Z';
    expect(formatDatesIn(`Returned within 30 days of delivery (${at}): send them back.`)).toBe(
      `Returned within 30 days of delivery (${formatDate(at)}): send them back.`,
    );
    expect(formatDatesIn('Delivered on 2026-12-05: too late.')).toBe(
      `Delivered on ${formatDate('2026-12-05')}: too late.`,
    );
    expect(formatDatesIn(`(${at})`)).not.toContain('T08:36');
  });

  it('leaves other text alone', () => {
    expect(formatDatesIn('RMA EW-RMA-000001, part SKY-2026-12-05X')).toBe(
      'RMA EW-RMA-000001, part SKY-2026-12-05X',
    );
  });
});
