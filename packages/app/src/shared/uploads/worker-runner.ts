import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError, type AppErrorKind } from '../errors.ts';
import { UPLOAD_LIMITS, uploadTooLarge } from './upload-limits.ts';

// Runs a CPU-heavy task (parsing an upload) on a worker thread, so the event loop that answers
// every other request never waits behind it. The task is a module whose default export is
// `(input, channel) => Promise<result>` (see worker-host.ts); it streams messages back with
// `channel.send`, which waits for the previous message to be handled (one in flight: a fast
// parser cannot pile up rows in memory while the database writes them). The worker has a
// wall-time budget and a heap cap: past either it is terminated and the upload refused (413).
// A worker that finished its task is kept for the next one for IDLE_WORKER_MS (unreferenced:
// it never keeps a process alive), so a busy server does not pay a thread's start-up — a
// loader, a module graph — per upload.
//
// The worker must load TypeScript when this module runs as TypeScript (tsx, vitest): it then
// registers tsx's loader first. Compiled (npm start: packages/cli/dist, see
// packages/cli/scripts/build.js), the `.js` siblings load as they are: the bundle keeps every
// worker entry and chunk in one folder, so a sibling is found whichever chunk asks.

/** What a task module exports by default. */
export type WorkerTask<I, M, R> = (input: I, channel: WorkerChannel<M>) => Promise<R>;

export interface WorkerChannel<M> {
  /** Sends a message to the main thread; resolves once the previous one has been handled. */
  send(message: M): Promise<void>;
}

export interface WorkerRunOptions<I, M> {
  /** The task module (`new URL('./x.worker.ts', import.meta.url)`; see `siblingModule`). */
  task: URL;
  input: I;
  /** Handles a message of the task (e.g. writes a batch); the task waits for it. */
  onMessage?: (message: M) => Promise<void> | void;
  /** Default: UPLOAD_LIMITS.timeBudgetMs. */
  timeBudgetMs?: number;
  /** Default: UPLOAD_LIMITS.maxWorkerHeapMb. */
  maxHeapMb?: number;
  signal?: AbortSignal;
}

/** Messages from worker-host.ts to the runner, each naming the run (`job`) it belongs to. */
export type HostMessage =
  | { type: 'message'; job: number; id: number; payload: unknown }
  | { type: 'result'; job: number; value: unknown }
  | { type: 'error'; job: number; error: SerializedError };

/** What worker-host.ts is started with (its `workerData`). */
export interface HostSettings {
  /** Lower the thread's scheduling priority (nice +10). */
  inBackground: boolean;
}

/** Messages from the runner to worker-host.ts. */
export type RunnerMessage =
  | { type: 'run'; job: number; task: string; input: unknown }
  | { type: 'ack'; job: number; id: number };

/** How long a worker waits for its next task before it ends. */
export const IDLE_WORKER_MS = 30_000;

export interface SerializedError {
  message: string;
  stack?: string | undefined;
  app?: { kind: AppErrorKind; slug: string; problems?: AppError['problems'] };
}

const RUNS_AS_TYPESCRIPT = import.meta.url.endsWith('.ts');

/**
 * A module next to `importMetaUrl` by base name, with the same extension (.ts or .js). In the
 * compiled bundle the module must be one of its entries (packages/cli/scripts/build.js).
 */
export function siblingModule(importMetaUrl: string, baseName: string): URL {
  return new URL(`./${baseName}${importMetaUrl.endsWith('.ts') ? '.ts' : '.js'}`, importMetaUrl);
}

let tsxLoaderUrl: string | undefined;

/** tsx's ESM register API, resolved from its package's export map (no CommonJS build). */
function tsxLoader(): string {
  if (tsxLoaderUrl === undefined) {
    const require = createRequire(import.meta.url);
    const manifest = require.resolve('tsx/package.json');
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
      exports: Record<string, { import?: { default?: string } }>;
    };
    const entry = pkg.exports['./esm/api']?.import?.default;
    if (!entry) throw new Error('tsx has no ESM register API');
    tsxLoaderUrl = pathToFileURL(join(dirname(manifest), entry)).href;
  }
  return tsxLoaderUrl;
}

function bootstrapCode(host: string): string {
  if (!RUNS_AS_TYPESCRIPT) return `import(${JSON.stringify(host)});`;
  return `import(${JSON.stringify(tsxLoader())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(host)}); });`;
}

/** Turns what the host serialized back into an AppError (same kind and problems) or an Error. */
export function deserializeError(error: SerializedError): Error {
  if (error.app)
    return new AppError(error.app.kind, error.app.slug, error.message, error.app.problems);
  const out = new Error(error.message);
  if (error.stack) out.stack = error.stack;
  return out;
}

interface PooledWorker {
  worker: Worker;
  heapMb: number;
  inBackground: boolean;
  idleTimer?: NodeJS.Timeout | undefined;
}

let idle: PooledWorker | undefined;
let jobs = 0;

/**
 * Whether new worker threads lower their scheduling priority (worker-host.ts): yes in a
 * server, where they must yield the CPU to the thread answering requests; not in a one-shot
 * command (the CLI's import), whose main thread waits for them.
 */
let inBackground = true;

/** New worker threads of this process keep its priority (for a one-shot command). */
export function runWorkersInForeground(): void {
  inBackground = false;
}

function acquireWorker(heapMb: number): PooledWorker {
  const pooled = idle;
  if (pooled && pooled.heapMb === heapMb && pooled.inBackground === inBackground) {
    idle = undefined;
    clearTimeout(pooled.idleTimer);
    pooled.worker.ref();
    return pooled;
  }
  const host = siblingModule(import.meta.url, 'worker-host').href;
  const worker = new Worker(bootstrapCode(host), {
    eval: true,
    resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 8 },
    workerData: { inBackground } satisfies HostSettings,
    stdout: false,
    stderr: false,
  });
  const out: PooledWorker = { worker, heapMb, inBackground };
  worker.on('exit', () => {
    if (idle === out) idle = undefined;
  });
  // Failures are handled by the run that owns the worker; an idle one has no one to tell.
  worker.on('error', () => {});
  return out;
}

/**
 * Ends the idle worker, if any, returning its heap to the system now rather than after
 * IDLE_WORKER_MS: for a one-shot process (the CLI) whose next step needs memory, not a thread.
 */
export async function endIdleWorker(): Promise<void> {
  const pooled = idle;
  if (!pooled) return;
  idle = undefined;
  clearTimeout(pooled.idleTimer);
  await pooled.worker.terminate();
}

function releaseWorker(pooled: PooledWorker): void {
  if (idle) void idle.worker.terminate();
  pooled.worker.unref();
  pooled.idleTimer = setTimeout(() => void pooled.worker.terminate(), IDLE_WORKER_MS);
  pooled.idleTimer.unref();
  idle = pooled;
}

/**
 * Runs `task` on a worker thread (an idle one, or a new one) and resolves with its result;
 * rejects with the task's error (an AppError keeps its kind and problems), or a 413 AppError
 * when the time budget or the heap cap is exceeded, the worker then being terminated.
 *
 * @example
 * const summary = await runWorkerTask<Input, Batch, Summary>({
 *   task: siblingModule(import.meta.url, 'parse.worker'),
 *   input: { file },
 *   onMessage: (batch) => writeBatch(batch),
 * });
 */
export function runWorkerTask<I, M, R>(options: WorkerRunOptions<I, M>): Promise<R> {
  const budget = options.timeBudgetMs ?? UPLOAD_LIMITS.timeBudgetMs;
  const heapMb = options.maxHeapMb ?? UPLOAD_LIMITS.maxWorkerHeapMb;
  const job = ++jobs;
  return new Promise<R>((resolve, reject) => {
    const pooled = acquireWorker(heapMb);
    const { worker } = pooled;
    let settled = false;
    const finish = (error: Error | null, value?: R, reusable = false): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (reusable) releaseWorker(pooled);
      else void worker.terminate();
      if (error) reject(error);
      else resolve(value as R);
    };
    const timer = setTimeout(() => {
      finish(
        uploadTooLarge(
          'timeBudgetMs',
          `Reading the file took longer than ${Math.round(budget / 1000)} s; it was stopped`,
        ),
      );
    }, budget);
    const onAbort = (): void => finish(new Error('The upload was abandoned'));
    options.signal?.addEventListener('abort', onAbort);
    let handling: Promise<void> = Promise.resolve();
    const onMessage = (message: HostMessage): void => {
      if (message.job !== job) return;
      if (message.type === 'message') {
        handling = handling
          .then(() => options.onMessage?.(message.payload as M))
          .then(
            () => {
              if (!settled) {
                worker.postMessage({ type: 'ack', job, id: message.id } satisfies RunnerMessage);
              }
            },
            (error: unknown) => finish(error instanceof Error ? error : new Error(String(error))),
          );
      } else if (message.type === 'result') {
        void handling.then(() => finish(null, message.value as R, true));
      } else {
        // The task failed, not the thread: it can take the next task.
        void handling.then(() => finish(deserializeError(message.error), undefined, true));
      }
    };
    const onError = (error: Error & { code?: string }): void => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        finish(
          uploadTooLarge(
            'maxWorkerHeapMb',
            `Reading the file needed more than ${heapMb} MB of memory; it was stopped`,
          ),
        );
      } else finish(error);
    };
    const onExit = (code: number): void => {
      finish(new Error(`The upload worker stopped (exit code ${code}) before it finished`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage({
      type: 'run',
      job,
      task: options.task.href,
      input: options.input,
    } satisfies RunnerMessage);
  });
}
