import type { Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
// The outbox worker (issue 10): a claimed row is leased to one worker until `locked_until`, so
// a worker that dies releases its work when the lease runs out; a row that failed too often is
// a dead letter (`dead_at`, with its last error) until a vendor admin retries it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('locked_by', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('locked_until', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('dead_at', 'text').execute();
  await db.schema
    .createIndex('outbox_dead_idx')
    .on('outbox')
    .columns(['vendor_id', 'dead_at'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_dead_idx').execute();
  await db.schema.alterTable('outbox').dropColumn('dead_at').execute();
  await db.schema.alterTable('outbox').dropColumn('locked_until').execute();
  await db.schema.alterTable('outbox').dropColumn('locked_by').execute();
}
