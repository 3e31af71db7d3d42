import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

// Column conventions shared by both dialects (see docs/adr/0001-storage.md):
// ids are prefixed text; timestamps are ISO-8601 UTC text; money is integer minor units;
// decimals that are not money (multipliers) are exact decimal strings; flags are 0/1
// integers; structured values are JSON text.

export interface VendorTable {
  id: string;
  slug: string;
  name: string;
  profile: string;
  created_at: string;
  updated_at: string;
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
  active: Generated<number>;
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

export interface Database {
  vendors: VendorTable;
  partners: PartnerTable;
  partnerships: PartnershipTable;
  users: UserTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  customers: CustomerTable;
  customer_contacts: CustomerContactTable;
  audit_events: AuditEventTable;
  idempotency_keys: IdempotencyKeyTable;
}

export type Vendor = Selectable<VendorTable>;
export type NewVendor = Insertable<VendorTable>;
export type Partner = Selectable<PartnerTable>;
export type Partnership = Selectable<PartnershipTable>;
export type PartnershipUpdate = Updateable<PartnershipTable>;
export type User = Selectable<UserTable>;
export type NewUser = Insertable<UserTable>;
export type Customer = Selectable<CustomerTable>;
export type CustomerContact = Selectable<CustomerContactTable>;
export type AuditEvent = Selectable<AuditEventTable>;
