import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, testDialects } from '../test/databases.ts';
import { openStore } from './dialects.ts';

// PostgreSQL may end an idle pooled connection at any time (restart, failover, an administrator).
// Unheard, that error is an unhandled 'error' event and the process exits; the store must hear
// it, say so, and answer the next query on a new connection.
describe.each(testDialects().filter((d) => d === 'postgres'))('pool errors on %s', (dialect) => {
  it('survives an idle connection terminated by the server and answers the next query', async () => {
    const url = await createTestDatabaseUrl(dialect);
    const heard: string[] = [];
    const store = openStore(url, { poolSize: 1, onPoolError: (e) => heard.push(e.message) });
    const admin = openStore(url, { poolSize: 1 });
    try {
      const pid = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(store.db);
      const backend = pid.rows[0]?.pid;
      expect(backend).toBeTypeOf('number');
      await sql`select pg_terminate_backend(${backend})`.execute(admin.db);
      for (let i = 0; i < 50 && heard.length === 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(heard.join('\n')).toMatch(/terminat/i);
      const after = await sql<{ one: number }>`select 1 as one`.execute(store.db);
      expect(after.rows[0]?.one).toBe(1);
    } finally {
      await store.close();
      await admin.close();
    }
  });
});
