// What an upload replaces: a price list is whole (the server prices from one list per currency,
// the latest in force), so a product missing from the new file has no price once it applies.
import type { Schemas } from '../../api/client';

type PriceList = Pick<Schemas['PriceList'], 'currency' | 'version' | 'effectiveFrom' | 'rowCount'>;

/** The list in force on `today` (YYYY-MM-DD) per currency, as the server picks it. */
export function priceListsInForce<T extends PriceList>(lists: readonly T[], today: string): T[] {
  const byCurrency = new Map<string, T>();
  for (const list of lists) {
    if (list.effectiveFrom > today) continue;
    const best = byCurrency.get(list.currency);
    if (
      !best ||
      list.effectiveFrom > best.effectiveFrom ||
      (list.effectiveFrom === best.effectiveFrom && list.version > best.version)
    )
      byCurrency.set(list.currency, list);
  }
  return [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

/** The note next to the upload: what it replaces, and what becomes of the products left out. */
export function replaceNote(inForce: readonly PriceList[]): string {
  const lost =
    'Products that are not in the file will have no price from its effective date, and partners cannot order them.';
  if (inForce.length === 0) return `The upload becomes the price list. ${lost}`;
  const lists = inForce
    .map(
      (l) =>
        `version ${l.version} (${l.currency}, ${l.rowCount} product${l.rowCount === 1 ? '' : 's'})`,
    )
    .join(' and ');
  return `The current list, ${lists}, is replaced as a whole, not merged. ${lost} Include every product you sell.`;
}
