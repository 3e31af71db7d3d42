import type { Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
// Documents on orders (issue 10, point 6): the PO PDF, product files and license files. The
// bytes live in a DocumentStorage (disk by default) under `storage_key`; the row holds what
// the API shows (name, sniffed content type, size, SHA-256) and, for a PO PDF, what the PDF
// reader found in it (`extraction`, JSON). Every row belongs to a vendor and a partner (the
// partnership holder of its order), so tenant scoping never needs a join.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
    .addColumn('partner_id', 'text', (c) => c.references('partners.id'))
    .addColumn('order_id', 'text', (c) => c.references('orders.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'text')
    .addColumn('uploaded_by_label', 'text', (c) => c.notNull())
    .addColumn('extraction', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('documents_order_idx')
    .on('documents')
    .columns(['order_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('documents_vendor_idx')
    .on('documents')
    .columns(['vendor_id', 'created_at'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('documents').execute();
}
