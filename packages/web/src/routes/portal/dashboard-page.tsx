import { Anchor, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { readAllPages, WHOLE_READ_PAGE_SIZE } from '../../api/paged';
import { useOrder, useProfile, useVendorName } from '../../api/queries';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { StatusBadge } from '../../components/status-badge';
import { formatDate, formatDateTime, humanize } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { useMe } from '../../session/session';
import { pathLabel } from '../wizard/wizard-model';

const OPEN = ['submitted', 'booking', 'provisioning', 'on_hold'] as const;

/** Problems listed under a held order's reason; the rest are on the order page. */
const SHOWN_PROBLEMS = 5;

/**
 * A held order: the desk's reason, and under it what the desk marked (a reason often says "see
 * below" of those), read from the order itself since the list does not carry them.
 */
function HeldOrder({
  id,
  number,
  vendor,
  reason,
}: {
  id: string;
  number: string;
  vendor: string;
  reason: string | null;
}) {
  const order = useOrder(id);
  const profile = useProfile(vendor);
  const problems = (order.data?.problems ?? []).filter((p) => p.severity === 'error');
  return (
    <Card withBorder padding="sm">
      <Group justify="space-between" align="flex-start">
        <Anchor component={Link} to={`/orders/${id}`}>
          {number}
        </Anchor>
        <Stack gap={2} style={{ flex: '1 1 240px' }}>
          {reason && <Text size="sm">{reason}</Text>}
          {problems.length > 0 ? (
            <Stack component="ul" gap={0} m={0} pl="md" aria-label={`Problems of ${number}`}>
              {problems.slice(0, SHOWN_PROBLEMS).map((p, i) => (
                <Text component="li" size="sm" key={i}>
                  {p.path ? `${pathLabel(profile.data, p.path)}: ` : ''}
                  {p.message}
                </Text>
              ))}
              {problems.length > SHOWN_PROBLEMS && (
                <Text component="li" size="sm" c="dimmed">
                  {problems.length - SHOWN_PROBLEMS} more on the order page
                </Text>
              )}
            </Stack>
          ) : (
            !reason && <Text size="sm">See the order for the reasons.</Text>
          )}
        </Stack>
      </Group>
    </Card>
  );
}

export default function DashboardPage() {
  const me = useMe();
  const vendorName = useVendorName();
  // The counts and the held orders must be whole, however many closed orders came since: each
  // open status is read to its last page (the newest 100 orders of any status left older open
  // ones out).
  const orders = useQuery({
    queryKey: ['orders', 'dashboard'],
    queryFn: async () => {
      const byStatus = await Promise.all(
        OPEN.map((status) =>
          readAllPages(async (cursor) =>
            unwrap(
              await api.GET('/api/v1/orders', {
                params: {
                  query: { status, limit: WHOLE_READ_PAGE_SIZE, ...(cursor ? { cursor } : {}) },
                },
              }),
            ),
          ),
        ),
      );
      return byStatus.flat().sort((a, b) => b.submittedAt.localeCompare(a.submittedAt));
    },
    refetchInterval: 30_000,
  });
  const quotes = useQuery({
    queryKey: ['quotes', 'approved'],
    queryFn: () =>
      readAllPages(async (cursor) =>
        unwrap(
          await api.GET('/api/v1/quotes', {
            params: {
              query: {
                status: 'approved',
                limit: WHOLE_READ_PAGE_SIZE,
                ...(cursor ? { cursor } : {}),
              },
            },
          }),
        ),
      ),
  });
  return (
    <Stack>
      <PageHeader title={`Welcome, ${me.name}`} />
      <QueryState query={orders}>
        {(items) => {
          const open = items.filter((o) => (OPEN as readonly string[]).includes(o.status));
          const held = items.filter((o) => o.status === 'on_hold');
          return (
            <Stack>
              <SimpleGrid cols={{ base: 2, sm: 4 }} aria-label="Open orders by status">
                {OPEN.map((status) => (
                  <Card key={status} withBorder padding="md">
                    <Text size="sm" c="dimmed">
                      {humanize(status)}
                    </Text>
                    <Text size="xl" fw={700}>
                      {open.filter((o) => o.status === status).length}
                    </Text>
                  </Card>
                ))}
              </SimpleGrid>
              <section aria-labelledby="held-title">
                <Title order={3} id="held-title" size="h4" mb="xs">
                  Orders on hold, waiting for you
                </Title>
                {held.length === 0 ? (
                  <Text c="dimmed">Nothing on hold.</Text>
                ) : (
                  <Stack gap="xs">
                    {held.map((o) => (
                      <HeldOrder
                        key={o.id}
                        id={o.id}
                        number={o.number}
                        vendor={o.vendor}
                        reason={o.holdReason}
                      />
                    ))}
                  </Stack>
                )}
              </section>
              <section aria-labelledby="open-title">
                <Title order={3} id="open-title" size="h4" mb="xs">
                  Open orders
                </Title>
                <Table.ScrollContainer minWidth={560}>
                  <Table striped>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Order</Table.Th>
                        <Table.Th>Vendor</Table.Th>
                        <Table.Th>Status</Table.Th>
                        <Table.Th>Total</Table.Th>
                        <Table.Th>Acknowledge by</Table.Th>
                        <Table.Th>Fulfil by</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {open.map((o) => (
                        <Table.Tr key={o.id}>
                          <Table.Td>
                            <Anchor component={Link} to={`/orders/${o.id}`}>
                              {o.number}
                            </Anchor>
                          </Table.Td>
                          <Table.Td>{vendorName(o.vendor)}</Table.Td>
                          <Table.Td>
                            <StatusBadge status={o.status} label={o.statusLabel} />
                          </Table.Td>
                          <Table.Td>{formatMoney(o.total, o.currency)}</Table.Td>
                          <Table.Td>{formatDateTime(o.sla.acknowledgeBy)}</Table.Td>
                          <Table.Td>{formatDateTime(o.sla.fulfilBy)}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              </section>
            </Stack>
          );
        }}
      </QueryState>
      <section aria-labelledby="quotes-title">
        <Title order={3} id="quotes-title" size="h4" mb="xs">
          Quotes waiting for you
        </Title>
        <QueryState query={quotes}>
          {(items) =>
            items.length === 0 ? (
              <Text c="dimmed">No approved quotes waiting.</Text>
            ) : (
              <Stack gap="xs">
                {items.map((q) => (
                  <Group key={q.id} justify="space-between">
                    <Anchor component={Link} to={`/quotes/${q.id}`}>
                      {q.number} (rev. {q.revision})
                    </Anchor>
                    <Text size="sm">
                      {formatMoney(q.total, q.currency)} · valid until {formatDate(q.validUntil)}
                    </Text>
                  </Group>
                ))}
              </Stack>
            )
          }
        </QueryState>
      </section>
    </Stack>
  );
}
