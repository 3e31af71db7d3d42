import { useState } from 'react';
import {
  ActionIcon,
  Alert,
  Button,
  Checkbox,
  Group,
  Modal,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, unwrap, type Order } from '../../api/client';
import { useProfile } from '../../api/queries';
import { humanize } from '../../lib/format';
import { CloseIcon } from '../../components/icons';
import { offersWelcomeEmailChoice } from './welcome-email';
import {
  holdFieldChoices,
  holdProblemsBody,
  WHOLE_ORDER,
  type HoldProblemRow,
} from './hold-fields';

type Action = Order['availableActions'][number];

const NEEDS_REASON: readonly Action[] = ['hold', 'reject', 'cancel'];

/** The order's available actions as buttons named after them, each confirmed with a reason. */
export function OrderActions({ order }: { order: Order }) {
  const queryClient = useQueryClient();
  const [action, setAction] = useState<Action | null>(null);
  const [reason, setReason] = useState('');
  const [welcomeEmail, setWelcomeEmail] = useState(true);
  const [holdProblems, setHoldProblems] = useState<HoldProblemRow[]>([]);
  // The rows that say nothing yet, once Confirm was pressed: named rather than dropped.
  const [rowErrors, setRowErrors] = useState<Map<number, string>>(new Map());
  const profile = useProfile(order.vendor);
  const welcomeEmailChoice = offersWelcomeEmailChoice(profile.data, order.type);
  const fieldChoices = holdFieldChoices(
    profile.data,
    order,
    holdProblems.map((p) => p.field),
  );
  const run = useMutation({
    mutationFn: async ({
      act,
      problems,
    }: {
      act: Action;
      problems: { path: string; message: string }[];
    }) => {
      return unwrap(
        await api.POST('/api/v1/orders/{id}/actions/{action}', {
          params: {
            path: { id: order.id, action: act },
            header: { 'If-Match': String(order.version) },
          },
          body: {
            ...(reason.trim() ? { reason: reason.trim() } : {}),
            ...(act === 'hold' && problems.length ? { problems } : {}),
            ...(act === 'complete' && welcomeEmailChoice ? { welcomeEmail } : {}),
          },
        }),
      );
    },
    onSuccess: async (updated) => {
      queryClient.setQueryData(['order', order.id], updated);
      await queryClient.invalidateQueries({ queryKey: ['order', order.id] });
      await queryClient.invalidateQueries({ queryKey: ['orders'] });
      setAction(null);
    },
  });
  const open = (act: Action) => {
    setAction(act);
    setReason('');
    setHoldProblems(
      act === 'hold'
        ? order.problems
            .filter((p) => p.severity === 'error')
            .map((p) => ({ field: p.path || WHOLE_ORDER, message: p.message }))
        : [],
    );
    setRowErrors(new Map());
    run.reset();
  };
  const fieldError = (field: string) =>
    run.error instanceof ApiError
      ? run.error.problem.errors
          ?.filter((e) => e.path === field || e.path.startsWith(`${field}[`))
          .map((e) => e.message)
          .join(' ') || undefined
      : undefined;
  if (order.availableActions.length === 0) return null;
  return (
    <>
      <Group gap="xs" aria-label="Actions">
        {order.availableActions.map((act) => (
          <Button
            key={act}
            // Dark red text and black on yellow keep 4.5:1 contrast (red.6 / orange do not).
            color={
              act === 'reject' || act === 'cancel'
                ? 'red.9'
                : act === 'hold'
                  ? 'yellow.4'
                  : undefined
            }
            c={act === 'hold' ? 'black' : undefined}
            variant={act === 'reject' || act === 'cancel' ? 'outline' : 'filled'}
            onClick={() => open(act)}
          >
            {humanize(act)}
          </Button>
        ))}
      </Group>
      <Modal
        closeButtonProps={{ 'aria-label': 'Close dialog' }}
        opened={action !== null}
        onClose={() => setAction(null)}
        title={action ? `${humanize(action)} order ${order.number}` : ''}
        size="lg"
      >
        {action && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (action !== 'hold') {
                run.mutate({ act: action, problems: [] });
                return;
              }
              const checked = holdProblemsBody(holdProblems);
              setRowErrors(checked.ok ? new Map() : checked.errors);
              if (checked.ok) run.mutate({ act: action, problems: checked.problems });
            }}
          >
            <Stack>
              <Textarea
                label="Reason"
                description={
                  NEEDS_REASON.includes(action)
                    ? 'Required: the partner reads it.'
                    : 'Optional note on the order timeline.'
                }
                required={NEEDS_REASON.includes(action)}
                value={reason}
                onChange={(e) => setReason(e.currentTarget.value)}
                error={fieldError('reason')}
                autosize
                minRows={2}
                data-autofocus
              />
              {action === 'complete' && welcomeEmailChoice && (
                <Checkbox
                  label="Send the welcome e-mail to the end user"
                  checked={welcomeEmail}
                  onChange={(e) => setWelcomeEmail(e.currentTarget.checked)}
                />
              )}
              {action === 'hold' && (
                <Stack gap="xs">
                  <Text fw={600} size="sm">
                    Problems per field
                  </Text>
                  <Text size="xs" c="dimmed">
                    The partner sees each problem at its field when correcting the order.
                  </Text>
                  {holdProblems.map((p, i) => (
                    <Group key={i} align="flex-start" wrap="wrap">
                      <Select
                        label={`Field ${i + 1}`}
                        data={fieldChoices}
                        value={p.field}
                        onChange={(field) =>
                          setHoldProblems((all) =>
                            all.map((x, j) =>
                              j === i ? { ...x, field: field ?? WHOLE_ORDER } : x,
                            ),
                          )
                        }
                        allowDeselect={false}
                        searchable
                        comboboxProps={{ withinPortal: true }}
                        style={{ flex: '1 1 200px' }}
                      />
                      <TextInput
                        label={`Problem ${i + 1}`}
                        value={p.message}
                        withAsterisk
                        error={rowErrors.get(i)}
                        onChange={(e) => {
                          const message = e.currentTarget.value;
                          setHoldProblems((all) =>
                            all.map((x, j) => (j === i ? { ...x, message } : x)),
                          );
                        }}
                        style={{ flex: '2 1 240px' }}
                      />
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        size="lg"
                        aria-label={`Remove problem ${i + 1}`}
                        mt={26}
                        onClick={() => {
                          setHoldProblems((all) => all.filter((_, j) => j !== i));
                          setRowErrors(new Map());
                        }}
                      >
                        <CloseIcon />
                      </ActionIcon>
                    </Group>
                  ))}
                  <Button
                    size="xs"
                    variant="default"
                    w="fit-content"
                    onClick={() =>
                      setHoldProblems((all) => [...all, { field: WHOLE_ORDER, message: '' }])
                    }
                  >
                    Add a problem
                  </Button>
                </Stack>
              )}
              {run.error && (
                <Alert color="red" role="alert">
                  {run.error instanceof ApiError && run.error.problem.status === 409
                    ? 'Someone else changed this order meanwhile: close this and look again.'
                    : run.error.message}
                </Alert>
              )}
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setAction(null)}>
                  Close
                </Button>
                <Button type="submit" loading={run.isPending}>
                  Confirm {humanize(action).toLowerCase()}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
    </>
  );
}
