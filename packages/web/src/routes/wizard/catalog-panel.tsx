import { useMemo, useState } from 'react';
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
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap, type Category, type Product } from '../../api/client';
import { formatMoney } from '../../lib/money';

export interface PricedProduct extends Product {
  listPrice: string | null;
  multiplier: string | null;
  netPrice: string | null;
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
  const products = useQuery({
    queryKey: ['products', vendor, debouncedQ, category],
    placeholderData: keepPreviousData,
    queryFn: async () => {
      const found = unwrap(
        await api.GET('/api/v1/products', {
          params: {
            query: {
              vendor,
              limit: 12,
              ...(debouncedQ ? { q: debouncedQ } : {}),
              ...(category ? { category } : {}),
            },
          },
        }),
      ).items;
      if (found.length === 0) return [];
      const prices = await api.GET('/api/v1/prices', {
        params: { query: { vendor, partNumbers: found.map((p) => p.partNumber).join(',') } },
      });
      const byPart = new Map((prices.data?.items ?? []).map((i) => [i.partNumber, i]));
      return found.map((p): PricedProduct => ({
        ...p,
        listPrice: byPart.get(p.partNumber)?.listPrice ?? null,
        multiplier: byPart.get(p.partNumber)?.multiplier ?? null,
        netPrice: byPart.get(p.partNumber)?.netPrice ?? null,
      }));
    },
  });
  const results = products.data ?? [];
  const categoryName = useMemo(
    () => categories.data?.find((c) => c.key === category)?.name,
    [categories.data, category],
  );
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
            placeholder="e.g. SKY-"
            type="search"
            value={q}
            onChange={(e) => setQ(e.currentTarget.value)}
          />
          <Text size="sm" c="dimmed" aria-live="polite">
            {products.isFetching
              ? 'Searching…'
              : `${results.length} product${results.length === 1 ? '' : 's'}${categoryName ? ` in ${categoryName}` : ''}`}
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
                    <Text size="xs">
                      Net {formatMoney(p.netPrice, currency)}
                      {p.listPrice ? ` (list ${formatMoney(p.listPrice, currency)})` : ''}
                    </Text>
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
        </Stack>
      </Grid.Col>
    </Grid>
  );
}
