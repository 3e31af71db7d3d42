import type { ReactNode } from 'react';
import { Center, Loader } from '@mantine/core';
import type { UseInfiniteQueryResult, UseQueryResult } from '@tanstack/react-query';
import { ErrorPanel } from '../layout/route-error';

/** Renders a query's data, a loader while it loads, or the error. */
export function QueryState<T>({
  query,
  children,
}: {
  query: UseQueryResult<T> | UseInfiniteQueryResult<T>;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending)
    return (
      <Center p="xl">
        <Loader role="status" aria-label="Loading" />
      </Center>
    );
  if (query.isError) return <ErrorPanel error={query.error} />;
  return <>{children(query.data)}</>;
}
