import type { Executor } from './executor.ts';

/**
 * The next value of a per-vendor sequence (order numbers, sales order numbers, quote numbers).
 * Call inside the transaction that uses the number: the row lock (PostgreSQL) or the write
 * lock (SQLite) makes concurrent callers wait, so numbers are unique and gap-free on commit.
 */
export async function nextCounterValue(
  db: Executor,
  vendorId: string,
  name: string,
): Promise<number> {
  await db
    .insertInto('counters')
    .values({ vendor_id: vendorId, name, value: 0 })
    .onConflict((oc) => oc.columns(['vendor_id', 'name']).doNothing())
    .execute();
  const row = await db
    .updateTable('counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('vendor_id', '=', vendorId)
    .where('name', '=', name)
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value);
}
