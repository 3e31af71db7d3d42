// Zod's size messages in plain words. Its defaults ("Too small: expected string to have >=1
// characters", "Too big: expected array to have <=500 items") reach people as they are: in a
// problem's `errors[].message`, shown by the web app's forms and by partner systems. A
// schema's own message (`.min(1, 'Say why')`) still wins; everything else keeps Zod's words.
import { z } from 'zod';

type SizeIssue = {
  code: string;
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  exact?: boolean;
};

const plural = (n: number | bigint, one: string, many: string): string =>
  `${n} ${n === 1 || n === 1n ? one : many}`;

/** The words for a too_small or too_big issue of a string, a list or a number; else undefined. */
export function sizeMessage(issue: SizeIssue): string | undefined {
  const { origin } = issue;
  if (issue.code === 'too_small' && issue.minimum !== undefined) {
    const n = issue.minimum;
    if (origin === 'string') {
      if (issue.exact) return `Exactly ${plural(n, 'character', 'characters')}`;
      return n === 1 || n === 1n
        ? 'Must not be empty'
        : `At least ${plural(n, 'character', 'characters')}`;
    }
    if (origin === 'array' || origin === 'set') {
      if (issue.exact) return `Exactly ${plural(n, 'item', 'items')}`;
      return n === 1 || n === 1n
        ? 'At least one item is needed'
        : `At least ${plural(n, 'item', 'items')}`;
    }
    if (origin === 'number' || origin === 'int' || origin === 'bigint') {
      return issue.inclusive === false ? `Must be more than ${n}` : `Must be at least ${n}`;
    }
  }
  if (issue.code === 'too_big' && issue.maximum !== undefined) {
    const n = issue.maximum;
    if (origin === 'string') {
      if (issue.exact) return `Exactly ${plural(n, 'character', 'characters')}`;
      return `At most ${plural(n, 'character', 'characters')}`;
    }
    if (origin === 'array' || origin === 'set') {
      if (issue.exact) return `Exactly ${plural(n, 'item', 'items')}`;
      return `At most ${plural(n, 'item', 'items')}`;
    }
    if (origin === 'number' || origin === 'int' || origin === 'bigint') {
      return issue.inclusive === false ? `Must be less than ${n}` : `Must be at most ${n}`;
    }
  }
  return undefined;
}

/** Makes every schema of the process use these words for sizes (once, when the server is built). */
export function usePlainSizeMessages(): void {
  z.config({ customError: (issue) => sizeMessage(issue) });
}
