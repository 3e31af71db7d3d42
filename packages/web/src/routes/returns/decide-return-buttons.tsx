import { useState } from 'react';
import { Button, Group, Modal, Stack, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { fieldError, WriteError } from '../../components/problem-fields';

type Decision = 'approve' | 'refuse';

/**
 * The vendor's decision on a return its policy left `requested`: "Approve" or "Refuse", each
 * with the reason the partner will read. The API decides once (409 for a second decision).
 */
export function DecideReturnButtons({ returnId }: { returnId: string }) {
  const queryClient = useQueryClient();
  const [decision, setDecision] = useState<Decision | null>(null);
  const [reason, setReason] = useState('');
  const decide = useMutation({
    mutationFn: async (action: Decision) =>
      unwrap(
        await api.POST('/api/v1/returns/{id}/actions/{action}', {
          params: { path: { id: returnId, action } },
          body: { reason: reason.trim() },
        }),
      ),
    onSuccess: async () => {
      setDecision(null);
      await queryClient.invalidateQueries({ queryKey: ['returns'] });
    },
  });
  const open = (d: Decision) => {
    setReason('');
    decide.reset();
    setDecision(d);
  };
  const label = decision === 'refuse' ? 'Refuse' : 'Approve';
  return (
    <>
      <Group gap="xs">
        <Button size="xs" onClick={() => open('approve')}>
          Approve
        </Button>
        <Button size="xs" variant="default" onClick={() => open('refuse')}>
          Refuse
        </Button>
      </Group>
      <Modal
        closeButtonProps={{ 'aria-label': 'Close dialog' }}
        opened={decision !== null}
        onClose={() => setDecision(null)}
        title={`${label} the return`}
      >
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (decision) decide.mutate(decision);
          }}
        >
          <Stack>
            <Textarea
              label="Reason"
              description="Required: the partner reads it with the decision."
              required
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              error={fieldError(decide.error, 'reason')}
              autosize
              minRows={2}
              data-autofocus
            />
            <WriteError error={decide.error} shownAt={['reason']} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setDecision(null)}>
                Close
              </Button>
              <Button
                type="submit"
                loading={decide.isPending}
                color={decision === 'refuse' ? 'red' : undefined}
              >
                {`Confirm: ${label.toLowerCase()}`}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
