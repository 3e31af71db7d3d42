import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, testDialects } from '../test/databases.ts';
import { BatchingPostgresDialect } from './batched-reads.ts';

// `pg` is loaded on first use (pg-pipeline.ts, loadPg), with the store's int8 parser: bigint
// columns (money in minor units, counters) are numbers. A dialect built on a pool of one's own,
// before anything else in the process has loaded pg through the store, parses them so too.
// Alone in its file: nothing here loads pg through the store first.

describe.runIf(testDialects().includes('postgres'))('int8 on postgres', () => {
  it('comes back as a number through a BatchingPostgresDialect on its own pool', async () => {
    const url = await createTestDatabaseUrl('postgres');
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const db = new Kysely<Record<string, never>>({
      dialect: new BatchingPostgresDialect({ pool }),
    });
    try {
      const { rows } = await sql<{
        n: number;
      }>`select 9007199254740991::int8 as n, 12345::int8 as m`.execute(db);
      expect(rows[0]).toEqual({ n: 9007199254740991, m: 12345 });
      await expect(sql`select 9007199254740993::int8 as n`.execute(db)).rejects.toThrow(
        /exceeds 2\^53/,
      );
    } finally {
      await db.destroy();
    }
  });
});
