import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { AppError } from '../errors.ts';
import type {
  HostMessage,
  HostSettings,
  RunnerMessage,
  SerializedError,
  WorkerChannel,
  WorkerTask,
} from './worker-runner.ts';

// The worker side of runWorkerTask: for each `run` message, loads the task module it names,
// gives it a channel whose `send` waits for the main thread's acknowledgement of the previous
// message, and posts back its result or its error (an AppError with its kind and problems).
// The thread then waits for its next run (the runner keeps it a while, then ends it).

function serialize(error: unknown): SerializedError {
  if (error instanceof AppError) {
    return {
      message: error.message,
      app: {
        kind: error.kind,
        slug: error.slug,
        ...(error.problems ? { problems: error.problems } : {}),
      },
    };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return { message: e.message, stack: e.stack };
}

async function run(
  port: MessagePort,
  job: number,
  task: string,
  input: unknown,
  acks: Map<string, () => void>,
): Promise<void> {
  let next = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const channel: WorkerChannel<unknown> = {
    async send(payload) {
      await inFlight;
      const id = ++next;
      inFlight = new Promise<void>((resolve) => acks.set(`${job}:${id}`, resolve));
      port.postMessage({ type: 'message', job, id, payload } satisfies HostMessage);
    },
  };
  try {
    const module = (await import(task)) as { default: WorkerTask<unknown, unknown, unknown> };
    const value = await module.default(input, channel);
    await inFlight;
    port.postMessage({ type: 'result', job, value } satisfies HostMessage);
  } catch (error) {
    port.postMessage({ type: 'error', job, error: serialize(error) } satisfies HostMessage);
  }
}

/**
 * Lowers this thread's scheduling priority (nice +10, at most 19), so that on a busy machine the parsing
 * yields the CPU to the thread answering requests. Linux keeps a nice value per thread and
 * names the thread in /proc/thread-self; elsewhere this does nothing.
 */
function yieldToRequests(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, Math.min(getPriority(tid) + 10, 19));
  } catch {
    // not Linux, or not allowed: the thread keeps the process's priority
  }
}

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('worker-host.ts runs only on a worker thread');
  // In a server (not in a one-shot command: runWorkersInForeground).
  if ((workerData as HostSettings | null)?.inBackground !== false) yieldToRequests();
  const acks = new Map<string, () => void>();
  // Tasks come one at a time (the runner lends an idle worker to one run only).
  port.on('message', (message: RunnerMessage) => {
    if (message.type === 'ack') {
      const key = `${message.job}:${message.id}`;
      acks.get(key)?.();
      acks.delete(key);
    } else void run(port, message.job, message.task, message.input, acks);
  });
}

main();
