import { Anchor, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap, type Order } from '../../api/client';
import { StatusBadge } from '../../components/status-badge';
import { formatDate } from '../../lib/format';
import { formatMoney } from '../../lib/money';

/** The order's invoice (and any other), linked to its page; nothing before one is issued. */
export function OrderInvoices({ order }: { order: Order }) {
  const invoices = useQuery({
    queryKey: ['invoices', 'order', order.id],
    // Issued after booking or completion, per profile; nothing to ask for before.
    enabled: order.status !== 'submitted',
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/invoices', { params: { query: { orderId: order.id, limit: 10 } } }),
      ).items,
  });
  const items = invoices.data ?? [];
  if (items.length === 0) return null;
  return (
    <Card withBorder padding="sm" component="section" aria-labelledby="invoices-title" mt="sm">
      <Title order={3} size="h5" id="invoices-title" mb={4}>
        Invoice
      </Title>
      <Stack gap={4}>
        {items.map((i) => (
          <Group key={i.id} gap="xs" justify="space-between" wrap="wrap">
            <Anchor component={Link} to={`/invoices/${i.id}`} size="sm">
              Invoice {i.number}
            </Anchor>
            <StatusBadge status={i.status} />
            <Text size="sm">
              {formatMoney(i.total, i.currency)} · due {formatDate(i.dueAt)}
            </Text>
          </Group>
        ))}
      </Stack>
    </Card>
  );
}
