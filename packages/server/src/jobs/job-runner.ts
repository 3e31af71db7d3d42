// The scheduler inside `serve`: the app's job loop, started with the server and stopped with
// it. Its passes share the database with any `orderdesk worker` and `orderdesk jobs run`:
// each job's slot runs once whichever process claims it.
import { startJobLoop, type AppContext, type JobLoop } from '@orderdesk/app';

/** Starts the in-process scheduler (every minute; a first pass at once catches up). */
export function startInProcessJobs(ctx: AppContext, log: (line: string) => void): JobLoop {
  return startJobLoop(ctx, { intervalMs: 60_000, log });
}
