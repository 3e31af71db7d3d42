// The web app's paged lists: a list page reads the first page and each "Load more" the next,
// following `nextCursor` until it is null; a picker reads every page.
import { describe, expect, it } from 'vitest';
import { InfiniteQueryObserver, QueryClient } from '@tanstack/react-query';
import { pagedQueryOptions, readAllPages, type Page } from '../src/api/paged.ts';

/** A list of `total` numbers served `size` at a time, with the cursors asked for. */
function list(total: number, size: number) {
  const asked: (string | undefined)[] = [];
  const fetchPage = (cursor: string | undefined): Promise<Page<number>> => {
    asked.push(cursor);
    const start = cursor === undefined ? 0 : Number(cursor.slice('after-'.length)) + 1;
    const items = Array.from({ length: Math.min(size, total - start) }, (_, i) => start + i);
    const last = items.at(-1);
    return Promise.resolve({
      items,
      nextCursor: last !== undefined && last < total - 1 ? `after-${last}` : null,
    });
  };
  return { asked, fetchPage };
}

describe('readAllPages', () => {
  it('follows nextCursor until it is null and keeps the order', async () => {
    const { asked, fetchPage } = list(1_201, 500);
    const items = await readAllPages(fetchPage);
    expect(items).toHaveLength(1_201);
    expect(items.at(-1)).toBe(1_200);
    expect(asked).toEqual([undefined, 'after-499', 'after-999']);
  });

  it('reads one page when the first is the last (an empty list too)', async () => {
    const { asked, fetchPage } = list(0, 500);
    expect(await readAllPages(fetchPage)).toEqual([]);
    expect(asked).toEqual([undefined]);
  });

  it('stops with an error when the list answers a cursor it answered before', async () => {
    const fetchPage = (): Promise<Page<number>> =>
      Promise.resolve({ items: [1], nextCursor: 'same' });
    await expect(readAllPages(fetchPage)).rejects.toThrow(/same cursor twice/);
  });
});

describe('pagedQueryOptions (usePaged)', () => {
  function observe(total: number, size: number, key: unknown[] = ['numbers']) {
    const source = list(total, size);
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const observer = new InfiniteQueryObserver(
      client,
      pagedQueryOptions({ queryKey: key, fetchPage: source.fetchPage }),
    );
    const unsubscribe = observer.subscribe(() => undefined);
    return { ...source, client, observer, unsubscribe };
  }

  it('shows the first page, then appends each next page until nextCursor is null', async () => {
    const { asked, observer, unsubscribe } = observe(250, 100);
    await observer.refetch();
    let result = observer.getCurrentResult();
    expect(result.data).toHaveLength(100);
    expect(result.data?.[0]).toBe(0);
    expect(result.hasNextPage).toBe(true);

    result = await observer.fetchNextPage();
    expect(result.data).toHaveLength(200);
    expect(result.hasNextPage).toBe(true);

    result = await observer.fetchNextPage();
    expect(result.data).toHaveLength(250);
    expect(result.data?.at(-1)).toBe(249);
    expect(result.hasNextPage).toBe(false);
    expect(asked.filter((c) => c !== undefined)).toEqual(['after-99', 'after-199']);
    unsubscribe();
  });

  it('has no next page when the first page is the whole list', async () => {
    const { observer, unsubscribe } = observe(100, 100);
    await observer.refetch();
    const result = observer.getCurrentResult();
    expect(result.data).toHaveLength(100);
    expect(result.hasNextPage).toBe(false);
    unsubscribe();
  });

  it('starts from the first page again under another key (a new filter)', async () => {
    const { client, observer, asked, unsubscribe } = observe(250, 100, ['numbers', 'a']);
    await observer.refetch();
    await observer.fetchNextPage();
    const other = list(30, 100);
    observer.setOptions(
      pagedQueryOptions({ queryKey: ['numbers', 'b'], fetchPage: other.fetchPage }),
    );
    await observer.refetch();
    const result = observer.getCurrentResult();
    expect(result.data).toHaveLength(30);
    expect(result.hasNextPage).toBe(false);
    expect(other.asked).toEqual([undefined]);
    // The first filter's two pages stay cached under their own key.
    expect(asked.filter((c) => c !== undefined)).toEqual(['after-99']);
    expect(client.getQueryData<{ pages: unknown[] }>(['numbers', 'a'])?.pages).toHaveLength(2);
    unsubscribe();
  });
});
