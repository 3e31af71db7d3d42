import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { Kysely } from 'kysely';
import pg from 'pg';
import { BatchingPostgresDialect } from '../src/batched-reads.ts';
import { openStore, type DialectName, type Store } from '../src/dialects.ts';
import { migrateToLatest } from '../src/migrate.ts';
import type { Database } from '../src/schema.ts';
import { testDialects } from './dialect-list.ts';

export { testDialects };

/**
 * A fresh, migrated database of the given dialect: an in-memory SQLite database, or a new
 * database on the test run's PostgreSQL cluster. Each call is isolated from every other.
 */
export async function createTestStore(dialect: DialectName): Promise<Store & { url: string }> {
  const url = await createTestDatabaseUrl(dialect);
  const store = openStore(url);
  await migrateToLatest(store);
  return { ...store, url };
}

/** A DATABASE_URL for a new empty database (not migrated), e.g. for a server subprocess. */
export async function createTestDatabaseUrl(
  dialect: DialectName,
  sqliteFile?: string,
): Promise<string> {
  if (dialect === 'sqlite') return sqliteFile ? `sqlite:${sqliteFile}` : 'sqlite::memory:';
  const base = inject('postgresUrl');
  if (!base) {
    throw new Error(
      'PostgreSQL was not started by the global setup: give this vitest project ' +
        '`provide: { usesDatabases: true }` in vitest.config.ts',
    );
  }
  const name = `od_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return base.replace(/\/postgres$/, `/${name}`);
}

/**
 * Tells `onQuery` the text of every query a pool's connections send to PostgreSQL (each one
 * round trip), from connections opened after this call.
 */
export function watchQueries(pool: pg.Pool, onQuery: (text: string) => void): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const [first] = args;
      onQuery(typeof first === 'string' ? first : ((first as { text?: string }).text ?? ''));
      return query(...args);
    };
  });
}

/** A migrated database behind the store's pg dialect, and the queries sent to it so far. */
export async function watchedDatabase(
  dialect: DialectName,
): Promise<{ db: Kysely<Database>; sent: string[] }> {
  const url = await createTestDatabaseUrl(dialect);
  const setup = openStore(url, { poolSize: 1 });
  await migrateToLatest(setup);
  await setup.close();
  const sent: string[] = [];
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  watchQueries(pool, (text) => sent.push(text));
  return { db: new Kysely<Database>({ dialect: new BatchingPostgresDialect({ pool }) }), sent };
}
