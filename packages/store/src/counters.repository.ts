import type { Executor } from './executor.ts';
import { prepared } from './prepared-query.ts';

/**
 * The next value of a gapless per-vendor sequence: invoices, credit notes, sales orders, quotes,
 * RMAs, and order numbers on SQLite (on PostgreSQL those come from a sequence, see
 * orders.repository.ts).
 * Call inside the transaction that uses the number: the row lock (PostgreSQL) or the write
 * lock (SQLite) makes concurrent callers wait, so numbers are unique and gap-free on commit.
 */
export async function nextCounterValue(
  db: Executor,
  vendorId: string,
  name: string,
): Promise<number> {
  // One statement: the first use creates the row at 1, later ones add 1 (an upsert locks the
  // row like the update it replaces).
  const { rows } = await upsertCounter(db, { vendorId, name });
  if (!rows[0]) throw new Error(`counter ${name} of ${vendorId}: no value returned`);
  return Number(rows[0].value);
}

const upsertCounter = prepared((db, a: { vendorId: string; name: string }) =>
  db
    .insertInto('counters')
    .values({ vendor_id: a.vendorId, name: a.name, value: 1 })
    .onConflict((oc) =>
      oc.columns(['vendor_id', 'name']).doUpdateSet((eb) => ({
        value: eb('counters.value', '+', 1),
      })),
    )
    .returning('value'),
);
