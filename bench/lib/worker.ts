// Runs a bench module in a worker thread, so a synchronous load (better-sqlite3) leaves the
// main thread free to drive another one — such as a PostgreSQL bulk load — on the other core.
import { Worker } from 'node:worker_threads';

/**
 * Runs the module `file` in a worker thread with `workerData`; resolves when it exits with 0.
 * The module runs through tsx, as the bench does (a worker does not inherit the loader that
 * --import registered). Messages `{ log }` it posts are passed to `log`.
 */
export async function runInWorker(
  file: URL,
  workerData: unknown,
  log?: (message: string) => void,
): Promise<void> {
  const api = import.meta.resolve('tsx/esm/api');
  const worker = new Worker(
    `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(file.href)}); })`,
    { eval: true, workerData },
  );
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (m: { log?: string }) => {
      if (m.log) log?.(m.log);
    });
    // An error thrown in the worker (better-sqlite3's SqliteError) may arrive as a plain object.
    worker.on('error', (e: unknown) =>
      reject(
        e instanceof Error
          ? e
          : new Error(`the worker ${file.pathname} failed: ${JSON.stringify(e)}`),
      ),
    );
    worker.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`the worker ${file.pathname} exited with ${code}`)),
    );
  });
}
