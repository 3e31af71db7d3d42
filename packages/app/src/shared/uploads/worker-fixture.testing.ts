import { readFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { uploadTooLarge } from './upload-limits.ts';
import type { WorkerChannel } from './worker-runner.ts';

// A task for the worker runner's tests: sends `count` messages, then misbehaves as asked.
export default async function fixtureTask(
  input: { count: number; then: 'return' | 'spin' | 'hog' | 'refuse' },
  channel: WorkerChannel<{ i: number }>,
): Promise<{ sent: number; thread: number; nice: number | null }> {
  for (let i = 0; i < input.count; i++) await channel.send({ i });
  if (input.then === 'spin') for (;;);
  if (input.then === 'hog') {
    const kept: string[][] = [];
    for (;;) kept.push(Array.from({ length: 100_000 }, (_, i) => `cell ${i} ${kept.length}`));
  }
  if (input.then === 'refuse') throw uploadTooLarge('maxRows', 'Too many rows, as asked');
  return { sent: input.count, thread: threadId, nice: niceOfThisThread() };
}

/** The calling thread's nice value (Linux), or null. */
export function niceOfThisThread(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  } catch {
    return null;
  }
}
