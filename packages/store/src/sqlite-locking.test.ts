import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from './dialects.ts';

// A second process beside `serve` (worker, jobs run, backup, seed) must wait for SQLite's write
// lock, not fail: that needs every transaction to take the lock when it begins.
describe('SQLite transactions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'od-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('take the write lock at BEGIN, so another writer waits instead of failing mid-transaction', async () => {
    const file = join(dir, 'lock.db');
    const store = openStore(`sqlite:${file}`);
    const other = new SqliteDatabase(file);
    other.pragma('busy_timeout = 0');
    try {
      let otherCouldBegin: boolean | undefined;
      await store.db.transaction().execute(async (tx) => {
        await sql`select 1`.execute(tx); // only a read so far
        try {
          other.exec('BEGIN IMMEDIATE');
          other.exec('ROLLBACK');
          otherCouldBegin = true;
        } catch (error) {
          expect((error as { code?: string }).code).toBe('SQLITE_BUSY');
          otherCouldBegin = false;
        }
      });
      expect(otherCouldBegin).toBe(false);
      // Once committed, the other connection writes at once.
      other.exec('BEGIN IMMEDIATE');
      other.exec('ROLLBACK');
    } finally {
      other.close();
      await store.close();
    }
  });
});
