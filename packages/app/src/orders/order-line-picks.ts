import type { ProblemItem } from '../shared/errors.ts';

/**
 * The order lines a request names by number with a quantity (fulfilments, returns): each must
 * be a line of the order, named once, and ask for no more than is left of it after `used`.
 * Problems name the request's fields (`lines[i].lineNo`, `lines[i].quantity`) and go to
 * `problems`; the lines that pass come back with their quantities.
 */
export function pickOrderLines<L extends { line_no: number; quantity: number }>(
  requested: readonly { lineNo: number; quantity: number }[],
  byNo: ReadonlyMap<number, L>,
  used: ReadonlyMap<number, number>,
  tooMany: (line: L, left: number) => string,
  problems: ProblemItem[],
): { line: L; quantity: number }[] {
  const picked: { line: L; quantity: number }[] = [];
  const seen = new Set<number>();
  requested.forEach((r, i) => {
    const line = byNo.get(r.lineNo);
    if (!line) {
      problems.push({
        path: `lines[${i}].lineNo`,
        code: 'invalid',
        message: `The order has no line ${r.lineNo}`,
      });
      return;
    }
    if (seen.has(r.lineNo)) {
      problems.push({
        path: `lines[${i}].lineNo`,
        code: 'invalid',
        message: `Line ${r.lineNo} is named twice`,
      });
      return;
    }
    seen.add(r.lineNo);
    const left = line.quantity - (used.get(line.line_no) ?? 0);
    if (r.quantity > left) {
      problems.push({
        path: `lines[${i}].quantity`,
        code: 'invalid',
        message: tooMany(line, left),
        expected: `at most ${left}`,
        actual: String(r.quantity),
      });
      return;
    }
    picked.push({ line, quantity: r.quantity });
  });
  return picked;
}
