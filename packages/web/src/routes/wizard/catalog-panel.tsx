import { useEffect, useMemo, useState } from 'react';
import {
  Button,
  Card,
  Grid,
  Group,
  NavLink,
  ScrollArea,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Category, type Product } from '../../api/client';
import { usePaged, type Page } from '../../api/paged';
import { formatMoney } from '../../lib/money';
import { priceParts } from './catalog-prices';

export interface PricedProduct extends Product {
  listPrice: string | null;
  multiplier: string | null;
  netPrice: string | null;
  /** The server said it has no price (in the list in force); not just "not known". */
  unpriced: boolean;
}

/** Products per page of the catalog; "Show more" reads the next page. */
export const CATALOG_PAGE_SIZE = 20;

/** The part-number prefix a vendor's catalog shares ("SKY-" of SKY-BLF-DOCS-BAS-1M). */
export function partNumberPrefix(partNumber: string): string | null {
  const match = /^[A-Za-z0-9]+[-_.]/.exec(partNumber);
  return match ? match[0] : null;
}

function CategoryTree({
  categories,
  parent,
  selected,
  onSelect,
}: {
  categories: readonly Category[];
  parent: string | null;
  selected: string | null;
  onSelect: (key: string | null) => void;
}) {
  const children = categories.filter((c) => c.parent === parent);
  if (children.length === 0) return null;
  return (
    <>
      {children.map((c) => {
        const hasChildren = categories.some((x) => x.parent === c.key);
        return (
          <NavLink
            key={c.key}
            component="button"
            label={c.name}
            active={selected === c.key}
            onClick={() => onSelect(selected === c.key ? null : c.key)}
            defaultOpened={hasChildren}
            childrenOffset={12}
            py={4}
          >
            {hasChildren ? (
              <CategoryTree
                categories={categories}
                parent={c.key}
                selected={selected}
                onSelect={onSelect}
              />
            ) : undefined}
          </NavLink>
        );
      })}
    </>
  );
}

/** The vendor's catalog: category tree, as-you-type search, net prices, an Add per product. */
export function CatalogPanel({
  vendor,
  currency,
  onAdd,
  added,
}: {
  vendor: string;
  currency: string;
  onAdd: (product: PricedProduct) => void;
  added: ReadonlySet<string>;
}) {
  const [q, setQ] = useState('');
  const [category, setCategory] = useState<string | null>(null);
  const [debouncedQ] = useDebouncedValue(q.trim(), 250);
  const categories = useQuery({
    queryKey: ['categories', vendor],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/categories', { params: { query: { vendor } } })).items,
    staleTime: 5 * 60_000,
  });
  const products = usePaged({
    queryKey: ['products', vendor, debouncedQ, category],
    keepPrevious: true,
    fetchPage: async (cursor): Promise<Page<PricedProduct>> => {
      const page = unwrap(
        await api.GET('/api/v1/products', {
          params: {
            query: {
              vendor,
              limit: CATALOG_PAGE_SIZE,
              ...(debouncedQ ? { q: debouncedQ } : {}),
              ...(category ? { category } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      );
      const found = page.items;
      if (found.length === 0) return { items: [], nextCursor: page.nextCursor };
      // One part without a price fails the request for all: asked again without it
      // (catalog-prices.ts), so that the priced products still show theirs.
      const { byPart, unpriced } = await priceParts(
        found.map((p) => p.partNumber),
        async (partNumbers) =>
          unwrap(
            await api.GET('/api/v1/prices', {
              params: { query: { vendor, partNumbers: partNumbers.join(',') } },
            }),
          ),
      );
      return {
        items: found.map((p): PricedProduct => ({
          ...p,
          listPrice: byPart.get(p.partNumber)?.listPrice ?? null,
          multiplier: byPart.get(p.partNumber)?.multiplier ?? null,
          netPrice: byPart.get(p.partNumber)?.netPrice ?? null,
          unpriced: unpriced.has(p.partNumber),
        })),
        nextCursor: page.nextCursor,
      };
    },
  });
  const results = products.data ?? [];
  const more = products.hasNextPage && !products.isPlaceholderData;
  const categoryName = useMemo(
    () => categories.data?.find((c) => c.key === category)?.name,
    [categories.data, category],
  );
  // The vendor's own part-number prefix as the search's example, from the first product of the
  // unfiltered catalog (kept once seen); a neutral hint until then, or when there is none.
  const [prefix, setPrefix] = useState<string | null>(null);
  const first = !debouncedQ && !category ? results[0]?.partNumber : undefined;
  useEffect(() => {
    if (first && prefix === null) setPrefix(partNumberPrefix(first));
  }, [first, prefix]);
  return (
    <Grid gap="md">
      <Grid.Col span={{ base: 12, md: 4 }}>
        <Stack gap="xs" component="nav" aria-label="Categories">
          <Text fw={600} size="sm">
            Categories
          </Text>
          <ScrollArea.Autosize mah={320}>
            <NavLink
              component="button"
              label="All products"
              active={category === null}
              onClick={() => setCategory(null)}
              py={4}
            />
            <CategoryTree
              categories={categories.data ?? []}
              parent={null}
              selected={category}
              onSelect={setCategory}
            />
          </ScrollArea.Autosize>
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 8 }}>
        <Stack gap="xs">
          <TextInput
            label="Search products"
            description="Part-number prefix or words of the name"
            placeholder={prefix ? `e.g. ${prefix}` : 'Part number or words'}
            type="search"
            value={q}
            onChange={(e) => setQ(e.currentTarget.value)}
          />
          <Text size="sm" c="dimmed" aria-live="polite">
            {products.isFetching && !products.isFetchingNextPage
              ? 'Searching…'
              : `Showing ${results.length} product${results.length === 1 ? '' : 's'}${categoryName ? ` in ${categoryName}` : ''}${more ? ' (more available)' : ''}`}
          </Text>
          <Stack gap={6} aria-label="Search results">
            {results.map((p) => (
              <Card key={p.partNumber} withBorder padding="xs">
                <Group justify="space-between" wrap="nowrap" align="flex-start">
                  <div style={{ minWidth: 0 }}>
                    <Text size="sm" fw={600}>
                      {p.name}
                    </Text>
                    <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                      {p.partNumber}
                    </Text>
                    {p.unpriced ? (
                      <Text size="xs" c="dimmed">
                        No price in the current price list
                      </Text>
                    ) : (
                      <Text size="xs">
                        Net {formatMoney(p.netPrice, currency)}
                        {p.listPrice ? ` (list ${formatMoney(p.listPrice, currency)})` : ''}
                      </Text>
                    )}
                  </div>
                  <Button
                    size="xs"
                    variant={added.has(p.partNumber) ? 'light' : 'filled'}
                    onClick={() => onAdd(p)}
                    aria-label={
                      added.has(p.partNumber)
                        ? `Add one more ${p.partNumber}`
                        : `Add ${p.partNumber}`
                    }
                  >
                    {added.has(p.partNumber) ? 'Add one more' : 'Add'}
                  </Button>
                </Group>
              </Card>
            ))}
          </Stack>
          {more && (
            <Button
              variant="default"
              w="fit-content"
              loading={products.isFetchingNextPage}
              onClick={() => void products.fetchNextPage()}
            >
              Show more
            </Button>
          )}
        </Stack>
      </Grid.Col>
    </Grid>
  );
}
