import { useState } from 'react';
import { Alert, Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, idempotencyKey, unwrap, type Order } from '../../api/client';
import { fieldError, WriteError } from '../../components/problem-fields';
import { formatDateTime } from '../../lib/format';

/** The partner escalates its order to the vendor's CAM, with a reason. */
export function EscalateButton({ order }: { order: Order }) {
  const queryClient = useQueryClient();
  const [opened, setOpened] = useState(false);
  const [reason, setReason] = useState('');
  const [key, setKey] = useState(idempotencyKey);
  const escalate = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/orders/{id}/escalations', {
          params: { path: { id: order.id }, header: { 'Idempotency-Key': key } },
          body: { reason: reason.trim() },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['order', order.id] }),
  });
  return (
    <>
      <Button
        variant="outline"
        onClick={() => {
          setReason('');
          setKey(idempotencyKey());
          escalate.reset();
          setOpened(true);
        }}
      >
        Escalate
      </Button>
      <Modal
        closeButtonProps={{ 'aria-label': 'Close dialog' }}
        opened={opened}
        onClose={() => setOpened(false)}
        title={`Escalate order ${order.number}`}
        size="lg"
      >
        {escalate.isSuccess ? (
          <Stack>
            <Alert color="green" role="status" title="Escalated">
              <Text size="sm">
                {escalate.data.camNotified.length
                  ? `Sent to ${escalate.data.camNotified.join(', ')}.`
                  : 'Recorded.'}{' '}
                Without an answer by {formatDateTime(escalate.data.contactDueAt)}, it goes to the
                vendor&apos;s escalation contact.
              </Text>
            </Alert>
            <Button w="fit-content" onClick={() => setOpened(false)}>
              Close
            </Button>
          </Stack>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              escalate.mutate();
            }}
          >
            <Stack>
              <Textarea
                label="Reason"
                description="Required: what is wrong and what you need (the CAM reads it)."
                required
                value={reason}
                onChange={(e) => setReason(e.currentTarget.value)}
                error={fieldError(escalate.error, 'reason')}
                autosize
                minRows={3}
                data-autofocus
              />
              <WriteError error={escalate.error} shownAt={['reason']} />
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setOpened(false)}>
                  Close
                </Button>
                <Button type="submit" loading={escalate.isPending}>
                  Confirm escalation
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
    </>
  );
}
