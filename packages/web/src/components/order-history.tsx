import { Badge, Card, Group, Stack, Text, Timeline, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { formatDateTime, humanize } from '../lib/format';
import { QueryState } from './query-state';

/** The order's events, oldest first: who did what, when and why. */
export function OrderTimeline({ orderId }: { orderId: string }) {
  const events = useQuery({
    queryKey: ['order', orderId, 'events'],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/orders/{id}/events', { params: { path: { id: orderId } } }))
        .items,
  });
  return (
    <section aria-labelledby="timeline-title">
      <Title order={3} size="h4" id="timeline-title" mb="xs">
        Timeline
      </Title>
      <QueryState query={events}>
        {(items) => (
          <Timeline bulletSize={14} lineWidth={2}>
            {items.map((e, i) => (
              <Timeline.Item key={`${e.at}-${i}`} title={humanize(e.type.replace(/^order\./, ''))}>
                <Text size="xs" c="dimmed">
                  {formatDateTime(e.at)} · {e.actor}
                  {e.from && e.to ? ` · ${humanize(e.from)} → ${humanize(e.to)}` : ''}
                </Text>
                {e.reason && <Text size="sm">{e.reason}</Text>}
              </Timeline.Item>
            ))}
          </Timeline>
        )}
      </QueryState>
    </section>
  );
}

/** The e-mail thread of an order or a quote. */
export function MessageThread({ kind, id }: { kind: 'orders' | 'quotes'; id: string }) {
  const messages = useQuery({
    queryKey: [kind === 'orders' ? 'order' : 'quote', id, 'messages'],
    queryFn: async () =>
      kind === 'orders'
        ? unwrap(await api.GET('/api/v1/orders/{id}/messages', { params: { path: { id } } })).items
        : unwrap(await api.GET('/api/v1/quotes/{id}/messages', { params: { path: { id } } })).items,
  });
  return (
    <section aria-labelledby="thread-title">
      <Title order={3} size="h4" id="thread-title" mb="xs">
        E-mail thread
      </Title>
      <QueryState query={messages}>
        {(items) =>
          items.length === 0 ? (
            <Text c="dimmed" size="sm">
              No messages yet.
            </Text>
          ) : (
            <Stack gap="xs">
              {items.map((m) => (
                <Card key={m.id} withBorder padding="sm">
                  <Group justify="space-between" wrap="wrap">
                    <Text fw={600} size="sm">
                      {m.subject}
                    </Text>
                    <Badge variant="outline" size="sm" style={{ textTransform: 'none' }}>
                      {m.direction === 'in' ? 'received' : m.status.replace('_', ' ')}
                    </Badge>
                  </Group>
                  <Text size="xs" c="dimmed">
                    {formatDateTime(m.at)} · from {m.from} to {m.to.join(', ')}
                    {m.cc.length ? ` · cc ${m.cc.join(', ')}` : ''}
                  </Text>
                  <Text size="sm" mt={4} style={{ whiteSpace: 'pre-wrap' }} lineClamp={8}>
                    {m.text}
                  </Text>
                  {m.attachments.length > 0 && (
                    <Text size="xs" c="dimmed">
                      Attachments: {m.attachments.map((a) => a.name).join(', ')}
                    </Text>
                  )}
                </Card>
              ))}
            </Stack>
          )
        }
      </QueryState>
    </section>
  );
}
