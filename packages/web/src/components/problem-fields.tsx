import { Alert, Stack, Text } from '@mantine/core';
import { ApiError } from '../api/client';

/** The messages of the answer's problems at `field` (or inside it: `lines[0]…`), for its input. */
export function fieldError(error: unknown, field: string): string | undefined {
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

/**
 * The error of a failed write, as an alert: its detail, and the problems of fields that have
 * no input of their own on the form (those with one are shown there).
 */
export function WriteError({
  error,
  shownAt = [],
  conflict = 'Someone else changed this meanwhile: close this and look again.',
}: {
  error: unknown;
  shownAt?: readonly string[];
  conflict?: string;
}) {
  if (!error) return null;
  const problem = error instanceof ApiError ? error.problem : null;
  const rest =
    problem?.errors?.filter(
      (e) =>
        !shownAt.some(
          (f) => e.path === f || e.path.startsWith(`${f}[`) || e.path.startsWith(`${f}.`),
        ),
    ) ?? [];
  return (
    <Alert color="red" role="alert">
      <Stack gap={2}>
        <Text size="sm">
          {problem?.status === 409
            ? conflict
            : error instanceof Error
              ? error.message
              : 'The request failed.'}
        </Text>
        {rest.map((e, i) => (
          <Text size="sm" key={i}>
            {e.path ? `${e.path}: ` : ''}
            {e.message}
          </Text>
        ))}
      </Stack>
    </Alert>
  );
}
