import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
//
// PostgreSQL only. Every order submission stores its response (the order's view, ~2.6 kB for
// five lines) as the idempotency key's replay body, and PostgreSQL compresses a value past
// ~2 kB before it stores the row: with its default, pglz, that cost ~28 µs per row in a test
// on the bench's bodies; with lz4 ~10 µs, at a slightly lower ratio. New values of the columns
// that hold such documents are compressed with lz4 (existing ones stay as they are and read
// the same). A server built without lz4 keeps pglz. SQLite does not compress: nothing to do.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

const COLUMNS: readonly (readonly [string, string])[] = [
  ['idempotency_keys', 'response_body'],
  ['orders', 'body'],
  ['audit_events', 'data'],
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function setCompression(db: Kysely<any>, method: 'lz4' | 'pglz'): Promise<void> {
  if (!isPostgres(db)) return;
  const lz4 = await sql<{ ok: boolean }>`select 'lz4' = any(enumvals) as ok
    from pg_settings where name = 'default_toast_compression'`.execute(db);
  if (method === 'lz4' && lz4.rows[0]?.ok !== true) return;
  for (const [table, column] of COLUMNS) {
    await sql`ALTER TABLE ${sql.table(table)} ALTER COLUMN ${sql.ref(column)}
      SET COMPRESSION ${sql.raw(method)}`.execute(db);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await setCompression(db, 'lz4');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await setCompression(db, 'pglz');
}
