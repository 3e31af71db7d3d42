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
  orderLines.forEach((order, i) => {
    const j = pairs.get(i);
    const quote = j === undefined ? undefined : quoteLines[j];
    if (quote === undefined) {
      problem(
        `lines[${i}]`,
        `Part ${order.partNumber} is not on the quote`,
        undefined,
        order.partNumber,
      );
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
