// The scheduler in-process: `serve` and `orderdesk worker` run a pass of the due jobs at start
// (catching up whatever came due while nothing ran) and then every interval. Several processes
// may run it against one database: each job's slot is claimed once (run-due-jobs.ts).
import { hostname } from 'node:os';
import type { AppContext } from '../context.ts';
import { runDueJobs, type JobPassResult } from './run-due-jobs.ts';

export interface JobLoop {
  workerId: string;
  /** Runs one pass now (tests, `--once`); resolves with what each job did. */
  runNow(now?: Date): Promise<JobPassResult[]>;
  /** Stops the loop and waits for a pass in progress to finish its item in hand. */
  stop(): Promise<void>;
}

let counter = 0;

/** Starts the scheduler loop of this process (a pass at once, then every `intervalMs`). */
export function startJobLoop(
  ctx: AppContext,
  options: { intervalMs?: number; autoStart?: boolean; log?: (line: string) => void } = {},
): JobLoop {
  const workerId = `jobs:${hostname()}:${process.pid}:${++counter}`;
  const intervalMs = options.intervalMs ?? 60_000;
  const log = options.log ?? (() => {});
  let stopping = false;
  let running: Promise<JobPassResult[]> | null = null;
  let timer: NodeJS.Timeout | null = null;

  const pass = (now?: Date): Promise<JobPassResult[]> => {
    if (running) return running;
    running = runDueJobs(ctx, {
      workerId,
      log,
      shouldStop: () => stopping,
      ...(now ? { now } : {}),
    })
      .then((results) => {
        for (const r of results) {
          if (r.outcome === 'ran' && r.summary && Object.values(r.summary).some((n) => n > 0)) {
            log(`job ${r.job} ${r.slot}: ${JSON.stringify(r.summary)}`);
          }
        }
        return results;
      })
      .catch((error: unknown) => {
        log(`jobs pass failed: ${error instanceof Error ? error.message : String(error)}`);
        return [];
      })
      .finally(() => {
        running = null;
      });
    return running;
  };

  const schedule = (): void => {
    if (stopping) return;
    timer = setTimeout(() => {
      void pass().finally(schedule);
    }, intervalMs);
    timer.unref();
  };

  if (options.autoStart !== false) {
    // Catch up at start: whatever came due while no process ran.
    void pass().finally(schedule);
  }

  return {
    workerId,
    runNow: pass,
    stop: async () => {
      stopping = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
