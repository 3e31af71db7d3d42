// Per-row triggers that a bulk writer does the work of itself, dropped for the writer's
// transaction and created again, from their own definitions, before it ends (SQLite only).
// DDL is transactional on SQLite: a rollback puts them back as they were, and no other
// connection ever sees them gone. A trigger fires once per row: at 100,000 rows, each of the
// price-list import's (a read-version stamp, the word index's deferred INSERT trigger) cost
// ~0.1 s of the import's single writing thread.
import { sql } from 'kysely';
import type { Executor } from './executor.ts';

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
  const triggers = (
    await sql<{ name: string; sql: string }>`select name, sql from sqlite_master
        where type = 'trigger' and name in (${sql.join(names)})
        order by name`.execute(tx)
  ).rows;
  for (const trigger of triggers) await sql`drop trigger ${sql.id(trigger.name)}`.execute(tx);
  return async () => {
    for (const trigger of triggers) await sql.raw(trigger.sql).execute(tx);
  };
}
