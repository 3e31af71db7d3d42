import { Alert, Button, Stack } from '@mantine/core';
import { Link, useRouteError } from 'react-router';
import { ApiError } from '../api/client';

/** What a page shows when loading it failed (a 404 for another partner's order, say). */
export function RouteError() {
  const error = useRouteError();
  return <ErrorPanel error={error} />;
}

export function ErrorPanel({ error }: { error: unknown }) {
  const status = error instanceof ApiError ? error.problem.status : undefined;
  const title =
    status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : 'Something went wrong';
  const message =
    status === 404
      ? 'There is nothing here, or it is not yours to see.'
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <Stack maw={560} p="md">
      <Alert color="red" title={title} role="alert">
        {message}
      </Alert>
      <Button component={Link} to="/" variant="default" w="fit-content">
        Back to the start page
      </Button>
    </Stack>
  );
}
