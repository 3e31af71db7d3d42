import { Anchor, Card, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap, type SlaSummary } from '../../api/client';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { StatusBadge } from '../../components/status-badge';
import { formatDate, formatDateTime, formatNumber, humanize } from '../../lib/format';
import { formatMoney } from '../../lib/money';

const STAGES = [
  { key: 'acknowledge', label: 'Acknowledge' },
  { key: 'fulfil', label: 'Fulfil' },
] as const;

function StageCard({
  label,
  counts,
}: {
  label: string;
  counts: SlaSummary['stages']['acknowledge'];
}) {
  const id = `sla-stage-${label.toLowerCase()}`;
  return (
    <Card withBorder padding="sm" component="section" aria-labelledby={id}>
      <Title order={3} size="h5" id={id} mb={4}>
        {label}
      </Title>
      <Table variant="vertical" withRowBorders={false}>
        <Table.Tbody>
          <Table.Tr>
            <Table.Th>Open</Table.Th>
            <Table.Td>{formatNumber(counts.open)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Due today</Table.Th>
            <Table.Td>{formatNumber(counts.dueToday)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Overdue</Table.Th>
            <Table.Td
              c={counts.overdue ? 'red.9' : undefined}
              fw={counts.overdue ? 700 : undefined}
            >
              {formatNumber(counts.overdue)}
            </Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
    </Card>
  );
}

/** Per SLA stage: open, due today, overdue; and the overdue orders, refreshed while open. */
export default function SlaPage() {
  const summary = useQuery({
    queryKey: ['sla'],
    refetchInterval: 60_000,
    queryFn: async () => unwrap(await api.GET('/api/v1/sla', { params: { query: {} } })),
  });
  return (
    <Stack>
      <PageHeader title="Service levels" />
      <QueryState query={summary}>
        {(s) => (
          <Stack>
            <Text size="sm" c="dimmed">
              Today is {formatDate(s.today)} in the vendor&apos;s time zone ({s.timeZone}); as of{' '}
              {formatDateTime(s.at)}.
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {STAGES.map((stage) => (
                <StageCard key={stage.key} label={stage.label} counts={s.stages[stage.key]} />
              ))}
            </SimpleGrid>
            <section aria-labelledby="overdue-title">
              <Title order={3} size="h4" id="overdue-title" mb="xs">
                Overdue orders
              </Title>
              {s.overdue.length === 0 ? (
                <Text c="dimmed">Nothing overdue.</Text>
              ) : (
                <Table.ScrollContainer minWidth={640}>
                  <Table striped highlightOnHover>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Order</Table.Th>
                        <Table.Th>Type</Table.Th>
                        <Table.Th>Status</Table.Th>
                        <Table.Th>Acknowledge by</Table.Th>
                        <Table.Th>Fulfil by</Table.Th>
                        <Table.Th>Breaches</Table.Th>
                        <Table.Th>Total</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {s.overdue.map((o) => (
                        <Table.Tr key={o.id}>
                          <Table.Td>
                            <Anchor component={Link} to={`/orders/${o.id}`}>
                              {o.number}
                            </Anchor>
                          </Table.Td>
                          <Table.Td>{humanize(o.type)}</Table.Td>
                          <Table.Td>
                            <StatusBadge status={o.status} label={o.statusLabel} />
                          </Table.Td>
                          <Table.Td>
                            {o.sla.acknowledgedAt
                              ? `done ${formatDateTime(o.sla.acknowledgedAt)}`
                              : formatDateTime(o.sla.acknowledgeBy)}
                          </Table.Td>
                          <Table.Td>{formatDateTime(o.sla.fulfilBy)}</Table.Td>
                          <Table.Td c="red.9">
                            {o.sla.breaches.map((b) => humanize(b)).join(', ') || '—'}
                          </Table.Td>
                          <Table.Td>{formatMoney(o.total, o.currency)}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              )}
            </section>
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}
