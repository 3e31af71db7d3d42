import type { TestProject } from 'vitest/node';
import { startPostgres, type PostgresServer } from './postgres-server.ts';
import { testDialects } from './dialect-list.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null;
  }
}

let server: PostgresServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  if (!testDialects().includes('postgres')) {
    project.provide('postgresUrl', null);
    return;
  }
  server = await startPostgres();
  project.provide('postgresUrl', server.url);
}

export function teardown(): void {
  server?.stop();
}
