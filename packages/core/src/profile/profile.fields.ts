import type { VendorProfile } from './profile.schema.ts';

// Field paths of the order submission body (API.md, "Orders") that a profile may name in
// `requiredFields`, `optionalFields`, `conditions[].require`, wizard steps and `fieldHelp`.
// Profile-defined attributes are addressed as `attributes.<key>` (order scope) or, inside a
// line, `attributes.<key>` (line scope).

/** Order-level field paths a profile may require. */
export const ORDER_FIELD_PATHS = [
  'customerId',
  'quoteId',
  'lines',
  'purchaseOrder',
  'purchaseOrder.number',
  'purchaseOrder.date',
  'purchaseOrder.currency',
  'purchaseOrder.total',
  'purchaseOrder.specialTerms',
  'purchaseOrder.notes',
  'contacts.siteAdmin',
  'contacts.siteAdmin.name',
  'contacts.siteAdmin.email',
  'contacts.provisioningCc',
  'contacts.invoicing',
  'contacts.invoicing.name',
  'contacts.invoicing.email',
  'tier2Reseller',
  'tier2Reseller.name',
  'tier2Reseller.email',
  'tier2Reseller.phone',
  'shippingAddress',
  'shippingAddress.name',
  'shippingAddress.line1',
  'shippingAddress.line2',
  'shippingAddress.city',
  'shippingAddress.region',
  'shippingAddress.postalCode',
  'shippingAddress.country',
  'shippingAddress.taxId',
  // A required boolean must be `true`: the partner has confirmed the address.
  'shippingAddress.confirmed',
  'licenseIds',
  'termsAccepted',
  'termsAccepted.version',
] as const;
export type OrderFieldPath = (typeof ORDER_FIELD_PATHS)[number];

/** Per-line field paths a profile may require (relative to one entry of `lines`). */
export const LINE_FIELD_PATHS = ['partNumber', 'quantity', 'unitPrice'] as const;
export type LineFieldPath = (typeof LINE_FIELD_PATHS)[number];

/** The prefix under which profile-defined attributes live, on the order and on each line. */
export const ATTRIBUTE_PATH_PREFIX = 'attributes.';

/** Whether `path` names an order field or one of the given order-scope attribute keys. */
export function isKnownOrderFieldPath(path: string, attributeKeys: ReadonlySet<string>): boolean {
  if ((ORDER_FIELD_PATHS as readonly string[]).includes(path)) return true;
  return (
    path.startsWith(ATTRIBUTE_PATH_PREFIX) &&
    attributeKeys.has(path.slice(ATTRIBUTE_PATH_PREFIX.length))
  );
}

/** Whether `path` names a line field or one of the given line-scope attribute keys. */
export function isKnownLineFieldPath(path: string, attributeKeys: ReadonlySet<string>): boolean {
  if ((LINE_FIELD_PATHS as readonly string[]).includes(path)) return true;
  return (
    path.startsWith(ATTRIBUTE_PATH_PREFIX) &&
    attributeKeys.has(path.slice(ATTRIBUTE_PATH_PREFIX.length))
  );
}

/** What a person calls each field (mails, messages): the body's paths in words. */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  vendor: 'Vendor',
  type: 'Order type',
  partnerId: 'Partner',
  customerId: 'Customer',
  quoteId: 'Quote',
  lines: 'Lines',
  purchaseOrder: 'Purchase order',
  'purchaseOrder.number': 'PO number',
  'purchaseOrder.date': 'PO date',
  'purchaseOrder.currency': 'Currency',
  'purchaseOrder.total': 'PO total',
  'purchaseOrder.specialTerms': 'Special terms on the PO',
  'purchaseOrder.notes': 'PO notes',
  'contacts.siteAdmin': 'Site admin',
  'contacts.siteAdmin.name': 'Site admin name',
  'contacts.siteAdmin.email': 'Site admin e-mail',
  'contacts.provisioningCc': 'Provisioning CC',
  'contacts.invoicing': 'Invoicing contact',
  'contacts.invoicing.name': 'Invoicing contact name',
  'contacts.invoicing.email': 'Invoicing contact e-mail',
  tier2Reseller: 'Tier-2 reseller',
  'tier2Reseller.name': 'Tier-2 reseller name',
  'tier2Reseller.email': 'Tier-2 reseller e-mail',
  'tier2Reseller.phone': 'Tier-2 reseller phone',
  shippingAddress: 'Shipping address',
  'shippingAddress.name': 'Ship-to name',
  'shippingAddress.line1': 'Ship-to address',
  'shippingAddress.line2': 'Ship-to address, line 2',
  'shippingAddress.city': 'Ship-to city',
  'shippingAddress.region': 'Ship-to region',
  'shippingAddress.postalCode': 'Ship-to postal code',
  'shippingAddress.country': 'Ship-to country',
  'shippingAddress.taxId': 'Ship-to tax ID',
  'shippingAddress.confirmed': 'Shipping address confirmed',
  licenseIds: 'License IDs',
  termsAccepted: 'Terms and conditions',
  'termsAccepted.version': 'Terms and conditions version',
};

const LINE_LABELS: Readonly<Record<string, string>> = {
  partNumber: 'part number',
  quantity: 'quantity',
  unitPrice: 'unit price',
};

/**
 * The words for a problem's `path` (`lines[2].attributes.hostId` → `Line 3: Host ID`), with
 * the profile's own attribute labels; the path itself when it names nothing known.
 */
export function fieldLabel(path: string, profile: Pick<VendorProfile, 'attributes'>): string {
  const line = /^lines\[(\d+)\]\.(.+)$/.exec(path);
  if (line) {
    const [, index, rest = ''] = line;
    const name = lineFieldLabel(rest, profile);
    return name ? `Line ${Number(index) + 1}: ${name}` : path;
  }
  if (path.startsWith(ATTRIBUTE_PATH_PREFIX)) {
    return attributeLabel(profile, 'order', path.slice(ATTRIBUTE_PATH_PREFIX.length)) ?? path;
  }
  return FIELD_LABELS[path] ?? path;
}

/** The words for a field of a line (`attributes.hostId` → `Host ID`); undefined when unknown. */
export function lineFieldLabel(
  field: string,
  profile: Pick<VendorProfile, 'attributes'>,
): string | undefined {
  return field.startsWith(ATTRIBUTE_PATH_PREFIX)
    ? attributeLabel(profile, 'line', field.slice(ATTRIBUTE_PATH_PREFIX.length))
    : LINE_LABELS[field];
}

function attributeLabel(
  profile: Pick<VendorProfile, 'attributes'>,
  scope: 'order' | 'line',
  key: string,
): string | undefined {
  return profile.attributes.find((a) => a.key === key && a.scope === scope)?.label;
}
