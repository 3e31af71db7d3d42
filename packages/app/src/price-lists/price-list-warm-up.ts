// Starting the price-list parser thread ahead of the file's task: a task that only loads the
// parser's module on a worker thread, which then waits idle in runWorkerTask's pool for the
// file's task (same heap limit: the same thread). Imported alone by the CLI's entry for
// `orderdesk import pricelist` (the subpath @orderdesk/app/price-list-warm-up), before the
// rest of the command's modules load, and by the import itself (importPriceListDirectly).
import { UPLOAD_LIMITS } from '../shared/uploads/upload-limits.ts';
import {
  runWorkerTask,
  runWorkersInForeground,
  siblingModule,
} from '../shared/uploads/worker-runner.ts';
import type { PriceListParseSummary, PriceListParseWarmUp } from './price-list-parse.worker.ts';

/** The warm-up under way, if any: a second call waits for it instead of starting another. */
let warming: Promise<void> | undefined;

/**
 * Starts the parser thread and loads its module; resolves once it is idle (never rejects: a
 * thread that failed to start is started again by the file's task). `foreground`: this process
 * is a one-shot command (the CLI's import) whose worker threads keep its priority, rather than
 * a server's, which yield to the thread answering requests.
 */
export function warmPriceListParser(
  limits: { timeBudgetMs?: number; maxWorkerHeapMb?: number; foreground?: boolean } = {},
): Promise<void> {
  if (limits.foreground) runWorkersInForeground();
  warming ??= runWorkerTask<PriceListParseWarmUp, never, PriceListParseSummary>({
    task: siblingModule(import.meta.url, 'price-list-parse.worker'),
    input: { warmUp: true },
    timeBudgetMs: limits.timeBudgetMs ?? UPLOAD_LIMITS.timeBudgetMs,
    maxHeapMb: limits.maxWorkerHeapMb ?? UPLOAD_LIMITS.maxWorkerHeapMb,
  })
    .then(
      () => undefined,
      () => undefined,
    )
    .finally(() => {
      warming = undefined;
    });
  return warming;
}
