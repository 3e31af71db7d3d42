import type { Executor } from './executor.ts';
import type { JobRun } from './schema.ts';
import { newId } from './ids.ts';

/** What claiming a job's slot gave: the run is ours, already done, or leased to another worker. */
export type JobClaim =
  { kind: 'claimed'; id: string; attempts: number } | { kind: 'done' } | { kind: 'busy' };

/**
 * Claims the run of `job` for `slot`: inserts it (unique per job and slot), or takes over a
 * run that failed or whose lease ran out. Exactly one caller gets `claimed` for a slot at a
 * time, whichever processes race (the unique key and the conditional update decide).
 */
export async function claimJobRun(
  db: Executor,
  input: { job: string; slot: string; workerId: string; now: string; leaseUntil: string },
): Promise<JobClaim> {
  const id = newId('job');
  const inserted = await db
    .insertInto('job_runs')
    .values({
      id,
      job: input.job,
      slot: input.slot,
      status: 'running',
      locked_by: input.workerId,
      locked_until: input.leaseUntil,
      attempts: 1,
      started_at: input.now,
      finished_at: null,
      summary: null,
      last_error: null,
    })
    .onConflict((oc) => oc.columns(['job', 'slot']).doNothing())
    .returning(['id', 'attempts'])
    .executeTakeFirst();
  if (inserted) return { kind: 'claimed', id: inserted.id, attempts: Number(inserted.attempts) };
  const taken = await db
    .updateTable('job_runs')
    .set((eb) => ({
      status: 'running',
      locked_by: input.workerId,
      locked_until: input.leaseUntil,
      attempts: eb('attempts', '+', 1),
      started_at: input.now,
      last_error: null,
    }))
    .where('job', '=', input.job)
    .where('slot', '=', input.slot)
    .where((eb) =>
      eb.or([
        eb('status', '=', 'failed'),
        eb.and([eb('status', '=', 'running'), eb('locked_until', '<', input.now)]),
      ]),
    )
    .returning(['id', 'attempts'])
    .executeTakeFirst();
  if (taken) return { kind: 'claimed', id: taken.id, attempts: Number(taken.attempts) };
  const row = await db
    .selectFrom('job_runs')
    .select('status')
    .where('job', '=', input.job)
    .where('slot', '=', input.slot)
    .executeTakeFirst();
  return row?.status === 'done' ? { kind: 'done' } : { kind: 'busy' };
}

/** Extends the lease of a run this worker holds; false if it lost it. */
export async function renewJobLease(
  db: Executor,
  input: { id: string; workerId: string; leaseUntil: string },
): Promise<boolean> {
  const result = await db
    .updateTable('job_runs')
    .set({ locked_until: input.leaseUntil })
    .where('id', '=', input.id)
    .where('locked_by', '=', input.workerId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Records the end of a run this worker holds (`done` with a summary, or `failed` with the error). */
export async function finishJobRun(
  db: Executor,
  input: {
    id: string;
    workerId: string;
    status: 'done' | 'failed';
    at: string;
    summary?: unknown;
    error?: string;
  },
): Promise<boolean> {
  const result = await db
    .updateTable('job_runs')
    .set({
      status: input.status,
      finished_at: input.at,
      locked_until: null,
      summary: input.summary === undefined ? null : JSON.stringify(input.summary),
      last_error: input.error ?? null,
    })
    .where('id', '=', input.id)
    .where('locked_by', '=', input.workerId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The latest runs of a job (or of every job), newest slot first. */
export async function listJobRuns(
  db: Executor,
  filter: { job?: string; limit?: number } = {},
): Promise<JobRun[]> {
  let q = db
    .selectFrom('job_runs')
    .selectAll()
    .orderBy('slot', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 100);
  if (filter.job !== undefined) q = q.where('job', '=', filter.job);
  return q.execute();
}
