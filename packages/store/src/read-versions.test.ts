// Reads kept while their tables are unchanged (read-versions.ts, migration 0031), on a real
// SQLite file with a second process's connection beside it, and on PostgreSQL (migration 0034:
// stamps set at the commit).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDialects, watchedDatabase } from '../test/databases.ts';
import { openStore, type Store } from './dialects.ts';
import type { Executor } from './executor.ts';
import { migrateToLatest } from './migrate.ts';
import { batchedReads } from './batched-reads.ts';
import {
  readVersions,
  stampInsertsInBulk,
  VERSIONED_TABLES,
  VersionedRead,
  WRITTEN_HERE,
} from './read-versions.ts';
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

/** The triggers of the database, with their definitions (SQLite). */
async function triggers(db: Executor): Promise<{ name: string; sql: string }[]> {
  return (
    await sql<{ name: string; sql: string }>`select name, sql from sqlite_master
      where type = 'trigger' order by name`.execute(db)
  ).rows;
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

  it('stamps a bulk writer’s inserts once as it starts and once as it ends, its triggers back after', async () => {
    const { read, runs } = categoryNames();
    const before = await readVersions(store.db);
    const triggersBefore = await triggers(store.db);
    await read.get(store.db, before, { vendorId: 'ven_a' });
    await store.db.transaction().execute(async (tx) => {
      const stampAgain = await stampInsertsInBulk(tx, ['categories']);
      const started = await readVersions(tx);
      // Moved as the first insert's trigger would have moved it; no other table's.
      expect(started.categories).not.toBe(before.categories);
      for (const table of VERSIONED_TABLES.filter((t) => t !== 'categories')) {
        expect(started[table], table).toBe(before[table]);
      }
      expect((await triggers(tx)).map((t) => t.name)).not.toContain('categories_rv_insert');
      await addCategory(tx, 'cat_bulk_1', 'ven_a');
      await addCategory(tx, 'cat_bulk_2', 'ven_a');
      // No trigger stamped the inserts; an update still stamps through its own.
      const inserted = await readVersions(tx);
      expect(inserted.categories).toBe(started.categories);
      // Kept in the meantime, under the stamp of the meantime.
      expect(await read.get(tx, inserted, { vendorId: 'ven_a' })).toContain('cat_bulk_2');
      await tx
        .updateTable('categories')
        .set({ name: 'cat_bulk_2 renamed' })
        .where('id', '=', 'cat_bulk_2')
        .execute();
      expect((await readVersions(tx)).categories).not.toBe(inserted.categories);
      await stampAgain();
      expect(await triggers(tx)).toEqual(triggersBefore);
    });
    const after = await readVersions(store.db);
    expect(after.categories).not.toBe(before.categories);
    const names = await read.get(store.db, after, { vendorId: 'ven_a' });
    expect(names).toContain('cat_bulk_2 renamed');
    expect(runs.count).toBe(3);
    // The triggers stamp the next insert again.
    await addCategory(store.db, 'cat_bulk_3', 'ven_a');
    expect((await readVersions(store.db)).categories).not.toBe(after.categories);
  });

  it('puts a bulk writer’s triggers and stamps back when its transaction rolls back', async () => {
    const before = await readVersions(store.db);
    const triggersBefore = await triggers(store.db);
    await expect(
      store.db.transaction().execute(async (tx) => {
        await stampInsertsInBulk(tx, ['categories', 'products']);
        await addCategory(tx, 'cat_bulk_rolled_back', 'ven_b');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await readVersions(store.db)).toEqual(before);
    expect(await triggers(store.db)).toEqual(triggersBefore);
    await addCategory(store.db, 'cat_bulk_after', 'ven_b');
    expect((await readVersions(store.db)).categories).not.toBe(before.categories);
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
    await addVendor(store.db, 'ven_pg');
    await addVendor(store.db, 'ven_pg_b');
  });
  afterAll(async () => {
    await store?.close();
  });

  const pending = async (): Promise<number> =>
    (
      await sql<{ n: number }>`select count(*)::int as n from read_versions_pending`.execute(
        store.db,
      )
    ).rows[0]?.n ?? -1;

  it('gives every stamped table a stamp of its own, and a statement trigger', async () => {
    const versions = await readVersions(store.db);
    for (const table of VERSIONED_TABLES) {
      expect(Number.isSafeInteger(versions[table]), table).toBe(true);
      expect(versions[table], table).toBeGreaterThanOrEqual(0);
    }
    const triggers = await sql<{ name: string }>`select tgname as name from pg_trigger
      where tgname like '%_read_version' order by tgname`.execute(store.db);
    expect(triggers.rows.map((t) => t.name).sort()).toEqual(
      VERSIONED_TABLES.map((t) => `${t}_read_version`).sort(),
    );
  });

  it('changes a table’s stamp when its writer commits, not before, and no other table’s', async () => {
    const before = await readVersions(store.db);
    await store.db.transaction().execute(async (tx) => {
      await addCategory(tx, 'cat_pg_1', 'ven_pg');
      await tx
        .updateTable('categories')
        .set({ name: 'Again' })
        .where('id', '=', 'cat_pg_1')
        .execute();
      // Others still see the stamp of before; this transaction sees that it wrote the table.
      expect((await readVersions(store.db)).categories).toBe(before.categories);
      expect((await readVersions(tx)).categories).toBe(WRITTEN_HERE);
      expect((await readVersions(tx)).vendors).toBe(before.vendors);
    });
    const after = await readVersions(store.db);
    expect(after.categories).not.toBe(before.categories);
    expect(after.categories).toBeGreaterThanOrEqual(0);
    for (const table of VERSIONED_TABLES.filter((t) => t !== 'categories')) {
      expect(after[table], table).toBe(before[table]);
    }
    expect(await pending()).toBe(0);
    await store.db.deleteFrom('categories').where('id', '=', 'cat_pg_1').execute();
    const deleted = await readVersions(store.db);
    expect(deleted.categories).not.toBe(after.categories);
  });

  it('changes no stamp for a write rolled back, whole or to a savepoint', async () => {
    const before = await readVersions(store.db);
    await expect(
      store.db.transaction().execute(async (tx) => {
        await addCategory(tx, 'cat_pg_rolled', 'ven_pg');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await store.db.transaction().execute(async (tx) => {
      await sql`savepoint before_write`.execute(tx);
      await addCategory(tx, 'cat_pg_savepoint', 'ven_pg');
      await sql`rollback to savepoint before_write`.execute(tx);
      // The note went with the savepoint: the stamp is this transaction's to use again.
      expect((await readVersions(tx)).categories).toBe(before.categories);
    });
    expect((await readVersions(store.db)).categories).toBe(before.categories);
    expect(await pending()).toBe(0);
  });

  it('keeps a result while its tables are unchanged and reads again after a commit to one', async () => {
    const { read, runs } = categoryNames();
    await addCategory(store.db, 'cat_pg_keep', 'ven_pg');
    const names = await read.get(store.db, await readVersions(store.db), { vendorId: 'ven_pg' });
    expect(names).toEqual(['cat_pg_keep']);
    await read.get(store.db, await readVersions(store.db), { vendorId: 'ven_pg' });
    expect(runs.count).toBe(1);
    await store.db.updateTable('vendors').set({ name: 'PG' }).where('id', '=', 'ven_pg').execute();
    await read.get(store.db, await readVersions(store.db), { vendorId: 'ven_pg' });
    expect(runs.count).toBe(1);
    await addCategory(store.db, 'cat_pg_other', 'ven_pg_b');
    await read.get(store.db, await readVersions(store.db), { vendorId: 'ven_pg' });
    expect(runs.count).toBe(2);
  });

  it('takes stamps on their way: a read to run goes in their statement, and is kept', async () => {
    const { db, sent } = await watchedDatabase(dialect);
    try {
      await addVendor(db, 'ven_w');
      await addCategory(db, 'cat_w', 'ven_w');
      const { read, runs } = categoryNames();
      const once = async (): Promise<readonly string[]> =>
        db.transaction().execute(async (tx) => {
          const reads = await batchedReads(tx);
          return read.get(reads, readVersions(reads), { vendorId: 'ven_w' });
        });
      sent.length = 0;
      expect(await once()).toEqual(['cat_w']);
      // The stamps and the read, one statement (the transaction wrote nothing: no BEGIN sent).
      expect(sent.filter((q) => /read_versions/.test(q))).toHaveLength(1);
      expect(sent.filter((q) => /from "categories"/.test(q))).toEqual(
        sent.filter((q) => /read_versions/.test(q)),
      );
      sent.length = 0;
      expect(await once()).toEqual(['cat_w']);
      expect(runs.count).toBe(1);
      expect(sent.filter((q) => /from "categories"/.test(q))).toHaveLength(0);
    } finally {
      await db.destroy();
    }
  });

  it('neither keeps nor gives back a read of a table the transaction wrote', async () => {
    const { read, runs } = categoryNames();
    await read.get(store.db, await readVersions(store.db), { vendorId: 'ven_pg_b' });
    expect(runs.count).toBe(1);
    await expect(
      store.db.transaction().execute(async (tx) => {
        await addCategory(tx, 'cat_pg_mine', 'ven_pg_b');
        const inside = await read.get(tx, await readVersions(tx), { vendorId: 'ven_pg_b' });
        expect(inside).toContain('cat_pg_mine');
        expect(runs.count).toBe(2);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const after = await read.get(store.db, await readVersions(store.db), { vendorId: 'ven_pg_b' });
    expect(after).not.toContain('cat_pg_mine');
    // The result kept before the transaction is still current, and still used.
    expect(runs.count).toBe(2);
  });

  it('lets writers of one table commit while another’s transaction is open', async () => {
    let release = (): void => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let wrote = (): void => {};
    const written = new Promise<void>((resolve) => {
      wrote = resolve;
    });
    const open = store.db.transaction().execute(async (tx) => {
      await addCategory(tx, 'cat_pg_open', 'ven_pg');
      wrote();
      await held;
    });
    try {
      await written;
      const before = await readVersions(store.db);
      // A second writer of the same table commits at once (a lock timeout fails it otherwise).
      await store.db.transaction().execute(async (tx) => {
        await sql`set local lock_timeout = '2s'`.execute(tx);
        await addCategory(tx, 'cat_pg_second', 'ven_pg');
      });
      expect((await readVersions(store.db)).categories).not.toBe(before.categories);
    } finally {
      release();
      await open;
    }
    expect(await pending()).toBe(0);
  });

  it('changes the stamp on TRUNCATE, and notes a large write once', async () => {
    const before = await readVersions(store.db);
    await sql`truncate subscriptions`.execute(store.db);
    const truncated = await readVersions(store.db);
    expect(truncated.subscriptions).not.toBe(before.subscriptions);
    await store.db.transaction().execute(async (tx) => {
      for (let i = 0; i < 3; i++) {
        await sql`insert into categories (id, vendor_id, key, name, parent_id, created_at, updated_at)
          select 'cat_bulk_' || ${i} || '_' || n, 'ven_pg', 'bulk_' || ${i} || '_' || n, 'Bulk', null,
            ${at}, ${at} from generate_series(1, 2000) as n`.execute(tx);
      }
      expect(
        (await sql<{ n: number }>`select count(*)::int as n from read_versions_pending`.execute(tx))
          .rows[0]?.n,
      ).toBe(1);
    });
    expect((await readVersions(store.db)).categories).not.toBe(truncated.categories);
    expect(await pending()).toBe(0);
  });

  it('gives two databases stamps of their own from the start', async () => {
    const other = await createTestStore(dialect);
    try {
      const theirs = await readVersions(other.db);
      const mine = await readVersions(store.db);
      expect(theirs.price_lists).not.toBe(mine.price_lists);
    } finally {
      await other.close();
    }
  });
});
