import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
//
// Issue 12, SQLite: every request with a bearer token read its token, user and partner scope
// (one statement across four tables), though they change only when a token is made, used
// (at most once a minute), revoked or expires, or a user or partner is changed. Two more stamps
// in `read_versions` (migration 0031), `users` and `api_tokens`, with the same triggers, let the
// process keep that read while the stamps of `api_tokens`, `users` and `partners` are unchanged
// (users.repository.ts: findTokenUser) — whoever writes, this process or another.
// Safe to run again (SQLite runs migrations outside a transaction): a column is added only when
// missing, IF NOT EXISTS for the triggers.

const TABLES = ['users', 'api_tokens'] as const;

const STAMP = sql`abs(random() % 9007199254740991)`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return;
  const existing = await sql<{ name: string }>`PRAGMA table_info(read_versions)`.execute(db);
  for (const table of TABLES) {
    if (existing.rows.some((c) => c.name === table)) continue;
    await sql`ALTER TABLE read_versions ADD COLUMN ${sql.id(table)} integer NOT NULL DEFAULT 0`.execute(
      db,
    );
    // A stamp of its own from the start (see 0031).
    await sql`UPDATE read_versions SET ${sql.id(table)} = ${STAMP} WHERE id = 1`.execute(db);
  }
  for (const table of TABLES) {
    for (const event of ['insert', 'update', 'delete'] as const) {
      await sql`CREATE TRIGGER IF NOT EXISTS ${sql.id(`${table}_rv_${event}`)}
        AFTER ${sql.raw(event.toUpperCase())} ON ${sql.table(table)}
        BEGIN
          UPDATE read_versions SET ${sql.id(table)} = ${STAMP} WHERE id = 1;
        END`.execute(db);
    }
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return;
  for (const table of TABLES) {
    for (const event of ['insert', 'update', 'delete']) {
      await sql`DROP TRIGGER IF EXISTS ${sql.id(`${table}_rv_${event}`)}`.execute(db);
    }
    await sql`ALTER TABLE read_versions DROP COLUMN ${sql.id(table)}`.execute(db);
  }
}
