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
