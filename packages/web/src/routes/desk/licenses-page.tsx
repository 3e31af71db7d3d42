import { Anchor, Button, Group, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap, type License } from '../../api/client';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { usePartnerships } from '../../api/queries';
import { formatDateTime } from '../../lib/format';
import { useMe } from '../../session/session';

/** The vendor's licenses; by default the report of those still unauthorized. */
export default function LicensesPage() {
  const me = useMe();
  const vendor = me.vendor?.slug ?? '';
  const [params, setParams] = useSearchParams();
  const show = params.get('show') ?? 'unauthorized';
  const partners = usePartnerships(vendor);
  const partnerName = (id: string) =>
    partners.data?.find((p) => p.partner.id === id)?.partner.name ?? id;
  const licenses = useQuery({
    queryKey: ['licenses', vendor, show],
    enabled: !!vendor,
    placeholderData: keepPreviousData,
    queryFn: async () => {
      const data = unwrap(
        await api.GET('/api/v1/licenses', {
          params: {
            query: {
              vendor,
              limit: 200,
              ...(show === 'all' ? {} : { authorized: show === 'authorized' ? 'true' : 'false' }),
            },
          },
        }),
      );
      return typeof data === 'string' ? [] : data.items;
    },
  });
  const csv = `/api/v1/licenses?vendor=${encodeURIComponent(vendor)}&authorized=false&format=csv`;
  return (
    <Stack>
      <PageHeader title="Licenses">
        <Button component="a" href={csv} variant="default">
          Unauthorized licenses (CSV)
        </Button>
      </PageHeader>
      <Group>
        <SegmentedControl
          aria-label="Which licenses"
          value={show}
          onChange={(v) => setParams(v === 'unauthorized' ? {} : { show: v })}
          data={[
            { value: 'unauthorized', label: 'Unauthorized' },
            { value: 'authorized', label: 'Authorized' },
            { value: 'all', label: 'All' },
          ]}
        />
      </Group>
      <QueryState query={licenses}>
        {(items: License[]) =>
          items.length === 0 ? (
            <Text c="dimmed">No licenses here.</Text>
          ) : (
            <Table.ScrollContainer minWidth={640}>
              <Table striped highlightOnHover aria-label="Licenses">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>License ID</Table.Th>
                    <Table.Th>Part number</Table.Th>
                    <Table.Th>Host ID</Table.Th>
                    <Table.Th>Partner</Table.Th>
                    <Table.Th>Registered</Table.Th>
                    <Table.Th>Authorized</Table.Th>
                    <Table.Th>Order</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((l) => (
                    <Table.Tr key={l.id}>
                      <Table.Td>
                        {l.licenseId}
                        {l.preBundled && (
                          <Text size="xs" c="dimmed">
                            pre-bundled
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>{l.partNumber}</Table.Td>
                      <Table.Td>{l.hostId ?? '—'}</Table.Td>
                      <Table.Td>{partnerName(l.partnerId)}</Table.Td>
                      <Table.Td>{formatDateTime(l.registeredAt)}</Table.Td>
                      <Table.Td>{l.authorized ? formatDateTime(l.authorizedAt) : 'No'}</Table.Td>
                      <Table.Td>
                        {l.orderId ? (
                          <Anchor component={Link} to={`/orders/${l.orderId}`}>
                            The order
                          </Anchor>
                        ) : (
                          '—'
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
    </Stack>
  );
}
