import { useState } from 'react';
import { Badge, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { humanize } from '../../lib/format';

/** The vendor's catalog with as-you-type search (part-number prefix or words). */
export default function CatalogPage() {
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q.trim(), 250);
  const products = useQuery({
    queryKey: ['products', 'catalog', debounced],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/products', {
          params: { query: { limit: 50, active: 'false', ...(debounced ? { q: debounced } : {}) } },
        }),
      ).items,
  });
  return (
    <Stack>
      <PageHeader title="Catalog" />
      <TextInput
        label="Search products"
        type="search"
        value={q}
        onChange={(e) => setQ(e.currentTarget.value)}
        maw={420}
      />
      <QueryState query={products}>
        {(items) =>
          items.length === 0 ? (
            <Text c="dimmed">No products found.</Text>
          ) : (
            <Table.ScrollContainer minWidth={560}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Part number</Table.Th>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Type</Table.Th>
                    <Table.Th>Category</Table.Th>
                    <Table.Th>Active</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((p) => (
                    <Table.Tr key={p.partNumber}>
                      <Table.Td>{p.partNumber}</Table.Td>
                      <Table.Td>{p.name}</Table.Td>
                      <Table.Td>{humanize(p.type)}</Table.Td>
                      <Table.Td>{p.category ?? '—'}</Table.Td>
                      <Table.Td>
                        <Badge color={p.active ? 'green' : 'gray'} variant="light">
                          {p.active ? 'Active' : 'Inactive'}
                        </Badge>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
    </Stack>
  );
}
