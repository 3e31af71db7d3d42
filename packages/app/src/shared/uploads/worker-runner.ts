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
//
// The worker must load TypeScript when this module runs as TypeScript (npm start, tsx,
// vitest): it then registers tsx's loader first. When the sources are compiled, the `.js`
// siblings load as they are.

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

/** Messages between the runner and worker-host.ts. */
export type HostMessage =
  | { type: 'message'; id: number; payload: unknown }
  | { type: 'result'; value: unknown }
  | { type: 'error'; error: SerializedError };

export interface SerializedError {
  message: string;
  stack?: string | undefined;
  app?: { kind: AppErrorKind; slug: string; problems?: AppError['problems'] };
}

const RUNS_AS_TYPESCRIPT = import.meta.url.endsWith('.ts');

/** A module next to `importMetaUrl` by base name, with the same extension (.ts or .js). */
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

/**
 * Runs `task` on a fresh worker thread and resolves with its result; rejects with the task's
 * error (an AppError keeps its kind and problems), or a 413 AppError when the time budget or
 * the heap cap is exceeded. The worker is always terminated at the end.
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
  const host = siblingModule(import.meta.url, 'worker-host').href;
  return new Promise<R>((resolve, reject) => {
    const worker = new Worker(bootstrapCode(host), {
      eval: true,
      workerData: { task: options.task.href, input: options.input },
      resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 32 },
      stdout: false,
      stderr: false,
    });
    let settled = false;
    const finish = (error: Error | null, value?: R): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
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
    worker.on('message', (message: HostMessage) => {
      if (message.type === 'message') {
        handling = handling
          .then(() => options.onMessage?.(message.payload as M))
          .then(
            () => {
              if (!settled) worker.postMessage({ type: 'ack', id: message.id });
            },
            (error: unknown) => finish(error instanceof Error ? error : new Error(String(error))),
          );
      } else if (message.type === 'result') {
        void handling.then(() => finish(null, message.value as R));
      } else {
        void handling.then(() => finish(deserializeError(message.error)));
      }
    });
    worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        finish(
          uploadTooLarge(
            'maxWorkerHeapMb',
            `Reading the file needed more than ${heapMb} MB of memory; it was stopped`,
          ),
        );
      } else finish(error);
    });
    worker.on('exit', (code) => {
      finish(new Error(`The upload worker stopped (exit code ${code}) before it finished`));
    });
  });
}
