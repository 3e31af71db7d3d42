import type { Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
// Quotes and orders keep the prices they were computed with (line columns), and the price
// list they were validated against, so a later price-list upload never rewrites them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('counters')
    .addColumn('vendor_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('counters_pk', ['vendor_id', 'name'])
    .execute();

  await db.schema
    .createTable('quote_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('requested_by_partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('order_type', 'text', (c) => c.notNull())
    .addColumn('lines', 'text', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('subscription_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('quote_requests_vendor_idx')
    .on('quote_requests')
    .columns(['vendor_id', 'id'])
    .execute();
  await db.schema
    .createIndex('quote_requests_partner_idx')
    .on('quote_requests')
    .columns(['partner_id', 'id'])
    .execute();

  await db.schema
    .createTable('quotes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('order_type', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('valid_until', 'text', (c) => c.notNull())
    .addColumn('quote_request_id', 'text', (c) => c.references('quote_requests.id'))
    .addColumn('subscription_id', 'text')
    .addColumn('previous_id', 'text')
    .addColumn('price_list_id', 'text')
    .addColumn('total_minor', 'bigint', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('quotes_vendor_number_version_uq', ['vendor_id', 'number', 'version'])
    .execute();
  await db.schema
    .createIndex('quotes_vendor_idx')
    .on('quotes')
    .columns(['vendor_id', 'id'])
    .execute();
  await db.schema
    .createIndex('quotes_partner_idx')
    .on('quotes')
    .columns(['partner_id', 'id'])
    .execute();

  await db.schema
    .createTable('quote_lines')
    .addColumn('quote_id', 'text', (c) => c.notNull().references('quotes.id'))
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('product_id', 'text')
    .addColumn('part_number', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('list_price_minor', 'bigint', (c) => c.notNull())
    .addColumn('multiplier', 'text', (c) => c.notNull())
    .addColumn('net_price_minor', 'bigint', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('quote_lines_pk', ['quote_id', 'line_no'])
    .execute();

  await db.schema
    .createTable('orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('ordering_partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('sales_order_number', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('quote_id', 'text', (c) => c.references('quotes.id'))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('po_number', 'text')
    .addColumn('total_minor', 'bigint', (c) => c.notNull())
    .addColumn('price_list_id', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('problems', 'text', (c) => c.notNull())
    .addColumn('hold_reasons', 'text')
    .addColumn('acknowledge_by', 'text')
    .addColumn('fulfil_by', 'text')
    .addColumn('submitted_by', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('orders_vendor_number_uq', ['vendor_id', 'number'])
    .execute();
  await db.schema
    .createIndex('orders_vendor_status_idx')
    .on('orders')
    .columns(['vendor_id', 'status', 'id'])
    .execute();
  await db.schema
    .createIndex('orders_vendor_idx')
    .on('orders')
    .columns(['vendor_id', 'id'])
    .execute();
  await db.schema
    .createIndex('orders_partner_idx')
    .on('orders')
    .columns(['ordering_partner_id', 'id'])
    .execute();
  await db.schema
    .createIndex('orders_po_idx')
    .on('orders')
    .columns(['vendor_id', 'partner_id', 'po_number'])
    .execute();

  await db.schema
    .createTable('order_lines')
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('product_id', 'text')
    .addColumn('part_number', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('unit_price_minor', 'bigint', (c) => c.notNull())
    .addColumn('list_price_minor', 'bigint')
    .addColumn('multiplier', 'text')
    .addColumn('expected_net_minor', 'bigint')
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('attributes', 'text')
    .addPrimaryKeyConstraint('order_lines_pk', ['order_id', 'line_no'])
    .execute();

  await db.schema
    .createTable('subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('term_months', 'integer', (c) => c.notNull())
    .addColumn('starts_on', 'text', (c) => c.notNull())
    .addColumn('ends_on', 'text', (c) => c.notNull())
    .addColumn('auto_renew', 'integer', (c) => c.notNull())
    .addColumn('lines', 'text', (c) => c.notNull())
    .addColumn('last_order_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('subscriptions_customer_idx')
    .on('subscriptions')
    .columns(['vendor_id', 'customer_id'])
    .execute();

  await db.schema
    .createTable('licenses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id'))
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('customer_id', 'text')
    .addColumn('license_key', 'text', (c) => c.notNull())
    .addColumn('part_number', 'text', (c) => c.notNull())
    .addColumn('authorized', 'integer', (c) => c.notNull())
    .addColumn('pre_bundled', 'integer', (c) => c.notNull())
    .addColumn('order_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('authorized_at', 'text')
    .addUniqueConstraint('licenses_vendor_key_uq', ['vendor_id', 'license_key'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'licenses',
    'subscriptions',
    'order_lines',
    'orders',
    'quote_lines',
    'quotes',
    'quote_requests',
    'counters',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
