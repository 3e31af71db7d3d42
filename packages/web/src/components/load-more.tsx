import { Button, Center } from '@mantine/core';

/** What a "Load more" button needs of a paged list (usePaged's answer). */
export interface MorePages {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  isPlaceholderData: boolean;
  fetchNextPage: () => Promise<unknown>;
}

/**
 * Reads the list's next page, under its table; absent on the last page, and while a new
 * filter's first page is loading (the rows shown are still the previous filter's).
 */
export function LoadMore({ pages, what }: { pages: MorePages; what: string }) {
  if (!pages.hasNextPage || pages.isPlaceholderData) return null;
  return (
    <Center>
      <Button
        variant="default"
        aria-label={`Load more ${what}`}
        aria-busy={pages.isFetchingNextPage}
        loading={pages.isFetchingNextPage}
        onClick={() => void pages.fetchNextPage()}
      >
        Load more
      </Button>
    </Center>
  );
}
