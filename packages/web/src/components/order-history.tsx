import { useState } from 'react';
import {
  Badge,
  Button,
  Card,
  Group,
  Stack,
  Text,
  TextInput,
  Textarea,
  Timeline,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, idempotencyKey, unwrap } from '../api/client';
import { formatDateTime, humanize } from '../lib/format';
import { isPartner, useMe } from '../session/session';
import { fieldError, WriteError } from './problem-fields';
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

/** The addresses typed into the Cc field: separated by commas, semicolons or spaces. */
function ccList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((a) => a.trim())
    .filter((a) => a !== '');
}

/**
 * Writes on the thread: vendor staff answer the partner, a partner writes to the vendor's desk
 * (POST …/messages). The message is mailed and appears on the thread once sent.
 */
function ReplyForm({ kind, id }: { kind: 'orders' | 'quotes'; id: string }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const [cc, setCc] = useState('');
  // One key per message as written: a retried click sends it once, an edited one is new.
  const [key, setKey] = useState(idempotencyKey);
  const send = useMutation({
    mutationFn: async () => {
      const body = { text, ...(cc.trim() ? { cc: ccList(cc) } : {}) };
      const params = { path: { id }, header: { 'Idempotency-Key': key } };
      return kind === 'orders'
        ? unwrap(await api.POST('/api/v1/orders/{id}/messages', { params, body }))
        : unwrap(await api.POST('/api/v1/quotes/{id}/messages', { params, body }));
    },
    onSuccess: async () => {
      setText('');
      setCc('');
      setKey(idempotencyKey());
      await queryClient.invalidateQueries({
        queryKey: [kind === 'orders' ? 'order' : 'quote', id],
      });
    },
  });
  const edited = () => {
    setKey(idempotencyKey());
    if (send.isError) send.reset();
  };
  return (
    <form
      aria-label="Write on the thread"
      onSubmit={(e) => {
        e.preventDefault();
        send.mutate();
      }}
    >
      <Stack gap="xs">
        <Textarea
          label="Reply"
          description={
            isPartner(me)
              ? "Mailed to the vendor's order desk as an answer on this thread; you get a copy."
              : 'Mailed to the partner as an answer on this thread.'
          }
          withAsterisk
          value={text}
          onChange={(e) => {
            setText(e.currentTarget.value);
            edited();
          }}
          error={fieldError(send.error, 'text')}
          autosize
          minRows={3}
          maxRows={12}
        />
        <TextInput
          label="Cc"
          description="Optional: more addresses to copy, separated by commas."
          value={cc}
          onChange={(e) => {
            setCc(e.currentTarget.value);
            edited();
          }}
          error={fieldError(send.error, 'cc')}
        />
        <WriteError error={send.error} shownAt={['text', 'cc']} />
        {send.isSuccess && (
          <Text size="sm" c="dimmed" role="status">
            Sent.
          </Text>
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={send.isPending}>
            Send
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The e-mail thread of an order or a quote; with `canReply`, a form to write on it. */
export function MessageThread({
  kind,
  id,
  canReply = false,
}: {
  kind: 'orders' | 'quotes';
  id: string;
  canReply?: boolean;
}) {
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
      {canReply && (
        <Card withBorder padding="sm" mt="xs">
          <ReplyForm kind={kind} id={id} />
        </Card>
      )}
    </section>
  );
}
