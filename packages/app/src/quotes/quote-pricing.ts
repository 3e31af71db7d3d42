import {
  AmountOutOfRangeError,
  multiplierFor,
  multiplyMinor,
  netUnitPrice,
  sumMinor,
  type RoundingMode,
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

/** Prices lines at the partnership's net prices from the price list in force today. */
export async function priceQuoteLines(
  db: Executor,
  input: {
    vendorId: string;
    partnershipId: string;
    partnership: { legal_name: string; agreement_date: string; multiplier: string };
    currency: string;
    on: string;
    /** The profile's `pricing.rounding`. */
    rounding: RoundingMode;
    /** The profile's `pricing.multipliersPerCategory`: category rules count only when true. */
    perCategory: boolean;
  },
  lines: readonly { partNumber: string; quantity: number }[],
): Promise<PricedQuote> {
  const partNumbers = [...new Set(lines.map((l) => l.partNumber))];
  const [prices, multipliers] = await Promise.all([
    findPricesInForce(db, {
      vendorId: input.vendorId,
      currency: input.currency,
      partNumbers,
      on: input.on,
    }),
    findMultipliers(db, input.partnershipId, input.on),
  ]);
  const byPart = new Map(prices.map((p) => [p.partNumber, p]));
  const errors: ProblemItem[] = [];
  /** Lines whose part has no price in the quote's currency; how many have one. */
  const unpriced: ProblemItem[] = [];
  let priced = 0;
  const out: Omit<QuoteLine, 'quote_id'>[] = [];
  let total = 0;
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
      unpriced.push({
        path: `lines[${i}].partNumber`,
        code: 'part_number.unknown',
        message: `${l.partNumber} has no ${input.currency} price on ${input.on}`,
      });
      return;
    }
    priced += 1;
    const multiplier = multiplierFor(
      { categoryId: p.categoryId, categoryAncestorIds: p.categoryAncestorIds },
      {
        legalName: input.partnership.legal_name,
        agreementDate: input.partnership.agreement_date,
        multiplier: input.partnership.multiplier,
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
      errors.push({
        path: `lines[${i}].quantity`,
        code: 'invalid',
        message: `${l.quantity} × ${l.partNumber} takes the quote beyond the largest amount ${input.currency} supports; split the quote`,
      });
      return;
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
  // No line priced, and no price list in this currency at all: the currency is what is wrong.
  if (
    unpriced.length > 0 &&
    priced === 0 &&
    !(await findPriceListInForce(db, input.vendorId, input.currency, input.on))
  ) {
    errors.unshift({
      path: 'currency',
      code: 'currency.mismatch',
      message: `The vendor has no ${input.currency} price list in force on ${input.on}`,
      actual: input.currency,
    });
  } else {
    errors.push(...unpriced);
  }
  if (errors.length > 0) throw unprocessable('Some lines cannot be quoted', errors);
  return { currency: input.currency, lines: out, totalMinor: total, priceListId };
}
