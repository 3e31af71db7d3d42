// A small closed-loop HTTP load client on keep-alive connections: `concurrency` connections,
// each sending its next request as soon as the previous answer is read. Bodies and headers are
// built before the clock starts, so the client spends its time on I/O only. (autocannon would
// do the same; this keeps every request's body distinct without its request-generator hooks.)
import http from 'node:http';
import { summarize, type Summary } from './stats.ts';

export interface LoadSpec {
  /** Base URLs (http://127.0.0.1:PORT); connection k talks to targets[k % targets.length]. */
  targets: readonly string[];
  method: 'GET' | 'POST';
  path: string | ((i: number) => string);
  requests: number;
  concurrency: number;
  headers?: (i: number) => Record<string, string>;
  body?: (i: number) => string;
  /** The status every answer must have; others count as failures. */
  expectStatus: number;
  timeoutMs?: number;
}

export interface LoadResult {
  requests: number;
  ok: number;
  failed: number;
  /** A few failed answers, for the error message. */
  failures: string[];
  seconds: number;
  /** Successful requests per second of wall time. */
  rps: number;
  /** Latency of each request, ms. */
  latency: Summary;
}

interface Answer {
  status: number;
  text: string;
}

function send(
  agent: http.Agent,
  base: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | undefined,
  timeoutMs: number,
): Promise<Answer> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        agent,
        headers: {
          ...headers,
          ...(body !== undefined
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
            : {}),
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (e) => resolve({ status: 0, text: e.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ status: 0, text: e.message }));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Runs the load and returns throughput and latency percentiles. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const n = spec.requests;
  const bases = spec.targets.map((t) => new URL(t));
  const perTarget = Math.ceil(spec.concurrency / bases.length);
  const agents = bases.map(() => new http.Agent({ keepAlive: true, maxSockets: perTarget }));
  const bodies = spec.body ? Array.from({ length: n }, (_, i) => spec.body?.(i)) : [];
  const headers = Array.from({ length: n }, (_, i) => spec.headers?.(i) ?? {});
  const paths = Array.from({ length: n }, (_, i) =>
    typeof spec.path === 'string' ? spec.path : spec.path(i),
  );
  const latencies: number[] = new Array<number>(n);
  const failures: string[] = [];
  let failed = 0;
  let next = 0;
  const timeoutMs = spec.timeoutMs ?? 30_000;

  const worker = async (w: number): Promise<void> => {
    const k = w % bases.length;
    const agent = agents[k] as http.Agent;
    const base = bases[k] as URL;
    for (;;) {
      const i = next++;
      if (i >= n) return;
      const t0 = performance.now();
      const answer = await send(
        agent,
        base,
        spec.method,
        paths[i] ?? '/',
        headers[i] ?? {},
        bodies[i],
        timeoutMs,
      );
      latencies[i] = performance.now() - t0;
      if (answer.status !== spec.expectStatus) {
        failed++;
        if (failures.length < 3) failures.push(`${answer.status} ${answer.text.slice(0, 600)}`);
      }
    }
  };

  const start = performance.now();
  await Promise.all(Array.from({ length: spec.concurrency }, (_, w) => worker(w)));
  const seconds = (performance.now() - start) / 1000;
  for (const a of agents) a.destroy();
  return {
    requests: n,
    ok: n - failed,
    failed,
    failures,
    seconds,
    rps: (n - failed) / seconds,
    latency: summarize(latencies),
  };
}

/** Throws when any request of a load run failed: a failure means something is broken. */
export function assertNoFailures(label: string, result: LoadResult): void {
  if (result.failed === 0) return;
  throw new Error(
    `${label}: ${result.failed} of ${result.requests} requests failed, e.g.\n  ${result.failures.join('\n  ')}`,
  );
}
