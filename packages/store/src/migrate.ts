import { Migrator, type MigrationResultSet } from 'kysely';
import { migrations } from './migrations/index.ts';
import type { Store } from './dialects.ts';

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(store: Store): Promise<string[]> {
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
    // Names compared by code point (they are ASCII, "0001_…"): Kysely's default,
    // localeCompare, loads ICU's collation data on its first call (~10 ms of every start).
    nameComparator: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const message =
      result.error instanceof Error ? result.error.message : JSON.stringify(result.error);
    throw new Error(`Migration ${failed?.migrationName ?? '(unknown)'} failed: ${message}`, {
      cause: result.error,
    });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
