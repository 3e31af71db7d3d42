import type { Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
// After booking, part B (issue 11): the SLA outcome of each stage is kept on the order
// (`sla_acknowledge_state`, `sla_fulfil_state`: null while open, then met | breached | void)
// so the breach job finds the open, overdue ones by index and records a breach exactly once
// (a conditional update from null). Escalations remember whom they reached and when the
// escalation contact is due. Returns keep the decision they were given. Licenses registered
// by an OEM partner's licensing server carry the host they were generated for.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('orders').addColumn('acknowledged_at', 'text').execute();
  await db.schema.alterTable('orders').addColumn('sla_acknowledge_state', 'text').execute();
  await db.schema.alterTable('orders').addColumn('sla_fulfil_state', 'text').execute();
  // Stages already due when this runs were never watched: they get no outcome after the fact
  // (a first job pass must not mail a breach escalation for every old order).
  const now = new Date().toISOString();
  await db
    .updateTable('orders')
    .set({ sla_acknowledge_state: 'void' })
    .where('acknowledge_by', '<=', now)
    .execute();
  await db
    .updateTable('orders')
    .set({ sla_fulfil_state: 'void' })
    .where('fulfil_by', '<=', now)
    .execute();
  await db.schema
    .createIndex('orders_sla_ack_idx')
    .on('orders')
    .columns(['sla_acknowledge_state', 'acknowledge_by'])
    .execute();
  await db.schema
    .createIndex('orders_sla_fulfil_idx')
    .on('orders')
    .columns(['sla_fulfil_state', 'fulfil_by'])
    .execute();
  await db.schema
    .createIndex('orders_vendor_fulfil_by_idx')
    .on('orders')
    .columns(['vendor_id', 'fulfil_by', 'id'])
    .execute();

  await db.schema
    .createTable('escalations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('stage', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('raised_by', 'text')
    .addColumn('raised_at', 'text', (c) => c.notNull())
    .addColumn('cam_notified', 'text')
    .addColumn('contact_due_at', 'text', (c) => c.notNull())
    .addColumn('contact_notified', 'text')
    .addColumn('resolved_at', 'text')
    .execute();
  await db.schema
    .createIndex('escalations_status_due_idx')
    .on('escalations')
    .columns(['status', 'contact_due_at'])
    .execute();
  await db.schema
    .createIndex('escalations_order_idx')
    .on('escalations')
    .columns(['order_id', 'id'])
    .execute();

  await db.schema
    .createTable('returns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('ordering_partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('lines', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('decision_code', 'text')
    .addColumn('decision_message', 'text', (c) => c.notNull())
    .addColumn('rma_number', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('returns_vendor_rma_uq', ['vendor_id', 'rma_number'])
    .execute();
  await db.schema
    .createIndex('returns_partner_idx')
    .on('returns')
    .columns(['ordering_partner_id', 'id'])
    .execute();
  await db.schema
    .createIndex('returns_vendor_idx')
    .on('returns')
    .columns(['vendor_id', 'id'])
    .execute();

  await db.schema.alterTable('licenses').addColumn('host_id', 'text').execute();
  await db.schema
    .createIndex('licenses_unauthorized_idx')
    .on('licenses')
    .columns(['vendor_id', 'authorized', 'pre_bundled', 'created_at'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('licenses_unauthorized_idx').execute();
  await db.schema.alterTable('licenses').dropColumn('host_id').execute();
  await db.schema.dropTable('returns').execute();
  await db.schema.dropTable('escalations').execute();
  await db.schema.dropIndex('orders_vendor_fulfil_by_idx').execute();
  await db.schema.dropIndex('orders_sla_fulfil_idx').execute();
  await db.schema.dropIndex('orders_sla_ack_idx').execute();
  await db.schema.alterTable('orders').dropColumn('sla_fulfil_state').execute();
  await db.schema.alterTable('orders').dropColumn('sla_acknowledge_state').execute();
  await db.schema.alterTable('orders').dropColumn('acknowledged_at').execute();
}
