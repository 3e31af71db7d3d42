// The WAL checkpointed from a worker thread (sqlite-checkpointer.ts): the committed pages reach
// the database file without the writing connection copying them, the WAL starts over once all
// is copied, closing the store stops the thread and leaves no WAL, and a worker that stops
// hands the checkpoints back to SQLite's default.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from './dialects.ts';
import { BACKSTOP_PAGES, startBackgroundCheckpoints } from './sqlite-checkpointer.ts';

const dir = mkdtempSync(join(tmpdir(), 'orderdesk-checkpointer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check` holds (or fails after ~5 s). */
async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await sleep(50);
  expect(check()).toBe(true);
}

/** `n` transactions of one ~3 kB row each: about a page apiece. */
async function write(store: Store, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await store.db
      .transaction()
      .execute((tx) => sql`insert into t (v) values (${'x'.repeat(3000)})`.execute(tx));
  }
}

async function storeOn(file: string, background: boolean): Promise<Store> {
  const store = openStore(`sqlite:${file}`, { sqliteBackgroundCheckpoints: background });
  await sql`create table t (id integer primary key, v text not null)`.execute(store.db);
  return store;
}

const size = (file: string): number => statSync(file).size;

/** Runs `use` on a store of its own on `file`, closed after. */
async function withStoreOn(
  file: string,
  background: boolean,
  use: (store: Store) => Promise<void>,
): Promise<void> {
  const store = await storeOn(file, background);
  try {
    await use(store);
  } finally {
    await store.close();
  }
}

describe('background checkpoints on sqlite', () => {
  it('copies what is committed into the database file, not in the writer’s COMMIT', async () => {
    const file = join(dir, 'copies.db');
    await withStoreOn(file, true, async (store) => {
      const { rows } = await sql<{
        wal_autocheckpoint: number;
      }>`pragma wal_autocheckpoint`.execute(store.db);
      expect(rows[0]?.wal_autocheckpoint).toBe(BACKSTOP_PAGES);
      const before = size(file);
      // ~300 pages: far below any automatic checkpoint of the writer's (SQLite's default is
      // 1,000 pages), so only the worker can have copied them.
      await write(store, 300);
      await eventually(() => size(file) > before + 300 * 3000);
    });
  });

  it('leaves the pages in the WAL without it (the control)', async () => {
    const file = join(dir, 'control.db');
    await withStoreOn(file, false, async (store) => {
      const before = size(file);
      await write(store, 300);
      await sleep(500);
      expect(size(file)).toBeLessThan(before + 300 * 3000);
    });
  });

  it('lets the WAL start over once all is copied, so it does not grow with the writes', async () => {
    const file = join(dir, 'restarts.db');
    await withStoreOn(file, true, async (store) => {
      await write(store, 200);
      const afterOne = size(`${file}-wal`);
      for (let round = 0; round < 4; round++) {
        // A pause, as a server has between bursts: the worker copies everything, and the next
        // transaction writes from the start of the WAL again (without that, 5 × 200 pages).
        await sleep(500);
        await write(store, 200);
      }
      expect(size(`${file}-wal`)).toBeLessThan(afterOne * 1.5);
    });
  });

  it('stops its thread on close, and the last connection leaves no WAL', async () => {
    const file = join(dir, 'closes.db');
    const store = await storeOn(file, true);
    await write(store, 50);
    await store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const reopened = new SqliteDatabase(file);
    try {
      expect(reopened.prepare('select count(*) as n from t').get()).toEqual({ n: 50 });
    } finally {
      reopened.close();
    }
  });

  it('hands the checkpoints back to SQLite’s default if the worker stops', async () => {
    const file = join(dir, 'falls-back.db');
    const sqlite = new SqliteDatabase(file);
    sqlite.pragma('journal_mode = WAL');
    try {
      // A worker that cannot open its connection (no such file) stops at once.
      const checkpointer = startBackgroundCheckpoints(sqlite, join(dir, 'missing', 'x.db'), {
        synchronous: 'FULL',
      });
      expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_PAGES);
      await eventually(() => sqlite.pragma('wal_autocheckpoint', { simple: true }) === 1000);
      await checkpointer.stop();
    } finally {
      sqlite.close();
    }
  });
});
