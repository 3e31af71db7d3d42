import { HttpProblem } from './problem.ts';

/**
 * The version an `If-Match` header names (`3`, `"3"`, `W/"3"`), or undefined when absent or
 * `*`. Parsed the same way for every resource; anything else is a 400 naming the header.
 */
export function expectedVersionOf(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '*') return undefined;
  const m = /^(?:W\/)?"?(\d{1,15})"?$/.exec(value.trim());
  if (!m) {
    throw new HttpProblem(400, 'bad-request', 'If-Match must be the version, e.g. If-Match: 3', [
      { path: 'headers.if-match', code: 'invalid', message: 'Not a version number' },
    ]);
  }
  return Number(m[1]);
}
