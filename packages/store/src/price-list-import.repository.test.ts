// inImportTransaction (the CLI's price-list import on SQLite): statement journals in memory for
// the import's own transaction — the connection's temp_store is MEMORY for its BEGIN only (not
// observable in SQL: the journal's place is fixed then), as it was inside the transaction (its
// temporary tables and sorts on files) and after — and a transaction like any other otherwise:
// committed when it returns, nothing left when its work throws; its page cache bounded to 8 MB
// meanwhile. On PostgreSQL a plain transaction.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDialects } from '../test/databases.ts';
import { openStore, type Store } from './dialects.ts';
import type { Executor } from './executor.ts';
import { migrateToLatest } from './migrate.ts';
import { inImportTransaction } from './price-list-import.repository.ts';

/** A table of the test's own, on both dialects. */
async function createProbe(db: Executor): Promise<void> {
  await sql`create table import_tx_probe (id integer not null)`.execute(db);
}

async function probeRows(db: Executor): Promise<number> {
  const r = await sql<{ n: number }>`select count(*) as n from import_tx_probe`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

async function tempStore(db: Executor): Promise<number> {
  const r = await sql<{ temp_store: number }>`pragma temp_store`.execute(db);
  return Number(r.rows[0]?.temp_store);
}

async function cacheSize(db: Executor): Promise<number> {
  const r = await sql<{ cache_size: number }>`pragma cache_size`.execute(db);
  return Number(r.rows[0]?.cache_size);
}

describe.runIf(testDialects().includes('sqlite'))('inImportTransaction on sqlite (a file)', () => {
  let dir: string;
  let store: Store;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orderdesk-import-tx-'));
    // One connection: every statement below sees the setting the import's transaction had.
    store = openStore(`sqlite:${join(dir, 'import.db')}`, { poolSize: 1 });
    await migrateToLatest(store);
    await createProbe(store.db);
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the setting as it was, inside and after, and commits', async () => {
    expect(await tempStore(store.db)).toBe(0);
    const inside = await inImportTransaction(store.db, async (tx) => {
      await sql`insert into import_tx_probe (id) values (1)`.execute(tx);
      return tempStore(tx);
    });
    expect(inside).toBe(0);
    expect(await tempStore(store.db)).toBe(0);
    expect(await probeRows(store.db)).toBe(1);
    await sql`delete from import_tx_probe`.execute(store.db);
  });

  it('rolls back when its work throws, the setting put back', async () => {
    const error = await inImportTransaction(store.db, async (tx) => {
      await sql`insert into import_tx_probe (id) values (1)`.execute(tx);
      throw new Error('a bad row');
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('a bad row');
    expect(await probeRows(store.db)).toBe(0);
    expect(await tempStore(store.db)).toBe(0);
  });

  it('bounds the page cache while it runs (8 MB) and puts it back, also after a throw', async () => {
    await sql`pragma cache_size = -16000`.execute(store.db);
    expect(await inImportTransaction(store.db, (tx) => cacheSize(tx))).toBe(-8192);
    expect(await cacheSize(store.db)).toBe(-16000);
    await inImportTransaction(store.db, async () => {
      throw new Error('a bad row');
    }).catch(() => undefined);
    expect(await cacheSize(store.db)).toBe(-16000);
    // A smaller cache (KiB or pages) is kept as it is.
    for (const smaller of [-4000, 500]) {
      await sql.raw(`pragma cache_size = ${smaller}`).execute(store.db);
      expect(await inImportTransaction(store.db, (tx) => cacheSize(tx))).toBe(smaller);
      expect(await cacheSize(store.db)).toBe(smaller);
    }
    // 4,000 pages of 4 KiB (16,000 KiB) is larger.
    await sql`pragma cache_size = 4000`.execute(store.db);
    expect(await inImportTransaction(store.db, (tx) => cacheSize(tx))).toBe(-8192);
    expect(await cacheSize(store.db)).toBe(4000);
    await sql`pragma cache_size = -16000`.execute(store.db);
  });

  it('puts the settings back when its COMMIT fails, and writes nothing', async () => {
    await sql`create table import_tx_parent (id integer primary key)`.execute(store.db);
    await sql`create table import_tx_child (id integer primary key,
        parent integer references import_tx_parent (id) deferrable initially deferred)`.execute(
      store.db,
    );
    await sql`pragma cache_size = -16000`.execute(store.db);
    const error = await inImportTransaction(store.db, async (tx) => {
      // Checked at the COMMIT only: the work returns, and the COMMIT fails.
      await sql`insert into import_tx_child (id, parent) values (1, 99)`.execute(tx);
      return 'written';
    }).catch((e: unknown) => e);
    expect(String(error)).toMatch(/FOREIGN KEY/);
    const children = await sql<{ n: number }>`select count(*) as n from import_tx_child`.execute(
      store.db,
    );
    expect(Number(children.rows[0]?.n)).toBe(0);
    expect(await cacheSize(store.db)).toBe(-16000);
    expect(await tempStore(store.db)).toBe(0);
  });

  it('puts back a setting the connection had', async () => {
    await sql`pragma temp_store = file`.execute(store.db);
    try {
      await inImportTransaction(store.db, async (tx) => {
        expect(await tempStore(tx)).toBe(1);
      });
      expect(await tempStore(store.db)).toBe(1);
    } finally {
      await sql`pragma temp_store = default`.execute(store.db);
    }
  });
});

describe.each(testDialects())('inImportTransaction on %s', (dialect) => {
  let store: Store;
  beforeAll(async () => {
    store = await createTestStore(dialect);
    await createProbe(store.db);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('commits what its work wrote, and writes nothing when it throws', async () => {
    await inImportTransaction(store.db, async (tx) => {
      await sql`insert into import_tx_probe (id) values (1)`.execute(tx);
    });
    expect(await probeRows(store.db)).toBe(1);
    await sql`delete from import_tx_probe`.execute(store.db);
    await inImportTransaction(store.db, async (tx) => {
      await sql`insert into import_tx_probe (id) values (1)`.execute(tx);
      throw new Error('refused');
    }).catch(() => {});
    expect(await probeRows(store.db)).toBe(0);
  });
});
