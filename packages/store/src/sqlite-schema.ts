// Indexes and triggers a bulk writer drops for its transaction and creates again, from their
// own definitions, before it ends (SQLite only). DDL is transactional on SQLite: a rollback
// puts them back as they were, and no other connection ever sees them gone.
// - Secondary indexes: one sort at the end costs less than their random inserts when the new
//   rows outnumber the old ones (restoreIndexes builds them).
// - Per-row triggers whose work the writer does itself: at 100,000 rows, each of the price-list
//   import's (a read-version stamp, the word index's INSERT trigger) cost ~0.1 s of the
//   import's single writing thread.
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from './executor.ts';

/** An index or trigger as sqlite_master defines it. */
export interface SchemaObject {
  name: string;
  sql: string;
}

/**
 * Drops the indexes or triggers `where` selects in sqlite_master (those with a definition),
 * inside the caller's transaction; returns their definitions, in name order.
 */
export async function dropSchemaObjects(
  tx: Executor,
  type: 'index' | 'trigger',
  where: RawBuilder<boolean>,
): Promise<SchemaObject[]> {
  const objects = (
    await sql<SchemaObject>`select name, sql from sqlite_master
        where type = ${type} and sql is not null and ${where}
        order by name`.execute(tx)
  ).rows;
  for (const object of objects) {
    await sql`drop ${sql.raw(type)} ${sql.id(object.name)}`.execute(tx);
  }
  return objects;
}

/** Creates dropped indexes or triggers again, from their definitions. */
export async function createSchemaObjects(
  tx: Executor,
  objects: readonly SchemaObject[],
): Promise<void> {
  for (const object of objects) await sql.raw(object.sql).execute(tx);
}

/**
 * Drops those of the triggers `names` that exist, inside the caller's transaction; resolves
 * with what creates them again (call it before the transaction commits).
 *
 * @example
 * const createAgain = await dropTriggers(tx, ['products_rv_insert']);
 * // … insert the rows, do what the trigger did …
 * await createAgain();
 */
export async function dropTriggers(
  tx: Executor,
  names: readonly string[],
): Promise<() => Promise<void>> {
  if (names.length === 0) return async () => {};
  const triggers = await dropSchemaObjects(
    tx,
    'trigger',
    sql<boolean>`name in (${sql.join(names)})`,
  );
  return () => createSchemaObjects(tx, triggers);
}
