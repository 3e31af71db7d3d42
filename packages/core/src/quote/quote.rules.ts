// An order placed against a quote must carry the quote's lines: same part numbers, the same
// quantities and the quote's net prices. Every difference is a `quote.mismatch` problem.
import { formatAmount } from '../money/index.ts';
import type { Problem } from '../problems/index.ts';

export interface QuoteLineForComparison {
  readonly partNumber: string;
  readonly quantity: number;
  readonly netPriceMinor: number;
}

export interface OrderLineForComparison {
  readonly partNumber: string;
  readonly quantity: number;
  /** The unit price written on the PO, in minor units of the quote's currency. */
  readonly unitPriceMinor: number;
  /** The line's index on the PO, as messages name it; its index in `orderLines` when absent. */
  readonly index?: number;
}

/**
 * Compare a PO's lines with the quote's. Lines pair up by part number (identical lines first,
 * so repeated part numbers pair sensibly), whatever their order. Problems, in body order:
 * `lines[i]` for a part not on the quote, `lines[i].quantity` and `lines[i].unitPrice` for a
 * differing paired line, then `lines` for each quote line missing from the PO.
 */
export function compareOrderToQuote(
  quoteLines: readonly QuoteLineForComparison[],
  orderLines: readonly OrderLineForComparison[],
  currency: string,
): Problem[] {
  const used = new Set<number>();
  const pairs = new Map<number, number>();
  const pair = (
    matches: (quote: QuoteLineForComparison, order: OrderLineForComparison) => boolean,
  ) => {
    orderLines.forEach((order, i) => {
      if (pairs.has(i)) return;
      const j = quoteLines.findIndex((quote, k) => !used.has(k) && matches(quote, order));
      if (j >= 0) {
        used.add(j);
        pairs.set(i, j);
      }
    });
  };
  pair(
    (q, o) =>
      q.partNumber === o.partNumber &&
      q.quantity === o.quantity &&
      q.netPriceMinor === o.unitPriceMinor,
  );
  pair((q, o) => q.partNumber === o.partNumber);

  const problems: Problem[] = [];
  const problem = (path: string, message: string, expected?: string, actual?: string) => {
    problems.push({
      path,
      code: 'quote.mismatch',
      severity: 'error',
      message,
      ...(expected === undefined ? {} : { expected }),
      ...(actual === undefined ? {} : { actual }),
    });
  };
  // The part is on the quote, but each of its quote lines already has its PO line: this line
  // repeats one of them (or splits it), so the PO asks for more, or otherwise, than quoted.
  // Worked out once, and only when a line is left unpaired.
  let index: ReturnType<typeof indexLines> | undefined;
  const lookUp = () => (index ??= indexLines(quoteLines, orderLines, pairs));
  const quoteLinesOf = (part: string): readonly number[] | undefined =>
    lookUp().quoteLinesByPart.get(part);
  const repeatedLineProblem = (i: number, part: string, quoted: readonly number[]): void => {
    const { poLineOf, poQuantities } = lookUp();
    const onQuote = quoted.reduce((sum, k) => sum + (quoteLines[k]?.quantity ?? 0), 0);
    const onPo = poQuantities.get(part) ?? 0;
    const which =
      quoted.length === 1
        ? `The quote's line ${quoted[0]! + 1} (${onQuote} × ${part}) is already on the PO as its line ${poLineOf(quoted[0]!)}; this line repeats it`
        : `The quote's lines ${listed(quoted.map((k) => `${k + 1} (${quoteLines[k]?.quantity} ×)`))} of ${part} are already on the PO as its lines ${listed(quoted.map(poLineOf))}; this line repeats them`;
    problem(
      `lines[${i}]`,
      `${which}: ${onPo} × ${part} on the PO in all, ${onQuote} on the quote`,
      String(onQuote),
      String(onPo),
    );
  };

  orderLines.forEach((order, i) => {
    const j = pairs.get(i);
    const quote = j === undefined ? undefined : quoteLines[j];
    if (quote === undefined) {
      const quoted = quoteLinesOf(order.partNumber);
      if (quoted === undefined) {
        problem(
          `lines[${i}]`,
          `Part ${order.partNumber} is not on the quote`,
          undefined,
          order.partNumber,
        );
      } else {
        repeatedLineProblem(i, order.partNumber, quoted);
      }
      return;
    }
    if (quote.quantity !== order.quantity) {
      problem(
        `lines[${i}].quantity`,
        `The quote has ${quote.quantity} × ${quote.partNumber}, the PO ${order.quantity}`,
        String(quote.quantity),
        String(order.quantity),
      );
    }
    if (quote.netPriceMinor !== order.unitPriceMinor) {
      const expected = formatAmount(quote.netPriceMinor, currency);
      const actual = formatAmount(order.unitPriceMinor, currency);
      problem(
        `lines[${i}].unitPrice`,
        `The quote prices ${quote.partNumber} at ${expected} ${currency}, the PO at ${actual}`,
        expected,
        actual,
      );
    }
  });
  quoteLines.forEach((quote, j) => {
    if (used.has(j)) return;
    problem(
      'lines',
      `The quote's line ${j + 1} (${quote.quantity} × ${quote.partNumber}) is missing from the PO`,
      quote.partNumber,
    );
  });
  return problems;
}

/** "1", "1 and 2", "1, 2 and 3". */
function listed(items: readonly (string | number)[]): string {
  const all = items.map(String);
  return all.length <= 1 ? all.join('') : `${all.slice(0, -1).join(', ')} and ${all.at(-1)}`;
}

/** Look-ups for the message of a repeated line: the quote's lines by part, the PO's quantities. */
function indexLines(
  quoteLines: readonly QuoteLineForComparison[],
  orderLines: readonly OrderLineForComparison[],
  pairs: ReadonlyMap<number, number>,
) {
  const quoteLinesByPart = new Map<string, number[]>();
  quoteLines.forEach((line, k) => {
    const group = quoteLinesByPart.get(line.partNumber);
    if (group) group.push(k);
    else quoteLinesByPart.set(line.partNumber, [k]);
  });
  const poQuantities = new Map<string, number>();
  for (const o of orderLines) {
    poQuantities.set(o.partNumber, (poQuantities.get(o.partNumber) ?? 0) + o.quantity);
  }
  const pairedWith = new Map([...pairs].map(([o, q]) => [q, o]));
  /** The PO line (1-based, as the PO numbers it) a quote line is paired with. */
  const poLineOf = (k: number): number => {
    const o = pairedWith.get(k) ?? 0;
    return (orderLines[o]?.index ?? o) + 1;
  };
  return { quoteLinesByPart, poQuantities, poLineOf };
}
