import { Anchor, Group, Select, Stack, Table, Text } from '@mantine/core';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { usePaged } from '../../api/paged';
import { LoadMore } from '../../components/load-more';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { formatDateTime, humanize } from '../../lib/format';
import { hasRole, useMe } from '../../session/session';
import { ReturnDecision } from '../orders/order-returns';
import { DecideReturnButtons } from './decide-return-buttons';

const RETURN_STATUSES = ['requested', 'approved', 'refused'] as const;
type ReturnStatus = (typeof RETURN_STATUSES)[number];

/**
 * The returns and their decisions (a partner: its own; vendor staff: their vendor's). The API
 * decides each return by the profile's policy when it is requested; those it leaves
 * `requested` the order desk (vendor admin, CAM) approves or refuses here.
 */
export default function ReturnsPage() {
  const me = useMe();
  const decides = hasRole(me, 'order_desk', 'vendor_admin', 'cam');
  const [params, setParams] = useSearchParams();
  const status = params.get('status') as ReturnStatus | null;
  const returns = usePaged({
    queryKey: ['returns', 'list', status],
    keepPrevious: true,
    fetchPage: async (cursor) =>
      unwrap(
        await api.GET('/api/v1/returns', {
          params: {
            query: { limit: 100, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) },
          },
        }),
      ),
  });
  return (
    <Stack>
      <PageHeader title="Returns" />
      <Group>
        <Select
          label="Status"
          placeholder="Any status"
          clearable
          data={RETURN_STATUSES.map((s) => ({ value: s, label: humanize(s) }))}
          value={status}
          onChange={(v) => setParams(v ? { status: v } : {})}
          w={220}
        />
      </Group>
      <QueryState query={returns}>
        {(items) =>
          items.length === 0 ? (
            <Text c="dimmed">No returns.</Text>
          ) : (
            <Table.ScrollContainer minWidth={640}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Requested</Table.Th>
                    <Table.Th>Order</Table.Th>
                    <Table.Th>Lines</Table.Th>
                    <Table.Th>Reason</Table.Th>
                    <Table.Th>Decision</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((r) => (
                    <Table.Tr key={r.id}>
                      <Table.Td>{formatDateTime(r.createdAt)}</Table.Td>
                      <Table.Td>
                        <Anchor component={Link} to={`/orders/${r.orderId}`}>
                          The order
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        {r.lines.map((l) => `line ${l.lineNo} × ${l.quantity}`).join(', ')}
                      </Table.Td>
                      <Table.Td>{r.reason}</Table.Td>
                      <Table.Td>
                        {decides && r.status === 'requested' ? (
                          <DecideReturnButtons returnId={r.id} />
                        ) : (
                          <ReturnDecision r={r} />
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      <LoadMore pages={returns} what="returns" />
    </Stack>
  );
}
