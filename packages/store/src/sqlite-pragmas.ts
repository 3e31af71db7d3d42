// A SQLite connection's settings, read and bounded for the length of one piece of work (the
// price-list import's transaction, the index builds after it), then put back as they were.
import { sql } from 'kysely';
import type { Executor } from './executor.ts';

type NumericPragma = 'cache_size' | 'page_size' | 'temp_store' | 'threads';

/** The value of a numeric PRAGMA on this connection (`fallback` if it answers none). */
export async function pragmaNumber(
  db: Executor,
  name: NumericPragma,
  fallback: number,
): Promise<number> {
  const r = await sql<Record<string, number>>`pragma ${sql.raw(name)}`.execute(db);
  return Number(r.rows[0]?.[name] ?? fallback);
}

/**
 * Bounds the connection's page cache to at most `kib` KiB (a smaller one is kept); resolves
 * with what puts it back.
 */
export async function boundPageCache(db: Executor, kib: number): Promise<() => Promise<void>> {
  const cache = await pragmaNumber(db, 'cache_size', -2000);
  // cache_size: KiB when negative, pages when positive.
  const current = cache < 0 ? -cache : (cache * (await pragmaNumber(db, 'page_size', 4096))) / 1024;
  const bound = Math.max(1, Math.round(kib));
  if (current <= bound) return async () => {};
  await sql.raw(`pragma cache_size = -${bound}`).execute(db);
  return async () => {
    await sql.raw(`pragma cache_size = ${cache}`).execute(db);
  };
}
