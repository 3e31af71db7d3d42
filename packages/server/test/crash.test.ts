// kill -9 of the server under concurrent submissions (issue 13, point 9), kept as a test:
// real `orderdesk serve` subprocesses (one on SQLite, two on PostgreSQL) are killed with
// SIGKILL while partners submit; after a restart every order acknowledged with a 201 is there
// with its line and its `order.submitted` event, no order is half written, and no order number
// is given twice. Then one Idempotency-Key sent 20 ways across two processes makes one order.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApiTokenForUser,
  DEFAULT_APP_SETTINGS,
  LoginThrottle,
  seedDemo,
  systemClock,
} from '@orderdesk/app';
import { migrateToLatest, openStore, type DialectName, type Store } from '@orderdesk/store';
import { createTestDatabaseUrl, testDialects } from '@orderdesk/store/testing';
import { kitRenewalOrderBody } from './http-orders.ts';

const CLI = fileURLToPath(new URL('../../cli/bin/orderdesk.js', import.meta.url));
const BUYER = 'buyer@contoso.example';

interface Server {
  child: ChildProcess;
  base: string;
}

/** Starts `orderdesk serve` on a free port; `log` collects its output for failure messages. */
async function serve(url: string, log: string[]): Promise<Server> {
  let output = '';
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: '0',
      HOST: '127.0.0.1',
      ORDERDESK_DEMO: '1',
      OUTBOX_IN_PROCESS: '0',
      LOG_LEVEL: 'warn',
      DB_POOL_SIZE: '5',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /running on (http:\/\/\S+)/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1].replace('localhost', '127.0.0.1'));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      log.push(output);
      reject(new Error(`serve exited (${code ?? signal}): ${output}`));
    });
  });
  child.removeAllListeners('exit');
  child.once('exit', () => log.push(output));
  return { child, base };
}

async function kill(server: Server, signal: NodeJS.Signals): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

interface Submitted {
  po: string;
  status: number | 'no-answer';
  id?: string;
  number?: string;
}

async function submit(
  base: string,
  token: string,
  body: unknown,
  key: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}/api/v1/orders`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': key,
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe.each(testDialects())('kill -9 of the server on %s', (dialect: DialectName) => {
  // One process on SQLite (its writer is one process); two sharing PostgreSQL.
  const PROCESSES = dialect === 'sqlite' ? 1 : 2;
  const WORKERS = 8;
  const log: string[] = [];
  let dir: string;
  let url: string;
  let store: Store;
  let servers: Server[] = [];
  let token: string;
  let body: (po: string) => unknown;

  const startAll = async (n: number): Promise<void> => {
    // One at a time: each applies pending migrations (none) before it listens.
    servers = [await serve(url, log)];
    for (let i = 1; i < n; i++) servers.push(await serve(url, log));
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orderdesk-kill9-'));
    url = await createTestDatabaseUrl(dialect, join(dir, 'crash.db'));
    // Seeded and given its token before any server runs: a second SQLite process writing at
    // the same time would only make the set-up wait for the lock.
    store = openStore(url, { poolSize: 2 });
    await migrateToLatest(store);
    await store.db.transaction().execute((tx) => seedDemo(tx, 'demo', new Date()));
    const ctx = {
      store,
      clock: systemClock,
      config: DEFAULT_APP_SETTINGS,
      loginThrottle: new LoginThrottle(60_000),
      now: () => systemClock.now(),
    };
    token = (
      await createApiTokenForUser(ctx, { operator: 'crash test' }, { email: BUYER, name: 'load' })
    ).token;
    await startAll(PROCESSES);
    body = await kitRenewalOrderBody(servers[0]!.base, token);
  }, 120_000);

  afterAll(async () => {
    for (const s of servers) await kill(s, 'SIGKILL');
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged order whole, with no number given twice', async () => {
    const results: Submitted[] = [];
    const errors: string[] = [];
    let running = true;
    const loops = Array.from({ length: WORKERS }, async (_, w) => {
      for (let i = 0; running; i++) {
        const po = `K9-${w}-${i}`;
        const base = servers[(w + i) % servers.length]!.base;
        try {
          const r = await submit(base, token, body(po), po);
          results.push({
            po,
            status: r.status,
            id: r.json.id as string | undefined,
            number: r.json.number as string | undefined,
          });
          if (r.status !== 201 && r.status !== 503) {
            errors.push(`${po}: ${r.status} ${JSON.stringify(r.json)}`);
            return;
          }
        } catch (error) {
          if (running) errors.push(`${po}: ${String(error)}`);
          // Killed with this request in flight (or broken): its outcome is unknown.
          results.push({ po, status: 'no-answer' });
          return;
        }
      }
    });
    const acked = () => results.filter((r) => r.status === 201).length;
    // Up to 300 acknowledged orders or 20 s of load, whichever comes first — but at least 20
    // orders, however slow the machine (no speed is asserted, only what survives).
    const started = Date.now();
    const enough = () => acked() >= 300 || (acked() >= 20 && Date.now() - started > 20_000);
    while (!enough() && errors.length === 0 && Date.now() - started < 90_000) {
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(errors).toEqual([]);
    expect(acked(), log.join('\n')).toBeGreaterThanOrEqual(20);
    // Every process at once, mid-stream.
    running = false;
    await Promise.all(servers.map((s) => kill(s, 'SIGKILL')));
    await Promise.all(loops);

    servers = [await serve(url, log)];
    const orders = await store.db
      .selectFrom('orders')
      .select(['id', 'number', 'po_number'])
      .execute();
    const lines = await store.db
      .selectFrom('order_lines')
      .select(['order_id', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('order_id')
      .execute();
    const events = await store.db
      .selectFrom('audit_events')
      .select(['entity_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('type', '=', 'order.submitted')
      .groupBy('entity_id')
      .execute();
    const linesOf = new Map(lines.map((l) => [l.order_id, Number(l.n)]));
    const eventsOf = new Map(events.map((e) => [e.entity_id, Number(e.n)]));
    const byId = new Map(orders.map((o) => [o.id, o]));

    const ok = results.filter((r) => r.status === 201);
    const lost = ok.filter((r) => byId.get(r.id!)?.number !== r.number);
    expect(lost, 'acknowledged orders missing after the restart').toEqual([]);
    const half = orders.filter((o) => linesOf.get(o.id) !== 1 || eventsOf.get(o.id) !== 1);
    expect(half, 'orders without their line or their event').toEqual([]);
    expect(new Set(orders.map((o) => o.number)).size).toBe(orders.length);
    expect(new Set(orders.map((o) => o.po_number)).size).toBe(orders.length);
    const unknown = results.filter((r) => r.status === 'no-answer');
    console.info(
      `kill -9 on ${dialect} (${PROCESSES} process(es)): ${ok.length} acknowledged, ` +
        `${unknown.length} in flight, ${orders.length} orders after the restart`,
    );

    // The restarted server goes on numbering after the last order.
    const after = await submit(servers[0]!.base, token, body('K9-AFTER'), 'K9-AFTER');
    expect(after.status).toBe(201);
    expect(orders.map((o) => o.number)).not.toContain(after.json.number);
  }, 120_000);

  it('makes one order of one Idempotency-Key sent 20 ways across two processes', async () => {
    while (servers.length < 2) servers.push(await serve(url, log));
    const po = 'IDEM-RACE';
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        submit(servers[i % 2]!.base, token, body(po), 'one-key-two-processes'),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    expect(new Set(answers.map((a) => a.json.id)).size).toBe(1);
    const rows = await store.db
      .selectFrom('orders')
      .select('id')
      .where('po_number', '=', po)
      .execute();
    expect(rows).toEqual([{ id: answers[0]!.json.id }]);
  }, 120_000);
});
