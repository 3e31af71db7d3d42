// Everything the bench starts (child processes, the PostgreSQL cluster, temp directories) is
// registered here and torn down at the end — also on failure and on Ctrl-C.

type Task = () => Promise<void> | void;

const tasks = new Map<number, { label: string; run: Task }>();
let nextId = 0;
let running: Promise<void> | undefined;

/** Registers a teardown step; returns a function that runs it now and unregisters it. */
export function onCleanup(label: string, run: Task): () => Promise<void> {
  const id = nextId++;
  tasks.set(id, { label, run });
  return async () => {
    const task = tasks.get(id);
    if (!task) return;
    tasks.delete(id);
    await task.run();
  };
}

/** Runs every registered step, newest first; errors are reported, not thrown. */
export function runCleanup(): Promise<void> {
  running ??= (async () => {
    const all = [...tasks.entries()].reverse();
    tasks.clear();
    for (const [, task] of all) {
      try {
        await task.run();
      } catch (error) {
        process.stderr.write(`bench: cleanup "${task.label}" failed: ${String(error)}\n`);
      }
    }
  })().finally(() => {
    running = undefined;
  });
  return running;
}

let installed = false;

/** On SIGINT / SIGTERM: tear everything down, then exit 130 / 143. */
export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, cleaning up…\n`);
      void runCleanup().finally(() => process.exit(code));
    });
  }
}
