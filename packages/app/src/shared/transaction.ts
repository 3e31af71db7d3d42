import type { Executor } from '@orderdesk/store';
import type { AppContext } from '../context.ts';

/** Options every writing use case takes: run inside the caller's transaction when given. */
export interface WriteOptions {
  /**
   * The transaction to write in (e.g. the HTTP adapter's idempotency record shares it). Without
   * one the use case opens its own and commits it before returning.
   */
  tx?: Executor;
}

/** Runs `work` in the caller's transaction, or in a new one. */
export async function inTransaction<T>(
  ctx: AppContext,
  options: WriteOptions,
  work: (tx: Executor) => Promise<T>,
): Promise<T> {
  if (options.tx) return work(options.tx);
  return ctx.store.db.transaction().execute(work);
}
