// The prices of a page of the catalog. GET /prices answers for all the part numbers asked or for
// none: one part without a price in the list in force fails the whole request (422, a
// `part_number.unknown` problem at `partNumbers[i]` for each). The catalog asks again without
// those once, so that the products that have a price show it and only the others say so.
import { ApiError } from '../../api/client';

export interface PartPrice {
  partNumber: string;
  listPrice: string | null;
  multiplier: string | null;
  netPrice: string;
}

/** Asks GET /prices for these part numbers; throws an `ApiError` for a non-2xx answer. */
export type PriceRequest = (partNumbers: readonly string[]) => Promise<{ items: PartPrice[] }>;

export interface CatalogPrices {
  /** The prices found, by part number. */
  byPart: Map<string, PartPrice>;
  /** The part numbers the server said have no price (not "not known": the request failed). */
  unpriced: Set<string>;
}

/** The part numbers a 422 of GET /prices names, each by its index in the request. */
export function unpricedOf(error: unknown, partNumbers: readonly string[]): Set<string> {
  const found = new Set<string>();
  if (!(error instanceof ApiError) || error.problem.status !== 422) return found;
  for (const problem of error.problem.errors ?? []) {
    const index = /^partNumbers\[(\d+)\]$/.exec(problem.path);
    const byIndex = index ? partNumbers[Number(index[1])] : undefined;
    // Without an index, a problem that names a part of the request in its text.
    const named = byIndex ?? partNumbers.find((p) => problem.message.split(/\s+/).includes(p));
    if (named !== undefined) found.add(named);
  }
  return found;
}

/**
 * The prices of the part numbers: all of them in one request, and when the server refuses it
 * for parts without a price, those are `unpriced` and the rest are asked for once more (at most
 * one extra request). A failure that names no part leaves every price unknown.
 */
export async function priceParts(
  partNumbers: readonly string[],
  request: PriceRequest,
): Promise<CatalogPrices> {
  const byPartOf = (items: readonly PartPrice[]) => new Map(items.map((i) => [i.partNumber, i]));
  if (partNumbers.length === 0) return { byPart: new Map(), unpriced: new Set() };
  try {
    return { byPart: byPartOf((await request(partNumbers)).items), unpriced: new Set() };
  } catch (error) {
    const unpriced = unpricedOf(error, partNumbers);
    if (unpriced.size === 0) return { byPart: new Map(), unpriced };
    const rest = partNumbers.filter((p) => !unpriced.has(p));
    if (rest.length === 0) return { byPart: new Map(), unpriced };
    try {
      return { byPart: byPartOf((await request(rest)).items), unpriced };
    } catch {
      // The second answer failing too (the price list changed meanwhile, say): what the first
      // said stands, the rest are unknown.
      return { byPart: new Map(), unpriced };
    }
  }
}
