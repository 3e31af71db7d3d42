// The catalog's prices when some parts of a page have none: GET /prices refuses the whole
// request (422, one `part_number.unknown` per unpriced part), and the catalog still shows the
// prices of the others.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/client.ts';
import {
  priceParts,
  unpricedOf,
  type PartPrice,
  type PriceRequest,
} from '../src/routes/wizard/catalog-prices.ts';

const price = (partNumber: string, netPrice: string): PartPrice => ({
  partNumber,
  listPrice: null,
  multiplier: null,
  netPrice,
});

/** GET /prices as the server answers it: all or nothing, a problem per unpriced part. */
function fakePrices(list: Record<string, string>): { request: PriceRequest; asked: string[][] } {
  const asked: string[][] = [];
  const request: PriceRequest = (partNumbers) => {
    asked.push([...partNumbers]);
    const errors = partNumbers.flatMap((p, i) =>
      list[p] === undefined
        ? [
            {
              path: `partNumbers[${i}]`,
              code: 'part_number.unknown',
              message: `${p} has no GBP price on 2026-12-09`,
            },
          ]
        : [],
    );
    if (errors.length > 0)
      return Promise.reject(
        new ApiError({
          status: 422,
          title: `${errors.length} part number(s) cannot be priced`,
          errors,
        }),
      );
    return Promise.resolve({ items: partNumbers.map((p) => price(p, list[p]!)) });
  };
  return { request, asked };
}

describe('priceParts', () => {
  it('keeps the prices of the priced parts when one part has none (one extra request)', async () => {
    const { request, asked } = fakePrices({ 'SKY-A': '4.51', 'SKY-C': '10.00' });
    const { byPart, unpriced } = await priceParts(['SKY-A', 'SKY-B', 'SKY-C'], request);
    expect(byPart.get('SKY-A')?.netPrice).toBe('4.51');
    expect(byPart.get('SKY-C')?.netPrice).toBe('10.00');
    expect(byPart.has('SKY-B')).toBe(false);
    expect([...unpriced]).toEqual(['SKY-B']);
    expect(asked).toEqual([
      ['SKY-A', 'SKY-B', 'SKY-C'],
      ['SKY-A', 'SKY-C'],
    ]);
  });

  it('asks once when every part has a price', async () => {
    const { request, asked } = fakePrices({ 'SKY-A': '4.51' });
    const { byPart, unpriced } = await priceParts(['SKY-A'], request);
    expect(byPart.get('SKY-A')?.netPrice).toBe('4.51');
    expect(unpriced.size).toBe(0);
    expect(asked).toHaveLength(1);
  });

  it('asks no more when no part has a price', async () => {
    const { request, asked } = fakePrices({});
    const { byPart, unpriced } = await priceParts(['SKY-A', 'SKY-B'], request);
    expect(byPart.size).toBe(0);
    expect([...unpriced].sort()).toEqual(['SKY-A', 'SKY-B']);
    expect(asked).toHaveLength(1);
  });

  it('leaves the prices unknown, not "no price", when the request fails otherwise', async () => {
    let calls = 0;
    const { byPart, unpriced } = await priceParts(['SKY-A'], () => {
      calls += 1;
      return Promise.reject(new ApiError({ status: 500, title: 'Internal error' }));
    });
    expect(byPart.size).toBe(0);
    expect(unpriced.size).toBe(0);
    expect(calls).toBe(1);
  });

  it('stops after the one extra request, even when that fails too', async () => {
    let calls = 0;
    const { byPart, unpriced } = await priceParts(['SKY-A', 'SKY-B'], (parts) => {
      calls += 1;
      return Promise.reject(
        new ApiError({
          status: 422,
          errors: [
            {
              path: `partNumbers[${parts.length - 1}]`,
              code: 'part_number.unknown',
              message: 'no price',
            },
          ],
        }),
      );
    });
    expect(calls).toBe(2);
    expect(byPart.size).toBe(0);
    expect([...unpriced]).toEqual(['SKY-B']);
  });
});

describe('unpricedOf', () => {
  it('reads the parts a 422 names, by index or, without one, by name', () => {
    const error = new ApiError({
      status: 422,
      errors: [
        { path: 'partNumbers[1]', code: 'part_number.unknown', message: 'SKY-B has no GBP price' },
        {
          path: 'partNumbers',
          code: 'part_number.unknown',
          message: 'SKY-C is not in the skyline catalog',
        },
      ],
    });
    expect([...unpricedOf(error, ['SKY-A', 'SKY-B', 'SKY-C'])]).toEqual(['SKY-B', 'SKY-C']);
    expect(unpricedOf(new Error('offline'), ['SKY-A']).size).toBe(0);
  });
});
