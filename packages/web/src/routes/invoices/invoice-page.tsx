import { useState } from 'react';
import {
  Alert,
  Anchor,
  Button,
  Card,
  Grid,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, idempotencyKey, unwrap, type Invoice } from '../../api/client';
import { PageHeader } from '../../components/page-header';
import { fieldError, WriteError } from '../../components/problem-fields';
import { QueryState } from '../../components/query-state';
import { StatusBadge } from '../../components/status-badge';
import { formatDate, formatDateTime } from '../../lib/format';
import { formatMoney } from '../../lib/money';
import { hasRole, isPartner, useMe } from '../../session/session';
import { isOverdue } from './invoices-page';

const TAX_CATEGORIES: Record<Invoice['tax']['category'], string> = {
  S: 'Standard rate',
  Z: 'Zero rated',
  AE: 'Reverse charge',
};

function Parties({ invoice }: { invoice: Invoice }) {
  const rows: [string, string | null][] = [
    ['Seller', `${invoice.seller.name} (${invoice.seller.country})`],
    ['Seller tax ID', invoice.seller.taxId],
    ['Buyer', `${invoice.buyer.name} (${invoice.buyer.country})`],
    ['Buyer tax ID', invoice.buyer.taxId],
    ['Sent to', invoice.buyer.contactEmail],
    ['Order', null],
    ['Sales order', invoice.salesOrderNumber],
    ['PO number', invoice.poNumber],
    ['Issued', formatDate(invoice.issueDate)],
    ['Payment terms', `${invoice.paymentTermsDays} days`],
    ['Due', formatDate(invoice.dueAt)],
    // The day the payment was made (finance's paidOn), then when it was recorded.
    ['Paid on', invoice.paidOn ? formatDate(invoice.paidOn) : null],
    ['Payment recorded', invoice.paidAt ? formatDateTime(invoice.paidAt) : null],
    ['Credited', invoice.creditedAt ? formatDateTime(invoice.creditedAt) : null],
  ];
  return (
    <Card withBorder padding="sm" component="section" aria-label="Invoice details">
      <Stack gap={4}>
        {rows.map(([k, v]) =>
          k === 'Order' ? (
            <Group key={k} gap="xs" wrap="nowrap">
              <Text size="sm" c="dimmed" w={120} style={{ flexShrink: 0 }}>
                Order
              </Text>
              <Anchor component={Link} to={`/orders/${invoice.orderId}`} size="sm">
                {invoice.orderNumber}
              </Anchor>
            </Group>
          ) : v ? (
            <Group key={k} gap="xs" wrap="nowrap" align="flex-start">
              <Text size="sm" c="dimmed" w={120} style={{ flexShrink: 0 }}>
                {k}
              </Text>
              <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                {v}
              </Text>
            </Group>
          ) : null,
        )}
      </Stack>
    </Card>
  );
}

function Lines({ invoice }: { invoice: Invoice }) {
  const c = invoice.currency;
  const taxLabel = `${TAX_CATEGORIES[invoice.tax.category]}, ${invoice.tax.rate} %`;
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table>
        <Table.Caption>
          Tax: {taxLabel}
          {invoice.tax.exemptionReason ? ` — ${invoice.tax.exemptionReason}` : ''}
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>Item</Table.Th>
            <Table.Th ta="right">Qty</Table.Th>
            <Table.Th ta="right">Unit price</Table.Th>
            <Table.Th ta="right">Amount</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {invoice.lines.map((l) => (
            <Table.Tr key={l.lineNo}>
              <Table.Td>{l.lineNo}</Table.Td>
              <Table.Td>
                {l.name}
                <Text size="xs" c="dimmed">
                  {l.partNumber}
                </Text>
              </Table.Td>
              <Table.Td ta="right">{l.quantity}</Table.Td>
              <Table.Td ta="right">{formatMoney(l.unitPrice, c)}</Table.Td>
              <Table.Td ta="right">{formatMoney(l.amount, c)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
        <Table.Tfoot>
          <Table.Tr>
            <Table.Th colSpan={4}>Subtotal</Table.Th>
            <Table.Td ta="right">{formatMoney(invoice.subtotal, c)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th colSpan={4}>Tax ({invoice.tax.rate} %)</Table.Th>
            <Table.Td ta="right">{formatMoney(invoice.taxTotal, c)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th colSpan={4}>Total</Table.Th>
            <Table.Th ta="right" data-testid="invoice-total">
              {formatMoney(invoice.total, c)}
            </Table.Th>
          </Table.Tr>
        </Table.Tfoot>
      </Table>
    </Table.ScrollContainer>
  );
}

/** "Resend" (a partner: "Request my invoice"): a copy to the invoicing contact. */
function ResendButton({ invoice }: { invoice: Invoice }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const resend = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/invoices/{id}/actions/resend', {
          params: { path: { id: invoice.id } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['order', invoice.orderId] }),
  });
  return (
    <Stack gap={4}>
      <Button variant="default" onClick={() => resend.mutate()} loading={resend.isPending}>
        {isPartner(me) ? 'Request my invoice' : 'Resend'}
      </Button>
      {resend.isSuccess && (
        <Text size="sm" role="status">
          Sent to {resend.data.sentTo.join(', ')}.
        </Text>
      )}
      {resend.error && <WriteError error={resend.error} />}
    </Stack>
  );
}

/** A credit note for the whole invoice, with the reason (finance, vendor admin). */
function CreditNoteButton({ invoice }: { invoice: Invoice }) {
  const queryClient = useQueryClient();
  const [opened, setOpened] = useState(false);
  const [reason, setReason] = useState('');
  const [key, setKey] = useState(idempotencyKey);
  const credit = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/invoices/{id}/credit-notes', {
          params: { path: { id: invoice.id }, header: { 'Idempotency-Key': key } },
          body: { reason: reason.trim() },
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['invoice', invoice.id] });
      await queryClient.invalidateQueries({ queryKey: ['invoices'] });
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
          setKey(idempotencyKey());
          credit.reset();
          setOpened(true);
        }}
      >
        Credit note
      </Button>
      <Modal
        closeButtonProps={{ 'aria-label': 'Close dialog' }}
        opened={opened}
        onClose={() => setOpened(false)}
        title={`Credit invoice ${invoice.number} in full`}
        size="lg"
      >
        <form
          onSubmit={(e) => {
            e.preventDefault();
            credit.mutate();
          }}
        >
          <Stack>
            <Text size="sm">
              A credit note of {formatMoney(invoice.total, invoice.currency)} referencing this
              invoice is issued and mailed; the invoice becomes credited.
            </Text>
            <Textarea
              label="Reason"
              description="Required: it is printed on the credit note."
              required
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              error={fieldError(credit.error, 'reason')}
              autosize
              minRows={2}
              data-autofocus
            />
            <WriteError error={credit.error} shownAt={['reason']} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOpened(false)}>
                Close
              </Button>
              <Button type="submit" color="red.9" loading={credit.isPending}>
                Issue the credit note
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

function MarkPaidButton({ invoice }: { invoice: Invoice }) {
  const queryClient = useQueryClient();
  const paid = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/invoices/{id}/actions/mark-paid', {
          params: { path: { id: invoice.id }, header: { 'If-Match': String(invoice.version) } },
          body: {},
        }),
      ),
    onSuccess: async (updated) => {
      queryClient.setQueryData(['invoice', invoice.id], updated);
      await queryClient.invalidateQueries({ queryKey: ['invoices'] });
    },
  });
  return (
    <Stack gap={4}>
      <Button variant="default" onClick={() => paid.mutate()} loading={paid.isPending}>
        Mark paid
      </Button>
      {paid.error && <WriteError error={paid.error} />}
    </Stack>
  );
}

/** The credit note of a credited invoice, with its documents (as mailed to the invoicing contact). */
function CreditNoteCard({ invoice }: { invoice: Invoice }) {
  const note = invoice.creditNote;
  if (!note) return null;
  return (
    <Card withBorder padding="sm" component="section" aria-labelledby="credit-note-title">
      <Title order={3} size="h5" id="credit-note-title">
        Credit note {note.number}
      </Title>
      <Text size="sm">
        Issued {formatDate(note.issueDate)} · total {formatMoney(note.total, note.currency)}
      </Text>
      <Text size="sm">Reason: {note.reason}</Text>
      <Group gap="md" mt="xs">
        <Anchor href={`/api/v1/invoices/${invoice.id}/credit-note/pdf`} size="sm">
          Credit note PDF
        </Anchor>
        <Anchor href={`/api/v1/invoices/${invoice.id}/credit-note/ubl`} size="sm">
          Credit note UBL (XML)
        </Anchor>
      </Group>
    </Card>
  );
}

export default function InvoicePage() {
  const { invoiceId } = useParams();
  const me = useMe();
  const invoice = useQuery({
    queryKey: ['invoice', invoiceId],
    enabled: !!invoiceId,
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/invoices/{id}', { params: { path: { id: invoiceId! } } })),
  });
  const finance = hasRole(me, 'finance', 'vendor_admin');
  return (
    <QueryState query={invoice}>
      {(i) => (
        <Stack>
          <PageHeader
            title={
              <>
                Invoice <span data-testid="invoice-number">{i.number}</span>
              </>
            }
          >
            <StatusBadge status={i.status} />
          </PageHeader>
          {isOverdue(i) && (
            <Alert color="red" title="Overdue" role="status">
              Due {formatDate(i.dueAt)} and not paid.
            </Alert>
          )}
          <Group gap="xs" align="flex-start">
            <Button component="a" href={`/api/v1/invoices/${i.id}/pdf`} variant="default">
              Invoice PDF
            </Button>
            <Button component="a" href={`/api/v1/invoices/${i.id}/ubl`} variant="default">
              UBL (XML)
            </Button>
            {(isPartner(me) || hasRole(me, 'finance', 'vendor_admin', 'order_desk', 'cam')) && (
              <ResendButton invoice={i} />
            )}
            {finance && i.status === 'issued' && <MarkPaidButton invoice={i} />}
            {finance && i.status !== 'credited' && <CreditNoteButton invoice={i} />}
          </Group>
          <Grid>
            <Grid.Col span={{ base: 12, lg: 8 }}>
              <Lines invoice={i} />
            </Grid.Col>
            <Grid.Col span={{ base: 12, lg: 4 }}>
              <Stack>
                <Parties invoice={i} />
                <CreditNoteCard invoice={i} />
              </Stack>
            </Grid.Col>
          </Grid>
        </Stack>
      )}
    </QueryState>
  );
}
