import {
  keepPreviousData,
  useInfiniteQuery,
  type InfiniteData,
  type QueryKey,
  type UseInfiniteQueryOptions,
} from '@tanstack/react-query';

/** One page of a list route: its items and the cursor of the next page (null on the last). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Fetches the page that starts at `cursor` (undefined: the first page). */
export type PageFetcher<T> = (cursor: string | undefined) => Promise<Page<T>>;

/** The page size of a list read whole (the API's most for a paged list route). */
export const WHOLE_READ_PAGE_SIZE = 500;

/** The cursor of the page after `page`; undefined tells TanStack Query there is none. */
export function nextPageParam(page: Page<unknown>): string | undefined {
  return page.nextCursor ?? undefined;
}

/** The items of the pages read so far, in order. */
export function flattenPages<T>(data: InfiniteData<Page<T>, string | undefined>): T[] {
  return data.pages.flatMap((page) => page.items);
}

/**
 * Every item of a list, page after page until `nextCursor` is null: for pickers that must
 * offer the whole set (customers). A cursor answered twice would loop forever: it is an error.
 */
export async function readAllPages<T>(fetchPage: PageFetcher<T>): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (;;) {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    if (page.nextCursor === null) return items;
    if (seen.has(page.nextCursor)) throw new Error('The list answered the same cursor twice');
    seen.add(page.nextCursor);
    cursor = page.nextCursor;
  }
}

export interface PagedOptions<T> {
  /** The list's key, filters included: a new filter starts again from the first page. */
  queryKey: QueryKey;
  fetchPage: PageFetcher<T>;
  /** Keeps the previous filter's rows on screen while the new filter's first page loads. */
  keepPrevious?: boolean;
  refetchInterval?: number;
  enabled?: boolean;
}

/** The infinite-query options of a paged list (exported so the page logic is tested alone). */
export function pagedQueryOptions<T>({
  queryKey,
  fetchPage,
  keepPrevious = false,
  refetchInterval,
  enabled,
}: PagedOptions<T>): UseInfiniteQueryOptions<Page<T>, Error, T[], QueryKey, string | undefined> {
  return {
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined,
    getNextPageParam: nextPageParam,
    select: flattenPages,
    ...(keepPrevious ? { placeholderData: keepPreviousData } : {}),
    ...(refetchInterval !== undefined ? { refetchInterval } : {}),
    ...(enabled !== undefined ? { enabled } : {}),
  };
}

/**
 * A list read a page at a time: `data` is the items of the pages read so far; `hasNextPage`,
 * `fetchNextPage` and `isFetchingNextPage` drive a "Load more" button (components/load-more).
 */
export function usePaged<T>(options: PagedOptions<T>) {
  return useInfiniteQuery(pagedQueryOptions(options));
}
