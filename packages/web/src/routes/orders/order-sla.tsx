import { Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import type { Order } from '../../api/client';
import { formatDateTime } from '../../lib/format';

function Target({
  label,
  by,
  done,
  breached,
}: {
  label: string;
  by: string | null;
  done: string | undefined;
  breached: boolean;
}) {
  const late = !done && by !== null && new Date(by).getTime() < Date.now();
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Text size="sm" c="dimmed" w={120} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Stack gap={2}>
        <Text size="sm">{by ? `by ${formatDateTime(by)}` : 'no target'}</Text>
        {done && <Text size="sm">done {formatDateTime(done)}</Text>}
        {(breached || late) && (
          <Badge color="red.9" variant="filled" style={{ textTransform: 'none' }}>
            {breached ? 'Breached' : 'Overdue'}
          </Badge>
        )}
      </Stack>
    </Group>
  );
}

/** The order's SLA targets, when they were met, and the breaches recorded. */
export function OrderSla({ order }: { order: Order }) {
  const { sla } = order;
  if (!sla.acknowledgeBy && !sla.fulfilBy && sla.breaches.length === 0) return null;
  return (
    <Card withBorder padding="sm" component="section" aria-labelledby="sla-title" mt="sm">
      <Title order={3} size="h5" id="sla-title" mb={4}>
        Service level
      </Title>
      <Stack gap={6}>
        <Target
          label="Acknowledge"
          by={sla.acknowledgeBy}
          done={sla.acknowledgedAt}
          breached={sla.breaches.includes('acknowledge')}
        />
        <Target
          label="Fulfil"
          by={sla.fulfilBy}
          done={sla.fulfilledAt}
          breached={sla.breaches.includes('fulfil')}
        />
      </Stack>
    </Card>
  );
}
