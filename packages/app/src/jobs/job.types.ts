// What a scheduled job is: a name, when it is due (its slots) and what one run does. The
// runner (run-due-jobs.ts) claims each due slot once across every process sharing the
// database; the job's own effects must also be idempotent (unique keys), because a run whose
// worker died is run again by another when its lease runs out.
import { Cron } from 'croner';
import type { AppContext } from '../context.ts';

/** What a run gets: the context, the instant it runs for, its slot and a log line sink. */
export interface JobRunContext {
  ctx: AppContext;
  /** The instant the jobs run at (the clock, or `orderdesk jobs run --now`). */
  now: Date;
  /** The scheduled instant this run stands for (≤ now). */
  slot: Date;
  workerId: string;
  log: (line: string) => void;
  /** False once the lease is lost or the process is stopping: finish the item in hand and return. */
  shouldContinue: () => boolean;
}

/** Counts of what a run did (`issued: 3`), printed by the CLI and stored with the run. */
export type JobSummary = Record<string, number>;

export interface JobDefinition {
  /** Stable key (`invoices.issue-due`): one run per name and slot. */
  name: string;
  description: string;
  /**
   * The latest slot due at `now` (≤ now), or null when none is. A run missed while no process
   * was up is caught up: the latest slot is run once at the next start, never every missed one.
   */
  slotAt(now: Date): Date | null;
  /** How long a claimed run stays this worker's before another may take it over. */
  leaseMs: number;
  run(job: JobRunContext): Promise<JobSummary>;
}

/** Slots every `minutes` minutes, aligned to the epoch (so every process agrees on them). */
export function everyMinutes(minutes: number): (now: Date) => Date {
  const ms = minutes * 60_000;
  return (now) => new Date(Math.floor(now.getTime() / ms) * ms);
}

/** Slots of a five-field cron expression in a time zone (croner): the latest one ≤ now. */
export function cronSlots(expression: string, timeZone: string): (now: Date) => Date | null {
  const cron = new Cron(expression, { timezone: timeZone, paused: true });
  return (now) => {
    // previousRuns looks strictly before the reference: a slot exactly at `now` counts too.
    const [previous] = cron.previousRuns(1, new Date(now.getTime() + 1));
    return previous ?? null;
  };
}
