import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
// The audit log is append-only (issue 13): events are evidence of who did what, so the
// database itself refuses to change or remove one, whatever code path or console asks.
// PostgreSQL: a trigger function raising on UPDATE, DELETE and TRUNCATE. SQLite: triggers
// aborting UPDATE and DELETE (SQLite has no TRUNCATE; whoever holds the file can still edit
// it, so there it guards against the application's mistakes, not against the operator).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`CREATE FUNCTION audit_events_append_only() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
          USING ERRCODE = 'restrict_violation';
      END
      $$`.execute(db);
    await sql`CREATE TRIGGER audit_events_no_change
      BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`.execute(db);
    await sql`CREATE TRIGGER audit_events_no_truncate
      BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`.execute(db);
    return;
  }
  await sql`CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END`.execute(db);
  await sql`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`DROP TRIGGER audit_events_no_truncate ON audit_events`.execute(db);
    await sql`DROP TRIGGER audit_events_no_change ON audit_events`.execute(db);
    await sql`DROP FUNCTION audit_events_append_only()`.execute(db);
    return;
  }
  await sql`DROP TRIGGER audit_events_no_delete`.execute(db);
  await sql`DROP TRIGGER audit_events_no_update`.execute(db);
}
