import { useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Group,
  Modal,
  NumberInput,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, idempotencyKey, unwrap, type Order, type Return } from '../../api/client';
import { usePaged } from '../../api/paged';
import { LoadMore } from '../../components/load-more';
import { fieldError, WriteError } from '../../components/problem-fields';
import { StatusBadge } from '../../components/status-badge';
import { formatDatesIn, formatDateTime } from '../../lib/format';

export function useReturns(orderId?: string) {
  return usePaged({
    queryKey: ['returns', orderId ?? null],
    fetchPage: async (cursor) =>
      unwrap(
        await api.GET('/api/v1/returns', {
          params: {
            query: { limit: 100, ...(orderId ? { orderId } : {}), ...(cursor ? { cursor } : {}) },
          },
        }),
      ),
  });
}

/** A return's decision: the RMA number, the refusal's reason, or that the vendor decides. */
export function ReturnDecision({ r }: { r: Return }) {
  return (
    <Stack gap={2}>
      <Group gap="xs">
        <StatusBadge status={r.status} />
        {r.rmaNumber && (
          <Text size="sm" fw={700} data-testid="rma-number">
            RMA {r.rmaNumber}
          </Text>
        )}
      </Group>
      <Text size="sm">{formatDatesIn(r.decision.message)}</Text>
    </Stack>
  );
}

function RequestReturn({ order }: { order: Order }) {
  const queryClient = useQueryClient();
  const [opened, setOpened] = useState(false);
  const [quantities, setQuantities] = useState<Record<number, number>>({});
  const [reason, setReason] = useState('');
  const [key, setKey] = useState(idempotencyKey);
  const [sent, setSent] = useState<number[]>([]);
  const request = useMutation({
    mutationFn: async () => {
      const lines = order.lines
        .map((l) => ({ lineNo: l.lineNo, quantity: quantities[l.lineNo] ?? 0 }))
        .filter((l) => l.quantity > 0);
      setSent(lines.map((l) => l.lineNo));
      return unwrap(
        await api.POST('/api/v1/returns', {
          params: { header: { 'Idempotency-Key': key } },
          body: { orderId: order.id, lines, reason: reason.trim() },
        }),
      );
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['returns'] }),
  });
  const linesError =
    request.error instanceof ApiError
      ? request.error.problem.errors
          ?.filter((e) => e.path === 'lines')
          .map((e) => e.message)
          .join(' ')
      : undefined;
  return (
    <>
      <Button
        variant="default"
        w="fit-content"
        onClick={() => {
          setQuantities({});
          setReason('');
          setKey(idempotencyKey());
          request.reset();
          setOpened(true);
        }}
      >
        Request a return
      </Button>
      <Modal
        closeButtonProps={{ 'aria-label': 'Close dialog' }}
        opened={opened}
        onClose={() => setOpened(false)}
        title={`Return items of order ${order.number}`}
        size="xl"
      >
        {request.isSuccess ? (
          <Stack>
            <Alert
              color={request.data.status === 'refused' ? 'red' : 'green'}
              role="status"
              title="Your return request"
            >
              <ReturnDecision r={request.data} />
            </Alert>
            <Button w="fit-content" onClick={() => setOpened(false)}>
              Close
            </Button>
          </Stack>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              request.mutate();
            }}
          >
            <Stack>
              <Table.ScrollContainer minWidth={480}>
                <Table>
                  <Table.Caption>How many of each line to return (0 keeps it).</Table.Caption>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>#</Table.Th>
                      <Table.Th>Item</Table.Th>
                      <Table.Th>Ordered</Table.Th>
                      <Table.Th>Return</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {order.lines.map((l) => (
                      <Table.Tr key={l.lineNo}>
                        <Table.Td>{l.lineNo}</Table.Td>
                        <Table.Td>
                          {l.name ?? l.partNumber}
                          <Text size="xs" c="dimmed">
                            {l.partNumber}
                          </Text>
                        </Table.Td>
                        <Table.Td>{l.quantity}</Table.Td>
                        <Table.Td>
                          <NumberInput
                            aria-label={`Quantity to return of line ${l.lineNo}`}
                            min={0}
                            max={l.quantity}
                            allowDecimal={false}
                            allowNegative={false}
                            value={quantities[l.lineNo] ?? 0}
                            onChange={(v) =>
                              setQuantities((q) => ({
                                ...q,
                                [l.lineNo]: typeof v === 'number' ? v : Number(v) || 0,
                              }))
                            }
                            error={
                              sent.includes(l.lineNo)
                                ? fieldError(request.error, `lines[${sent.indexOf(l.lineNo)}]`)
                                : undefined
                            }
                            w={120}
                          />
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              {linesError && (
                <Text size="sm" c="red.9" role="alert">
                  {linesError}
                </Text>
              )}
              <Textarea
                label="Reason"
                description="Required: why the items go back."
                required
                value={reason}
                onChange={(e) => setReason(e.currentTarget.value)}
                error={fieldError(request.error, 'reason')}
                autosize
                minRows={2}
              />
              <WriteError error={request.error} shownAt={['lines', 'reason']} />
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setOpened(false)}>
                  Close
                </Button>
                <Button type="submit" loading={request.isPending}>
                  Request the return
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
    </>
  );
}

/** The order's returns with their decisions; the partner that placed it may request one. */
export function OrderReturns({ order, canRequest }: { order: Order; canRequest: boolean }) {
  const returns = useReturns(order.id);
  const items = returns.data ?? [];
  if (!canRequest && items.length === 0) return null;
  return (
    <Card withBorder padding="sm" component="section" aria-labelledby="returns-title">
      <Title order={3} size="h5" id="returns-title" mb="xs">
        Returns
      </Title>
      <Stack gap="sm">
        {items.map((r) => (
          <Stack key={r.id} gap={2}>
            <Text size="xs" c="dimmed">
              {formatDateTime(r.createdAt)} ·{' '}
              {r.lines.map((l) => `line ${l.lineNo} × ${l.quantity}`).join(', ')}
            </Text>
            <Text size="sm">{r.reason}</Text>
            <ReturnDecision r={r} />
          </Stack>
        ))}
        <LoadMore pages={returns} what="returns of this order" />
        {canRequest && <RequestReturn order={order} />}
      </Stack>
    </Card>
  );
}
