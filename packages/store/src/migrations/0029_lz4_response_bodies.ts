import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
//
// PostgreSQL only. Every order submission stores its response (the order's view, ~2.6 kB for
// five lines) as the idempotency key's replay body, and PostgreSQL compresses a value past
// ~2 kB before it stores the row: with its default, pglz, that cost ~28 µs per row in a test
// on the bench's bodies; with lz4 ~10 µs, at a slightly lower ratio. New values of the columns
// that hold such documents are compressed with lz4 (existing ones stay as they are and read
// the same). A server without lz4 (built without it, or before 14) keeps its default. SQLite
// does not compress: nothing to do.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

const COLUMNS: readonly (readonly [string, string])[] = [
  ['idempotency_keys', 'response_body'],
  ['orders', 'body'],
  ['audit_events', 'data'],
];

/** Whether this PostgreSQL can compress with lz4 (built with it; 14 or later). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function hasLz4(db: Kysely<any>): Promise<boolean> {
  const r = await sql<{ ok: boolean }>`select 'lz4' = any(enumvals) as ok
    from pg_settings where name = 'default_toast_compression'`.execute(db);
  return r.rows[0]?.ok === true;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function setCompression(db: Kysely<any>, method: 'lz4' | 'DEFAULT'): Promise<void> {
  if (!isPostgres(db) || !(await hasLz4(db))) return;
  // Each ALTER takes the table's exclusive lock for a moment: wait for it at most 10 s rather
  // than queue every request behind a long transaction (the migration fails and can run again).
  await sql`SET LOCAL lock_timeout = '10s'`.execute(db);
  for (const [table, column] of COLUMNS) {
    await sql`ALTER TABLE ${sql.table(table)} ALTER COLUMN ${sql.ref(column)}
      SET COMPRESSION ${sql.raw(method)}`.execute(db);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await setCompression(db, 'lz4');
}

/** Back to the server's default_toast_compression for new values. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await setCompression(db, 'DEFAULT');
}
