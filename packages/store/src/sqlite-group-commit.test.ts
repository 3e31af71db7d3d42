// Group commit on SQLite's one connection (sqlite-group-commit.ts), on a real database file in
// WAL mode with synchronous=FULL, as openStore opens it. A second connection to the same file
// sees only what is committed: it is the witness that a transaction's `execute()` returns only
// once its writes are durable.
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, sql, type Generated } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GROUP_LIMIT, GroupCommitSqliteDialect } from './sqlite-group-commit.ts';

interface Schema {
  parent: { id: number };
  child: { id: number; parent_id: number };
  note: { id: Generated<number>; text: string };
}

let dir: string;
let file: string;
let db: Kysely<Schema>;
let witness: SqliteDatabase.Database;
let statements: string[];

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 5));
const count = (of: RegExp) => statements.filter((s) => of.test(s)).length;
const committedNotes = () =>
  (witness.prepare('select text from note order by id').all() as { text: string }[]).map(
    (r) => r.text,
  );

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orderdesk-group-commit-'));
  file = join(dir, 'test.db');
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  statements = [];
  db = new Kysely<Schema>({
    dialect: new GroupCommitSqliteDialect(sqlite, { trace: (s) => statements.push(s) }),
  });
  await sql`create table parent (id integer primary key)`.execute(db);
  // A deferred foreign key is checked at COMMIT: the way to make a COMMIT fail.
  await sql`create table child (id integer primary key, parent_id integer not null
    references parent (id) deferrable initially deferred)`.execute(db);
  await sql`create table note (id integer primary key autoincrement, text text not null)`.execute(
    db,
  );
  witness = new SqliteDatabase(file, { readonly: true });
  statements = [];
});

afterEach(async () => {
  witness.close();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** A transaction that writes a note, and when it returns checks the note is committed. */
async function writeNote(text: string, before?: () => Promise<void>): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (before) await before();
    await tx.insertInto('note').values({ text }).execute();
  });
  expect(committedNotes()).toContain(text);
}

describe('group commit on SQLite', () => {
  it('one transaction at a time commits on its own, as before: begin immediate … commit', async () => {
    await writeNote('a');
    await writeNote('b');
    expect(statements.map((s) => s.split(' ')[0])).toEqual([
      'begin',
      'insert',
      'commit',
      'begin',
      'insert',
      'commit',
    ]);
  });

  it('transactions that queue for the connection share one COMMIT, and each returns only once it is on disk', async () => {
    const texts = Array.from({ length: 20 }, (_, i) => `n${i}`);
    // The first holds the connection a moment, so the others queue behind it.
    await Promise.all(texts.map((t, i) => writeNote(t, i === 0 ? tick : undefined)));
    expect(committedNotes().sort()).toEqual([...texts].sort());
    expect(count(/^begin immediate/)).toBe(1);
    expect(count(/^commit/)).toBe(1);
    expect(count(/^savepoint/)).toBe(19);
  });

  it(`a group commits at ${GROUP_LIMIT} transactions even while others wait`, async () => {
    const texts = Array.from({ length: GROUP_LIMIT + 5 }, (_, i) => `n${i}`);
    await Promise.all(texts.map((t, i) => writeNote(t, i === 0 ? tick : undefined)));
    expect(committedNotes()).toHaveLength(texts.length);
    expect(count(/^commit/)).toBe(2);
  });

  it("a failing transaction in a group undoes its own writes only; the others' are committed", async () => {
    const first = writeNote('first', tick);
    const failing = db.transaction().execute(async (tx) => {
      await tx.insertInto('note').values({ text: 'failed' }).execute();
      throw new Error('the business rule said no');
    });
    const results = await Promise.allSettled([first, failing, writeNote('third')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(committedNotes()).toEqual(['first', 'third']);
    expect(count(/^rollback to/)).toBe(1);
    expect(count(/^commit/)).toBe(1);
  });

  it('a COMMIT that fails fails every transaction of its group, and none of their writes remains', async () => {
    await sql`insert into parent (id) values (1)`.execute(db);
    const first = db.transaction().execute(async (tx) => {
      await tick();
      await tx.insertInto('note').values({ text: 'first' }).execute();
    });
    const orphan = db.transaction().execute(async (tx) => {
      // Checked at COMMIT only (deferred): the group's COMMIT fails.
      await tx.insertInto('child').values({ id: 1, parent_id: 99 }).execute();
    });
    const third = db.transaction().execute(async (tx) => {
      await tx.insertInto('child').values({ id: 2, parent_id: 1 }).execute();
    });
    const results = await Promise.allSettled([first, orphan, third]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect(String((r as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/i);
    }
    expect(committedNotes()).toEqual([]);
    expect(witness.prepare('select count(*) as n from child').get()).toEqual({ n: 0 });
    // The connection is usable afterwards.
    await writeNote('after');
  });

  it("a member's savepoint journals in memory, not in a temporary file, and a rollback to it still undoes its writes", async () => {
    // ~1 MB of notes: a member that rewrites them all journals every page (far past the 64 KiB
    // after which a journal in a file spills to disk).
    const long = 'x'.repeat(500);
    await db.transaction().execute(async (tx) => {
      for (let i = 0; i < 2000; i++) await tx.insertInto('note').values({ text: long }).execute();
    });
    // SQLite's temporary files are unlinked as soon as they are open: "…/etilqs_… (deleted)".
    const temporaryFiles = () =>
      readdirSync('/proc/self/fd')
        .map((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`);
          } catch {
            return '';
          }
        })
        .filter((target) => /etilqs_/.test(target)).length;
    const filesBefore = temporaryFiles();
    let filesDuringMember = -1;
    const tempStore = async () =>
      (await sql<{ temp_store: number }>`pragma temp_store`.execute(db)).rows[0]?.temp_store;
    const first = writeNote('first', tick);
    const member = db.transaction().execute(async (tx) => {
      await tx.updateTable('note').set({ text: 'rewritten' }).execute();
      filesDuringMember = temporaryFiles();
      throw new Error('undo the rewrite');
    });
    const results = await Promise.allSettled([first, member]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(count(/^savepoint/)).toBe(1);
    expect(filesDuringMember).toBe(filesBefore);
    // Undone from the journal in memory: every note is as it was.
    expect(
      witness.prepare("select count(*) as n from note where text = 'rewritten'").get(),
    ).toEqual({ n: 0 });
    expect(committedNotes()).toContain('first');
    // Sorts and temporary tables still go where the connection's setting says (the default).
    expect(await tempStore()).toBe(0);
  });

  it('runs a limit and an offset written into the statement, with the rows they select', async () => {
    for (const text of ['a', 'b', 'c', 'd']) await writeNote(text);
    statements = [];
    const page = (offset: number) =>
      db.selectFrom('note').select('text').orderBy('id').limit(2).offset(offset).execute();
    expect((await page(1)).map((r) => r.text)).toEqual(['b', 'c']);
    expect((await page(3)).map((r) => r.text)).toEqual(['d']);
    expect(statements).toEqual([
      'select "text" from "note" order by "id" limit 2 offset 1',
      'select "text" from "note" order by "id" limit 2 offset 3',
    ]);
  });

  it("returns rows as better-sqlite3's objects would: every column, a repeated name's last value, a schema change followed", async () => {
    await writeNote('a');
    const select = (q: string) => sql<Record<string, unknown>>`${sql.raw(q)}`.execute(db);
    const plain = new SqliteDatabase(file, { readonly: true });
    const objects = (q: string) => plain.prepare(q).all();
    try {
      for (const q of [
        'select * from note',
        'select id, text, id as text, \'x\' as "a b", null as "1" from note',
        'select * from note where id < 0',
      ]) {
        // Twice: the second run is the kept statement's.
        for (let i = 0; i < 2; i++) expect((await select(q)).rows).toEqual(objects(q));
      }
      // A name an object literal would read as its prototype: better-sqlite3's own objects.
      const proto = 'select \'p\' as "__proto__", text from note';
      const rows = (await select(proto)).rows;
      expect(rows).toEqual(objects(proto));
      expect(Object.getPrototypeOf(rows[0])).toBe(Object.getPrototypeOf(objects(proto)[0]));
      // SQLite prepares a kept `select *` again after a migration: the new column comes too.
      await sql`alter table note add column tag text default 't'`.execute(db);
      const after = (await select('select * from note')).rows;
      expect(after).toEqual([{ id: 1, text: 'a', tag: 't' }]);
    } finally {
      plain.close();
    }
  });

  it('a write outside a transaction commits the open group first and is durable when it returns', async () => {
    const inGroup = writeNote('in group', tick);
    const standalone = (async () => {
      await sql`insert into note (text) values ('standalone')`.execute(db);
      expect(committedNotes()).toEqual(['in group', 'standalone']);
    })();
    await Promise.all([inGroup, standalone]);
    expect(count(/^commit/)).toBe(1);
  });

  it("a second store on the same file in this process gets the write lock: the first's open group commits before it asks", async () => {
    const sqlite = new SqliteDatabase(file);
    // No waiting for the lock: a group still holding it would fail the second store at once.
    sqlite.pragma('busy_timeout = 0');
    const other = new Kysely<Schema>({ dialect: new GroupCommitSqliteDialect(sqlite) });
    try {
      // The first store's transaction ends, its group open until the end of this turn; the
      // second store's transaction begins in the same turn.
      const first = writeNote('first store');
      // The first transaction runs to its end in microtasks (no statement here waits for I/O):
      // after these, it has released the connection and its group waits for the turn's end.
      for (let i = 0; i < 100; i++) await Promise.resolve();
      expect(statements.at(-1)).toMatch(/^insert into "note"/);
      expect(committedNotes()).toEqual([]);
      const second = other
        .transaction()
        .execute((tx) => tx.insertInto('note').values({ text: 'second store' }).execute());
      await Promise.all([first, second]);
      await sql`insert into note (text) values ('second store, outside a transaction')`.execute(
        other,
      );
      expect(committedNotes()).toEqual([
        'first store',
        'second store',
        'second store, outside a transaction',
      ]);
    } finally {
      await other.destroy();
    }
  });

  it('a transaction inside a connection scope (as the migrator runs them) keeps the connection until the scope ends', async () => {
    await db.connection().execute(async (c) => {
      await c.transaction().execute((tx) => tx.insertInto('note').values({ text: 'x' }).execute());
      await c.transaction().execute((tx) => tx.insertInto('note').values({ text: 'y' }).execute());
      await c.selectFrom('note').selectAll().execute();
    });
    expect(committedNotes()).toEqual(['x', 'y']);
  });
});
