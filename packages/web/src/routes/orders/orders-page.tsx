import { Anchor, Group, Select, Stack, Table, Text } from '@mantine/core';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { usePaged } from '../../api/paged';
import { useVendorName } from '../../api/queries';
import { LoadMore } from '../../components/load-more';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { StatusBadge } from '../../components/status-badge';
import { formatDate, formatDateTime, humanize } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { isPartner, useMe } from '../../session/session';

export const ORDER_STATUSES = [
  'submitted',
  'booking',
  'provisioning',
  'completed',
  'on_hold',
  'rejected',
  'cancelled',
] as const;
type OrderStatus = (typeof ORDER_STATUSES)[number];

export default function OrdersPage() {
  const me = useMe();
  const vendorName = useVendorName();
  const [params, setParams] = useSearchParams();
  const status = params.get('status') as OrderStatus | null;
  const orders = usePaged({
    queryKey: ['orders', 'list', status],
    keepPrevious: true,
    refetchInterval: 30_000,
    fetchPage: async (cursor) =>
      unwrap(
        await api.GET('/api/v1/orders', {
          params: {
            query: { limit: 100, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) },
          },
        }),
      ),
  });
  return (
    <Stack>
      <PageHeader title="Orders" />
      <Group>
        <Select
          label="Status"
          placeholder="Any status"
          clearable
          data={ORDER_STATUSES.map((s) => ({ value: s, label: humanize(s) }))}
          value={status}
          onChange={(v) => setParams(v ? { status: v } : {})}
          w={220}
        />
      </Group>
      <QueryState query={orders}>
        {(items) =>
          items.length === 0 ? (
            <Text c="dimmed">No orders.</Text>
          ) : (
            <Table.ScrollContainer minWidth={640}>
              <Table striped highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Order</Table.Th>
                    {!isPartner(me) && <Table.Th>Channel</Table.Th>}
                    <Table.Th>Vendor</Table.Th>
                    <Table.Th>Type</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Total</Table.Th>
                    <Table.Th>Submitted</Table.Th>
                    <Table.Th>Fulfil by</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((o) => (
                    <Table.Tr key={o.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/orders/${o.id}`}>
                          {o.number}
                        </Anchor>
                        {o.salesOrderNumber && (
                          <Text size="xs" c="dimmed">
                            {o.salesOrderNumber}
                          </Text>
                        )}
                      </Table.Td>
                      {!isPartner(me) && <Table.Td>{humanize(o.channel)}</Table.Td>}
                      <Table.Td>{vendorName(o.vendor)}</Table.Td>
                      <Table.Td>{humanize(o.type)}</Table.Td>
                      <Table.Td>
                        <StatusBadge status={o.status} label={o.statusLabel} />
                      </Table.Td>
                      <Table.Td>{formatMoney(o.total, o.currency)}</Table.Td>
                      <Table.Td>{formatDate(o.submittedAt)}</Table.Td>
                      <Table.Td>{formatDateTime(o.sla.fulfilBy)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      <LoadMore pages={orders} what="orders" />
    </Stack>
  );
}
