import type { Executor } from './executor.ts';
import type { Fulfilment, FulfilmentLine } from './schema.ts';

/** Inserts a fulfilment and its lines (in the fulfilling transaction). */
export async function insertFulfilment(
  db: Executor,
  fulfilment: Fulfilment,
  lines: readonly FulfilmentLine[],
): Promise<void> {
  await db.insertInto('fulfilments').values(fulfilment).execute();
  if (lines.length > 0)
    await db
      .insertInto('fulfilment_lines')
      .values([...lines])
      .execute();
}

/** An order's fulfilments, oldest first, with their lines. */
export async function listFulfilments(
  db: Executor,
  orderId: string,
): Promise<{ fulfilment: Fulfilment; lines: FulfilmentLine[] }[]> {
  const rows = await db
    .selectFrom('fulfilments')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('id')
    .execute();
  const lines = await db
    .selectFrom('fulfilment_lines')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('line_no')
    .execute();
  return rows.map((fulfilment) => ({
    fulfilment,
    lines: lines.filter((l) => l.fulfilment_id === fulfilment.id),
  }));
}

/** Quantity fulfilled so far per order line number. */
export async function fulfilledQuantities(
  db: Executor,
  orderId: string,
): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('fulfilment_lines')
    .select(['line_no'])
    .select((eb) => eb.fn.sum<number>('quantity').as('quantity'))
    .where('order_id', '=', orderId)
    .groupBy('line_no')
    .execute();
  return new Map(rows.map((r) => [Number(r.line_no), Number(r.quantity)]));
}
