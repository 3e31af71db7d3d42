// Reads kept while their tables are unchanged (read-versions.ts, migration 0031), on a real
// SQLite file with a second process's connection beside it, and on PostgreSQL (nothing kept).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDialects } from '../test/databases.ts';
import { openStore, type Store } from './dialects.ts';
import type { Executor } from './executor.ts';
import { migrateToLatest } from './migrate.ts';
import { readVersions, VERSIONED_TABLES, VersionedRead } from './read-versions.ts';
import { insertPartner } from './tenancy.repository.ts';
import { findTokenUser, insertApiToken, insertUser } from './users.repository.ts';

const at = '2026-12-04T00:00:00.000Z';

async function addVendor(db: Executor, id: string, name = id): Promise<void> {
  await db
    .insertInto('vendors')
    .values({ id, slug: id, name, profile: '{}', created_at: at, updated_at: at })
    .execute();
}

async function addCategory(db: Executor, id: string, vendorId: string): Promise<void> {
  await db
    .insertInto('categories')
    .values({
      id,
      vendor_id: vendorId,
      key: id,
      name: id,
      parent_id: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
}

/** A kept read of a vendor's category names, counting how often it really ran. */
function categoryNames() {
  const runs = { count: 0 };
  const read = new VersionedRead(['categories'], async (db, a: { vendorId: string }) => {
    runs.count += 1;
    const rows = await db
      .selectFrom('categories')
      .select('name')
      .where('vendor_id', '=', a.vendorId)
      .orderBy('id')
      .execute();
    return rows.map((r) => r.name);
  });
  return { read, runs };
}

describe('read versions on sqlite', () => {
  let dir: string;
  let file: string;
  let store: Store;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orderdesk-read-versions-'));
    file = join(dir, 'orderdesk.db');
    store = openStore(`sqlite:${file}`);
    await migrateToLatest(store);
    await addVendor(store.db, 'ven_a');
    await addVendor(store.db, 'ven_b');
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives every stamped table a stamp of its own, exact in JavaScript', async () => {
    const versions = await readVersions(store.db);
    expect(versions).not.toBeNull();
    for (const table of VERSIONED_TABLES) {
      expect(Number.isSafeInteger(versions?.[table]), table).toBe(true);
    }
  });

  it('has a trigger for each write to each stamped table', async () => {
    const triggers = await sql<{ name: string }>`select name from sqlite_master
      where type = 'trigger' and name like '%_rv_%' order by name`.execute(store.db);
    expect(triggers.rows.map((t) => t.name).sort()).toEqual(
      VERSIONED_TABLES.flatMap((t) =>
        ['delete', 'insert', 'update'].map((e) => `${t}_rv_${e}`),
      ).sort(),
    );
  });

  it('changes a table’s stamp on insert, update and delete, and no other table’s', async () => {
    const before = await readVersions(store.db);
    await addCategory(store.db, 'cat_1', 'ven_a');
    const inserted = await readVersions(store.db);
    await store.db
      .updateTable('categories')
      .set({ name: 'Renamed' })
      .where('id', '=', 'cat_1')
      .execute();
    const updated = await readVersions(store.db);
    await store.db.deleteFrom('categories').where('id', '=', 'cat_1').execute();
    const deleted = await readVersions(store.db);
    const stamps = [before, inserted, updated, deleted].map((v) => v?.categories);
    expect(new Set(stamps).size).toBe(4);
    for (const table of VERSIONED_TABLES.filter((t) => t !== 'categories')) {
      expect(deleted?.[table], table).toBe(before?.[table]);
    }
  });

  it('keeps a result while its tables are unchanged and reads again after a write to one', async () => {
    const { read, runs } = categoryNames();
    await addCategory(store.db, 'cat_keep', 'ven_a');
    expect(await read.get(store.db, await readVersions(store.db), { vendorId: 'ven_a' })).toEqual([
      'cat_keep',
    ]);
    expect(await read.get(store.db, await readVersions(store.db), { vendorId: 'ven_a' })).toEqual([
      'cat_keep',
    ]);
    expect(runs.count).toBe(1);
    // Other arguments are another result; a write to a table it does not read keeps it.
    expect(await read.get(store.db, await readVersions(store.db), { vendorId: 'ven_b' })).toEqual(
      [],
    );
    expect(runs.count).toBe(2);
    await store.db
      .updateTable('vendors')
      .set({ name: 'Vendor A' })
      .where('id', '=', 'ven_a')
      .execute();
    await read.get(store.db, await readVersions(store.db), { vendorId: 'ven_a' });
    expect(runs.count).toBe(2);
    // Any write to categories, even another vendor's row, makes it stale.
    await addCategory(store.db, 'cat_other', 'ven_b');
    expect(await read.get(store.db, await readVersions(store.db), { vendorId: 'ven_a' })).toEqual([
      'cat_keep',
    ]);
    expect(runs.count).toBe(3);
  });

  it('sees a write another process made to the file at once', async () => {
    const { read, runs } = categoryNames();
    await read.get(store.db, await readVersions(store.db), { vendorId: 'ven_a' });
    const other = new SqliteDatabase(file);
    try {
      other
        .prepare(
          `insert into categories (id, vendor_id, key, name, parent_id, created_at, updated_at)
           values ('cat_cli', 'ven_a', 'cli', 'From the CLI', null, ?, ?)`,
        )
        .run(at, at);
    } finally {
      other.close();
    }
    const names = await read.get(store.db, await readVersions(store.db), { vendorId: 'ven_a' });
    expect(names).toContain('From the CLI');
    expect(runs.count).toBe(2);
  });

  it('never gives a row of a rolled-back write, even after later writes', async () => {
    const { read } = categoryNames();
    await expect(
      store.db.transaction().execute(async (tx) => {
        await addCategory(tx, 'cat_rolled_back', 'ven_b');
        // Read in the transaction after its write: kept under the write's stamp.
        const inside = await read.get(tx, await readVersions(tx), { vendorId: 'ven_b' });
        expect(inside).toContain('cat_rolled_back');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    // As many writes as the rolled-back transaction made: a counter would now give the stamp
    // the kept read was made under.
    await addCategory(store.db, 'cat_after', 'ven_a');
    expect(
      await read.get(store.db, await readVersions(store.db), { vendorId: 'ven_b' }),
    ).not.toContain('cat_rolled_back');
  });

  it('shares frozen results, so no caller can change another’s', async () => {
    const { read } = categoryNames();
    const names = await read.get(store.db, await readVersions(store.db), { vendorId: 'ven_a' });
    expect(Object.isFrozen(names)).toBe(true);
    expect(() => names.push('x')).toThrow(TypeError);
  });

  it('keeps at most `max` results, dropping the least recently used', async () => {
    const runs = { count: 0 };
    const read = new VersionedRead(
      ['categories'],
      async (_db, a: { n: number }) => {
        runs.count += 1;
        return a.n;
      },
      2,
    );
    const v = await readVersions(store.db);
    await read.get(store.db, v, { n: 1 });
    await read.get(store.db, v, { n: 2 });
    await read.get(store.db, v, { n: 1 }); // 1 is now the most recently used
    await read.get(store.db, v, { n: 3 }); // drops 2
    expect(read.size).toBe(2);
    await read.get(store.db, v, { n: 1 });
    expect(runs.count).toBe(3);
    await read.get(store.db, v, { n: 2 });
    expect(runs.count).toBe(4);
  });

  it('outside a transaction, keeps a result only if no write came between its stamps and it', async () => {
    const runs = { count: 0 };
    let writeDuringRead = true;
    const read = new VersionedRead(['categories'], async (db, a: { vendorId: string }) => {
      runs.count += 1;
      // Another request's write, between the stamps and the read (it may yet be rolled back).
      if (writeDuringRead) await addCategory(db, `cat_between_${runs.count}`, a.vendorId);
      const rows = await db
        .selectFrom('categories')
        .select('name')
        .where('vendor_id', '=', a.vendorId)
        .execute();
      return rows.map((r) => r.name);
    });
    await read.getOutsideTransaction(store.db, { vendorId: 'ven_b' });
    expect(read.size).toBe(0);
    await read.getOutsideTransaction(store.db, { vendorId: 'ven_b' });
    expect(runs.count).toBe(2);
    writeDuringRead = false;
    await read.getOutsideTransaction(store.db, { vendorId: 'ven_b' });
    expect(read.size).toBe(1);
    const kept = await read.getOutsideTransaction(store.db, { vendorId: 'ven_b' });
    expect(runs.count).toBe(3);
    expect(kept).toContain('cat_between_2');
    // A write to the table afterwards: read again.
    await addCategory(store.db, 'cat_later', 'ven_b');
    expect(await read.getOutsideTransaction(store.db, { vendorId: 'ven_b' })).toContain(
      'cat_later',
    );
    expect(runs.count).toBe(4);
  });

  it('outside a transaction, keeps no empty result', async () => {
    const runs = { count: 0 };
    const read = new VersionedRead(['categories'], async () => {
      runs.count += 1;
      return null;
    });
    await read.getOutsideTransaction(store.db, { id: 'unknown' });
    await read.getOutsideTransaction(store.db, { id: 'unknown' });
    expect(runs.count).toBe(2);
    expect(read.size).toBe(0);
  });

  it('keeps a token’s read, and sees another process revoke it, deactivate its user or add a reseller', async () => {
    const distributor = await insertPartner(store.db, { name: 'Dist', tier: 1, at });
    const user = await insertUser(store.db, {
      email: 'kept@example.com',
      name: 'Kept',
      passwordHash: null,
      roles: ['partner_user'],
      partnerId: distributor.id,
      at,
    });
    const token = await insertApiToken(store.db, {
      userId: user.id,
      name: 'ci',
      tokenHash: 'kept-hash',
      at,
    });
    const seen = async () => {
      const found = await findTokenUser(store.db, 'kept-hash', at);
      return found && { token: found.token.id, scope: found.partnerScope.partnerScopeIds };
    };
    const other = new SqliteDatabase(file);
    try {
      expect(await seen()).toEqual({ token: token.id, scope: [distributor.id] });
      // A tier-2 reseller under the distributor, added by another process.
      other
        .prepare(
          `insert into partners (id, name, tier, parent_partner_id, created_at)
           values ('ptn_tier2', 'Tier 2', 2, ?, ?)`,
        )
        .run(distributor.id, at);
      expect(await seen()).toEqual({ token: token.id, scope: [distributor.id, 'ptn_tier2'] });
      other.prepare('update users set active = 0 where id = ?').run(user.id);
      expect(await seen()).toBeUndefined();
      other.prepare('update users set active = 1 where id = ?').run(user.id);
      expect(await seen()).toBeDefined();
      other.prepare('update api_tokens set revoked_at = ? where id = ?').run(at, token.id);
      expect(await seen()).toBeUndefined();
    } finally {
      other.close();
    }
  });

  it('gives two databases stamps of their own from the start', async () => {
    const other = openStore('sqlite::memory:');
    try {
      await migrateToLatest(other);
      const mine = await readVersions(store.db);
      const theirs = await readVersions(other.db);
      // Never written in either: still not the same stamp.
      expect(theirs?.subscriptions).not.toBe(mine?.subscriptions);
    } finally {
      await other.close();
    }
  });
});

describe.each(testDialects().filter((d) => d === 'postgres'))('read versions on %s', (dialect) => {
  let store: Store;
  beforeAll(async () => {
    store = await createTestStore(dialect);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('keeps nothing: every read runs (its reads go in one round trip instead)', async () => {
    expect(await readVersions(store.db)).toBeNull();
    const exists = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables
      where table_name = 'read_versions'`.execute(store.db);
    expect(exists.rows[0]?.n).toBe(0);
    await addVendor(store.db, 'ven_pg');
    const { read, runs } = categoryNames();
    await read.get(store.db, null, { vendorId: 'ven_pg' });
    await read.get(store.db, null, { vendorId: 'ven_pg' });
    expect(runs.count).toBe(2);
  });
});
