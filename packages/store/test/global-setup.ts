import type { TestProject } from 'vitest/node';
import { startPostgres, type PostgresServer } from './postgres-server.ts';
import { testDialects } from './dialect-list.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The throwaway cluster's URL, or null when the run has no PostgreSQL. */
    postgresUrl: string | null;
    /** Set in vitest.config.ts on the projects whose tests open databases. */
    usesDatabases: boolean;
  }
}

let server: PostgresServer | undefined;

/**
 * The root global setup of the whole run (vitest.config.ts): one PostgreSQL cluster for every
 * project, provided to all of them through the root project. It is started only when the
 * selected projects include one that opens databases and PostgreSQL is among the dialects
 * (ORDERDESK_TEST_DATABASES), so `--project core` or a SQLite-only run starts nothing.
 */
export async function setup(root: TestProject): Promise<void> {
  const wanted =
    testDialects().includes('postgres') &&
    root.vitest.projects.some((p) => p.config.provide?.usesDatabases === true);
  if (!wanted) {
    root.provide('postgresUrl', null);
    return;
  }
  server = await startPostgres();
  root.provide('postgresUrl', server.url);
}

export function teardown(): void {
  server?.stop();
  server = undefined;
}
