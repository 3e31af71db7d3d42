import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
//
// Issue 12, PostgreSQL: `read_versions` as SQLite has it since 0031 and 0033 — one row, a stamp
// per table — so that a process keeps the reference rows of a submission (the parties, the
// customer, the prices in force, the multipliers, the subscription) and a token's user while
// their tables are unchanged. Keeping them saves no round trip there (the reads went in one
// statement), but PostgreSQL's CPU: the prices in force alone were half of the batched read's
// cost, for rows that change a few times a day.
//
// The stamp of a table changes when a transaction that wrote the table COMMITS, not at the
// write: a statement trigger on each table notes the table once per transaction (a row in
// `read_versions_pending`, and a transaction-local setting so that the next statements of the
// transaction skip the insert), and a deferred constraint trigger on that row sets the stamp to
// a new random value at the commit, then deletes the row. So the row lock on `read_versions`
// is held only for the commit itself: writers of different tables, or of the same one, never
// wait for each other's whole transaction on it (a 100,000-row import does not hold back a
// customer's creation), and a write rolled back (or a savepoint's) changes no stamp. A reader
// sees the new stamp exactly when it sees the commit's rows: both are the same commit.
// TRUNCATE is noted too (a statement trigger can fire on it); writes with triggers off
// (`session_replication_role = replica`, a bulk load) are not, as on SQLite.
//
// Stamps are random, below 2^53 (exact in JavaScript; int8 columns come back as numbers), from
// the first row: two databases never share them, so a process that opens both keeps their reads
// apart. SQLite has its table already: nothing to do there.

/** The stamped tables (0031's and 0033's), each a column of read_versions. */
const TABLES = [
  'vendors',
  'partners',
  'partnerships',
  'customers',
  'customer_contacts',
  'products',
  'categories',
  'price_lists',
  'price_list_items',
  'partnership_multipliers',
  'subscriptions',
  'users',
  'api_tokens',
] as const;

const STAMP = sql`floor(random() * 9007199254740991)::int8`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`create table read_versions (
    id integer primary key check (id = 1),
    ${sql.join(
      TABLES.map((t) => sql`${sql.id(t)} int8 not null`),
      sql`, `,
    )})`.execute(db);
  await sql`insert into read_versions (id, ${sql.join(TABLES.map((t) => sql.id(t)))})
    values (1, ${sql.join(TABLES.map(() => STAMP))})`.execute(db);
  // The tables a transaction wrote, until its commit sets their stamps (never visible to others:
  // each row is inserted and deleted by the same transaction). Keyed by the transaction: its
  // commit deletes its own rows by the key, without going through the dead rows the other
  // transactions left since the last vacuum.
  await sql`create table read_versions_pending (
    xid int8 not null,
    table_name text not null,
    primary key (xid, table_name))`.execute(db);
  await sql`create function orderdesk_read_versions_note() returns trigger
    language plpgsql as $$
    begin
      if current_setting('orderdesk.read_version_' || tg_argv[0], true) is distinct from 'noted' then
        perform set_config('orderdesk.read_version_' || tg_argv[0], 'noted', true);
        insert into read_versions_pending (xid, table_name)
          values (pg_current_xact_id()::text::int8, tg_argv[0]);
      end if;
      return null;
    end $$`.execute(db);
  await sql`create function orderdesk_read_versions_stamp() returns trigger
    language plpgsql as $$
    begin
      execute format(
        'update read_versions set %I = floor(random() * 9007199254740991)::int8 where id = 1',
        new.table_name);
      delete from read_versions_pending where xid = new.xid and table_name = new.table_name;
      return null;
    end $$`.execute(db);
  await sql`create constraint trigger read_versions_pending_stamp
    after insert on read_versions_pending
    deferrable initially deferred
    for each row execute function orderdesk_read_versions_stamp()`.execute(db);
  for (const table of TABLES) {
    await sql`create trigger ${sql.id(`${table}_read_version`)}
      after insert or update or delete or truncate on ${sql.table(table)}
      for each statement execute function orderdesk_read_versions_note(${sql.lit(table)})`.execute(
      db,
    );
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  for (const table of TABLES) {
    await sql`drop trigger if exists ${sql.id(`${table}_read_version`)} on ${sql.table(table)}`.execute(
      db,
    );
  }
  await sql`drop table if exists read_versions_pending`.execute(db);
  await sql`drop function if exists orderdesk_read_versions_stamp()`.execute(db);
  await sql`drop function if exists orderdesk_read_versions_note()`.execute(db);
  await sql`drop table if exists read_versions`.execute(db);
}
