import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.ts';
import * as m0002 from './0002_catalog.ts';
import * as m0003 from './0003_contacts.ts';
import * as m0004 from './0004_quotes_orders.ts';
import * as m0005 from './0005_outbox.ts';
import * as m0006 from './0006_app_layer.ts';
import * as m0007 from './0007_outbox_worker.ts';
import * as m0008 from './0008_audit_append_only.ts';
import * as m0009 from './0009_import_staging.ts';
import * as m0010 from './0010_login_throttle.ts';
import * as m0011 from './0011_mail_intake.ts';
import * as m0012 from './0012_documents.ts';
import * as m0013 from './0013_jobs_fulfilments.ts';
import * as m0014 from './0014_invoices.ts';
import * as m0015 from './0015_sla_escalations_returns.ts';
import * as m0016 from './0016_search_list_indexes.ts';
import * as m0017 from './0017_order_po_number_unique.ts';
import * as m0018 from './0018_search_postings.ts';
import * as m0019 from './0019_search_postings_by_product.ts';
import * as m0020 from './0020_drop_fulltext.ts';
import * as m0023 from './0023_partners_parent_index.ts';
import * as m0026 from './0026_search_documents.ts';
import * as m0027 from './0027_order_number_sequences.ts';
import * as m0028 from './0028_subscriptions_current_index.ts';
import * as m0029 from './0029_lz4_response_bodies.ts';
import * as m0030 from './0030_invoice_paid_on.ts';
import * as m0031 from './0031_read_versions.ts';
import * as m0032 from './0032_partnership_billing.ts';
import * as m0033 from './0033_auth_read_versions.ts';
import * as m0034 from './0034_postgres_read_versions.ts';

/** Every migration, in order. Names are frozen once released. */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_catalog': m0002,
  '0003_contacts': m0003,
  '0004_quotes_orders': m0004,
  '0005_outbox': m0005,
  '0006_app_layer': m0006,
  '0007_outbox_worker': m0007,
  '0008_audit_append_only': m0008,
  '0009_import_staging': m0009,
  '0010_login_throttle': m0010,
  '0011_mail_intake': m0011,
  '0012_documents': m0012,
  '0013_jobs_fulfilments': m0013,
  '0014_invoices': m0014,
  '0015_sla_escalations_returns': m0015,
  '0016_search_list_indexes': m0016,
  '0017_order_po_number_unique': m0017,
  '0018_search_postings': m0018,
  '0019_search_postings_by_product': m0019,
  '0020_drop_fulltext': m0020,
  '0023_partners_parent_index': m0023,
  '0026_search_documents': m0026,
  '0027_order_number_sequences': m0027,
  '0028_subscriptions_current_index': m0028,
  '0029_lz4_response_bodies': m0029,
  '0030_invoice_paid_on': m0030,
  '0031_read_versions': m0031,
  '0032_partnership_billing': m0032,
  '0033_auth_read_versions': m0033,
  '0034_postgres_read_versions': m0034,
};
