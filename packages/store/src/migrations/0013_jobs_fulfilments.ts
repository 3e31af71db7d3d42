import type { Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
// The scheduler (issue 11): one row per job and slot (the instant the run was due), unique, so
// however many processes run the jobs a slot runs once; the row is leased to one worker until
// `locked_until`, so a run whose worker died is taken over. Fulfilments: what was delivered for
// which order line (subscription provisioned, license keys, device shipped, files attached).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('job_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('job', 'text', (c) => c.notNull())
    .addColumn('slot', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('summary', 'text')
    .addColumn('last_error', 'text')
    .addUniqueConstraint('job_runs_job_slot_uq', ['job', 'slot'])
    .execute();
  await db.schema
    .createIndex('job_runs_job_status_idx')
    .on('job_runs')
    .columns(['job', 'status', 'slot'])
    .execute();

  await db.schema
    .createTable('fulfilments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('carrier', 'text')
    .addColumn('tracking_number', 'text')
    .addColumn('shipping_address', 'text')
    .addColumn('license_keys', 'text', (c) => c.notNull())
    .addColumn('document_ids', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('fulfilments_order_idx')
    .on('fulfilments')
    .columns(['order_id', 'id'])
    .execute();
  await db.schema
    .createTable('fulfilment_lines')
    .addColumn('fulfilment_id', 'text', (c) => c.notNull().references('fulfilments.id'))
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('fulfilment_lines_pk', ['fulfilment_id', 'line_no'])
    .execute();
  await db.schema
    .createIndex('fulfilment_lines_order_idx')
    .on('fulfilment_lines')
    .columns(['order_id', 'line_no'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('fulfilment_lines').execute();
  await db.schema.dropTable('fulfilments').execute();
  await db.schema.dropTable('job_runs').execute();
}
