export const PARTNER_ROLES = ['partner_user', 'partner_admin'] as const;
export const VENDOR_ROLES = [
  'cam',
  'sales',
  'order_desk',
  'finance',
  'provisioning',
  'vendor_admin',
] as const;
export const ALL_ROLES = [...PARTNER_ROLES, ...VENDOR_ROLES] as const;
export type PartnerRole = (typeof PARTNER_ROLES)[number];
export type VendorRole = (typeof VENDOR_ROLES)[number];
export type AnyRole = (typeof ALL_ROLES)[number];
