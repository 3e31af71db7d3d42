// Child processes for the bench: the OrderDesk server and CLI (`packages/cli/bin/orderdesk.js`),
// the ceiling server, and their memory as Linux reports it in /proc/<pid>/status.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './cleanup.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI_BIN = join(REPO_ROOT, 'packages/cli/bin/orderdesk.js');
/** Preload that writes the process's peak RSS (kB) to $BENCH_RSS_FILE on exit. */
export const RSS_REPORTER = join(REPO_ROOT, 'bench/lib/rss-reporter.js');

export interface Child {
  pid: number;
  label: string;
  /** The last few kB of stdout and stderr, for error messages. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
  stop(): Promise<void>;
}

const TAIL = 8000;

/** Starts `node …args` in the repository root with extra environment variables. */
export function spawnNode(
  label: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Child {
  const child: ChildProcess = spawn(process.execPath, [...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`Could not start ${label}`);
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      done = true;
      resolve(code);
    });
  });
  const stop = async (): Promise<void> => {
    if (done) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const unregister = onCleanup(`stop ${label}`, stop);
  void exited.then(() => unregister());
  return { pid: child.pid, label, output: () => tail, exited, stop };
}

/** Runs `node …args` to completion; resolves with its exit code, wall time and output. */
export async function runNode(
  label: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; ms: number; output: string }> {
  const start = performance.now();
  const child = spawnNode(label, args, env);
  const code = await child.exited;
  return { code, ms: performance.now() - start, output: child.output() };
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200; fails early if the child exits. */
export async function waitForHttp(url: string, child: Child, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void child.exited.then((code) => (exitCode = code));
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(
        `${child.label} exited (${exitCode}) before it was ready:\n${child.output()}`,
      );
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`${child.label} not ready after ${timeoutMs} ms:\n${child.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface ProcMemory {
  /** Resident set size now, MB. */
  rssMb: number;
  /** Peak resident set size ("high-water mark") since start or the last reset, MB. */
  peakMb: number;
}

/** The memory of a process from /proc (Linux); null elsewhere or once it has exited. */
export function readMemory(pid: number): ProcMemory | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number =>
      Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
    const rss = kb('VmRSS');
    const hwm = kb('VmHWM');
    if (!Number.isFinite(rss)) return null;
    return { rssMb: rss / 1024, peakMb: (Number.isFinite(hwm) ? hwm : rss) / 1024 };
  } catch {
    return null;
  }
}

/**
 * CPU time (user + system) a process has used so far, ms, from /proc; null elsewhere. With
 * `reapedChildren`, also that of its children that have exited and been waited for.
 */
export function readCpuMs(pid: number, reapedChildren = false): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is [0], utime [11],
    // stime [12], cutime [13], cstime [14].
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const own = Number(fields[11]) + Number(fields[12]);
    const ticks = reapedChildren ? own + Number(fields[13]) + Number(fields[14]) : own;
    return Number.isFinite(ticks) ? ticks * (1000 / CLOCK_TICKS) : null;
  } catch {
    return null;
  }
}

/**
 * CPU time (ms) used so far by the calling thread (the main thread or a worker), from
 * /proc/thread-self; null where it is not readable.
 */
export function threadCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * (1000 / CLOCK_TICKS) : null;
  } catch {
    return null;
  }
}

/** USER_HZ: 100 on every Linux we run on. */
const CLOCK_TICKS = 100;

/** Resets the peak-RSS mark of a process we own (writes 5 to clear_refs); false if refused. */
export function resetPeakMemory(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Samples a process's RSS every 100 ms and keeps the largest value (a fallback for VmHWM). */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  maxMb = 0;
  constructor(private readonly pid: number) {}
  start(): this {
    this.stop();
    this.maxMb = readMemory(this.pid)?.rssMb ?? 0;
    this.timer = setInterval(() => {
      const m = readMemory(this.pid);
      if (m && m.rssMb > this.maxMb) this.maxMb = m.rssMb;
    }, 100);
    this.timer.unref();
    return this;
  }
  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return this.maxMb;
  }
}

/** A small JSON HTTP call for set-up steps (not timed). */
export async function httpJson<T = unknown>(
  method: string,
  url: string,
  options: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

/** Like httpJson, but throws with the response when the status is not `expect`. */
export async function expectJson<T = unknown>(
  expect: number,
  method: string,
  url: string,
  options: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<T> {
  const res = await httpJson<T>(method, url, options);
  if (res.status !== expect) {
    throw new Error(
      `${method} ${url} answered ${res.status}, expected ${expect}: ${JSON.stringify(res.body).slice(0, 2000)}`,
    );
  }
  return res.body;
}
