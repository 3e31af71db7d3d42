// One pass of the scheduler: for each job, claim the slot due now and run it. The claim is a
// row unique per job and slot, leased to this worker; a second process (or a second pass at
// the same instant) finds it done or leased and skips it, and a run whose worker died is taken
// over when its lease runs out. Each job's effects are idempotent too (an invoice is unique per
// order), so a taken-over run never repeats what its predecessor committed.
import { claimJobRun, finishJobRun, renewJobLease } from '@orderdesk/store';
import type { AppContext } from '../context.ts';
import { jobDefinitions } from './job-registry.ts';
import type { JobDefinition, JobSummary } from './job.types.ts';

export const JOB_OUTCOMES = ['ran', 'failed', 'done_already', 'busy', 'not_due'] as const;
export type JobOutcome = (typeof JOB_OUTCOMES)[number];

export interface JobPassResult {
  job: string;
  slot: string | null;
  outcome: JobOutcome;
  summary?: JobSummary;
  error?: string;
}

export interface RunDueJobsOptions {
  /** The instant to run at (the clock's now by default; `orderdesk jobs run --now`). */
  now?: Date;
  /** Names this process's claims; unique per running process. */
  workerId: string;
  /** The jobs to consider (the registry by default). */
  jobs?: readonly JobDefinition[];
  log?: (line: string) => void;
  /** Asked between items: true stops the pass early (the process is stopping). */
  shouldStop?: () => boolean;
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
}

/** Runs every job due at `now` once (across all processes), and says what became of each. */
export async function runDueJobs(
  ctx: AppContext,
  options: RunDueJobsOptions,
): Promise<JobPassResult[]> {
  const now = options.now ?? ctx.now();
  const log = options.log ?? (() => {});
  const results: JobPassResult[] = [];
  for (const job of options.jobs ?? jobDefinitions()) {
    if (options.shouldStop?.()) break;
    results.push(await runJob(ctx, job, now, options, log));
  }
  return results;
}

async function runJob(
  ctx: AppContext,
  job: JobDefinition,
  now: Date,
  options: RunDueJobsOptions,
  log: (line: string) => void,
): Promise<JobPassResult> {
  const slot = job.slotAt(now);
  if (slot === null) return { job: job.name, slot: null, outcome: 'not_due' };
  const slotText = slot.toISOString();
  const db = ctx.store.db;
  // Leases run on the machine's clock: a test's frozen clock must not keep a lease alive.
  const leaseUntil = (): string => new Date(Date.now() + job.leaseMs).toISOString();
  const claim = await claimJobRun(db, {
    job: job.name,
    slot: slotText,
    workerId: options.workerId,
    now: new Date().toISOString(),
    leaseUntil: leaseUntil(),
  });
  if (claim.kind === 'done') return { job: job.name, slot: slotText, outcome: 'done_already' };
  if (claim.kind === 'busy') return { job: job.name, slot: slotText, outcome: 'busy' };
  let leaseHeld = true;
  let lastRenewal = Date.now();
  const shouldContinue = (): boolean => leaseHeld && !(options.shouldStop?.() ?? false);
  const renew = async (): Promise<void> => {
    if (Date.now() - lastRenewal < job.leaseMs / 3) return;
    lastRenewal = Date.now();
    leaseHeld = await renewJobLease(db, {
      id: claim.id,
      workerId: options.workerId,
      leaseUntil: leaseUntil(),
    });
  };
  try {
    const summary = await job.run({
      ctx,
      now,
      slot,
      workerId: options.workerId,
      log,
      shouldContinue: () => {
        // A lease that cannot be renewed is treated as lost: the run stops at the next item.
        renew().catch(() => {
          leaseHeld = false;
        });
        return shouldContinue();
      },
    });
    await finishJobRun(db, {
      id: claim.id,
      workerId: options.workerId,
      status: 'done',
      at: new Date().toISOString(),
      summary,
    });
    return { job: job.name, slot: slotText, outcome: 'ran', summary };
  } catch (error) {
    const text = errorText(error);
    log(`job ${job.name} (${slotText}) failed: ${text}`);
    await finishJobRun(db, {
      id: claim.id,
      workerId: options.workerId,
      status: 'failed',
      at: new Date().toISOString(),
      error: text,
    });
    return { job: job.name, slot: slotText, outcome: 'failed', error: text };
  }
}
