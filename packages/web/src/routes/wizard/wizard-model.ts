// The order wizard's model: which fields an order type asks for, on which of the four steps,
// with which label and help, and how the form's flat values become the submission body of
// POST /orders/validate and POST /orders. Everything comes from the vendor profile, so the
// same wizard serves every vendor.
import type {
  Order,
  OrderSubmission,
  Partnership,
  Problem,
  Quote,
  VendorProfile,
} from '../../api/client';
import { lineAmount, sumAmounts } from '../../lib/money';

export const STEP_LABELS = [
  'Select Items',
  'Contact Details',
  'Provisioning Information',
  'Summary',
] as const;

export type OrderType = VendorProfile['orderTypes'][number];
export type Attribute = VendorProfile['attributes'][number];

export interface WizardLine {
  partNumber: string;
  name: string;
  description: string;
  billingTerm: string | null;
  ships: boolean;
  productType: string;
  quantity: number;
  unitPrice: string;
  listPrice: string | null;
  multiplier: string | null;
  netPrice: string | null;
  attributes: Record<string, string>;
}

export type FieldValue = string | boolean;

export interface WizardState {
  type: string;
  quoteId: string;
  lines: WizardLine[];
  values: Record<string, FieldValue>;
}

export type FieldKind = 'text' | 'email' | 'date' | 'integer' | 'textarea' | 'checkbox' | 'list';

export interface FieldSpec {
  path: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  help?: string;
}

const FIXED_LABELS: Record<string, [string, FieldKind]> = {
  'purchaseOrder.number': ['PO number', 'text'],
  'purchaseOrder.date': ['PO date', 'date'],
  'purchaseOrder.specialTerms': ['Special terms on the PO', 'textarea'],
  'purchaseOrder.notes': ['PO notes', 'textarea'],
  'contacts.siteAdmin.name': ['Site admin name', 'text'],
  'contacts.siteAdmin.email': ['Site admin e-mail', 'email'],
  'contacts.provisioningCc': ['Provisioning CC address', 'email'],
  'contacts.invoicing.name': ['Invoicing contact name', 'text'],
  'contacts.invoicing.email': ['Invoicing contact e-mail', 'email'],
  'tier2Reseller.name': ['Tier-2 reseller name', 'text'],
  'tier2Reseller.email': ['Tier-2 reseller e-mail', 'email'],
  'tier2Reseller.phone': ['Tier-2 reseller phone', 'text'],
  'shippingAddress.name': ['Ship to (name)', 'text'],
  'shippingAddress.line1': ['Address line 1', 'text'],
  'shippingAddress.line2': ['Address line 2', 'text'],
  'shippingAddress.city': ['City', 'text'],
  'shippingAddress.region': ['Region', 'text'],
  'shippingAddress.postalCode': ['Postal code', 'text'],
  'shippingAddress.country': ['Country (ISO code)', 'text'],
  'shippingAddress.taxId': ['Tax ID', 'text'],
  'shippingAddress.confirmed': ['I confirm this shipping address', 'checkbox'],
  licenseIds: ['License IDs (one per line)', 'list'],
};

/** Paths the wizard handles itself rather than as a plain field. */
const SPECIAL = new Set(['lines', 'termsAccepted', 'quoteId', 'type']);

const SHIPPING_ORDER = [
  'shippingAddress.name',
  'shippingAddress.line1',
  'shippingAddress.line2',
  'shippingAddress.city',
  'shippingAddress.region',
  'shippingAddress.postalCode',
  'shippingAddress.country',
  'shippingAddress.taxId',
  'shippingAddress.confirmed',
];

function attributeKind(attribute: Attribute | undefined): FieldKind {
  switch (attribute?.type) {
    case 'integer':
      return 'integer';
    case 'email':
      return 'email';
    case 'date':
      return 'date';
    case 'list':
      return 'list';
    case 'string':
    case 'domain':
    case 'url':
    case 'phone':
    case undefined:
      return 'text';
  }
}

export function orderTypeOf(profile: VendorProfile, key: string): OrderType | undefined {
  return profile.orderTypes.find((t) => t.key === key);
}

export function fieldSpec(profile: VendorProfile, path: string, required: boolean): FieldSpec {
  const help = profile.fieldHelp[path];
  if (path.startsWith('attributes.')) {
    const attribute = profile.attributes.find((a) => a.key === path.slice('attributes.'.length));
    const spec: FieldSpec = {
      path,
      label: attribute?.label ?? path,
      kind: attributeKind(attribute),
      required,
    };
    const text = help ?? attribute?.help;
    if (text) spec.help = text;
    return spec;
  }
  const [label, kind] = FIXED_LABELS[path] ?? [path, 'text'];
  return help ? { path, label, kind, required, help } : { path, label, kind, required };
}

/**
 * The channel tier a profile's `partnerTier` condition reads (as the server does): 2 when a
 * tier-2 reseller orders, or when the customer is not the caller's own — a distributor sees its
 * own customers and its tier-2 resellers', so that one is a reseller's deal, whose details the
 * PO must name. 1 otherwise (vendor staff included).
 */
export function orderPartnerTier(
  me: { partner?: { id: string; tier: number } | undefined },
  customer: { partnerId: string },
): 1 | 2 {
  if (!me.partner) return 1;
  return me.partner.tier === 2 || customer.partnerId !== me.partner.id ? 2 : 1;
}

/** Every order-level field the type asks for, in the order the steps show them. */
export function fieldsOf(
  profile: VendorProfile,
  type: OrderType,
  context: { partnerTier: number; linesShip: boolean },
): FieldSpec[] {
  const required = new Set<string>(type.requiredFields);
  const optional = new Set<string>(type.optionalFields);
  if (type.purchaseOrderRequired) {
    required.add('purchaseOrder.number');
    // The PO's date is required where the type lists it (requiredFields); asked for anyway.
    optional.add('purchaseOrder.date');
  }
  if (type.specialTermsRequired) {
    const where = profile.specialTerms?.locations.find((l) => l !== 'email_body');
    required.add(where ?? 'purchaseOrder.specialTerms');
  }
  for (const phrase of type.requiredPhrases) {
    if (phrase.path !== 'email_body') required.add(phrase.path);
  }
  for (const condition of type.conditions) {
    const applies =
      (condition.when.partnerTier === undefined ||
        condition.when.partnerTier === context.partnerTier) &&
      (condition.when.linesShip === undefined || condition.when.linesShip === context.linesShip);
    for (const path of condition.require) (applies ? required : optional).add(path);
  }
  // A PO number makes a PO: its date is asked for too (required only where the type says).
  if (optional.has('purchaseOrder.number') && !required.has('purchaseOrder.number'))
    optional.add('purchaseOrder.date');
  const all = [...required, ...[...optional].filter((p) => !required.has(p))].filter(
    (p) => !SPECIAL.has(p),
  );
  if (all.some((p) => p.startsWith('shippingAddress.'))) {
    for (const p of SHIPPING_ORDER) if (!all.includes(p)) all.push(p);
  }
  const rank = (p: string) => {
    const i = SHIPPING_ORDER.indexOf(p);
    return i >= 0 ? 100 + i : 0;
  };
  return all
    .map((path, index) => ({ path, index }))
    .sort((a, b) => rank(a.path) - rank(b.path) || a.index - b.index)
    .map(({ path }) => fieldSpec(profile, path, required.has(path)));
}

/** The line attributes each product type needs for this order type (e.g. a host ID). */
export function lineFieldsOf(
  profile: VendorProfile,
  type: OrderType,
  productType: string,
): FieldSpec[] {
  const paths = new Set<string>(type.lineRequiredFields);
  for (const p of type.lineRequiredFieldsByProductType[productType] ?? []) paths.add(p);
  return [...paths].map((p) => fieldSpec(profile, p, true));
}

/**
 * A line's own fields: those its product type needs, and any attribute the line already has. A
 * line of an order being corrected does not know its product type (the order does not carry
 * it), so its attributes (a host ID) are still shown and can be corrected.
 */
export function lineFieldsOfLine(
  profile: VendorProfile,
  type: OrderType,
  line: Pick<WizardLine, 'productType' | 'attributes'>,
): FieldSpec[] {
  const fields = lineFieldsOf(profile, type, line.productType);
  for (const key of Object.keys(line.attributes)) {
    const path = `attributes.${key}`;
    if (!fields.some((f) => f.path === path)) fields.push(fieldSpec(profile, path, false));
  }
  return fields;
}

/** Words for the paths that are not fields of the form (whole parts of the order). */
const PART_LABELS: Record<string, string> = {
  lines: 'Lines',
  type: 'Order type',
  quoteId: 'Quote',
  customerId: 'Customer',
  termsAccepted: 'Terms and conditions',
  purchaseOrder: 'Purchase order',
  'purchaseOrder.currency': 'Currency',
  'purchaseOrder.total': 'PO total',
  contacts: 'Contacts',
  'contacts.siteAdmin': 'Site admin',
  'contacts.invoicing': 'Invoicing contact',
  tier2Reseller: 'Tier-2 reseller',
  shippingAddress: 'Shipping address',
  attributes: 'Order details',
};

const LINE_FIELD_LABELS: Record<string, string> = {
  partNumber: 'part number',
  quantity: 'quantity',
  unitPrice: 'unit price',
};

/**
 * What a problem's path is about, in the form's words (`attributes.primaryDomain` → "Primary
 * domain", `lines[1].unitPrice` → "Line 2: unit price"); the path itself when it names nothing
 * known. Without the profile (still loading), the fixed labels only.
 */
export function pathLabel(profile: VendorProfile | undefined, path: string): string {
  const line = /^lines\[(\d+)\](?:\.(.+))?$/.exec(path);
  if (line) {
    const n = Number(line[1]) + 1;
    const rest = line[2];
    if (rest === undefined) return `Line ${n}`;
    const name =
      LINE_FIELD_LABELS[rest] ??
      (profile && rest.startsWith('attributes.') ? fieldSpec(profile, rest, false).label : rest);
    return name === rest ? path : `Line ${n}: ${name}`;
  }
  const part = PART_LABELS[path];
  if (part) return part;
  return profile ? fieldSpec(profile, path, false).label : (FIXED_LABELS[path]?.[0] ?? path);
}

/** The step (0–3) each field is asked on: the profile's wizard says so, else a default rule. */
export function stepOf(profile: VendorProfile, path: string): number {
  const wizard = profile.channels.find((c) => c.kind === 'web_wizard' && c.wizard)?.wizard;
  const index = wizard?.steps.findIndex((s) => s.fields.includes(path)) ?? -1;
  if (index >= 0) return Math.min(index, 3);
  if (path === 'lines' || path.startsWith('lines[') || path === 'quoteId' || path === 'type')
    return 0;
  if (path.startsWith('contacts.') || path.startsWith('tier2Reseller.')) return 1;
  if (path === 'termsAccepted') return 3;
  return 2;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

function typedValue(spec: FieldSpec, value: FieldValue): unknown {
  if (spec.kind === 'checkbox') return value === true;
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') return undefined;
  if (spec.kind === 'integer') return /^-?\d+$/.test(text) ? Number(text) : text;
  if (spec.kind === 'list')
    return text
      .split(/[\n,]+/)
      .map((s) => s.trim())
      .filter(Boolean);
  return text;
}

export function poTotal(lines: readonly WizardLine[]): string {
  return sumAmounts(lines.map((l) => lineAmount(l.unitPrice || '0', l.quantity)));
}

/**
 * The keys a part of the body cannot go without (the API's schema); a part missing one is left
 * out, for the server to report or default. A contact may be a name or an e-mail alone (the
 * profile says which it requires): it is left out only when it has neither.
 */
const REQUIRED_KEYS: Record<string, readonly string[]> = {
  purchaseOrder: ['number'],
  tier2Reseller: ['name', 'email'],
  shippingAddress: ['name', 'line1', 'city', 'postalCode', 'country'],
};
const CONTACTS = ['contacts.siteAdmin', 'contacts.invoicing'];

function dropIncomplete(body: Record<string, unknown>): void {
  const nodeAt = (path: string) => {
    const parts = path.split('.');
    const parent =
      parts.length === 1 ? body : (body[parts[0]!] as Record<string, unknown> | undefined);
    const key = parts[parts.length - 1]!;
    return { parent, key, node: parent?.[key] as Record<string, unknown> | undefined };
  };
  for (const [path, keys] of Object.entries(REQUIRED_KEYS)) {
    const { parent, key, node } = nodeAt(path);
    if (parent && node && keys.some((k) => node[k] === undefined)) delete parent[key];
  }
  for (const path of CONTACTS) {
    const { parent, key, node } = nodeAt(path);
    if (parent && node && node.name === undefined && node.email === undefined) delete parent[key];
  }
  const contacts = body.contacts as Record<string, unknown> | undefined;
  if (contacts && Object.keys(contacts).length === 0) delete body.contacts;
}

/** The body of POST /orders/validate and POST /orders for the wizard's state. */
export function buildSubmission(
  profile: VendorProfile,
  state: WizardState,
  fields: readonly FieldSpec[],
  context: { customerId: string; termsVersion: string | null; purchaseOrderRequired: boolean },
): OrderSubmission {
  const body: Record<string, unknown> = {
    vendor: profile.slug,
    type: state.type,
    customerId: context.customerId,
    channel: 'web_wizard',
    lines: state.lines.map((l) => {
      const attributes: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(l.attributes)) {
        const spec = fieldSpec(profile, `attributes.${key}`, true);
        const typed = typedValue(spec, value);
        if (typed !== undefined) attributes[key] = typed;
      }
      return {
        partNumber: l.partNumber,
        quantity: l.quantity,
        unitPrice: l.unitPrice.trim(),
        ...(Object.keys(attributes).length ? { attributes } : {}),
      };
    }),
  };
  if (state.quoteId) body.quoteId = state.quoteId;
  for (const spec of fields) {
    const value = state.values[spec.path];
    if (value === undefined) continue;
    const typed = typedValue(spec, value);
    if (typed === undefined) continue;
    setPath(body, spec.path, typed);
  }
  const shipping = body.shippingAddress as Record<string, unknown> | undefined;
  if (shipping && shipping.confirmed === undefined) shipping.confirmed = false;
  // A half-filled object (a PO without its number, a site admin without an e-mail) would make
  // the whole body malformed (400) and hide every other problem; left out, the server names
  // the missing field as a plain `required` problem instead.
  dropIncomplete(body);
  const po = body.purchaseOrder as Record<string, unknown> | undefined;
  if (po) {
    po.currency = profile.currency;
    po.total = poTotal(state.lines);
    // No date is made up: the field starts at today (prefill); left empty, the PO goes without
    // one, and where the order type needs it the server says so at the field.
  }
  if (state.values.termsAccepted === true && context.termsVersion)
    body.termsAccepted = { version: context.termsVersion };
  return body as unknown as OrderSubmission;
}

/** Values the wizard can fill in from what it knows (customer, contacts, partnership, user). */
export function prefill(args: {
  fields: readonly FieldSpec[];
  customer: {
    name: string;
    domains: string[];
    microsoftDomain: string | null;
    employeeCount: number | null;
    taxId: string | null;
    addresses: {
      kind: string;
      name?: string;
      line1: string;
      line2?: string;
      city: string;
      region?: string;
      postalCode: string;
      country: string;
    }[];
  };
  contacts: { name: string; email: string; roles: string[] }[];
  partnership: Partnership | undefined;
  me: { name: string; email: string; partner?: { name: string; tier: number } | undefined };
}): Record<string, FieldValue> {
  const { customer, contacts, partnership, me } = args;
  const siteAdmin = contacts.find((c) => c.roles.includes('site_admin')) ?? contacts[0];
  const billing = contacts.find((c) => c.roles.includes('billing'));
  const address = customer.addresses.find((a) => a.kind === 'shipping') ?? customer.addresses[0];
  const known: Record<string, string | undefined> = {
    'contacts.siteAdmin.name': siteAdmin?.name,
    'contacts.siteAdmin.email': siteAdmin?.email,
    'contacts.provisioningCc': partnership?.provisioningCc ?? undefined,
    'contacts.invoicing.name': partnership?.invoicingContact?.name ?? billing?.name,
    'contacts.invoicing.email': partnership?.invoicingContact?.email ?? billing?.email,
    'tier2Reseller.name': me.partner?.tier === 2 ? me.partner.name : undefined,
    'tier2Reseller.email': me.partner?.tier === 2 ? me.email : undefined,
    'attributes.primaryDomain': customer.domains[0],
    'attributes.microsoftDomain': customer.microsoftDomain ?? undefined,
    'attributes.employeeCount':
      customer.employeeCount !== null ? String(customer.employeeCount) : undefined,
    'attributes.endUserName': customer.name,
    'shippingAddress.name': address?.name ?? (address ? customer.name : undefined),
    'shippingAddress.line1': address?.line1,
    'shippingAddress.line2': address?.line2,
    'shippingAddress.city': address?.city,
    'shippingAddress.region': address?.region,
    'shippingAddress.postalCode': address?.postalCode,
    'shippingAddress.country': address?.country,
    'shippingAddress.taxId': customer.taxId ?? undefined,
    'purchaseOrder.date': new Date().toISOString().slice(0, 10),
  };
  const out: Record<string, FieldValue> = {};
  for (const spec of args.fields) {
    const value = known[spec.path];
    if (value !== undefined) out[spec.path] = value;
  }
  return out;
}

/** The wizard's state for correcting an order on hold: what was submitted. */
export function stateFromOrder(order: Order, fields: readonly FieldSpec[]): WizardState {
  const values: Record<string, FieldValue> = {};
  const source = order as unknown as Record<string, unknown>;
  for (const spec of fields) {
    let node: unknown = source;
    for (const key of spec.path.split('.')) {
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
    if (node === undefined || node === null) continue;
    if (typeof node === 'boolean') values[spec.path] = node;
    else if (Array.isArray(node)) values[spec.path] = node.join('\n');
    else if (typeof node === 'string' || typeof node === 'number') values[spec.path] = String(node);
  }
  if (order.termsAccepted) values.termsAccepted = true;
  return {
    type: order.type,
    quoteId: order.quoteId ?? '',
    values,
    lines: order.lines.map((l) => ({
      partNumber: l.partNumber,
      name: l.name ?? l.partNumber,
      description: '',
      billingTerm: null,
      ships: false,
      productType: '',
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      listPrice: l.listPrice,
      multiplier: l.multiplier,
      netPrice: l.expectedNetPrice,
      attributes: Object.fromEntries(
        Object.entries((l.attributes ?? {}) as Record<string, unknown>).map(([k, v]) => [
          k,
          Array.isArray(v) ? v.join('\n') : String(v),
        ]),
      ),
    })),
  };
}

/** A quote's lines as the wizard's items (its net prices are the prices on the PO). */
export function linesOfQuote(quote: Pick<Quote, 'lines'>): WizardLine[] {
  return quote.lines.map((l) => ({
    partNumber: l.partNumber,
    name: l.name,
    description: '',
    billingTerm: null,
    ships: false,
    productType: '',
    quantity: l.quantity,
    unitPrice: l.netPrice,
    listPrice: l.listPrice,
    multiplier: l.multiplier,
    netPrice: l.netPrice,
    attributes: {},
  }));
}

/** The problems to show at one field. */
export function problemsAt(problems: readonly Problem[], path: string): Problem[] {
  return problems.filter((p) => p.path === path);
}

/** The field a problem is shown at: its own, or the first inside the part it names. */
export function fieldOfProblem(fields: readonly FieldSpec[], path: string): FieldSpec | undefined {
  return fields.find((f) => f.path === path) ?? fields.find((f) => f.path.startsWith(`${path}.`));
}

/**
 * The problems to show at an order field: its own, and those of a part of the order it is the
 * first field of (the desk may hold an order for `purchaseOrder` as a whole).
 */
export function problemsOfField(
  problems: readonly Problem[],
  fields: readonly FieldSpec[],
  spec: FieldSpec,
): Problem[] {
  return problems.filter(
    (p) => p.path === spec.path || fieldOfProblem(fields, p.path)?.path === spec.path,
  );
}

export function messageOf(problems: readonly Problem[]): string | undefined {
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length === 0) return undefined;
  return errors
    .map((p) =>
      p.expected !== undefined && !p.message.includes(p.expected)
        ? `${p.message} (expected ${p.expected})`
        : p.message,
    )
    .join(' ');
}

/**
 * The server's schema texts for a malformed body (Zod's: "Too small: expected number to be
 * >=1") in the wizard's words, for the paths the wizard shows them at; any other text as sent.
 */
export function plainMessage(problem: { path: string; message: string }): string {
  const { path, message } = problem;
  // The server's own word for an order without lines (a problem of the order since the body's
  // field problems are said with the others).
  if (path === 'lines' && /at least one line/i.test(message)) return 'Add at least one item';
  const tooSmall = /^Too small: expected (array|number|string) to (?:have|be) >=?\s*(\d+)/.exec(
    message,
  );
  if (tooSmall) {
    const [, kind, n] = tooSmall;
    const count = Number(n);
    if (kind === 'array' && path === 'lines')
      return count <= 1 ? 'Add at least one item' : `Add at least ${count} items`;
    if (kind === 'array')
      return count <= 1 ? 'Add at least one entry' : `Add at least ${count} entries`;
    if (kind === 'number' && /(^|\.)quantity$/.test(path))
      return `Enter a quantity of at least ${count}`;
    if (kind === 'number') return `Enter a number of at least ${count}`;
    if (kind === 'string') return count <= 1 ? 'Required' : `Enter at least ${count} characters`;
  }
  const tooBig = /^Too big: expected (array|number|string) to (?:have|be) <=?\s*(\d+)/.exec(
    message,
  );
  if (tooBig) {
    const [, kind, n] = tooBig;
    if (kind === 'number' && /(^|\.)quantity$/.test(path))
      return `Enter a quantity of at most ${n}`;
    if (kind === 'number') return `Enter a number of at most ${n}`;
    if (kind === 'string') return `Shorten this to at most ${n} characters`;
    return `Enter at most ${n} entries`;
  }
  // The server's plain words for sizes (its zod-messages.ts), in the wizard's.
  const atLeast = /^Must be (at least|more than) (-?\d+)$/.exec(message);
  if (atLeast) {
    const [, how, n] = atLeast;
    const bound = how === 'at least' ? `at least ${n}` : `more than ${n}`;
    return /(^|\.)quantity$/.test(path)
      ? `Enter a quantity of ${bound}`
      : `Enter a number of ${bound}`;
  }
  const atMost = /^Must be (at most|less than) (-?\d+)$/.exec(message);
  if (atMost) {
    const [, how, n] = atMost;
    const bound = how === 'at most' ? `at most ${n}` : `less than ${n}`;
    return /(^|\.)quantity$/.test(path)
      ? `Enter a quantity of ${bound}`
      : `Enter a number of ${bound}`;
  }
  if (message === 'Must not be empty') return 'Required';
  if (message === 'At least one item is needed') {
    return path === 'lines' ? 'Add at least one item' : 'Add at least one entry';
  }
  const items = /^At (least|most) (\d+) items?$/.exec(message);
  if (items) {
    const [, how, n] = items;
    if (how === 'least')
      return path === 'lines' ? `Add at least ${n} items` : `Add at least ${n} entries`;
    return `Enter at most ${n} entries`;
  }
  const characters = /^At most (\d+) characters?$/.exec(message);
  if (characters) return `Shorten this to at most ${characters[1]} characters`;
  if (/^Invalid input: expected int, received number$/.test(message)) return 'Enter a whole number';
  if (/^Invalid input: expected number/.test(message)) return 'Enter a number';
  if (/^Invalid email address$/i.test(message)) return 'Enter a valid e-mail address';
  if (/^Invalid (ISO )?date/i.test(message)) return 'Enter a valid date';
  return message;
}

/** A problem of a 400 answer (the body did not parse) as the wizard shows it. */
export function problemOfBadRequest(error: {
  path: string;
  code: string;
  message: string;
  expected?: string;
  actual?: string;
}): Problem {
  return { ...error, message: plainMessage(error), severity: 'error' };
}

/**
 * What the partner has entered at a problem's path: a field's value, a line's quantity, price
 * or attribute, the lines, the type or the quote. Compared between the order as held and the
 * form now, it tells whether the partner has changed what the desk pointed at. A path the form
 * has nothing at reads the same as long as nothing else changes.
 */
export function valueAt(state: WizardState, path: string): string {
  if (path === 'type') return state.type;
  if (path === 'quoteId') return state.quoteId;
  if (path === 'lines') return JSON.stringify(state.lines);
  const line = /^lines\[(\d+)\](?:\.(.+))?$/.exec(path);
  if (line) {
    const item = state.lines[Number(line[1])];
    const field = line[2];
    if (!item) return '';
    if (field === undefined) return JSON.stringify(item);
    if (field === 'quantity') return String(item.quantity);
    if (field === 'unitPrice') return item.unitPrice;
    if (field === 'partNumber') return item.partNumber;
    if (field.startsWith('attributes.'))
      return item.attributes[field.slice('attributes.'.length)] ?? '';
    return JSON.stringify(item);
  }
  if (path in state.values) return JSON.stringify(state.values[path]);
  // A part of the order (`purchaseOrder`, `contacts.siteAdmin`): every field inside it.
  const inside = Object.entries(state.values)
    .filter(([key]) => key.startsWith(`${path}.`))
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(inside);
}

/**
 * The problems the desk put an order on hold for that still stand in the correction wizard:
 * each until the partner changes what is at its path, or the live validation finds something
 * there itself (then that is what is shown).
 */
export function openHoldProblems(
  held: readonly { path: string; message: string }[],
  asHeld: WizardState,
  now: WizardState,
  live: readonly Problem[],
): Problem[] {
  return held
    .filter((p) => valueAt(asHeld, p.path) === valueAt(now, p.path))
    .filter((p) => !live.some((l) => l.path === p.path && l.severity === 'error'))
    .map((p) => ({ path: p.path, code: 'hold', message: p.message, severity: 'error' as const }));
}

/**
 * The problems the wizard lists in a step's "To fix" box: those of the step that no input of
 * its own shows (fields, the order type, the quote, the selected items and each line).
 */
export function orphanProblems(
  problems: readonly Problem[],
  fields: readonly FieldSpec[],
  step: number,
  profile: VendorProfile,
): Problem[] {
  return problems.filter(
    (p) =>
      // A problem of the order as a whole (a hold's, without a field) is said above the steps.
      p.path !== '' &&
      stepOf(profile, p.path) === step &&
      !fieldOfProblem(fields, p.path) &&
      p.path !== 'lines' &&
      !p.path.startsWith('lines[') &&
      p.path !== 'type' &&
      p.path !== 'quoteId' &&
      p.path !== 'termsAccepted',
  );
}

/**
 * Whether a problem is the order's own PO number reported as "already submitted" while that
 * order is being corrected. POST /orders/validate does not know which order the wizard corrects
 * and counts the order itself; the resubmission (PATCH) leaves the order out, so this one is not
 * the partner's to fix. A duplicate of any other number still stands.
 */
export function isOwnPoDuplicate(
  problem: Problem,
  ownPoNumber: string | null | undefined,
  sentPoNumber?: string,
): boolean {
  if (problem.code !== 'po.duplicate' || problem.path !== 'purchaseOrder.number') return false;
  const own = ownPoNumber?.trim();
  const number = (problem.actual ?? sentPoNumber)?.trim();
  return !!own && number === own;
}

/** The problems, without the own-PO duplicate of an order being corrected (`isOwnPoDuplicate`). */
export function withoutOwnPoDuplicate(
  problems: readonly Problem[],
  ownPoNumber: string | null | undefined,
  sentPoNumber?: string,
): Problem[] {
  return problems.filter((p) => !isOwnPoDuplicate(p, ownPoNumber, sentPoNumber));
}

/** The codes the server gives a required field it did not find in the body. */
const MISSING_CODES = new Set(['required', 'shipping.tax_id_required', 'shipping.unconfirmed']);

/** Whether the form holds something at a field (a ticked box, text that is not blank). */
export function hasValue(value: FieldValue | undefined): boolean {
  return value === true || (typeof value === 'string' && value.trim() !== '');
}

/** What the form holds at a field's path: an order field's value, or a line's attribute. */
function formValueAt(
  state: Pick<WizardState, 'values' | 'lines'>,
  path: string,
): FieldValue | undefined {
  const line = /^lines\[(\d+)\]\.attributes\.(.+)$/.exec(path);
  if (line) return state.lines[Number(line[1])]?.attributes[line[2]!];
  return state.values[path];
}

/**
 * The problems without a "required" at a field the form has a value for. The body leaves out a
 * half-filled part (a shipping address without its street, `dropIncomplete`), so the server
 * finds each of its fields missing, the filled ones too (a prefilled tax ID "is required"); the
 * fields still empty say what is missing. It also drops a "required" the live validation said
 * of a field before the partner filled it in, until the answer for the filled form is in.
 */
export function withoutMissingAtFilled(
  problems: readonly Problem[],
  state: Pick<WizardState, 'values' | 'lines'>,
): Problem[] {
  return problems.filter(
    (p) => !(MISSING_CODES.has(p.code) && hasValue(formValueAt(state, p.path))),
  );
}
