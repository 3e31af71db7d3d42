import { describe, expect, it } from 'vitest';
import { todayIn } from './time.ts';

describe('todayIn', () => {
  it("gives the zone's date, also for repeated calls around its midnight", () => {
    // 2026-03-01 04:59:30 UTC is still Feb 28 in New York (UTC−5), Mar 1 in Berlin.
    const before = new Date('2026-03-01T04:59:30Z');
    const after = new Date('2026-03-01T05:00:00Z');
    expect(todayIn('America/New_York', before)).toBe('2026-02-28');
    expect(todayIn('America/New_York', new Date('2026-03-01T04:59:59.999Z'))).toBe('2026-02-28');
    expect(todayIn('Europe/Berlin', before)).toBe('2026-03-01');
    expect(todayIn('America/New_York', after)).toBe('2026-03-01');
    expect(todayIn('America/New_York', before)).toBe('2026-02-28');
    expect(todayIn('Asia/Kolkata', new Date('2026-03-01T18:29:00Z'))).toBe('2026-03-01');
    expect(todayIn('Asia/Kolkata', new Date('2026-03-01T18:30:00Z'))).toBe('2026-03-02');
  });
});
