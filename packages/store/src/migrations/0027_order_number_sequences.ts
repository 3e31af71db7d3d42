import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
//
// Issue 12: orders of a vendor no longer wait for each other on PostgreSQL. An order's number
// came from the vendor's row of `counters`, incremented in the order's transaction: the row
// stayed locked until that transaction committed, so every submission to a vendor — whatever
// the partnership — waited for the one before it to finish its round trips and its commit
// (~4 ms under load, a third of each submission's latency at 16 connections). On PostgreSQL a
// counter is now a sequence (`od_counter_<md5 of vendor/name>`), drawn by
// `orderdesk_next_counter_value(vendor, name)`: nextval never waits and is never undone. The
// numbers stay unique and increasing per vendor; what changes is that a transaction rolled
// back after drawing (a PO number or quote another order took a moment before, a crash)
// leaves its number unused. Invoice, credit note and RMA numbers, which must be gapless, keep
// the row lock of `counters` (nextCounterValue). SQLite, one writer at a time, keeps the
// counters table for order numbers too (gapless there).
//
// A vendor's sequence is created by its first order after this migration, starting after the
// highest of `counters`' value and the numbers its orders already carry (the trailing digits),
// so a database restored from an older dump or migrated from a table counter goes on after the
// last number used.

type Db = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export async function up(db: Db): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`
    create function orderdesk_next_counter_value(p_vendor text, p_name text) returns bigint
    language plpgsql as $fn$
    declare
      seq_name text := 'od_counter_' || md5(p_vendor || '/' || p_name);
      seq regclass := to_regclass(quote_ident(seq_name));
      last_used bigint;
    begin
      if seq is null then
        select greatest(
            coalesce((select value from counters where vendor_id = p_vendor and name = p_name), 0),
            coalesce((select max(substring(number from '([0-9]{1,15})$')::bigint) from orders
                      where vendor_id = p_vendor and p_name = 'order'), 0))
          into last_used;
        begin
          execute format('create sequence %I minvalue 1 start with %s', seq_name, last_used + 1);
        exception when duplicate_table or unique_violation then
          -- Another transaction's first order created it at the same moment.
          null;
        end;
        seq := to_regclass(quote_ident(seq_name));
      end if;
      return nextval(seq);
    end
    $fn$`.execute(db);
}

export async function down(db: Db): Promise<void> {
  if (!isPostgres(db)) return;
  // Back to the table: each vendor's counter takes its sequence's last value.
  await sql`
    do $do$
    declare
      r record;
      seq regclass;
      last_drawn bigint;
    begin
      for r in select id from vendors loop
        seq := to_regclass(quote_ident('od_counter_' || md5(r.id || '/order')));
        if seq is not null then
          execute format('select case when is_called then last_value else last_value - 1 end from %s', seq)
            into last_drawn;
          insert into counters (vendor_id, name, value) values (r.id, 'order', last_drawn)
            on conflict (vendor_id, name) do update set value = greatest(counters.value, excluded.value);
          execute format('drop sequence %s', seq);
        end if;
      end loop;
    end
    $do$`.execute(db);
  await sql`drop function orderdesk_next_counter_value(text, text)`.execute(db);
}
