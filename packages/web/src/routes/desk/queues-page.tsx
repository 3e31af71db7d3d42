import { useMemo, useState } from 'react';
import {
  Anchor,
  Group,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap, type Order } from '../../api/client';
import { usePaged } from '../../api/paged';
import { useProfile } from '../../api/queries';
import { LoadMore } from '../../components/load-more';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { StatusBadge } from '../../components/status-badge';
import { formatAge, formatDateTime, humanize } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { useMe } from '../../session/session';
import { queueOfRoles } from './queue-of-roles';

type QueueStatus = 'submitted' | 'booking' | 'provisioning' | 'on_hold';
type SortKey = 'age' | 'due' | 'total' | 'number';

type ListedOrder = Omit<Order, 'lines' | 'problems'>;

function dueOf(o: ListedOrder): string | null {
  return o.sla.acknowledgeBy ?? o.sla.fulfilBy;
}

function QueueTable({ orders }: { orders: ListedOrder[] }) {
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'age', desc: true });
  const now = Date.now();
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const rows = orders.filter(
      (o) =>
        !f ||
        [o.number, o.type, o.channel, o.purchaseOrder?.number ?? '', o.partnerId]
          .join(' ')
          .toLowerCase()
          .includes(f),
    );
    const value = (o: ListedOrder): number | string => {
      switch (sort.key) {
        case 'age':
          return now - new Date(o.submittedAt).getTime();
        case 'due':
          return dueOf(o) ? new Date(dueOf(o)!).getTime() : Number.MAX_SAFE_INTEGER;
        case 'total':
          return Number(o.total);
        case 'number':
          return o.number;
      }
    };
    return [...rows].sort((a, b) => {
      const x = value(a);
      const y = value(b);
      const c = x < y ? -1 : x > y ? 1 : 0;
      return sort.desc ? -c : c;
    });
  }, [orders, filter, sort, now]);
  const header = (key: SortKey, label: string) => (
    <Table.Th aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <UnstyledButton
        onClick={() => setSort((s) => ({ key, desc: s.key === key ? !s.desc : false }))}
        fw={700}
        fz="sm"
      >
        {label} {sort.key === key ? (sort.desc ? '▼' : '▲') : ''}
        <VisuallyHidden>, sort</VisuallyHidden>
      </UnstyledButton>
    </Table.Th>
  );
  return (
    <Stack gap="xs">
      <TextInput
        label="Filter"
        placeholder="Order or PO number, type, channel"
        value={filter}
        onChange={(e) => setFilter(e.currentTarget.value)}
        maw={360}
      />
      {shown.length === 0 ? (
        <Text c="dimmed">Nothing waiting here.</Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                {header('number', 'Order')}
                <Table.Th>Type</Table.Th>
                <Table.Th>Channel</Table.Th>
                {header('age', 'Age')}
                {header('due', 'SLA due')}
                {header('total', 'Total')}
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((o) => {
                const due = dueOf(o);
                const overdue = due !== null && new Date(due).getTime() < now;
                return (
                  <Table.Tr key={o.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/orders/${o.id}`}>
                        {o.number}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{humanize(o.type)}</Table.Td>
                    <Table.Td>{humanize(o.channel)}</Table.Td>
                    <Table.Td>{formatAge(o.submittedAt, now)}</Table.Td>
                    <Table.Td c={overdue ? 'red' : undefined} fw={overdue ? 700 : undefined}>
                      {due ? formatDateTime(due) : '—'}
                      {overdue ? ' (overdue)' : ''}
                    </Table.Td>
                    <Table.Td>{formatMoney(o.total, o.currency)}</Table.Td>
                    <Table.Td>
                      <StatusBadge status={o.status} label={o.statusLabel} />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

/**
 * The last answer per page of each queue with its ETag: a poll sends If-None-Match and an
 * unchanged page comes back as an empty 304, so polling every few seconds costs the server a
 * hash, not a list.
 */
type QueuePage = NonNullable<Awaited<ReturnType<typeof api.GET<'/api/v1/orders', object>>>['data']>;
const lastSeen = new Map<string, { etag: string; page: QueuePage }>();

async function fetchQueuePage(status: QueueStatus, cursor: string | undefined): Promise<QueuePage> {
  const key = `${status} ${cursor ?? ''}`;
  const previous = lastSeen.get(key);
  const result = await api.GET('/api/v1/orders', {
    // Oldest first: a queue is worked first in, first out, so what waits longest is on the
    // first page, not behind "Load more".
    params: { query: { status, sort: 'oldest', limit: 100, ...(cursor ? { cursor } : {}) } },
    headers: previous ? { 'if-none-match': previous.etag } : {},
  });
  if (result.response.status === 304 && previous) return previous.page;
  const page = unwrap(result);
  const etag = result.response.headers.get('etag');
  if (etag) lastSeen.set(key, { etag, page });
  return page;
}

/** A queue, polled while open; the tab's count and the panel share it (one key). */
function useQueue(status: QueueStatus) {
  return usePaged({
    queryKey: ['orders', 'queue', status],
    refetchInterval: 5_000,
    fetchPage: (cursor) => fetchQueuePage(status, cursor),
  });
}

/** How many orders the queue holds: "100+" while more pages are unread. */
function QueueCount({ status }: { status: QueueStatus }) {
  const queue = useQueue(status);
  return (
    <Text span size="xs" c="dimmed">
      ({queue.data ? `${queue.data.length}${queue.hasNextPage ? '+' : ''}` : '…'})
    </Text>
  );
}

function QueuePanel({ status }: { status: QueueStatus }) {
  const queue = useQueue(status);
  return (
    <Stack>
      <QueryState query={queue}>{(items) => <QueueTable orders={items} />}</QueryState>
      <LoadMore pages={queue} what="orders in this queue" />
    </Stack>
  );
}

/**
 * One queue per workflow stage of the vendor's profile, refreshed while open. The open queue
 * is in the URL (`?queue=booking`), so a link or a reload keeps it.
 */
export default function QueuesPage() {
  const me = useMe();
  const profile = useProfile(me.vendor?.slug);
  const stages: { status: QueueStatus; label: string }[] = [
    ...(profile.data?.workflow.stages ?? []).map((s) => ({ status: s.status, label: s.label })),
    { status: 'on_hold', label: profile.data?.workflow.labels.on_hold ?? 'On hold' },
  ];
  const [params, setParams] = useSearchParams();
  const asked = params.get('queue');
  const tab =
    stages.find((s) => s.status === asked)?.status ??
    (profile.data ? queueOfRoles(profile.data.workflow, me.roles) : undefined) ??
    null;
  const setTab = (value: string | null) => {
    if (!value) return;
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        next.set('queue', value);
        return next;
      },
      { replace: true },
    );
  };
  return (
    <Stack>
      <PageHeader title="Queues" />
      <QueryState query={profile}>
        {() => (
          <Tabs value={tab} onChange={setTab} keepMounted={false}>
            <Tabs.List>
              {stages.map((s) => (
                <Tabs.Tab key={s.status} value={s.status}>
                  <Group gap={6} wrap="nowrap">
                    {s.label}
                    <QueueCount status={s.status} />
                  </Group>
                </Tabs.Tab>
              ))}
            </Tabs.List>
            {stages.map((s) => (
              <Tabs.Panel key={s.status} value={s.status} pt="md">
                <QueuePanel status={s.status} />
              </Tabs.Panel>
            ))}
          </Tabs>
        )}
      </QueryState>
    </Stack>
  );
}
