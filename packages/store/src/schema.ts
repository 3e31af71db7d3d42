import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { MessageDirection, MessageEntityType, MessageStatus } from './messages.repository.ts';
import type { VersionedTable } from './read-versions.ts';
import type { ProfileFormat } from './profiles.repository.ts';
import type { LoginDeviceTable, LoginThrottleTable } from './login-attempts.repository.ts';
import type {
  InboundMailTable,
  IntakeItemTable,
  MailboxCheckpointTable,
} from './intake.repository.ts';

// Column conventions shared by both dialects (see docs/adr/0001-storage.md):
// ids are prefixed text; timestamps are ISO-8601 UTC text; money is integer minor units;
// decimals that are not money (multipliers) are exact decimal strings; flags are 0/1
// integers; structured values are JSON text.

export interface VendorTable {
  id: string;
  slug: string;
  name: string;
  /**
   * The parsed profile (JSON) of version `profile_version`, written with it so readers need not
   * parse the source. The authoritative text is `vendor_profiles.source` of that version.
   */
  profile: string;
  /** The current version in `vendor_profiles`. */
  profile_version: Generated<number>;
  created_at: string;
  updated_at: string;
}

/** One published version of a vendor's profile, as the vendor wrote it. */
export interface VendorProfileTable {
  id: string;
  vendor_id: string;
  /** 1, 2, … per vendor. */
  version: number;
  /** The version of the profile schema the source was checked against. */
  schema_version: number;
  source: string;
  format: ProfileFormat;
  created_by: string | null;
  created_at: string;
}

export interface PartnerTable {
  id: string;
  name: string;
  tier: number;
  parent_partner_id: string | null;
  created_at: string;
}

export interface PartnershipTable {
  id: string;
  vendor_id: string;
  partner_id: string;
  legal_name: string;
  agreement_date: string;
  multiplier: string;
  cam_user_id: string | null;
  invoicing_contact_name: string | null;
  invoicing_contact_email: string | null;
  provisioning_cc: string | null;
  /**
   * Where the vendor bills the partner (migration 0032): JSON { line1, line2?, city, region?,
   * postalCode, country }, its country `billing_country`'s. Null when unknown.
   */
  billing_address: string | null;
  /** ISO 3166-1 alpha-2: the partner's country as billed, which its invoices' tax follows. */
  billing_country: string | null;
  /** The partner's VAT / sales-tax registration, the buyer's tax ID on its invoices. */
  tax_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface UserTable {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  vendor_id: string | null;
  partner_id: string | null;
  roles: string;
  /** 0 once deactivated (then `deactivated_at` says when); sessions and tokens stop at once. */
  active: Generated<number>;
  deactivated_at: string | null;
  created_at: string;
}

export interface SessionTable {
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

export interface ApiTokenTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  /** Null: never expires. */
  expires_at: string | null;
  /** 1 if the token may create other tokens (0 by default). */
  can_mint: Generated<number>;
}

/** A single-use link to set a new user's password. */
export interface InvitationTable {
  id: string;
  user_id: string;
  token_hash: string;
  expires_at: string;
  used_at: string | null;
  created_by: string | null;
  created_at: string;
}

export interface CustomerTable {
  id: string;
  partner_id: string;
  name: string;
  domains: string;
  microsoft_domain: string | null;
  employee_count: number | null;
  tax_id: string | null;
  addresses: string;
  created_at: string;
  updated_at: string;
}

export interface CustomerContactTable {
  id: string;
  customer_id: string;
  name: string;
  email: string;
  phone: string | null;
  roles: string;
  created_at: string;
}

export interface AuditEventTable {
  id: string;
  vendor_id: string | null;
  partner_id: string | null;
  entity_type: string;
  entity_id: string;
  type: string;
  actor_user_id: string | null;
  actor_label: string;
  at: string;
  from_status: string | null;
  to_status: string | null;
  reason: string | null;
  data: string | null;
}

export interface IdempotencyKeyTable {
  id: string;
  user_id: string;
  key: string;
  method: string;
  path: string;
  request_hash: string;
  status_code: number;
  response_body: string;
  created_at: string;
}

export interface CounterTable {
  vendor_id: string;
  name: string;
  value: number;
}

export interface QuoteRequestTable {
  id: string;
  vendor_id: string;
  partner_id: string;
  requested_by_partner_id: string;
  customer_id: string;
  order_type: string;
  lines: string;
  notes: string | null;
  subscription_id: string | null;
  status: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface QuoteTable {
  id: string;
  vendor_id: string;
  partner_id: string;
  customer_id: string;
  number: string;
  /** Concurrency counter of this row: 1 on insert, +1 on every change (`If-Match`). */
  version: number;
  /** The n-th issue of the quote number; a revision is a new row superseding the previous one. */
  revision: number;
  status: string;
  order_type: string;
  currency: string;
  valid_until: string;
  quote_request_id: string | null;
  subscription_id: string | null;
  previous_id: string | null;
  price_list_id: string | null;
  total_minor: number;
  notes: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface QuoteLineTable {
  quote_id: string;
  line_no: number;
  product_id: string | null;
  part_number: string;
  name: string;
  quantity: number;
  list_price_minor: number;
  multiplier: string;
  net_price_minor: number;
  amount_minor: number;
}

export interface OrderTable {
  id: string;
  vendor_id: string;
  /** The partnership holder (a tier-2 reseller orders under its distributor). */
  partner_id: string;
  /** The partner whose user submitted the order. */
  ordering_partner_id: string;
  customer_id: string;
  number: string;
  sales_order_number: string | null;
  type: string;
  channel: string;
  status: string;
  version: number;
  quote_id: string | null;
  currency: string;
  po_number: string | null;
  total_minor: number;
  price_list_id: string | null;
  /** The vendor profile version the order was submitted under (null: before versions). */
  profile_version: number | null;
  /** The submission as sent (purchase order, contacts, addresses, attributes…), JSON. */
  body: string;
  /** Validation problems (warnings) at the last submission, JSON. */
  problems: string;
  /** Reasons given with the last hold, JSON. */
  hold_reasons: string | null;
  acknowledge_by: string | null;
  fulfil_by: string | null;
  /** The first vendor action or acknowledgment mail (kept by the SLA job; optional: 0015). */
  acknowledged_at?: string | null;
  /** SLA outcome per stage: null while open, then met | breached | void (0015). */
  sla_acknowledge_state?: string | null;
  sla_fulfil_state?: string | null;
  submitted_by: string;
  submitted_at: string;
  completed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface OrderLineTable {
  order_id: string;
  line_no: number;
  product_id: string | null;
  part_number: string;
  name: string | null;
  quantity: number;
  unit_price_minor: number;
  list_price_minor: number | null;
  multiplier: string | null;
  expected_net_minor: number | null;
  amount_minor: number;
  attributes: string | null;
}

export interface SubscriptionTable {
  id: string;
  vendor_id: string;
  partner_id: string;
  customer_id: string;
  status: string;
  term_months: number;
  starts_on: string;
  ends_on: string;
  auto_renew: number;
  lines: string;
  last_order_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface LicenseTable {
  id: string;
  vendor_id: string;
  partner_id: string;
  customer_id: string | null;
  license_key: string;
  part_number: string;
  authorized: number;
  pre_bundled: number;
  order_id: string | null;
  /** The host a licensing server generated the license for (0015). */
  host_id?: string | null;
  created_at: string;
  authorized_at: string | null;
}

export interface CategoryTable {
  id: string;
  vendor_id: string;
  /** A path of slugs, e.g. `hardware.gateways`; descendants share the prefix. */
  key: string;
  name: string;
  parent_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface ProductTable {
  id: string;
  vendor_id: string;
  part_number: string;
  name: string;
  description: string;
  type: string;
  category_id: string | null;
  billing_term: string | null;
  ships: number;
  active: number;
  created_at: string;
  updated_at: string;
}

export interface PriceListTable {
  id: string;
  vendor_id: string;
  currency: string;
  version: number;
  effective_from: string;
  row_count: number;
  source_name: string | null;
  created_by: string;
  created_at: string;
}

export interface PriceListItemTable {
  price_list_id: string;
  part_number: string;
  product_id: string;
  list_price_minor: number;
}

export interface PartnershipMultiplierTable {
  id: string;
  partnership_id: string;
  category_id: string | null;
  multiplier: string;
  effective_from: string;
  effective_to: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface OutboxTable {
  id: string;
  vendor_id: string | null;
  topic: string;
  entity_type: string;
  entity_id: string;
  payload: string;
  created_at: string;
  available_at: string;
  attempts: Generated<number>;
  processed_at: string | null;
  last_error: string | null;
  /** The worker holding the row, until `locked_until` (a lease: a dead worker's row comes back). */
  locked_by: string | null;
  locked_until: string | null;
  /** Set when the row gave up after too many attempts (a dead letter); null while it may run. */
  dead_at: string | null;
}

/** A thread message (mail), outgoing or incoming; the outbox row that sends it names its id. */
export interface MessageTable {
  id: string;
  /** Null for mail outside any vendor (a partner admin inviting its own user). */
  vendor_id: string | null;
  partner_id: string | null;
  entity_type: MessageEntityType;
  entity_id: string;
  direction: MessageDirection;
  template: string | null;
  from_addr: string;
  /** JSON array of addresses. */
  to_addrs: string;
  /** JSON array of addresses. */
  cc_addrs: string;
  reply_to: string | null;
  subject: string;
  text: string;
  html: string | null;
  /** JSON array of `{ name, contentType, size, … }`. */
  attachments: string;
  status: MessageStatus;
  /** The RFC 5322 Message-ID, unique: replies find their thread by it. */
  message_id: string;
  in_reply_to: string | null;
  /** JSON array of Message-IDs (the References header), or null. */
  references_ids: string | null;
  /** The domain event (audit row) that caused the message, if any. */
  event_id: string | null;
  created_at: string;
  sent_at: string | null;
}

/** One run of a scheduled job for one slot (the instant it was due); unique per job and slot. */
export interface JobRunTable {
  id: string;
  job: string;
  slot: string;
  /** `running` while leased to `locked_by` until `locked_until`; `done` or `failed` after. */
  status: string;
  locked_by: string | null;
  locked_until: string | null;
  attempts: Generated<number>;
  started_at: string;
  finished_at: string | null;
  /** JSON: what the run did (counts), for `orderdesk jobs run` and the logs. */
  summary: string | null;
  last_error: string | null;
}

/** One delivery against an order (a shipment, keys issued, a provisioning). */
export interface FulfilmentTable {
  id: string;
  vendor_id: string;
  partner_id: string;
  order_id: string;
  carrier: string | null;
  tracking_number: string | null;
  /** JSON: the confirmed address a device was shipped to. */
  shipping_address: string | null;
  /** JSON array of license keys issued. */
  license_keys: string;
  /** JSON array of document ids (product files) attached. */
  document_ids: string;
  created_by: string;
  created_at: string;
}

export interface FulfilmentLineTable {
  fulfilment_id: string;
  order_id: string;
  line_no: number;
  quantity: number;
  /** What was delivered: subscription_provisioned, license_keys_issued, device_shipped, … */
  kind: string;
}

export interface InvoiceTable {
  id: string;
  vendor_id: string;
  partner_id: string;
  ordering_partner_id: string;
  /** Unique: one invoice per order. */
  order_id: string;
  number: string;
  status: string;
  version: number;
  currency: string;
  issued_at: string;
  /** The issue date in the vendor's calendar zone. */
  issue_date: string;
  due_date: string;
  payment_terms_days: number;
  subtotal_minor: number;
  tax_minor: number;
  total_minor: number;
  tax_category: string;
  tax_rate: string;
  tax_exemption_reason: string | null;
  /** JSON: the seller party as issued. */
  seller: string;
  /** JSON: the buyer party as issued. */
  buyer: string;
  order_number: string;
  sales_order_number: string | null;
  po_number: string | null;
  paid_at: string | null;
  /** The day the payment was made (mark-paid's paidOn), in the vendor's calendar. */
  paid_on: string | null;
  credited_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface InvoiceLineTable {
  invoice_id: string;
  line_no: number;
  part_number: string;
  name: string;
  quantity: number;
  unit_price_minor: number;
  amount_minor: number;
}

export interface CreditNoteTable {
  id: string;
  vendor_id: string;
  invoice_id: string;
  number: string;
  reason: string;
  issued_at: string;
  issue_date: string;
  currency: string;
  /** Negative: a credit note reverses its invoice. */
  subtotal_minor: number;
  tax_minor: number;
  total_minor: number;
  created_by: string;
  created_at: string;
}

/** A staging of an import (0009): its rows are invisible until published, swept when stale. */
export interface ImportRunTable {
  id: string;
  vendor_id: string;
  kind: string;
  created_at: string;
}

/** One staged price-list row (0009); null description/billing_term/ships = keep the product's. */
export interface ImportPriceRowTable {
  import_id: string;
  row_number: number;
  part_number: string;
  product_id: string;
  name: string;
  type: string;
  category_key: string | null;
  description: string | null;
  billing_term: string | null;
  ships: number | null;
  ships_new: number;
  list_price_minor: number;
}

/** A file on an order (0012): the bytes are in the document storage under `storage_key`. */
export interface DocumentTable {
  id: string;
  vendor_id: string;
  /** The partnership holder of the order (null for a vendor's own file). */
  partner_id: string | null;
  order_id: string | null;
  name: string;
  content_type: string;
  size: number;
  sha256: string;
  storage_key: string;
  /** po | product_file | license | other */
  kind: string;
  uploaded_by: string | null;
  uploaded_by_label: string;
  /** For a PDF kept as a PO: what the reader found in it and how it compares, JSON. */
  extraction: string | null;
  created_at: string;
}

/** SQLite only (migration 0031): one row (id 1), a stamp per table (read-versions.ts). */
export type ReadVersionsTable = { id: number } & Record<VersionedTable, number>;

export interface Database {
  /** Migrations 0031, 0033 (SQLite) and 0034 (PostgreSQL): read-versions.ts. */
  read_versions: ReadVersionsTable;
  vendors: VendorTable;
  vendor_profiles: VendorProfileTable;
  partners: PartnerTable;
  partnerships: PartnershipTable;
  users: UserTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  customers: CustomerTable;
  customer_contacts: CustomerContactTable;
  audit_events: AuditEventTable;
  idempotency_keys: IdempotencyKeyTable;
  categories: CategoryTable;
  products: ProductTable;
  price_lists: PriceListTable;
  price_list_items: PriceListItemTable;
  import_runs: ImportRunTable;
  import_price_rows: ImportPriceRowTable;
  partnership_multipliers: PartnershipMultiplierTable;
  counters: CounterTable;
  quote_requests: QuoteRequestTable;
  quotes: QuoteTable;
  quote_lines: QuoteLineTable;
  orders: OrderTable;
  order_lines: OrderLineTable;
  subscriptions: SubscriptionTable;
  licenses: LicenseTable;
  outbox: OutboxTable;
  messages: MessageTable;
  invitations: InvitationTable;
  job_runs: JobRunTable;
  fulfilments: FulfilmentTable;
  fulfilment_lines: FulfilmentLineTable;
  invoices: InvoiceTable;
  invoice_lines: InvoiceLineTable;
  credit_notes: CreditNoteTable;
  login_throttle: LoginThrottleTable;
  login_devices: LoginDeviceTable;
  intake_items: IntakeItemTable;
  inbound_mails: InboundMailTable;
  mailbox_checkpoints: MailboxCheckpointTable;
  documents: DocumentTable;
  escalations: EscalationTable;
  returns: ReturnTable;
}

export type Vendor = Selectable<VendorTable>;
export type NewVendor = Insertable<VendorTable>;
export type VendorProfile = Selectable<VendorProfileTable>;
export type Partner = Selectable<PartnerTable>;
export type Partnership = Selectable<PartnershipTable>;
export type PartnershipUpdate = Updateable<PartnershipTable>;
export type User = Selectable<UserTable>;
export type NewUser = Insertable<UserTable>;
export type Customer = Selectable<CustomerTable>;
export type CustomerContact = Selectable<CustomerContactTable>;
export type AuditEvent = Selectable<AuditEventTable>;
export type QuoteRequest = Selectable<QuoteRequestTable>;
export type Quote = Selectable<QuoteTable>;
export type QuoteLine = Selectable<QuoteLineTable>;
/** Columns added after orders were first written (0015): optional, so older writers still compile. */
type LaterOrderColumns = 'acknowledged_at' | 'sla_acknowledge_state' | 'sla_fulfil_state';
export type Order = Omit<Selectable<OrderTable>, LaterOrderColumns> &
  Partial<Pick<Selectable<OrderTable>, LaterOrderColumns>>;
export type OrderLine = Selectable<OrderLineTable>;
export type Subscription = Selectable<SubscriptionTable>;
export type License = Omit<Selectable<LicenseTable>, 'host_id'> &
  Partial<Pick<Selectable<LicenseTable>, 'host_id'>>;
export type Category = Selectable<CategoryTable>;
export type Product = Selectable<ProductTable>;
export type PriceList = Selectable<PriceListTable>;
export type PartnershipMultiplier = Selectable<PartnershipMultiplierTable>;
export type OutboxMessage = Selectable<OutboxTable>;
export type Message = Selectable<MessageTable>;
export type Invitation = Selectable<InvitationTable>;
export type ApiToken = Selectable<ApiTokenTable>;
export type JobRun = Selectable<JobRunTable>;
export type Fulfilment = Selectable<FulfilmentTable>;
export type FulfilmentLine = Selectable<FulfilmentLineTable>;
export type Invoice = Selectable<InvoiceTable>;
export type InvoiceLine = Selectable<InvoiceLineTable>;
export type CreditNote = Selectable<CreditNoteTable>;
export type StoredDocument = Selectable<DocumentTable>;

export interface EscalationTable {
  id: string;
  vendor_id: string;
  partner_id: string;
  order_id: string;
  /** partner | breach */
  source: string;
  /** The SLA stage a breach escalation is about. */
  stage: string | null;
  reason: string;
  /** awaiting_cam | cam_acted | vendor_acted | order_closed | escalated | no_contact */
  status: string;
  raised_by: string | null;
  raised_at: string;
  /** Addresses the CAM mail went to, JSON. */
  cam_notified: string | null;
  contact_due_at: string;
  /** Addresses the escalation contact mail went to, JSON. */
  contact_notified: string | null;
  resolved_at: string | null;
}
export type Escalation = Selectable<EscalationTable>;

export interface ReturnTable {
  id: string;
  vendor_id: string;
  partner_id: string;
  ordering_partner_id: string;
  order_id: string;
  /** [{ lineNo, quantity }], JSON. */
  lines: string;
  reason: string;
  /** approved | refused | requested */
  status: string;
  decision_code: string | null;
  decision_message: string;
  rma_number: string | null;
  created_by: string;
  created_at: string;
}
export type ReturnRequest = Selectable<ReturnTable>;
