// Which fields an order type's Excel template asks for, with their labels, help and kind. The
// template, its reader and the import agree on these keys: the header sheet's hidden "Key"
// column and the lines sheet's key row hold them, so a workbook re-saved by LibreOffice or an
// older Excel still reads back, and labels are the fallback when the keys were lost.
import type { AttributeConfig, OrderTypeConfig, VendorProfile } from '@orderdesk/core';

/** How a cell's text becomes a submission value. */
export const TEMPLATE_FIELD_KINDS = [
  'text',
  'email',
  'date',
  'decimal',
  'integer',
  'boolean',
  'list',
] as const;
export type TemplateFieldKind = (typeof TEMPLATE_FIELD_KINDS)[number];

/** One row of the header sheet or one column of the lines sheet. */
export interface TemplateField {
  /** The submission path (`purchaseOrder.number`, `attributes.hostId`), or `vendor` / `type`. */
  key: string;
  label: string;
  kind: TemplateFieldKind;
  /** `required`, `optional`, or the condition under which it is required. */
  requirement: string;
  help: string;
}

/** Labels of the order fields, as the template shows them and the reader recognises them. */
export const ORDER_FIELD_LABELS: Readonly<Record<string, string>> = {
  vendor: 'Vendor',
  type: 'Order type',
  customerId: 'Customer',
  quoteId: 'Quote number',
  'purchaseOrder.number': 'PO number',
  'purchaseOrder.date': 'PO date',
  'purchaseOrder.currency': 'Currency',
  'purchaseOrder.total': 'PO total',
  'purchaseOrder.specialTerms': 'Special terms',
  'purchaseOrder.notes': 'PO notes',
  'contacts.siteAdmin.name': 'Site admin name',
  'contacts.siteAdmin.email': 'Site admin email',
  'contacts.provisioningCc': 'Provisioning CC email',
  'contacts.invoicing.name': 'Invoicing contact name',
  'contacts.invoicing.email': 'Invoicing contact email',
  'tier2Reseller.name': 'Tier-2 reseller name',
  'tier2Reseller.email': 'Tier-2 reseller email',
  'tier2Reseller.phone': 'Tier-2 reseller phone',
  'shippingAddress.name': 'Ship to (name)',
  'shippingAddress.line1': 'Ship to address line 1',
  'shippingAddress.line2': 'Ship to address line 2',
  'shippingAddress.city': 'Ship to city',
  'shippingAddress.region': 'Ship to region / state',
  'shippingAddress.postalCode': 'Ship to postal code',
  'shippingAddress.country': 'Ship to country (ISO code)',
  'shippingAddress.taxId': 'Consignee tax ID',
  'shippingAddress.confirmed': 'Shipping address confirmed',
  licenseIds: 'License IDs',
  'termsAccepted.version': 'Terms and conditions accepted (version)',
};

/** Labels of the fixed line columns. */
export const LINE_FIELD_LABELS: Readonly<Record<string, string>> = {
  partNumber: 'Part number',
  quantity: 'Quantity',
  unitPrice: 'Unit price',
  product: 'Product',
  netPrice: 'Your net price',
  amount: 'Amount',
};

/** Line columns the reader takes no value from: the template computes them. */
export const COMPUTED_LINE_KEYS: ReadonlySet<string> = new Set(['product', 'netPrice', 'amount']);

const DEFAULT_HELP: Readonly<Record<string, string>> = {
  vendor: 'Leave as it is: the vendor this template is for.',
  type: 'Leave as it is: the order type this template is for.',
  customerId: 'Your customer (the end user): pick one from the list (sheet "Customers").',
  quoteId: 'The number of the approved quote this order accepts (sheet "Quotes").',
  'purchaseOrder.number': 'Your purchase order number.',
  'purchaseOrder.date': 'The date of your PO (YYYY-MM-DD).',
  'purchaseOrder.currency': 'ISO 4217 code, e.g. USD.',
  'purchaseOrder.total': 'The total of your PO, e.g. 1234.50.',
  'purchaseOrder.specialTerms': 'The special-terms clause, word for word.',
  'contacts.provisioningCc': 'One address copied on the provisioning mail to the end user.',
  'shippingAddress.confirmed': 'Yes once you have checked the shipping address.',
  licenseIds: 'The license IDs, separated by commas.',
};

// Parent paths a profile may name stand for their leaves.
const EXPANSIONS: Readonly<Record<string, readonly string[]>> = {
  purchaseOrder: [
    'purchaseOrder.number',
    'purchaseOrder.date',
    'purchaseOrder.currency',
    'purchaseOrder.total',
  ],
  'contacts.siteAdmin': ['contacts.siteAdmin.name', 'contacts.siteAdmin.email'],
  'contacts.invoicing': ['contacts.invoicing.name', 'contacts.invoicing.email'],
  tier2Reseller: ['tier2Reseller.name', 'tier2Reseller.email', 'tier2Reseller.phone'],
  shippingAddress: [
    'shippingAddress.name',
    'shippingAddress.line1',
    'shippingAddress.line2',
    'shippingAddress.city',
    'shippingAddress.region',
    'shippingAddress.postalCode',
    'shippingAddress.country',
    'shippingAddress.taxId',
    'shippingAddress.confirmed',
  ],
  termsAccepted: ['termsAccepted.version'],
};

/** The order in which the header sheet lists fields (others follow in profile order). */
const ORDER = Object.keys(ORDER_FIELD_LABELS);

/** The kind of an order field's cell (not an attribute). */
export function kindOfOrderField(key: string): TemplateFieldKind {
  if (key === 'purchaseOrder.date') return 'date';
  if (key === 'purchaseOrder.total') return 'decimal';
  if (key === 'shippingAddress.confirmed') return 'boolean';
  if (key === 'licenseIds') return 'list';
  if (key.endsWith('.email') || key === 'contacts.provisioningCc') return 'email';
  return 'text';
}

/** The kind of a profile attribute's cells. */
export function kindOfAttribute(attribute: AttributeConfig): TemplateFieldKind {
  switch (attribute.type) {
    case 'integer':
      return 'integer';
    case 'date':
      return 'date';
    case 'email':
      return 'email';
    case 'list':
      return 'list';
    case 'string':
    case 'domain':
    case 'url':
    case 'phone':
      return 'text';
  }
}

const expand = (path: string): readonly string[] => EXPANSIONS[path] ?? [path];

/** The header-sheet fields of an order type: vendor and type first, then what the type asks for. */
export function orderFieldsOf(profile: VendorProfile, type: OrderTypeConfig): TemplateField[] {
  const required = new Set(type.requiredFields.flatMap(expand));
  const conditional = new Map<string, string>();
  for (const condition of type.conditions) {
    const when = condition.message ?? 'when its condition holds';
    for (const path of condition.require.flatMap(expand)) conditional.set(path, `if: ${when}`);
  }
  const keys = new Set<string>(['customerId']);
  if (type.quote !== 'not_applicable') keys.add('quoteId');
  if (type.purchaseOrderRequired) {
    for (const k of EXPANSIONS.purchaseOrder ?? []) {
      keys.add(k);
      // A PO's date is required where the type lists it (seed 002's License Authorization
      // Order has it optional); its number, currency and total always are.
      if (k !== 'purchaseOrder.date') required.add(k);
    }
  }
  for (const p of [...type.requiredFields, ...type.optionalFields].flatMap(expand)) keys.add(p);
  for (const p of conditional.keys()) keys.add(p);
  // A PO is given whole: its number, currency and total (the submission's schema). Where the
  // type offers only its number (Skyline's optional PO reference), the template asks for the
  // other two with it, or a workbook giving a PO number could never be accepted.
  if (keys.has('purchaseOrder.number')) {
    for (const k of ['purchaseOrder.currency', 'purchaseOrder.total']) {
      keys.add(k);
      if (required.has('purchaseOrder.number')) required.add(k);
      else if (!required.has(k) && !conditional.has(k))
        conditional.set(k, 'if: a PO number is given');
    }
  }
  for (const phrase of type.requiredPhrases) {
    if (phrase.path !== 'email_body') keys.add(phrase.path);
  }
  if (type.specialTermsRequired) keys.add('purchaseOrder.specialTerms');
  if (profile.termsAndConditions?.requiredFor.includes(type.key)) {
    keys.add('termsAccepted.version');
    required.add('termsAccepted.version');
  }
  if (profile.licensing?.authorizationOrderType === type.key) keys.add('licenseIds');
  keys.delete('lines');
  required.add('customerId');
  if (type.quote === 'required') required.add('quoteId');
  if (type.specialTermsRequired) required.add('purchaseOrder.specialTerms');

  const attributes = new Map(
    profile.attributes.filter((a) => a.scope === 'order').map((a) => [`attributes.${a.key}`, a]),
  );
  const rank = (k: string): number => {
    const i = ORDER.indexOf(k);
    return i < 0 ? ORDER.length : i;
  };
  const sorted = [...keys].sort((a, b) => rank(a) - rank(b));
  const fields: TemplateField[] = [
    field('vendor', ORDER_FIELD_LABELS.vendor ?? 'Vendor', 'text', 'required', profile),
    field(
      'type',
      ORDER_FIELD_LABELS.type ?? 'Order type',
      'text',
      'required',
      profile,
      type.description ?? type.label,
    ),
  ];
  for (const key of sorted) {
    const attribute = attributes.get(key);
    const requirement = required.has(key) ? 'required' : (conditional.get(key) ?? 'optional');
    if (attribute) {
      fields.push(
        field(key, attribute.label, kindOfAttribute(attribute), requirement, profile, attribute),
      );
    } else if (ORDER_FIELD_LABELS[key] !== undefined) {
      fields.push(field(key, ORDER_FIELD_LABELS[key], kindOfOrderField(key), requirement, profile));
    }
  }
  return fields;
}

/** The lines-sheet columns of an order type: the fixed ones, then its line attributes. */
export function lineFieldsOf(profile: VendorProfile, type: OrderTypeConfig): TemplateField[] {
  const byProductType = Object.entries(type.lineRequiredFieldsByProductType);
  const wanted = new Map<string, string>();
  for (const p of type.lineRequiredFields) wanted.set(p, 'required');
  for (const [productType, paths] of byProductType) {
    for (const p of paths ?? []) {
      if (!wanted.has(p)) wanted.set(p, `required for ${productType.replaceAll('_', ' ')} lines`);
    }
  }
  const fields: TemplateField[] = [
    lineField('partNumber', 'text', 'required', 'Pick from the list (sheet "Prices").'),
    lineField('quantity', 'integer', 'required', 'A whole number of units.'),
    lineField('unitPrice', 'decimal', 'required', 'The unit price on your PO.'),
    lineField('product', 'text', 'computed', 'Filled in from the part number.'),
    lineField('netPrice', 'decimal', 'computed', 'Your net price (list price × your multiplier).'),
    lineField('amount', 'decimal', 'computed', 'Quantity × unit price.'),
  ];
  for (const attribute of profile.attributes.filter((a) => a.scope === 'line')) {
    const key = `attributes.${attribute.key}`;
    const requirement = wanted.get(key);
    if (requirement === undefined) continue;
    const perUnit = type.perUnitLineFields.includes(key)
      ? ' One entry per unit, separated by ";".'
      : '';
    fields.push({
      key,
      label: attribute.label,
      kind: kindOfAttribute(attribute),
      requirement,
      help: `${attribute.help ?? ''}${perUnit}`.trim(),
    });
  }
  return fields;
}

function lineField(
  key: string,
  kind: TemplateFieldKind,
  requirement: string,
  help: string,
): TemplateField {
  return { key, label: LINE_FIELD_LABELS[key] ?? key, kind, requirement, help };
}

function field(
  key: string,
  label: string,
  kind: TemplateFieldKind,
  requirement: string,
  profile: VendorProfile,
  extra?: AttributeConfig | string,
): TemplateField {
  const fromAttribute = typeof extra === 'object' ? extra.help : undefined;
  const help =
    profile.fieldHelp[key] ??
    fromAttribute ??
    (typeof extra === 'string' ? extra : undefined) ??
    DEFAULT_HELP[key] ??
    '';
  return { key, label, kind, requirement, help };
}
