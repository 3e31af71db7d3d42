import { Anchor, Group, Select, Stack, Table, Text } from '@mantine/core';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap, type InvoiceSummary } from '../../api/client';
import { usePaged } from '../../api/paged';
import { LoadMore } from '../../components/load-more';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { StatusBadge } from '../../components/status-badge';
import { formatDate, humanize } from '../../lib/format';
import { formatMoney } from '../../lib/money';

export const INVOICE_STATUSES = ['issued', 'paid', 'credited'] as const;
type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** Today's date in the user's zone, as YYYY-MM-DD (what an invoice's due date is compared to). */
function todayIso(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Whether an issued invoice is past its due date. */
export function isOverdue(invoice: Pick<InvoiceSummary, 'status' | 'dueAt'>): boolean {
  return invoice.status === 'issued' && invoice.dueAt.slice(0, 10) < todayIso();
}

/** The invoices in a table: number, order, status, dates, total. */
export function InvoiceTable({
  invoices,
  showOrder = true,
}: {
  invoices: InvoiceSummary[];
  showOrder?: boolean;
}) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Invoice</Table.Th>
            {showOrder && <Table.Th>Order</Table.Th>}
            <Table.Th>Status</Table.Th>
            <Table.Th>Issued</Table.Th>
            <Table.Th>Due</Table.Th>
            <Table.Th ta="right">Total</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {invoices.map((i) => {
            const overdue = isOverdue(i);
            return (
              <Table.Tr key={i.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/invoices/${i.id}`}>
                    {i.number}
                  </Anchor>
                </Table.Td>
                {showOrder && (
                  <Table.Td>
                    <Anchor component={Link} to={`/orders/${i.orderId}`}>
                      {i.orderNumber}
                    </Anchor>
                    {i.poNumber && (
                      <Text size="xs" c="dimmed">
                        PO {i.poNumber}
                      </Text>
                    )}
                  </Table.Td>
                )}
                <Table.Td>
                  <StatusBadge status={i.status} />
                </Table.Td>
                <Table.Td>{formatDate(i.issueDate)}</Table.Td>
                <Table.Td c={overdue ? 'red.9' : undefined} fw={overdue ? 700 : undefined}>
                  {formatDate(i.dueAt)}
                  {overdue ? ' (overdue)' : ''}
                </Table.Td>
                <Table.Td ta="right">{formatMoney(i.total, i.currency)}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The invoices the user may see (a partner: of its orders; vendor staff: their vendor's). */
export default function InvoicesPage() {
  const [params, setParams] = useSearchParams();
  const status = params.get('status') as InvoiceStatus | null;
  const invoices = usePaged({
    queryKey: ['invoices', 'list', status],
    keepPrevious: true,
    fetchPage: async (cursor) =>
      unwrap(
        await api.GET('/api/v1/invoices', {
          params: {
            query: { limit: 100, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) },
          },
        }),
      ),
  });
  return (
    <Stack>
      <PageHeader title="Invoices" />
      <Group>
        <Select
          label="Status"
          placeholder="Any status"
          clearable
          data={INVOICE_STATUSES.map((s) => ({ value: s, label: humanize(s) }))}
          value={status}
          onChange={(v) => setParams(v ? { status: v } : {})}
          w={220}
        />
      </Group>
      <QueryState query={invoices}>
        {(items) =>
          items.length === 0 ? (
            <Text c="dimmed">No invoices{status ? ` ${status}` : ''}.</Text>
          ) : (
            <InvoiceTable invoices={items} />
          )
        }
      </QueryState>
      <LoadMore pages={invoices} what="invoices" />
    </Stack>
  );
}
