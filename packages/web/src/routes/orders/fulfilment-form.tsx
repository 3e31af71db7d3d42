import { useState } from 'react';
import {
  Alert,
  Button,
  Checkbox,
  Group,
  Modal,
  NumberInput,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, idempotencyKey, unwrap, type Order } from '../../api/client';
import { useProfile } from '../../api/queries';
import { fieldError, WriteError } from '../../components/problem-fields';
import { useOrderDocuments } from './order-documents';
import { offersWelcomeEmailChoice } from './welcome-email';

/**
 * Records a fulfilment of the order (the provisioning stage): which lines, how many, and what
 * went out — carrier and tracking for devices, license keys, product files from the documents.
 */
export function FulfilmentButton({ order, canRecord }: { order: Order; canRecord: boolean }) {
  const queryClient = useQueryClient();
  const documents = useOrderDocuments(order.id);
  const [opened, setOpened] = useState(false);
  const [quantities, setQuantities] = useState<Record<number, number>>({});
  const [carrier, setCarrier] = useState('');
  const [trackingNumber, setTrackingNumber] = useState('');
  const [licenseKeys, setLicenseKeys] = useState('');
  const [documentIds, setDocumentIds] = useState<string[]>([]);
  const [welcomeEmail, setWelcomeEmail] = useState(true);
  const profile = useProfile(order.vendor);
  const welcomeEmailChoice = offersWelcomeEmailChoice(profile.data, order.type);
  const [key, setKey] = useState(idempotencyKey);
  // The line numbers in the order they were sent: a problem's path indexes the body's lines.
  const [sent, setSent] = useState<number[]>([]);
  const record = useMutation({
    mutationFn: async () => {
      const keys = licenseKeys
        .split('\n')
        .map((k) => k.trim())
        .filter(Boolean);
      const lines = order.lines
        .map((l) => ({ lineNo: l.lineNo, quantity: quantities[l.lineNo] ?? 0 }))
        .filter((l) => l.quantity > 0);
      setSent(lines.map((l) => l.lineNo));
      return unwrap(
        await api.POST('/api/v1/orders/{id}/fulfilments', {
          params: { path: { id: order.id }, header: { 'Idempotency-Key': key } },
          body: {
            lines,
            ...(carrier.trim() ? { carrier: carrier.trim() } : {}),
            ...(trackingNumber.trim() ? { trackingNumber: trackingNumber.trim() } : {}),
            ...(keys.length ? { licenseKeys: keys } : {}),
            ...(documentIds.length ? { documentIds } : {}),
            ...(welcomeEmailChoice ? { welcomeEmail } : {}),
          },
        }),
      );
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['order', order.id] });
      await queryClient.invalidateQueries({ queryKey: ['orders'] });
    },
  });
  const open = () => {
    setQuantities(Object.fromEntries(order.lines.map((l) => [l.lineNo, l.quantity])));
    setCarrier('');
    setTrackingNumber('');
    setLicenseKeys('');
    setDocumentIds([]);
    setKey(idempotencyKey());
    record.reset();
    setOpened(true);
  };
  const linesError =
    record.error instanceof ApiError
      ? record.error.problem.errors
          ?.filter((e) => e.path === 'lines')
          .map((e) => e.message)
          .join(' ')
      : undefined;
  const shownAt = ['lines', 'carrier', 'trackingNumber', 'licenseKeys', 'documentIds'];
  // Stays mounted after the fulfilment that completes the order, to say so.
  if (!canRecord && !opened) return null;
  return (
    <>
      {canRecord && (
        <Button variant="default" onClick={open}>
          Record a fulfilment
        </Button>
      )}
      <Modal
        closeButtonProps={{ 'aria-label': 'Close dialog' }}
        opened={opened}
        onClose={() => setOpened(false)}
        title={`Record a fulfilment of order ${order.number}`}
        size="xl"
      >
        {record.isSuccess ? (
          <Stack>
            <Alert color="green" role="status" title="Fulfilment recorded">
              {record.data.orderCompleted
                ? 'Every line is fulfilled: the order is completed.'
                : 'Some lines are still open.'}
            </Alert>
            <Button w="fit-content" onClick={() => setOpened(false)}>
              Close
            </Button>
          </Stack>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              record.mutate();
            }}
          >
            <Stack>
              <Table.ScrollContainer minWidth={480}>
                <Table>
                  <Table.Caption>Quantities delivered now (0 leaves the line out).</Table.Caption>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>#</Table.Th>
                      <Table.Th>Item</Table.Th>
                      <Table.Th>Ordered</Table.Th>
                      <Table.Th>Delivered</Table.Th>
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
                            aria-label={`Quantity delivered of line ${l.lineNo}`}
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
                                ? fieldError(record.error, `lines[${sent.indexOf(l.lineNo)}]`)
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
              <Group grow wrap="wrap" align="flex-start">
                <TextInput
                  label="Carrier"
                  description="For devices"
                  value={carrier}
                  onChange={(e) => setCarrier(e.currentTarget.value)}
                  error={fieldError(record.error, 'carrier')}
                />
                <TextInput
                  label="Tracking number"
                  value={trackingNumber}
                  onChange={(e) => setTrackingNumber(e.currentTarget.value)}
                  error={fieldError(record.error, 'trackingNumber')}
                />
              </Group>
              <Textarea
                label="License keys"
                description="One per line"
                value={licenseKeys}
                onChange={(e) => setLicenseKeys(e.currentTarget.value)}
                error={fieldError(record.error, 'licenseKeys')}
                autosize
                minRows={2}
              />
              <Checkbox.Group
                label="Product files sent with it"
                description="From the order's documents"
                value={documentIds}
                onChange={setDocumentIds}
                error={fieldError(record.error, 'documentIds')}
              >
                <Stack gap={4} mt={4}>
                  {(documents.data ?? []).length === 0 && (
                    <Text size="sm" c="dimmed">
                      The order has no documents: upload product files under Documents first.
                    </Text>
                  )}
                  {(documents.data ?? []).map((d) => (
                    <Checkbox key={d.id} value={d.id} label={d.name} />
                  ))}
                </Stack>
              </Checkbox.Group>
              {welcomeEmailChoice && (
                <Checkbox
                  label="Send the welcome e-mail when this completes the order"
                  checked={welcomeEmail}
                  onChange={(e) => setWelcomeEmail(e.currentTarget.checked)}
                />
              )}
              <WriteError error={record.error} shownAt={shownAt} />
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setOpened(false)}>
                  Close
                </Button>
                <Button type="submit" loading={record.isPending}>
                  Record fulfilment
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
    </>
  );
}
