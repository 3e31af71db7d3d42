import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../errors.ts';
import type { HostMessage, SerializedError, WorkerChannel, WorkerTask } from './worker-runner.ts';

// The worker side of runWorkerTask: loads the task module named in workerData, gives it a
// channel whose `send` waits for the main thread's acknowledgement of the previous message,
// and posts back its result or its error (an AppError with its kind and problems).

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

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('worker-host.ts runs only on a worker thread');
  const { task, input } = workerData as { task: string; input: unknown };
  const acks = new Map<number, () => void>();
  port.on('message', (message: { type: 'ack'; id: number }) => {
    acks.get(message.id)?.();
    acks.delete(message.id);
  });
  let next = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const channel: WorkerChannel<unknown> = {
    async send(payload) {
      await inFlight;
      const id = ++next;
      inFlight = new Promise<void>((resolve) => acks.set(id, resolve));
      port.postMessage({ type: 'message', id, payload } satisfies HostMessage);
    },
  };
  try {
    const module = (await import(task)) as { default: WorkerTask<unknown, unknown, unknown> };
    const value = await module.default(input, channel);
    await inFlight;
    port.postMessage({ type: 'result', value } satisfies HostMessage);
  } catch (error) {
    port.postMessage({ type: 'error', error: serialize(error) } satisfies HostMessage);
  }
  // The ack listener keeps the thread alive; the runner terminates it once it has the result.
}

void main();
