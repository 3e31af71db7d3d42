import { useState } from 'react';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap, type IntakeItem, type Schemas } from '../../api/client';
import { usePaged } from '../../api/paged';
import { useProfile } from '../../api/queries';
import { LoadMore } from '../../components/load-more';
import { PageHeader } from '../../components/page-header';
import { fieldError, WriteError } from '../../components/problem-fields';
import { QueryState } from '../../components/query-state';
import { StatusBadge } from '../../components/status-badge';
import { formatDateTime, humanize } from '../../lib/format';
import { formatMoney } from '../../lib/money';

const INTAKE_STATUSES = ['new', 'unreadable', 'converted', 'rejected'] as const;
type IntakeStatus = (typeof INTAKE_STATUSES)[number];
type Conversion = Schemas['IntakeConversionInput'];

function Field({ label, value }: { label: string; value: string | null | undefined }) {
  if (!value) return null;
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Text size="sm" c="dimmed" w={110} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
        {value}
      </Text>
    </Group>
  );
}

/** What was read from the mail: the PO's header fields and its lines. */
function Extracted({ item }: { item: IntakeItem }) {
  const po = item.extracted.purchaseOrder;
  const currency = po.currency ?? '';
  const money = (v: string | undefined) => (v ? (currency ? formatMoney(v, currency) : v) : '—');
  return (
    <Stack gap="xs">
      <Stack gap={2}>
        <Field label="PO number" value={po.number} />
        <Field label="PO date" value={po.date} />
        <Field label="PO total" value={po.total ? money(po.total) : null} />
        <Field label="Buyer" value={po.buyer} />
        <Field label="Quote" value={item.extracted.quoteNumber} />
        <Field label="Order type" value={item.draft.type ? humanize(item.draft.type) : null} />
        {(item.extracted.contacts ?? []).map((c, i) => (
          <Field
            key={i}
            label={c.role ? humanize(c.role) : 'Contact'}
            value={[c.name, c.email, c.phone].filter(Boolean).join(' · ')}
          />
        ))}
        {Object.entries(item.extracted.attributes ?? {}).map(([k, v]) => (
          <Field key={k} label={humanize(k)} value={v} />
        ))}
      </Stack>
      {item.extracted.lines.length > 0 && (
        <Table.ScrollContainer minWidth={480}>
          <Table>
            <Table.Caption>Lines read from the PO</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Part number</Table.Th>
                <Table.Th>Description</Table.Th>
                <Table.Th ta="right">Qty</Table.Th>
                <Table.Th ta="right">Unit price</Table.Th>
                <Table.Th ta="right">Line total</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {item.extracted.lines.map((l, i) => (
                <Table.Tr key={i}>
                  <Table.Td>{l.partNumber ?? '—'}</Table.Td>
                  <Table.Td>{l.description ?? ''}</Table.Td>
                  <Table.Td ta="right">{l.quantity ?? '—'}</Table.Td>
                  <Table.Td ta="right">{money(l.unitPrice)}</Table.Td>
                  <Table.Td ta="right">{money(l.lineTotal)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {item.extracted.notes.length > 0 && (
        <Text size="xs" c="dimmed">
          {item.extracted.notes.join(' · ')}
        </Text>
      )}
    </Stack>
  );
}

interface Placed {
  id: string;
  number: string;
  subject: string;
}

function ConvertButton({
  item,
  onPlaced,
}: {
  item: IntakeItem;
  onPlaced: (placed: Placed) => void;
}) {
  const queryClient = useQueryClient();
  const profile = useProfile(item.vendor);
  const [opened, setOpened] = useState(false);
  const draftPo = item.draft.purchaseOrder ?? {};
  const [type, setType] = useState<string | null>(item.draft.type ?? null);
  const [customerId, setCustomerId] = useState(item.draft.customerId ?? '');
  const [poNumber, setPoNumber] = useState(draftPo.number ?? '');
  const [poDate, setPoDate] = useState(draftPo.date ?? '');
  const [poTotal, setPoTotal] = useState(draftPo.total ?? '');
  const [poCurrency, setPoCurrency] = useState(draftPo.currency ?? '');
  const [confirmSender, setConfirmSender] = useState(false);
  const flagged = item.flags.length > 0;
  const convert = useMutation({
    mutationFn: async () => {
      const body: Conversion = {};
      if (type && type !== item.draft.type) body.type = type;
      if (customerId.trim() && customerId.trim() !== item.draft.customerId)
        body.customerId = customerId.trim();
      const po = {
        number: poNumber.trim(),
        date: poDate.trim(),
        currency: poCurrency.trim(),
        total: poTotal.trim(),
      };
      const poChanged =
        po.number !== (draftPo.number ?? '') ||
        po.date !== (draftPo.date ?? '') ||
        po.currency !== (draftPo.currency ?? '') ||
        po.total !== (draftPo.total ?? '');
      if (poChanged) {
        // An empty date is no date (optional where the order type says so), not a malformed one.
        const { date, ...rest } = po;
        body.purchaseOrder = {
          ...rest,
          ...(date ? { date } : {}),
          ...(draftPo.specialTerms ? { specialTerms: draftPo.specialTerms } : {}),
          ...(draftPo.notes ? { notes: draftPo.notes } : {}),
        };
      }
      if (flagged) body.confirmSender = confirmSender;
      return unwrap(
        await api.POST('/api/v1/intake/{id}/actions/convert', {
          params: { path: { id: item.id } },
          body,
        }),
      );
    },
    onSuccess: async (order) => {
      // The item leaves the list of new ones (and this card with it): the page says so.
      setOpened(false);
      onPlaced({ id: order.id, number: order.number, subject: item.subject });
      await queryClient.invalidateQueries({ queryKey: ['intake'] });
      await queryClient.invalidateQueries({ queryKey: ['orders'] });
    },
  });
  const err = (path: string) => fieldError(convert.error, path);
  return (
    <>
      <Button
        onClick={() => {
          convert.reset();
          setOpened(true);
        }}
      >
        Convert to order
      </Button>
      <Modal
        closeButtonProps={{ 'aria-label': 'Close dialog' }}
        opened={opened}
        onClose={() => setOpened(false)}
        title={`Convert "${item.subject}" to an order`}
        size="lg"
      >
        {
          <form
            onSubmit={(e) => {
              e.preventDefault();
              convert.mutate();
            }}
          >
            <Stack>
              <Text size="sm">
                The order is placed for {item.partner?.name ?? 'the sender’s partner'} with what was
                read from the mail; correct the fields below where it was read wrong.
              </Text>
              <Select
                label="Order type"
                data={(profile.data?.orderTypes ?? []).map((t) => ({
                  value: t.key,
                  label: t.label,
                }))}
                value={type}
                onChange={setType}
                error={err('type')}
              />
              <TextInput
                label="Customer ID"
                value={customerId}
                onChange={(e) => setCustomerId(e.currentTarget.value)}
                error={err('customerId')}
              />
              <Group grow wrap="wrap" align="flex-start">
                <TextInput
                  label="PO number"
                  value={poNumber}
                  onChange={(e) => setPoNumber(e.currentTarget.value)}
                  error={err('purchaseOrder.number')}
                />
                <TextInput
                  label="PO date"
                  type="date"
                  value={poDate}
                  onChange={(e) => setPoDate(e.currentTarget.value)}
                  error={err('purchaseOrder.date')}
                />
              </Group>
              <Group grow wrap="wrap" align="flex-start">
                <TextInput
                  label="PO total"
                  inputMode="decimal"
                  value={poTotal}
                  onChange={(e) => setPoTotal(e.currentTarget.value)}
                  error={err('purchaseOrder.total')}
                />
                <TextInput
                  label="Currency"
                  value={poCurrency}
                  onChange={(e) => setPoCurrency(e.currentTarget.value)}
                  error={err('purchaseOrder.currency')}
                />
              </Group>
              {flagged && (
                <Checkbox
                  label="I have checked the sender"
                  description={item.flags.map((f) => f.message).join(' ')}
                  checked={confirmSender}
                  onChange={(e) => setConfirmSender(e.currentTarget.checked)}
                  error={err('confirmSender')}
                />
              )}
              <WriteError
                error={convert.error}
                shownAt={['type', 'customerId', 'purchaseOrder', 'confirmSender']}
              />
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setOpened(false)}>
                  Close
                </Button>
                <Button type="submit" loading={convert.isPending}>
                  Place the order
                </Button>
              </Group>
            </Stack>
          </form>
        }
      </Modal>
    </>
  );
}

function RejectButton({ item }: { item: IntakeItem }) {
  const queryClient = useQueryClient();
  const [opened, setOpened] = useState(false);
  const [reason, setReason] = useState('');
  const reject = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/intake/{id}/actions/reject', {
          params: { path: { id: item.id } },
          body: { reason: reason.trim() },
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['intake'] });
      setOpened(false);
    },
  });
  return (
    <>
      <Button
        color="red.9"
        variant="outline"
        onClick={() => {
          setReason('');
          reject.reset();
          setOpened(true);
        }}
      >
        Reject
      </Button>
      <Modal
        closeButtonProps={{ 'aria-label': 'Close dialog' }}
        opened={opened}
        onClose={() => setOpened(false)}
        title={`Reject "${item.subject}"`}
        size="lg"
      >
        <form
          onSubmit={(e) => {
            e.preventDefault();
            reject.mutate();
          }}
        >
          <Stack>
            <Textarea
              label="Reason"
              description={`Required: mailed to ${item.from}.`}
              required
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              error={fieldError(reject.error, 'reason')}
              autosize
              minRows={2}
              data-autofocus
            />
            <WriteError error={reject.error} shownAt={['reason']} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOpened(false)}>
                Close
              </Button>
              <Button type="submit" color="red.9" loading={reject.isPending}>
                Confirm reject
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

function IntakeCard({ item, onPlaced }: { item: IntakeItem; onPlaced: (p: Placed) => void }) {
  const open = item.status === 'new' || item.status === 'unreadable';
  const titleId = `intake-${item.id}`;
  const problems = item.validation.problems;
  return (
    <Card withBorder padding="md" component="article" aria-labelledby={titleId}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap" align="flex-start">
          <Stack gap={0}>
            <Title order={3} size="h5" id={titleId}>
              {item.subject || '(no subject)'}
            </Title>
            <Text size="xs" c="dimmed">
              {formatDateTime(item.receivedAt)} · from {item.from}
              {item.partner ? ` (${item.partner.name})` : ' (no partner recognised)'}
            </Text>
          </Stack>
          <StatusBadge status={item.status} />
        </Group>
        {item.reason && (
          <Text size="sm">
            {item.status === 'rejected' ? 'Rejected: ' : ''}
            {item.reason}
          </Text>
        )}
        {item.flags.map((f) => (
          <Alert key={f.code} color="yellow" variant="light" p="xs" title={humanize(f.code)}>
            <Text size="sm">{f.message}</Text>
          </Alert>
        ))}
        <Extracted item={item} />
        {open && (
          <section aria-label={`Problems of ${item.subject}`}>
            {problems.length === 0 ? (
              <Badge color="teal.9" variant="filled" style={{ textTransform: 'none' }}>
                Validates as an order
              </Badge>
            ) : (
              <Stack gap={2}>
                <Text size="sm" fw={600}>
                  Problems found
                </Text>
                {problems.map((p, i) => (
                  <Text size="sm" key={i} c={p.severity === 'error' ? 'red.9' : undefined}>
                    {p.path}: {p.message}
                  </Text>
                ))}
              </Stack>
            )}
          </section>
        )}
        {item.attachments.length > 0 && (
          <Text size="xs" c="dimmed">
            Attachments: {item.attachments.map((a) => a.name).join(', ')}
          </Text>
        )}
        {item.orderId && (
          <Anchor component={Link} to={`/orders/${item.orderId}`} size="sm">
            The order placed from this mail
          </Anchor>
        )}
        {open && (
          <Group gap="xs">
            <ConvertButton item={item} onPlaced={onPlaced} />
            <RejectButton item={item} />
          </Group>
        )}
      </Stack>
    </Card>
  );
}

/** The mail-received orders waiting for the desk: convert each, or reject it with a reason. */
export default function IntakePage() {
  const [params, setParams] = useSearchParams();
  // "waiting" (the default): new and unreadable mail, both for the desk to decide.
  const status = (params.get('status') ?? 'waiting') as IntakeStatus | 'waiting' | 'all';
  const [placed, setPlaced] = useState<Placed | null>(null);
  const items = usePaged({
    queryKey: ['intake', status],
    keepPrevious: true,
    refetchInterval: 30_000,
    fetchPage: async (cursor) => {
      const page = unwrap(
        await api.GET('/api/v1/intake', {
          params: {
            query: {
              limit: 100,
              ...(status === 'all' || status === 'waiting' ? {} : { status }),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      );
      // The API filters by one status: "waiting" (two) is filtered here, page by page.
      return status === 'waiting'
        ? {
            ...page,
            items: page.items.filter((i) => i.status === 'new' || i.status === 'unreadable'),
          }
        : page;
    },
  });
  return (
    <Stack>
      <PageHeader title="Intake" />
      {placed && (
        <Alert
          color="green"
          role="status"
          title="Order placed"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setPlaced(null)}
        >
          Order{' '}
          <Anchor component={Link} to={`/orders/${placed.id}`}>
            {placed.number}
          </Anchor>{' '}
          was placed from &quot;{placed.subject}&quot;.
        </Alert>
      )}
      <Group>
        <Select
          label="Status"
          data={[
            { value: 'waiting', label: 'Waiting (new or unreadable)' },
            ...INTAKE_STATUSES.map((s) => ({ value: s, label: humanize(s) })),
            { value: 'all', label: 'Any status' },
          ]}
          value={status}
          onChange={(v) => setParams(v && v !== 'waiting' ? { status: v } : {})}
          allowDeselect={false}
          w={260}
        />
      </Group>
      <QueryState query={items}>
        {(list) =>
          list.length === 0 ? (
            <Text c="dimmed">
              {items.hasNextPage
                ? 'No mail here among the latest; load more to look further.'
                : 'No mail here.'}
            </Text>
          ) : (
            <Stack>
              {list.map((item) => (
                <IntakeCard key={item.id} item={item} onPlaced={setPlaced} />
              ))}
            </Stack>
          )
        }
      </QueryState>
      <LoadMore pages={items} what="mail" />
    </Stack>
  );
}
