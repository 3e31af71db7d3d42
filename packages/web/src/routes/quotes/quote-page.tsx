import { Alert, Anchor, Button, Group, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { api, unwrap, type Quote } from '../../api/client';
import { useVendorName } from '../../api/queries';
import { MessageThread } from '../../components/order-history';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { StatusBadge } from '../../components/status-badge';
import { formatDate, humanize } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { isPartner, useMe } from '../../session/session';

type QuoteAction = Quote['availableActions'][number];

function QuoteActions({ quote }: { quote: Quote }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const run = useMutation({
    mutationFn: async (action: QuoteAction) =>
      unwrap(
        await api.POST('/api/v1/quotes/{id}/actions/{action}', {
          params: {
            path: { id: quote.id, action },
            header: { 'If-Match': String(quote.version) },
          },
          body: {},
        }),
      ),
    onSuccess: async (updated) => {
      await queryClient.invalidateQueries({ queryKey: ['quotes'] });
      if (updated.id !== quote.id) await navigate(`/quotes/${updated.id}`);
      else queryClient.setQueryData(['quote', quote.id], updated);
    },
  });
  return (
    <Stack gap="xs">
      <Group gap="xs">
        {quote.availableActions.map((a) => (
          <Button
            key={a}
            variant={a === 'decline' ? 'outline' : 'filled'}
            color={a === 'decline' ? 'red.9' : undefined}
            onClick={() => run.mutate(a)}
            loading={run.isPending && run.variables === a}
          >
            {humanize(a)}
          </Button>
        ))}
        <Button
          component="a"
          href={`/api/v1/quotes/${quote.id}/pdf`}
          variant="default"
          target="_blank"
        >
          Quote PDF
        </Button>
      </Group>
      {run.error && (
        <Alert color="red" role="alert">
          {run.error.message}
        </Alert>
      )}
    </Stack>
  );
}

export default function QuotePage() {
  const { quoteId } = useParams();
  const me = useMe();
  const vendorName = useVendorName();
  const quote = useQuery({
    queryKey: ['quote', quoteId],
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/quotes/{id}', { params: { path: { id: quoteId! } } })),
  });
  return (
    <QueryState query={quote}>
      {(q) => (
        <Stack>
          <PageHeader title={`Quote ${q.number} rev. ${q.revision}`}>
            <StatusBadge status={q.status} />
          </PageHeader>
          <Text size="sm">
            {vendorName(q.vendor)} · {humanize(q.orderType)} · valid until{' '}
            {formatDate(q.validUntil)}
            {q.supersededBy && (
              <>
                {' '}
                · superseded by{' '}
                <Anchor component={Link} to={`/quotes/${q.supersededBy.id}`}>
                  revision {q.supersededBy.revision}
                </Anchor>
              </>
            )}
          </Text>
          <QuoteActions quote={q} />
          {isPartner(me) && q.status === 'approved' && (
            <Button
              component={Link}
              to={`/portal/organizations/${q.customerId}/order?${new URLSearchParams({ vendor: q.vendor, type: q.orderType, quote: q.id }).toString()}`}
              w="fit-content"
            >
              Order this quote
            </Button>
          )}
          <Table.ScrollContainer minWidth={560}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Item</Table.Th>
                  <Table.Th>Quantity</Table.Th>
                  <Table.Th>List price</Table.Th>
                  <Table.Th>Multiplier</Table.Th>
                  <Table.Th>Net price</Table.Th>
                  <Table.Th>Amount</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {q.lines.map((l) => (
                  <Table.Tr key={l.partNumber}>
                    <Table.Td>
                      {l.name}
                      <Text size="xs" c="dimmed">
                        {l.partNumber}
                      </Text>
                    </Table.Td>
                    <Table.Td>{l.quantity}</Table.Td>
                    <Table.Td>{formatMoney(l.listPrice, q.currency)}</Table.Td>
                    <Table.Td>{l.multiplier ?? '—'}</Table.Td>
                    <Table.Td>{formatMoney(l.netPrice, q.currency)}</Table.Td>
                    <Table.Td>{formatMoney(l.amount, q.currency)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
              <Table.Tfoot>
                <Table.Tr>
                  <Table.Th colSpan={5}>Total</Table.Th>
                  <Table.Th>{formatMoney(q.total, q.currency)}</Table.Th>
                </Table.Tr>
              </Table.Tfoot>
            </Table>
          </Table.ScrollContainer>
          {/* A draft is not the partner's yet: nobody writes to it about one. */}
          <MessageThread kind="quotes" id={q.id} canReply={q.status !== 'draft'} />
        </Stack>
      )}
    </QueryState>
  );
}
