// Zod's size messages in plain words (zod-messages.ts), and a schema's own message kept.
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { sizeMessage, usePlainSizeMessages } from './zod-messages.ts';

describe('plain size messages', () => {
  it('words strings, lists and numbers', () => {
    const min = (origin: string, minimum: number, extra = {}) =>
      sizeMessage({ code: 'too_small', origin, minimum, inclusive: true, ...extra });
    const max = (origin: string, maximum: number, extra = {}) =>
      sizeMessage({ code: 'too_big', origin, maximum, inclusive: true, ...extra });
    expect(min('string', 1)).toBe('Must not be empty');
    expect(min('string', 3)).toBe('At least 3 characters');
    expect(min('string', 2, { exact: true })).toBe('Exactly 2 characters');
    expect(min('array', 1)).toBe('At least one item is needed');
    expect(min('array', 2)).toBe('At least 2 items');
    expect(min('number', 1)).toBe('Must be at least 1');
    expect(min('number', 0, { inclusive: false })).toBe('Must be more than 0');
    expect(max('string', 1)).toBe('At most 1 character');
    expect(max('array', 500)).toBe('At most 500 items');
    expect(max('int', 100)).toBe('Must be at most 100');
    expect(sizeMessage({ code: 'invalid_type' })).toBeUndefined();
    expect(min('date', 1)).toBeUndefined();
  });

  it("applies to every schema, and a schema's own message still wins", () => {
    usePlainSizeMessages();
    const schema = z.object({
      name: z.string().min(1),
      reason: z.string().min(1, 'Say why'),
      lines: z.array(z.number().int().min(1)).min(1),
    });
    const result = schema.safeParse({ name: '', reason: '', lines: [] });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'name: Must not be empty',
      'reason: Say why',
      'lines: At least one item is needed',
    ]);
    // Anything else keeps Zod's words.
    expect(z.string().safeParse(1).error?.issues[0]?.message).toMatch(/expected string/);
  });
});
