import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** A database handle or an open transaction: repositories never open their own. */
export type Executor = Kysely<Database>;

/** Maps a unique-constraint violation of either dialect to `true`. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; message?: unknown };
  if (e.code === '23505') return true; // PostgreSQL unique_violation
  return (
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    (typeof e.message === 'string' && e.message.includes('UNIQUE constraint failed'))
  );
}

/** Whether the database answers (the health check): a trivial query, true or false. */
export async function pingDatabase(db: Executor): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
