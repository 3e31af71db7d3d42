// The price-list upload says what it replaces: the list in force, with how many products.
import { describe, expect, it } from 'vitest';
import { priceListsInForce, replaceNote } from '../src/routes/admin/price-lists.ts';

const list = (version: number, effectiveFrom: string, rowCount: number, currency = 'GBP') => ({
  version,
  effectiveFrom,
  rowCount,
  currency,
});

describe('priceListsInForce', () => {
  it('picks the latest list in force per currency, not a future one', () => {
    const lists = [
      list(1, '2026-01-01', 162),
      list(2, '2026-06-01', 160),
      list(3, '2027-01-01', 2),
      list(1, '2026-01-01', 40, 'EUR'),
    ];
    expect(priceListsInForce(lists, '2026-12-09')).toEqual([lists[3], lists[1]]);
  });
});

describe('replaceNote', () => {
  it('names the version and its number of products', () => {
    const note = replaceNote([list(1, '2026-01-01', 162)]);
    expect(note).toContain('version 1 (GBP, 162 products)');
    expect(note).toContain('not in the file will have no price');
  });

  it('says what happens when there is no list yet', () => {
    expect(replaceNote([])).toContain('becomes the price list');
  });
});
