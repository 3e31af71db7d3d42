// `orderdesk backup` and `orderdesk restore` as an operator runs them (issue 13, point 8): a
// backup taken while a real `orderdesk serve` takes concurrent submissions, restored into a
// fresh database, holds every order acknowledged (201) before the backup started, with its lines
// and events, and no half order. SQLite through the online backup API, PostgreSQL through the
// test cluster's pg_dump / pg_restore.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type DialectName } from '@orderdesk/store';
import { createTestDatabaseUrl, testDialects } from '@orderdesk/store/testing';
import { kitRenewalOrderBody } from '../../server/test/http-orders.ts';

const execFileAsync = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;
const bin = join(root, 'packages/cli/bin/orderdesk.js');
const BUYER = 'buyer@contoso.example';

async function orderdesk(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync('node', [bin, ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A running `orderdesk serve` on a free port, and its output so far. */
interface Served {
  child: ChildProcess;
  base: string;
  output: () => string;
}

async function serve(env: Record<string, string>): Promise<Served> {
  let output = '';
  const child = spawn('node', [bin, 'serve'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      ORDERDESK_DEMO: '1',
      OUTBOX_IN_PROCESS: '0',
      LOG_LEVEL: 'warn',
      ...env,
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
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}): ${output}`));
    });
  });
  return { child, base, output: () => output };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

interface Acknowledged {
  id: string;
  number: string;
  at: number;
}

/**
 * Submits orders from `workers` concurrent loops until `stop()`; records every 201 with the
 * moment it arrived. Any other answer but a refusal under load (503) is an error of the run.
 */
function submitUnderLoad(
  base: string,
  token: string,
  body: (po: string) => unknown,
  workers: number,
): { acked: Acknowledged[]; errors: string[]; stop: () => Promise<void> } {
  const acked: Acknowledged[] = [];
  const errors: string[] = [];
  let running = true;
  const loops = Array.from({ length: workers }, async (_, w) => {
    for (let i = 0; running && errors.length === 0; i++) {
      const po = `LOAD-${w}-${i}`;
      try {
        const res = await fetch(`${base}/api/v1/orders`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'idempotency-key': po,
          },
          body: JSON.stringify(body(po)),
        });
        const text = await res.text();
        if (res.status === 201) {
          const o = JSON.parse(text) as { id: string; number: string };
          acked.push({ id: o.id, number: o.number, at: performance.now() });
        } else if (res.status !== 503) {
          errors.push(`submit ${po}: ${res.status} ${text}`);
        }
      } catch (error) {
        errors.push(`submit ${po}: ${String(error)}`);
      }
    }
  });
  return {
    acked,
    errors,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Waits until `done()`, failing on the load's first error or after `ms`. */
async function until(done: () => boolean, load: { errors: string[] }, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (load.errors.length > 0) throw new Error(load.errors.join('\n'));
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every order of the database with its line and `order.submitted` event counts. */
async function ordersIn(url: string) {
  const store = openStore(url);
  try {
    const orders = await store.db.selectFrom('orders').select(['id', 'number']).execute();
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
    return new Map(
      orders.map((o) => [
        o.id,
        { number: o.number, lines: linesOf.get(o.id) ?? 0, submitted: eventsOf.get(o.id) ?? 0 },
      ]),
    );
  } finally {
    await store.close();
  }
}

describe.each(testDialects())('orderdesk backup and restore on %s', (dialect: DialectName) => {
  const dir = mkdtempSync(join(tmpdir(), 'orderdesk-backup-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('restores a backup taken under load with every order acknowledged before it', async () => {
    const liveUrl = await createTestDatabaseUrl(dialect, join(dir, 'live.db'));
    // Seeded and given a token before the server runs (no second writer during the set-up).
    const seed = await orderdesk(['seed', '--demo'], { DATABASE_URL: liveUrl });
    expect(seed.code, seed.stderr).toBe(0);
    const tokenRun = await orderdesk(['token', 'create', '--user', BUYER], {
      DATABASE_URL: liveUrl,
    });
    expect(tokenRun.code, tokenRun.stderr).toBe(0);
    const token = tokenRun.stdout.trim();
    const server = await serve({ DATABASE_URL: liveUrl });
    const backupFile = join(dir, `orderdesk-${dialect}.backup`);
    try {
      const body = await kitRenewalOrderBody(server.base, token);
      const load = submitUnderLoad(server.base, token, body, 6);
      try {
        // Let the load build up, then back up while it goes on.
        await until(() => load.acked.length >= 30, load, 60_000);
        const startedAt = performance.now();
        const backup = await orderdesk(['backup', '--out', backupFile], { DATABASE_URL: liveUrl });
        expect(backup.code, backup.stderr).toBe(0);
        expect(backup.stdout).toMatch(/^Backed up the (SQLite|PostgreSQL) database to .* orders\)/);
        const countAtEnd = load.acked.length;
        await until(() => load.acked.length >= countAtEnd + 10, load, 60_000);
        await load.stop();
        expect(load.errors).toEqual([]);
        const before = load.acked.filter((a) => a.at < startedAt);
        expect(before.length).toBeGreaterThanOrEqual(30);
        expect(load.acked.length).toBeGreaterThan(before.length); // submissions went on

        // Refusals: a database in use is never replaced.
        const inUse = await orderdesk(['restore', '--from', backupFile, '--force'], {
          DATABASE_URL: liveUrl,
        });
        expect(inUse.code).toBe(1);
        expect(inUse.stderr).toMatch(/in use|other connection/);

        const restoredUrl = await createTestDatabaseUrl(dialect, join(dir, 'restored.db'));
        const restore = await orderdesk(['restore', '--from', backupFile], {
          DATABASE_URL: restoredUrl,
        });
        expect(restore.code, restore.stderr).toBe(0);
        const restored = await ordersIn(restoredUrl);
        const missing = before.filter((a) => restored.get(a.id)?.number !== a.number);
        expect(missing).toEqual([]);
        for (const a of before) {
          expect(restored.get(a.id)).toEqual({ number: a.number, lines: 1, submitted: 1 });
        }
        // A snapshot: whatever it holds is whole (no order without its line and event).
        for (const [, o] of restored)
          expect({ lines: o.lines, submitted: o.submitted }).toEqual({
            lines: 1,
            submitted: 1,
          });
        console.info(
          `backup on ${dialect}: ${before.length} acknowledged before it, ${restored.size} in it, ` +
            `${load.acked.length} in all`,
        );

        // The restored database holds data: replacing it needs --force.
        const again = await orderdesk(['restore', '--from', backupFile], {
          DATABASE_URL: restoredUrl,
        });
        expect(again.code).toBe(1);
        expect(again.stderr).toContain('--force');
        const forced = await orderdesk(['restore', '--from', backupFile, '--force'], {
          DATABASE_URL: restoredUrl,
        });
        expect(forced.code, forced.stderr).toBe(0);
        if (dialect === 'sqlite') {
          const kept = /kept as (\S+)/.exec(forced.stdout)?.[1];
          expect(kept && existsSync(kept)).toBe(true);
        }
        expect((await ordersIn(restoredUrl)).size).toBe(restored.size);
      } finally {
        await load.stop();
      }
      // The backup file is never overwritten by mistake.
      const overwrite = await orderdesk(['backup', '--out', backupFile], { DATABASE_URL: liveUrl });
      expect(overwrite.code).toBe(1);
      expect(overwrite.stderr).toContain('--force');
    } finally {
      await stop(server.child);
    }
  }, 240_000);
});
