import { pingDatabase } from '@orderdesk/store';
import type { AppContext } from '../context.ts';
import { AppError } from '../shared/errors.ts';

/** Liveness: the database answers (unavailable otherwise). */
export async function checkHealth(ctx: AppContext): Promise<{ db: 'sqlite' | 'postgres' }> {
  if (!(await pingDatabase(ctx.store.db))) {
    throw new AppError('unavailable', 'database-unavailable', 'The database does not answer');
  }
  return { db: ctx.store.dialect };
}
