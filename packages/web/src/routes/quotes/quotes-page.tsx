import { useState } from 'react';
import {
  Alert,
  Anchor,
  Button,
  Card,
  Group,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { api, ApiError, idempotencyKey, unwrap, type QuoteRequest } from '../../api/client';
import { usePaged } from '../../api/paged';
import { useCustomers, usePartnerships, useProfile, useVendorName } from '../../api/queries';
import { LoadMore } from '../../components/load-more';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { StatusBadge } from '../../components/status-badge';
import { formatDate, humanize } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { hasRole, isPartner, useMe } from '../../session/session';

/** "SKU-1 x 2, SKU-2" → lines; a line without a count is one unit. */
export function parseLines(text: string): { partNumber: string; quantity: number }[] {
  return text
    .split(/[\n,;]+/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^(\S+)(?:\s*[x×*]\s*(\d+))?$/i.exec(s);
      return { partNumber: m?.[1] ?? s, quantity: m?.[2] ? Number(m[2]) : 1 };
    });
}

function fieldErrors(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return (
    error.problem.errors
      ?.filter(
        (e) => e.path === field || e.path.startsWith(`${field}[`) || e.path.startsWith(`${field}.`),
      )
      .map((e) => e.message)
      .join(' ') || undefined
  );
}

function RequestQuoteForm() {
  const queryClient = useQueryClient();
  const partnerships = usePartnerships();
  const customers = useCustomers();
  const [vendor, setVendor] = useState<string | null>(null);
  const profile = useProfile(vendor ?? undefined);
  const [customerId, setCustomerId] = useState<string | null>(null);
  const [orderType, setOrderType] = useState<string | null>(null);
  const [lines, setLines] = useState('');
  const [notes, setNotes] = useState('');
  const create = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/quote-requests', {
          params: { header: { 'Idempotency-Key': idempotencyKey() } },
          body: {
            vendor: vendor ?? '',
            customerId: customerId ?? '',
            orderType: orderType ?? '',
            ...(lines.trim() ? { lines: parseLines(lines) } : {}),
            ...(notes.trim() ? { notes: notes.trim() } : {}),
          },
        }),
      ),
    onSuccess: async () => {
      setLines('');
      setNotes('');
      await queryClient.invalidateQueries({ queryKey: ['quote-requests'] });
    },
  });
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="request-title">
      <Title order={3} size="h4" id="request-title" mb="xs">
        Request a quote
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack gap="xs">
          <Group grow wrap="wrap" align="flex-start">
            <Select
              label="Vendor"
              required
              data={(partnerships.data ?? []).map((p) => ({
                value: p.vendor,
                label: humanize(p.vendor),
              }))}
              value={vendor}
              onChange={(v) => {
                setVendor(v);
                setOrderType(null);
              }}
              error={fieldErrors(create.error, 'vendor')}
              miw={180}
            />
            <Select
              label="Customer"
              required
              data={(customers.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
              value={customerId}
              onChange={setCustomerId}
              error={fieldErrors(create.error, 'customerId')}
              miw={180}
            />
            <Select
              label="Order type"
              required
              data={(profile.data?.orderTypes ?? [])
                .filter((t) => t.quote !== 'not_applicable')
                .map((t) => ({ value: t.key, label: t.label }))}
              value={orderType}
              onChange={setOrderType}
              error={fieldErrors(create.error, 'orderType')}
              miw={180}
            />
          </Group>
          <Textarea
            label="Items"
            description="Part numbers with quantities, one per line: NW-MTG-PRO-U-1Y x 25"
            value={lines}
            onChange={(e) => setLines(e.currentTarget.value)}
            error={fieldErrors(create.error, 'lines')}
            autosize
            minRows={2}
          />
          <Textarea
            label="Notes for the vendor"
            value={notes}
            onChange={(e) => setNotes(e.currentTarget.value)}
            autosize
            minRows={2}
          />
          {create.isSuccess && (
            <Alert color="green" role="status">
              Quote requested: your channel account manager has been notified.
            </Alert>
          )}
          {create.error && !fieldErrors(create.error, '') && (
            <Alert color="red" role="alert">
              {create.error.message}
            </Alert>
          )}
          <Button type="submit" w="fit-content" loading={create.isPending}>
            Request quote
          </Button>
        </Stack>
      </form>
    </Card>
  );
}

function CreateQuoteButton({ request }: { request: QuoteRequest }) {
  const me = useMe();
  const navigate = useNavigate();
  const profile = useProfile(me.vendor?.slug);
  const create = useMutation({
    mutationFn: async () => {
      // No validUntil: the server gives the profile's validity from the vendor's today (in
      // the vendor's time zone; the browser's UTC date can already be the next day there).
      return unwrap(
        await api.POST('/api/v1/quotes', {
          params: { header: { 'Idempotency-Key': `quote-from-${request.id}` } },
          body: {
            vendor: request.vendor,
            partnerId: request.partnerId,
            customerId: request.customer.id,
            orderType: request.orderType,
            currency: profile.data?.currency ?? 'USD',
            lines: request.lines,
            quoteRequestId: request.id,
          },
        }),
      );
    },
    onSuccess: (quote) => void navigate(`/quotes/${quote.id}`),
  });
  return (
    <Stack gap={2}>
      <Button
        size="xs"
        onClick={() => create.mutate()}
        loading={create.isPending}
        disabled={!profile.data}
        aria-label={`Create quote for ${request.customer.name}`}
      >
        Create quote
      </Button>
      {create.error && (
        <Text size="xs" c="red" role="alert">
          {create.error instanceof ApiError && create.error.problem.errors?.length
            ? create.error.problem.errors.map((e) => `${e.path}: ${e.message}`).join(' ')
            : create.error.message}
        </Text>
      )}
    </Stack>
  );
}

export default function QuotesPage() {
  const me = useMe();
  const vendorName = useVendorName();
  const partner = isPartner(me);
  const canQuote = hasRole(me, 'sales', 'cam');
  const requests = usePaged({
    queryKey: ['quote-requests'],
    fetchPage: async (cursor) =>
      unwrap(
        await api.GET('/api/v1/quote-requests', {
          params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } },
        }),
      ),
  });
  const quotes = usePaged({
    queryKey: ['quotes', 'list'],
    fetchPage: async (cursor) =>
      unwrap(
        await api.GET('/api/v1/quotes', {
          params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } },
        }),
      ),
  });
  return (
    <Stack>
      <PageHeader title="Quotes" />
      {partner && <RequestQuoteForm />}
      <section aria-labelledby="requests-title">
        <Title order={3} size="h4" id="requests-title" mb="xs">
          Quote requests
        </Title>
        <QueryState query={requests}>
          {(items) =>
            items.length === 0 ? (
              <Text c="dimmed">No quote requests.</Text>
            ) : (
              <Table.ScrollContainer minWidth={560}>
                <Table striped>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Requested</Table.Th>
                      <Table.Th>Vendor</Table.Th>
                      <Table.Th>Customer</Table.Th>
                      <Table.Th>Order type</Table.Th>
                      <Table.Th>Items</Table.Th>
                      <Table.Th>Status</Table.Th>
                      {canQuote && <Table.Th>Quote</Table.Th>}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {items.map((r) => (
                      <Table.Tr key={r.id}>
                        <Table.Td>{formatDate(r.createdAt)}</Table.Td>
                        <Table.Td>{vendorName(r.vendor)}</Table.Td>
                        <Table.Td>{r.customer.name}</Table.Td>
                        <Table.Td>{humanize(r.orderType)}</Table.Td>
                        <Table.Td>
                          {r.lines.map((l) => `${l.partNumber} × ${l.quantity}`).join(', ') ||
                            r.notes ||
                            '—'}
                        </Table.Td>
                        <Table.Td>
                          <StatusBadge status={r.status} />
                        </Table.Td>
                        {canQuote && (
                          <Table.Td>
                            {r.status === 'open' ? <CreateQuoteButton request={r} /> : '—'}
                          </Table.Td>
                        )}
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )
          }
        </QueryState>
        <LoadMore pages={requests} what="quote requests" />
      </section>
      <section aria-labelledby="quotes-list-title">
        <Title order={3} size="h4" id="quotes-list-title" mb="xs">
          Quotes
        </Title>
        <QueryState query={quotes}>
          {(items) =>
            items.length === 0 ? (
              <Text c="dimmed">No quotes.</Text>
            ) : (
              <Table.ScrollContainer minWidth={560}>
                <Table striped>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Quote</Table.Th>
                      <Table.Th>Vendor</Table.Th>
                      <Table.Th>Order type</Table.Th>
                      <Table.Th>Total</Table.Th>
                      <Table.Th>Valid until</Table.Th>
                      <Table.Th>Status</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {items.map((q) => (
                      <Table.Tr key={q.id}>
                        <Table.Td>
                          <Anchor component={Link} to={`/quotes/${q.id}`}>
                            {q.number} rev. {q.revision}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>{vendorName(q.vendor)}</Table.Td>
                        <Table.Td>{humanize(q.orderType)}</Table.Td>
                        <Table.Td>{formatMoney(q.total, q.currency)}</Table.Td>
                        <Table.Td>{formatDate(q.validUntil)}</Table.Td>
                        <Table.Td>
                          <StatusBadge status={q.status} />
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )
          }
        </QueryState>
        <LoadMore pages={quotes} what="quotes" />
      </section>
    </Stack>
  );
}
