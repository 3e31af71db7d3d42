import { Worker } from 'node:worker_threads';

/** One piece of text on a page, in PDF points with the origin at the bottom left. */
export interface PdfTextItem {
  str: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PdfTextPage {
  width: number;
  height: number;
  items: PdfTextItem[];
}

export type PdfTextResult = { ok: true; pages: PdfTextPage[] } | { ok: false; reason: string };

export interface PdfTextLimits {
  maxPages: number;
  timeoutMs: number;
  /** Total bytes the PDF's compressed streams may expand to. */
  maxInflatedBytes: number;
  /** Heap of the worker thread (pdf.js objects); ArrayBuffers are bounded by maxInflatedBytes. */
  maxHeapMb: number;
}

interface Job {
  id: number;
  bytes: Uint8Array;
  limits: PdfTextLimits;
  resolve: (result: PdfTextResult) => void;
}

type WorkerAnswer =
  ({ id: number } & PdfTextResult) | { ready: true } | { ready: false; reason: string };

/** How long a new worker may take to load pdf.js before a job waiting for it fails. */
const WORKER_START_LIMIT_MS = 60_000;

const WORKER_URL = new URL('./pdf-text.worker.js', import.meta.url);

/**
 * Runs pdf.js in one worker thread, one PDF at a time. A PDF that takes longer than its budget
 * or exhausts the worker's heap costs the worker (terminated, replaced on the next job), never
 * the process: the caller gets `{ ok: false, reason }`. The worker is unref'd so an idle
 * extractor does not keep a CLI process alive.
 */
class PdfTextExtractor {
  private worker: Worker | undefined;
  private workerHeapMb = 0;
  /** Whether the current worker has loaded pdf.js (a job's time budget starts then). */
  private workerReady = false;
  private readonly queue: Job[] = [];
  private current: { job: Job; timer: NodeJS.Timeout } | undefined;
  private nextId = 1;

  extract(bytes: Uint8Array, limits: PdfTextLimits): Promise<PdfTextResult> {
    return new Promise((resolve) => {
      // A copy: the bytes are transferred to the worker, and the caller keeps its own.
      this.queue.push({ id: this.nextId++, bytes: new Uint8Array(bytes), limits, resolve });
      this.pump();
    });
  }

  private pump(): void {
    if (this.current || this.queue.length === 0) return;
    const job = this.queue.shift()!;
    let worker: Worker;
    try {
      worker = this.workerFor(job.limits.maxHeapMb);
    } catch (error) {
      job.resolve({ ok: false, reason: `the PDF reader could not start: ${String(error)}` });
      this.pump();
      return;
    }
    // The budget is the reading's: a worker still loading pdf.js gets its own, longer limit.
    const timer = this.workerReady
      ? this.readingTimer(job)
      : setTimeout(() => {
          this.finish(job.id, {
            ok: false,
            reason: `the PDF reader did not start within ${WORKER_START_LIMIT_MS / 1000} s`,
          });
          this.discardWorker();
        }, WORKER_START_LIMIT_MS);
    this.current = { job, timer };
    worker.postMessage(
      {
        id: job.id,
        bytes: job.bytes,
        maxPages: job.limits.maxPages,
        maxInflatedBytes: job.limits.maxInflatedBytes,
      },
      [job.bytes.buffer as ArrayBuffer],
    );
  }

  private readingTimer(job: Job): NodeJS.Timeout {
    return setTimeout(() => {
      this.finish(job.id, {
        ok: false,
        reason: `reading the PDF took longer than ${job.limits.timeoutMs} ms (an endless object graph?)`,
      });
      this.discardWorker();
    }, job.limits.timeoutMs);
  }

  /** The worker has loaded pdf.js: the job waiting for it starts its reading's clock. */
  private onReady(): void {
    this.workerReady = true;
    if (!this.current) return;
    clearTimeout(this.current.timer);
    this.current.timer = this.readingTimer(this.current.job);
  }

  private workerFor(maxHeapMb: number): Worker {
    if (this.worker && this.workerHeapMb === maxHeapMb) return this.worker;
    this.discardWorker();
    const worker = new Worker(WORKER_URL, {
      resourceLimits: { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: 32 },
    });
    worker.unref();
    worker.on('message', (answer: WorkerAnswer) => {
      if (this.worker !== worker) return;
      if ('ready' in answer) {
        if (answer.ready) {
          this.onReady();
          return;
        }
        this.discardWorker();
        if (this.current) {
          this.finish(this.current.job.id, {
            ok: false,
            reason: `the PDF reader could not start: ${answer.reason}`,
          });
        }
        return;
      }
      const { id, ...result } = answer;
      this.finish(id, result);
    });
    worker.on('error', (error: Error & { code?: string }) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const reason =
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `reading the PDF needed more than ${maxHeapMb} MB of memory`
          : `the PDF reader failed: ${error.message}`;
      if (this.current) this.finish(this.current.job.id, { ok: false, reason });
    });
    worker.on('exit', () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (this.current) {
        this.finish(this.current.job.id, { ok: false, reason: 'the PDF reader stopped' });
      }
    });
    this.worker = worker;
    this.workerHeapMb = maxHeapMb;
    this.workerReady = false;
    return worker;
  }

  private discardWorker(): void {
    const worker = this.worker;
    this.worker = undefined;
    this.workerReady = false;
    if (worker) void worker.terminate();
  }

  private finish(id: number, result: PdfTextResult): void {
    if (!this.current || this.current.job.id !== id) return;
    clearTimeout(this.current.timer);
    const { job } = this.current;
    this.current = undefined;
    job.resolve(result);
    this.pump();
  }
}

let shared: PdfTextExtractor | undefined;

/** The positioned text of each page of `bytes`, within `limits`; never throws. */
export function extractPdfText(bytes: Uint8Array, limits: PdfTextLimits): Promise<PdfTextResult> {
  shared ??= new PdfTextExtractor();
  return shared.extract(bytes, limits);
}
