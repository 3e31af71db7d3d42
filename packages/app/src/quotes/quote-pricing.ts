import {
  AmountOutOfRangeError,
  multiplierFor,
  multiplyMinor,
  netUnitPrice,
  quoteTotalProblem,
  sumMinor,
  type Problem,
  type RoundingMode,
  type VendorProfile,
} from '@orderdesk/core';
import {
  findMultipliers,
  findPriceListInForce,
  findPricesInForce,
  type Executor,
  type QuoteLine,
} from '@orderdesk/store';
import { unprocessable, type ProblemItem } from '../shared/errors.ts';

export interface PricedQuote {
  currency: string;
  lines: Omit<QuoteLine, 'quote_id'>[];
  totalMinor: number;
  priceListId: string | null;
}

export interface QuotePricingInput {
  vendorId: string;
  /**
   * The partnership whose net prices the quote carries; null when the quote names none of the
   * vendor's (its lines are then only checked: part numbers, prices in the currency).
   */
  partnership: {
    id: string;
    legal_name: string;
    agreement_date: string;
    multiplier: string;
  } | null;
  currency: string;
  /** The currency the vendor sells in (the profile's): a mismatch names it as `expected`. */
  vendorCurrency?: string;
  on: string;
  /** The profile's `pricing.rounding`. */
  rounding: RoundingMode;
  /** The profile's `pricing.multipliersPerCategory`: category rules count only when true. */
  perCategory: boolean;
  /**
   * The profile whose invoices tax the order placed against the quote: its total must leave
   * room for that tax, as an order's does (`quoteTotalProblem`).
   */
  profile: Pick<VendorProfile, 'invoicing'>;
}

/** A problem of a core rule as the application reports it (422 `errors`). */
export function problemItemOf(problem: Problem): ProblemItem {
  return {
    path: problem.path,
    code: problem.code,
    message: problem.message,
    ...(problem.expected !== undefined ? { expected: problem.expected } : {}),
    ...(problem.actual !== undefined ? { actual: problem.actual } : {}),
  };
}

/** Prices lines at the partnership's net prices from the price list in force today (422 otherwise). */
export async function priceQuoteLines(
  db: Executor,
  input: QuotePricingInput & { partnership: NonNullable<QuotePricingInput['partnership']> },
  lines: readonly { partNumber: string; quantity: number }[],
): Promise<PricedQuote> {
  const { priced, problems } = await quoteLinePricing(db, input, lines);
  if (problems.length > 0) throw unprocessable('Some lines cannot be quoted', problems);
  return priced;
}

/**
 * Prices a quote's lines and returns every problem with them instead of throwing, so a caller
 * reports them together with its own (one 422 listing all, as orders do). A currency the
 * vendor has no price list in force in is one `currency.mismatch`, whatever the lines; the
 * lines still get their unknown or inactive part numbers. `priced` is complete only when
 * there are no problems.
 */
export async function quoteLinePricing(
  db: Executor,
  input: QuotePricingInput,
  lines: readonly { partNumber: string; quantity: number }[],
): Promise<{ priced: PricedQuote; problems: ProblemItem[] }> {
  const partNumbers = [...new Set(lines.map((l) => l.partNumber))];
  const partnership = input.partnership;
  const [prices, multipliers, listInForce] = await Promise.all([
    findPricesInForce(db, {
      vendorId: input.vendorId,
      currency: input.currency,
      partNumbers,
      on: input.on,
    }),
    partnership ? findMultipliers(db, partnership.id, input.on) : Promise.resolve([]),
    findPriceListInForce(db, input.vendorId, input.currency, input.on),
  ]);
  const byPart = new Map(prices.map((p) => [p.partNumber, p]));
  const errors: ProblemItem[] = [];
  if (!listInForce) {
    errors.push({
      path: 'currency',
      code: 'currency.mismatch',
      message: `The vendor has no ${input.currency} price list in force on ${input.on}`,
      ...(input.vendorCurrency !== undefined && input.vendorCurrency !== input.currency
        ? { expected: input.vendorCurrency }
        : {}),
      actual: input.currency,
    });
  }
  const out: Omit<QuoteLine, 'quote_id'>[] = [];
  let total = 0;
  // Whether the total is still checked against the largest order total: not once a line took
  // it past that (named once), nor past the range of exact amounts (the total is then unknown).
  let checkTotal = true;
  let priceListId: string | null = null;
  lines.forEach((l, i) => {
    const p = byPart.get(l.partNumber);
    if (!p) {
      errors.push({
        path: `lines[${i}].partNumber`,
        code: 'part_number.unknown',
        message: `Unknown part number ${l.partNumber}`,
      });
      return;
    }
    if (!p.active) {
      errors.push({
        path: `lines[${i}].partNumber`,
        code: 'part_number.inactive',
        message: `${l.partNumber} is no longer sold`,
      });
      return;
    }
    if (p.listPriceMinor === null) {
      // Without a price list in the currency, the currency is what is wrong (said once above).
      if (listInForce) {
        errors.push({
          path: `lines[${i}].partNumber`,
          code: 'part_number.unknown',
          message: `${l.partNumber} has no ${input.currency} price on ${input.on}`,
        });
      }
      return;
    }
    // No partnership to price for: the line is known and priced, which is all we can check.
    if (!partnership) return;
    const multiplier = multiplierFor(
      { categoryId: p.categoryId, categoryAncestorIds: p.categoryAncestorIds },
      {
        legalName: partnership.legal_name,
        agreementDate: partnership.agreement_date,
        multiplier: partnership.multiplier,
        multipliers,
      },
      input.on,
      { perCategory: input.perCategory },
    );
    let net: number;
    let amount: number;
    try {
      net = netUnitPrice(p.listPriceMinor, multiplier, input.currency, input.rounding);
      amount = multiplyMinor(net, l.quantity);
      total = sumMinor([total, amount]);
    } catch (err) {
      if (!(err instanceof AmountOutOfRangeError)) throw err;
      checkTotal = false;
      errors.push({
        path: `lines[${i}].quantity`,
        code: 'invalid',
        message: `${l.quantity} × ${l.partNumber} takes the quote beyond the largest amount ${input.currency} supports; split the quote`,
      });
      return;
    }
    const tooLarge = checkTotal
      ? quoteTotalProblem(total, { index: i, quantity: l.quantity }, input.profile, input.currency)
      : undefined;
    if (tooLarge) {
      checkTotal = false;
      errors.push(problemItemOf(tooLarge));
    }
    priceListId ??= p.priceListId;
    out.push({
      line_no: i + 1,
      product_id: p.productId,
      part_number: l.partNumber,
      name: p.name,
      quantity: l.quantity,
      list_price_minor: p.listPriceMinor,
      multiplier,
      net_price_minor: net,
      amount_minor: amount,
    });
  });
  return {
    priced: { currency: input.currency, lines: out, totalMinor: total, priceListId },
    problems: errors,
  };
}
