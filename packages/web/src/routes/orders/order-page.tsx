import {
  Alert,
  Anchor,
  Badge,
  Blockquote,
  Button,
  Card,
  Grid,
  Group,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, unwrap, type Order } from '../../api/client';
import { useOrder, usePartnerships, useProfile, useVendorName } from '../../api/queries';
import { MessageThread, OrderTimeline } from '../../components/order-history';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { StatusBadge } from '../../components/status-badge';
import { formatDate, formatDateTime, humanize } from '../../lib/format';
import { formatMoney, sameAmount } from '../../lib/money';
import { isPartner, useMe } from '../../session/session';
import { EscalateButton } from './escalate-button';
import { FulfilmentButton } from './fulfilment-form';
import { OrderActions } from './order-actions';
import { OrderDocuments } from './order-documents';
import { OrderInvoices } from './order-invoices';
import { OrderReturns } from './order-returns';
import { OrderSla } from './order-sla';
import { pathLabel } from '../wizard/wizard-model';

function Differs({ children, differs }: { children: React.ReactNode; differs: boolean }) {
  return (
    <Table.Td
      bg={differs ? 'var(--mantine-color-red-light)' : undefined}
      fw={differs ? 700 : undefined}
      data-differs={differs || undefined}
    >
      {children}
      {differs && <VisuallyHidden> (differs)</VisuallyHidden>}
    </Table.Td>
  );
}

/** The PO's lines beside the quote's and the price list's, differences highlighted. */
function LinesComparison({ order }: { order: Order }) {
  const quote = useQuery({
    queryKey: ['quote', order.quoteId],
    enabled: !!order.quoteId,
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/quotes/{id}', { params: { path: { id: order.quoteId! } } })),
  });
  const quoteLine = (partNumber: string) =>
    quote.data?.lines.find((l) => l.partNumber === partNumber);
  const c = order.currency;
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table>
        <Table.Caption>
          PO unit prices beside {order.quoteId ? 'the quote and ' : ''}the price list (list ×
          multiplier); differences are highlighted.
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>Item</Table.Th>
            <Table.Th>Qty</Table.Th>
            <Table.Th>PO unit price</Table.Th>
            {order.quoteId && <Table.Th>Quote {quote.data ? quote.data.number : ''}</Table.Th>}
            <Table.Th>Price list net</Table.Th>
            <Table.Th>Amount</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {order.lines.map((l) => {
            const q = quoteLine(l.partNumber);
            const listDiffers =
              l.expectedNetPrice !== null && !sameAmount(l.unitPrice, l.expectedNetPrice);
            const quoteDiffers =
              !!order.quoteId &&
              !!quote.data &&
              (!q || !sameAmount(q.netPrice, l.unitPrice) || q.quantity !== l.quantity);
            return (
              <Table.Tr key={l.lineNo}>
                <Table.Td>{l.lineNo}</Table.Td>
                <Table.Td>
                  {l.name ?? l.partNumber}
                  <Text size="xs" c="dimmed">
                    {l.partNumber}
                  </Text>
                </Table.Td>
                <Table.Td>{l.quantity}</Table.Td>
                <Differs differs={listDiffers || quoteDiffers}>
                  {formatMoney(l.unitPrice, c)}
                </Differs>
                {order.quoteId && (
                  <Differs differs={quoteDiffers}>
                    {q
                      ? `${formatMoney(q.netPrice, c)} × ${q.quantity}`
                      : quote.data
                        ? 'not on the quote'
                        : '…'}
                  </Differs>
                )}
                <Differs differs={listDiffers}>
                  {formatMoney(l.expectedNetPrice, c)}
                  {l.listPrice && l.multiplier && (
                    <Text size="xs" c="dimmed">
                      {formatMoney(l.listPrice, c)} × {l.multiplier}
                    </Text>
                  )}
                </Differs>
                <Table.Td>{formatMoney(l.amount, c)}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
        <Table.Tfoot>
          <Table.Tr>
            <Table.Th colSpan={order.quoteId ? 6 : 5}>Total</Table.Th>
            <Table.Th>{formatMoney(order.total, c)}</Table.Th>
          </Table.Tr>
        </Table.Tfoot>
      </Table>
    </Table.ScrollContainer>
  );
}

function SpecialTermsCheck({ order }: { order: Order }) {
  const profile = useProfile(order.vendor);
  const partnerships = usePartnerships(order.vendor);
  const type = profile.data?.orderTypes.find((t) => t.key === order.type);
  if (!type?.specialTermsRequired) return null;
  const expected = partnerships.data?.find((p) => p.partner.id === order.partnerId)?.specialTerms;
  const problems = order.problems.filter((p) => p.code.startsWith('special_terms.'));
  return (
    <Card withBorder padding="sm" component="section" aria-labelledby="terms-title">
      <Group justify="space-between">
        <Title order={3} size="h5" id="terms-title">
          Special-terms check
        </Title>
        <Badge color={problems.length ? 'red' : 'green'} variant="light">
          {problems.length
            ? humanize(problems[0]!.code.replace('special_terms.', ''))
            : 'Clause found'}
        </Badge>
      </Group>
      {problems.map((p, i) => (
        <Text size="sm" c="red" key={i}>
          {p.message}
        </Text>
      ))}
      <Text size="sm" mt="xs" fw={600}>
        Expected clause
      </Text>
      <Blockquote p="xs" my={4}>
        {expected ?? '…'}
      </Blockquote>
      <Text size="sm" fw={600}>
        On the PO
      </Text>
      <Blockquote p="xs" my={4} color="gray">
        {order.purchaseOrder?.specialTerms ?? order.purchaseOrder?.notes ?? '(none)'}
      </Blockquote>
    </Card>
  );
}

/** A problem of the order, its field named in the form's words. */
function ProblemText({
  vendor,
  problem,
}: {
  vendor: string;
  problem: { path: string; message: string };
}) {
  const profile = useProfile(vendor);
  return (
    <Text size="sm">
      {problem.path ? `${pathLabel(profile.data, problem.path)}: ` : ''}
      {problem.message}
    </Text>
  );
}

/** The fields the order type asks for, each with whether the order has it. */
function RequiredFields({ order }: { order: Order }) {
  const profile = useProfile(order.vendor);
  const type = profile.data?.orderTypes.find((t) => t.key === order.type);
  if (!type || type.requiredFields.length === 0) return null;
  const missing = new Set(
    order.problems
      .filter((p) => p.code === 'required' || p.code.endsWith('.missing'))
      .map((p) => p.path),
  );
  return (
    <Card withBorder padding="sm" component="section" aria-labelledby="required-title" mt="sm">
      <Title order={3} size="h5" id="required-title">
        Required for {type.label}
      </Title>
      <Stack gap={2} mt={4}>
        {type.requiredFields.map((path) => (
          <Text size="sm" key={path} c={missing.has(path) ? 'red' : undefined}>
            {missing.has(path) ? '✗ missing: ' : '✓ '}
            {pathLabel(profile.data, path)}
          </Text>
        ))}
      </Stack>
    </Card>
  );
}

function Details({ order }: { order: Order }) {
  const profile = useProfile(order.vendor);
  const vendorName = useVendorName();
  const labelOf = (key: string) =>
    profile.data?.attributes.find((a) => a.key === key)?.label ?? humanize(key);
  const rows: [string, string | null | undefined][] = [
    ['Vendor', vendorName(order.vendor)],
    ['Order type', humanize(order.type)],
    ['Channel', humanize(order.channel)],
    ['Submitted', formatDateTime(order.submittedAt)],
    ['Sales order', order.salesOrderNumber],
    ['PO number', order.purchaseOrder?.number],
    ['PO date', order.purchaseOrder ? formatDate(order.purchaseOrder.date) : null],
    [
      'PO total',
      order.purchaseOrder
        ? formatMoney(order.purchaseOrder.total, order.purchaseOrder.currency)
        : null,
    ],
    ['Site admin', contactLine(order.contacts?.siteAdmin)],
    ['Provisioning CC', order.contacts?.provisioningCc],
    ['Invoicing', contactLine(order.contacts?.invoicing)],
    [
      'Tier-2 reseller',
      order.tier2Reseller ? `${order.tier2Reseller.name} <${order.tier2Reseller.email}>` : null,
    ],
    [
      'Ship to',
      order.shippingAddress
        ? `${order.shippingAddress.name}, ${order.shippingAddress.line1}, ${order.shippingAddress.postalCode} ${order.shippingAddress.city}, ${order.shippingAddress.country}${order.shippingAddress.taxId ? ` (tax ID ${order.shippingAddress.taxId})` : ''}${order.shippingAddress.confirmed ? '' : ' — not confirmed'}`
        : null,
    ],
    ...Object.entries((order.attributes ?? {}) as Record<string, unknown>).map(
      ([k, v]): [string, string] => [labelOf(k), Array.isArray(v) ? v.join(', ') : String(v)],
    ),
    ['License IDs', order.licenseIds?.join(', ')],
  ];
  return (
    <Card withBorder padding="sm" component="section" aria-label="Order details">
      <Stack gap={4}>
        {rows
          .filter(([, v]) => v !== null && v !== undefined && v !== '')
          .map(([k, v]) => (
            <Group key={k} gap="xs" wrap="nowrap" align="flex-start">
              <Text size="sm" c="dimmed" w={120} style={{ flexShrink: 0 }}>
                {k}
              </Text>
              <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                {v}
              </Text>
            </Group>
          ))}
      </Stack>
    </Card>
  );
}

export default function OrderPage() {
  const { orderId } = useParams();
  const me = useMe();
  const order = useOrder(orderId);
  const placedByMe = (o: Order) => isPartner(me) && o.orderingPartnerId === me.partner?.id;
  return (
    <QueryState query={order}>
      {(o) => (
        <Stack>
          <PageHeader
            title={
              <>
                Order <span data-testid="order-title-number">{o.number}</span>
              </>
            }
          >
            <span data-testid="order-status">
              <StatusBadge status={o.status} label={o.statusLabel} />
            </span>
          </PageHeader>
          {o.status === 'on_hold' && (
            <Alert color="orange" title="On hold" role="status">
              <Stack gap={4}>
                {o.holdReason && <Text size="sm">{o.holdReason}</Text>}
                {o.problems
                  .filter((p) => p.severity === 'error')
                  .map((p, i) => (
                    <ProblemText key={i} vendor={o.vendor} problem={p} />
                  ))}
                {isPartner(me) && o.availableActions.includes('resubmit') && (
                  <Button component={Link} to={`/orders/${o.id}/correct`} w="fit-content" mt="xs">
                    Correct and resubmit
                  </Button>
                )}
              </Stack>
            </Alert>
          )}
          <Group gap="xs" align="flex-start">
            <OrderActions order={o} />
            {!isPartner(me) && (
              <FulfilmentButton
                order={o}
                canRecord={o.status === 'provisioning' && o.availableActions.includes('complete')}
              />
            )}
            {placedByMe(o) && !['completed', 'cancelled', 'rejected'].includes(o.status) && (
              <EscalateButton order={o} />
            )}
          </Group>
          {o.status !== 'on_hold' && o.problems.length > 0 && (
            <Alert color="yellow" title="Problems found at submission">
              {o.problems.map((p, i) => (
                <ProblemText key={i} vendor={o.vendor} problem={p} />
              ))}
            </Alert>
          )}
          <Grid>
            <Grid.Col span={{ base: 12, lg: 8 }}>
              <Stack>
                <LinesComparison order={o} />
                <SpecialTermsCheck order={o} />
                <OrderReturns order={o} canRequest={placedByMe(o) && o.status === 'completed'} />
                <OrderDocuments order={o} />
              </Stack>
            </Grid.Col>
            <Grid.Col span={{ base: 12, lg: 4 }}>
              <Details order={o} />
              <RequiredFields order={o} />
              <OrderSla order={o} />
              <OrderInvoices order={o} />
              {o.quoteId && (
                <Anchor component={Link} to={`/quotes/${o.quoteId}`} size="sm">
                  The quote
                </Anchor>
              )}
            </Grid.Col>
          </Grid>
          <Grid>
            <Grid.Col span={{ base: 12, md: 5 }}>
              <OrderTimeline orderId={o.id} />
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 7 }}>
              {/* A distributor reads its tier-2 reseller's thread; the reseller writes on it. */}
              <MessageThread kind="orders" id={o.id} canReply={!isPartner(me) || placedByMe(o)} />
            </Grid.Col>
          </Grid>
        </Stack>
      )}
    </QueryState>
  );
}

/** A contact as one line: "Name <e-mail>", or whichever of the two the order gives. */
function contactLine(contact: { name?: string; email?: string } | null | undefined): string | null {
  if (!contact) return null;
  if (contact.name && contact.email) return `${contact.name} <${contact.email}>`;
  return contact.name ?? contact.email ?? null;
}
