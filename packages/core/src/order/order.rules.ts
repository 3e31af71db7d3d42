// The order validation engine: a list of named checks, driven by the vendor profile, that
// together return every problem of a submission at once with the stable codes of API.md.
// Each check is findable by name (`ORDER_CHECKS`, `LINE_CHECKS`) and testable alone
// (`validateOrder(submission, context, { checks: [...] })`). Problems come out in the order of
// the body's fields: order-level checks in list order, the line checks line by line.
import { decimalFromText, formatAmount, MAX_MINOR, parseAmount } from '../money/index.ts';
import { netUnitPrice, resolveMultiplier } from '../pricing/index.ts';
import type { Problem, ProblemCode } from '../problems/index.ts';
import { fieldLabel, lineFieldLabel } from '../profile/profile.fields.ts';
import type { OrderTypeConfig, VendorProfile } from '../profile/profile.schema.ts';
import { compareOrderToQuote } from '../quote/index.ts';
import { matchSpecialTerms } from '../special-terms/index.ts';
import { EXACT_AT_ANY_TAX_RATE, highestTaxRate, largestOrderTotalMinor } from './order.limits.ts';
import { isPathWithin } from './order.salvage.ts';
import type {
  CatalogEntry,
  OrderLineInput,
  OrderSubmission,
  OrderValidationContext,
  OrderValidationResult,
  PricedLine,
} from './order.types.ts';

/** Records one problem. */
export type ProblemCollector = (
  path: string,
  code: ProblemCode,
  message: string,
  extra?: { expected?: string; actual?: string; severity?: 'error' | 'warning' },
) => void;

/** What every check sees: the submission, the context and what is derived from them once. */
export interface OrderCheckInput {
  readonly submission: OrderSubmission;
  readonly context: OrderValidationContext;
  readonly profile: VendorProfile;
  /** The order type, or undefined when `type` is unknown (the `order_type` check says so). */
  readonly orderType: OrderTypeConfig | undefined;
  /** The order's currency: the PO's, else the quote's, else the vendor's. */
  readonly currency: string;
  /** The day prices are taken on: the PO date, else today. */
  readonly priceDate: string;
  /** Whether any line is priced in `currency` (else that is one currency problem, not many). */
  readonly currencyPriced: boolean;
  /** Order fields required for this order (order type and conditions that hold), with messages. */
  readonly required: ReadonlyMap<string, string | undefined>;
  /** Whether the profile asks for accepted terms on this order type. */
  readonly termsRequired: boolean;
  /**
   * Whether the value at `path` was unreadable (`ValidateOrderOptions.unreadable`): emptied in
   * the submission, its problem already said. Problems at or under such a path are not added.
   */
  readonly unreadable: (path: string) => boolean;
  /** Whether every line's part number and quantity could be read (else lines are not compared as a whole). */
  readonly linesReadable: boolean;
  readonly add: ProblemCollector;
  /** Pricing gathered by the line checks, read by the checks after them. */
  readonly pricing: PricingState;
}

/** Running totals of the line checks. */
export interface PricingState {
  readonly lines: PricedLine[];
  totalMinor: number;
  totalKnown: boolean;
  expectedTotalMinor: number | null;
}

/** One line as the line checks see it; the pricing checks fill in the amounts. */
export interface LineCheckInput {
  readonly line: OrderLineInput;
  readonly index: number;
  /** `lines[i].`, the prefix of this line's problem paths. */
  readonly base: string;
  readonly entry: CatalogEntry | undefined;
  unitMinor: number | null;
  amountMinor: number | null;
  listPriceMinor: number | null;
  multiplier: string | null;
  expectedNetMinor: number | null;
}

/** A named order-level check. */
export interface OrderCheck {
  readonly name: string;
  readonly run: (input: OrderCheckInput) => void;
}

/** A named check of one line. */
export interface LineCheck {
  readonly name: string;
  readonly run: (line: LineCheckInput, input: OrderCheckInput) => void;
}

/** Reads a dotted path (`contacts.siteAdmin.email`, `attributes.microsoftDomain`) of a value. */
export function readPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of keysOf(path)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * A path's keys, split once: a profile's rules read the same few paths on every order and line.
 * Bounded, in case paths ever come from elsewhere than profiles.
 */
function keysOf(path: string): readonly string[] {
  let keys = splitPaths.get(path);
  if (keys === undefined) {
    if (splitPaths.size >= MAX_SPLIT_PATHS) splitPaths.clear();
    keys = Object.freeze(path.split('.'));
    splitPaths.set(path, keys);
  }
  return keys;
}
const splitPaths = new Map<string, readonly string[]>();
const MAX_SPLIT_PATHS = 1024;

function isMissing(v: unknown): boolean {
  return (
    v === undefined ||
    v === null ||
    (typeof v === 'string' && v.trim() === '') ||
    (Array.isArray(v) && v.length === 0) ||
    v === false
  );
}

/** The code for a missing required order field (some fields have a more telling code). */
function missingCode(path: string): ProblemCode {
  if (path === 'shippingAddress.confirmed') return 'shipping.unconfirmed';
  if (path === 'shippingAddress.taxId') return 'shipping.tax_id_required';
  if (path === 'termsAccepted' || path === 'termsAccepted.version') return 'terms.not_accepted';
  return 'required';
}

const ATTRIBUTE_PATTERNS: Record<string, RegExp> = {
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  domain: /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i,
  url: /^https?:\/\/\S+$/i,
  phone: /^\+?[0-9 ().-]{5,30}$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
};

function checkAttributes(
  profile: VendorProfile,
  scope: 'order' | 'line',
  values: Readonly<Record<string, string | number | boolean | readonly string[]>> | undefined,
  base: string,
  add: ProblemCollector,
): void {
  if (!values) return;
  for (const attr of profile.attributes) {
    if (attr.scope !== scope) continue;
    const v = values[attr.key];
    if (v === undefined) continue;
    const path = `${base}attributes.${attr.key}`;
    if (attr.type === 'list') {
      if (!Array.isArray(v)) {
        add(path, 'invalid', `${attr.label} must be a list`, { actual: String(v) });
        continue;
      }
      const pattern = ATTRIBUTE_PATTERNS[attr.items ?? 'string'];
      (v as readonly string[]).forEach((item, i) => {
        if (item.trim() === '' || (pattern && !pattern.test(item.trim()))) {
          add(
            `${path}[${i}]`,
            'invalid',
            `${attr.label}: entry ${i + 1} is not a valid ${attr.items ?? 'entry'}`,
            {
              actual: item,
            },
          );
        }
      });
    } else if (Array.isArray(v)) {
      add(path, 'invalid', `${attr.label} must be a single value, not a list`);
    } else if (attr.type === 'integer') {
      if (!Number.isInteger(typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v)) {
        add(path, 'invalid', `${attr.label} must be a whole number`, { actual: String(v) });
      }
    } else if (typeof v !== 'string') {
      add(path, 'invalid', `${attr.label} must be text`, { actual: String(v) });
    } else {
      const pattern = ATTRIBUTE_PATTERNS[attr.type];
      if (pattern && !pattern.test(v.trim())) {
        add(path, 'invalid', `${attr.label} is not a valid ${attr.type}`, { actual: v });
      }
    }
  }
  checkUnknownAttributes(profile, scope, values, base, add);
}

// The keys a profile declares per scope, worked out once per (shared, immutable) profile: the
// line check runs on every line of every submission.
const declaredKeys = new WeakMap<
  VendorProfile['attributes'],
  Readonly<Record<'order' | 'line', readonly string[]>>
>();

function declaredAttributeKeys(profile: VendorProfile, scope: 'order' | 'line'): readonly string[] {
  let keys = declaredKeys.get(profile.attributes);
  if (keys === undefined) {
    const of = (s: 'order' | 'line') =>
      profile.attributes.filter((a) => a.scope === s).map((a) => a.key);
    keys = { order: of('order'), line: of('line') };
    declaredKeys.set(profile.attributes, keys);
  }
  return keys[scope];
}

// Attributes are the profile's: a key it does not declare for this scope (a typo, another
// vendor's field) would be stored and never read, so it is refused like an unknown field.
function checkUnknownAttributes(
  profile: VendorProfile,
  scope: 'order' | 'line',
  values: Readonly<Record<string, unknown>>,
  base: string,
  add: ProblemCollector,
): void {
  const declared = declaredAttributeKeys(profile, scope);
  for (const key in values) {
    if (!Object.hasOwn(values, key) || declared.includes(key)) continue;
    const where = scope === 'order' ? 'on the order' : 'on a line';
    // A key of the other scope: say where it goes.
    const other = profile.attributes.find((a) => a.key === key);
    const hint = other
      ? `${other.label} is given ${other.scope === 'order' ? 'on the order' : 'on each line'}`
      : declared.length === 0
        ? `${profile.name} takes none ${where}`
        : `expected one of ${declared.join(', ')}`;
    add(`${base}attributes.${key}`, 'invalid', `Unknown attribute "${key}" ${where}; ${hint}`, {
      ...(declared.length > 0 ? { expected: declared.join(', ') } : {}),
      actual: key,
    });
  }
}

function sameLines(
  a: readonly { partNumber: string; quantity: number }[],
  b: readonly { partNumber: string; quantity: number }[],
): boolean {
  const sum = (lines: readonly { partNumber: string; quantity: number }[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const l of lines) m.set(l.partNumber, (m.get(l.partNumber) ?? 0) + l.quantity);
    return m;
  };
  const ma = sum(a);
  const mb = sum(b);
  if (ma.size !== mb.size) return false;
  for (const [k, v] of ma) if (mb.get(k) !== v) return false;
  return true;
}

/**
 * The channel tier of an order, as a profile's `partnerTier` condition reads it: 2 when a tier-2
 * reseller places it or when its customer is a tier-2 reseller's (its distributor ordering for
 * the reseller's deal), 1 otherwise.
 */
export function orderPartnerTier(
  context: Pick<OrderValidationContext, 'orderingPartnerTier' | 'customerPartnerTier'>,
): 1 | 2 {
  return context.orderingPartnerTier === 2 || context.customerPartnerTier === 2 ? 2 : 1;
}

function conditionHolds(
  when: OrderTypeConfig['conditions'][number]['when'],
  submission: OrderSubmission,
  context: OrderValidationContext,
): boolean {
  if (when.partnerTier !== undefined && when.partnerTier !== orderPartnerTier(context))
    return false;
  if (when.channel !== undefined && (submission.channel ?? 'api') !== when.channel) return false;
  if (when.fieldPresent !== undefined && isMissing(readPath(submission, when.fieldPresent)))
    return false;
  if (
    when.lineProductType !== undefined &&
    !submission.lines.some((l) => context.catalog.get(l.partNumber)?.type === when.lineProductType)
  ) {
    return false;
  }
  if (when.linesShip === true && !someLineShips(submission, context)) return false;
  return true;
}

/** Whether a catalog entry is shipped: as the catalog says, else when it is a device. */
export function entryShips(entry: Pick<CatalogEntry, 'ships' | 'type'>): boolean {
  return entry.ships ?? entry.type === 'device';
}

function someLineShips(submission: OrderSubmission, context: OrderValidationContext): boolean {
  return submission.lines.some((l) => {
    const entry = context.catalog.get(l.partNumber);
    return entry !== undefined && entryShips(entry);
  });
}

/**
 * The partnership's multiplier for a catalog entry on a date (most specific category in force
 * wins). With `perCategory: false` (the profile's `pricing.multipliersPerCategory`) category
 * rules are ignored: only partnership-wide ones count.
 */
export function multiplierFor(
  entry: Pick<CatalogEntry, 'categoryId' | 'categoryAncestorIds'>,
  partnership: OrderValidationContext['partnership'],
  on: string,
  options: { readonly perCategory?: boolean } = {},
): string {
  const rules =
    options.perCategory === false
      ? partnership.multipliers.filter((rule) => rule.categoryId === null)
      : partnership.multipliers;
  return resolveMultiplier(rules, {
    categoryId: entry.categoryId,
    categoryAncestorIds: entry.categoryAncestorIds ?? [],
    on,
    defaultMultiplier: partnership.multiplier,
  });
}

// The order fields required of this order: the PO, the order type's fields and those of the
// conditions that hold. Terms are left to the terms check, which says which version.
function requiredFieldsOf(
  orderType: OrderTypeConfig | undefined,
  submission: OrderSubmission,
  context: OrderValidationContext,
  termsRequired: boolean,
): Map<string, string | undefined> {
  const required = new Map<string, string | undefined>();
  if (!orderType) return required;
  if (orderType.purchaseOrderRequired) required.set('purchaseOrder', undefined);
  for (const path of orderType.requiredFields) required.set(path, undefined);
  for (const condition of orderType.conditions) {
    if (!conditionHolds(condition.when, submission, context)) continue;
    for (const path of condition.require) required.set(path, condition.message);
  }
  if (termsRequired) {
    required.delete('termsAccepted');
    required.delete('termsAccepted.version');
  }
  return required;
}

// ---- Order-level checks -------------------------------------------------------------------

const customerCheck: OrderCheck = {
  name: 'customer',
  run({ context, add }) {
    if (context.customerKnown === false) {
      add('customerId', 'invalid', 'No such customer of yours');
    }
  },
};

const orderTypeCheck: OrderCheck = {
  name: 'order_type',
  run({ submission, profile, orderType, add }) {
    if (orderType) return;
    add(
      'type',
      'order_type.unknown',
      `Unknown order type "${submission.type}" for ${profile.name}`,
      {
        expected: profile.orderTypes.map((t) => t.key).join(', '),
        actual: submission.type,
      },
    );
  },
};

/** An order type's orders in words: "New business orders", "Device Orders". */
function ordersOf(orderType: OrderTypeConfig): string {
  return /\border$/i.test(orderType.label) ? `${orderType.label}s` : `${orderType.label} orders`;
}

/** A product type in words: `training_seat` → `training seat`. */
const productTypeWords = (type: string): string => type.replaceAll('_', ' ');

/** The text with its first letter capitalised (a label at the start of a message). */
const sentence = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

const requiredFieldsCheck: OrderCheck = {
  name: 'required_fields',
  run({ submission, orderType, profile, required, add }) {
    if (!orderType) return;
    for (const [path, message] of required) {
      // A missing parent already says it all; don't also list each of its fields.
      const parent = [...required.keys()].find(
        (p) => path.startsWith(`${p}.`) && isMissing(readPath(submission, p)),
      );
      if (parent) continue;
      if (isMissing(readPath(submission, path))) {
        add(
          path,
          missingCode(path),
          message ?? `${fieldLabel(path, profile)} is required for ${ordersOf(orderType)}`,
        );
      }
    }
  },
};

const shippingCheck: OrderCheck = {
  name: 'shipping',
  run({ submission, context, orderType, required, add }) {
    if (!orderType) return;
    // Whatever ships (a device, a kit with hardware) goes only to a confirmed address.
    if (
      required.has('shippingAddress.confirmed') === false &&
      submission.shippingAddress &&
      someLineShips(submission, context) &&
      !submission.shippingAddress.confirmed
    ) {
      add(
        'shippingAddress.confirmed',
        'shipping.unconfirmed',
        'Orders with products that ship need a confirmed shipping address',
      );
    }
  },
};

const requiredPhrasesCheck: OrderCheck = {
  name: 'required_phrases',
  run({ submission, context, orderType, required, add }) {
    if (!orderType) return;
    for (const phrase of orderType.requiredPhrases) {
      // A phrase asked of the email body applies to orders that came with one (email intake).
      if (phrase.path === 'email_body' && context.emailBody === undefined) continue;
      const text =
        phrase.path === 'email_body' ? context.emailBody : readPath(submission, phrase.path);
      const haystack = typeof text === 'string' ? text : '';
      const found = phrase.caseSensitive
        ? haystack.includes(phrase.phrase)
        : haystack.toLowerCase().includes(phrase.phrase.toLowerCase());
      // A missing field is already reported as required; only a text without the phrase is new.
      if (!found && !(required.has(phrase.path) && haystack === '')) {
        add(
          phrase.path,
          'required',
          phrase.message ?? `"${phrase.phrase}" must appear in ${phrase.path}`,
          { expected: phrase.phrase },
        );
      }
    }
  },
};

const termsCheck: OrderCheck = {
  name: 'terms_accepted',
  run({ submission, profile, termsRequired, add }) {
    if (!termsRequired || !profile.termsAndConditions) return;
    const version = submission.termsAccepted?.version;
    if (version !== profile.termsAndConditions.version) {
      add(
        'termsAccepted',
        'terms.not_accepted',
        'The current Terms and Conditions must be accepted',
        {
          expected: profile.termsAndConditions.version,
          ...(version ? { actual: version } : {}),
        },
      );
    }
  },
};

const orderAttributesCheck: OrderCheck = {
  name: 'order_attributes',
  run({ submission, profile, add }) {
    checkAttributes(profile, 'order', submission.attributes, '', add);
  },
};

// ---- Line checks ---------------------------------------------------------------------------

const lineCatalogCheck: LineCheck = {
  name: 'line.catalog',
  run({ line, base, entry }, { orderType, currency, add }) {
    if (!entry) {
      add(`${base}partNumber`, 'part_number.unknown', `Unknown part number ${line.partNumber}`, {
        actual: line.partNumber,
      });
      return;
    }
    if (!entry.active) {
      add(`${base}partNumber`, 'part_number.inactive', `${line.partNumber} is no longer sold`, {
        actual: line.partNumber,
      });
    }
    if (orderType?.allowedProductTypes && !orderType.allowedProductTypes.includes(entry.type)) {
      add(
        `${base}partNumber`,
        'invalid',
        `${sentence(productTypeWords(entry.type))} products cannot be ordered on ${ordersOf(orderType)}`,
        { expected: orderType.allowedProductTypes.join(', '), actual: entry.type },
      );
    }
    if (entry.currency !== currency && entry.listPriceMinor !== null) {
      add(
        `${base}unitPrice`,
        'currency.mismatch',
        `${line.partNumber} is priced in ${entry.currency}`,
        {
          expected: entry.currency,
          actual: currency,
        },
      );
    }
  },
};

const lineRequiredFieldsCheck: LineCheck = {
  name: 'line.required_fields',
  run({ line, base, entry }, { orderType, profile, add }) {
    if (!orderType) return;
    const fields = [
      ...orderType.lineRequiredFields,
      ...(entry ? (orderType.lineRequiredFieldsByProductType[entry.type] ?? []) : []),
    ];
    for (const field of new Set(fields)) {
      if (isMissing(readPath(line, field))) {
        add(
          `${base}${field}`,
          'required',
          `${sentence(lineFieldLabel(field, profile) ?? field)} is required on each ${entry ? `${productTypeWords(entry.type)} ` : ''}line`,
        );
      }
    }
  },
};

const linePerUnitCheck: LineCheck = {
  name: 'line.per_unit',
  run({ line, base }, { profile, orderType, unreadable, add }) {
    if (unreadable(`${base}quantity`)) return;
    for (const field of orderType?.perUnitLineFields ?? []) {
      const value = readPath(line, field);
      // Missing is the required check's to report; a wrong shape the attribute check's.
      if (!Array.isArray(value) || value.length === 0) continue;
      if (value.length === line.quantity) continue;
      const key = field.slice('attributes.'.length);
      const label = profile.attributes.find((a) => a.key === key)?.label ?? field;
      add(
        `${base}${field}`,
        'invalid',
        `${label}: a line of ${line.quantity} needs ${line.quantity} ${line.quantity === 1 ? 'entry' : 'entries'}, one per unit; it has ${value.length}`,
        { expected: String(line.quantity), actual: String(value.length) },
      );
    }
  },
};

const lineAttributesCheck: LineCheck = {
  name: 'line.attributes',
  run({ line, base }, { profile, add }) {
    checkAttributes(profile, 'line', line.attributes, base, add);
  },
};

const lineAmountCheck: LineCheck = {
  name: 'line.amount',
  run(state, { currency, pricing, unreadable, add }) {
    const { line, base } = state;
    // An unreadable price or quantity (already reported) leaves the line without an amount,
    // and the order without a total to compare the PO's with.
    if (unreadable(`${base}unitPrice`)) {
      state.unitMinor = null;
    } else {
      const unit = parseAmount(line.unitPrice, currency, { allowExtraZeros: true });
      if (!unit.ok) {
        add(`${base}unitPrice`, 'invalid', `Unit price: ${unit.message}`, {
          actual: line.unitPrice,
        });
      }
      state.unitMinor = unit.ok ? unit.minor : null;
    }
    let amountMinor =
      state.unitMinor === null || unreadable(`${base}quantity`)
        ? null
        : state.unitMinor * line.quantity;
    if (amountMinor !== null && Math.abs(amountMinor) > MAX_MINOR) {
      add(`${base}quantity`, 'invalid', 'The line amount is too large to be exact', {
        actual: String(line.quantity),
      });
      amountMinor = null;
    }
    state.amountMinor = amountMinor;
    if (amountMinor === null) pricing.totalKnown = false;
    else pricing.totalMinor += amountMinor;
  },
};

const lineNetPriceCheck: LineCheck = {
  name: 'line.net_price',
  run(
    state,
    { context, profile, orderType, currency, priceDate, currencyPriced, pricing, unreadable, add },
  ) {
    const { line, base, entry, unitMinor } = state;
    if (entry && entry.listPriceMinor !== null && entry.currency === currency) {
      const multiplier = multiplierFor(entry, context.partnership, priceDate, {
        perCategory: profile.pricing.multipliersPerCategory,
      });
      const expectedNet = netUnitPrice(
        entry.listPriceMinor,
        multiplier,
        currency,
        profile.pricing.rounding,
      );
      state.listPriceMinor = entry.listPriceMinor;
      state.multiplier = multiplier;
      state.expectedNetMinor = expectedNet;
      if (orderType?.priceCheck && unitMinor !== null && unitMinor !== expectedNet) {
        add(
          `${base}unitPrice`,
          'price.mismatch',
          `Net price of ${line.partNumber} is list ${formatAmount(entry.listPriceMinor, currency)} × ${multiplier} = ${formatAmount(expectedNet, currency)}`,
          {
            expected: formatAmount(expectedNet, currency),
            actual: formatAmount(unitMinor, currency),
          },
        );
      }
    } else if (entry && entry.listPriceMinor === null && orderType?.priceCheck && currencyPriced) {
      add(
        `${base}partNumber`,
        'part_number.unknown',
        `${line.partNumber} has no price on ${priceDate}`,
        {
          actual: line.partNumber,
        },
      );
    }
    const expectedNet = state.expectedNetMinor;
    if (expectedNet === null || unreadable(`${base}quantity`)) pricing.expectedTotalMinor = null;
    else if (pricing.expectedTotalMinor !== null) {
      pricing.expectedTotalMinor += expectedNet * line.quantity;
      if (Math.abs(pricing.expectedTotalMinor) > MAX_MINOR) pricing.expectedTotalMinor = null;
    }
  },
};

// The total must stay exact on the invoice too, with its tax: refused here, not by the invoice
// job that would fail on it at every run once the order is booked.
const lineTotalRangeCheck: LineCheck = {
  name: 'line.total_range',
  run({ line, base }, { profile, currency, pricing, add }) {
    if (!pricing.totalKnown || Math.abs(pricing.totalMinor) <= EXACT_AT_ANY_TAX_RATE) return;
    const largest = largestOrderTotalMinor(profile);
    if (Math.abs(pricing.totalMinor) <= largest) return;
    const rate = decimalFromText(highestTaxRate(profile));
    const withTax = rate.isZero() ? '' : ` with ${rate.toFixed()}% tax`;
    add(
      `${base}quantity`,
      'invalid',
      `The order total is too large to be exact${withTax}: the largest total accepted is ${formatAmount(largest, currency)} ${currency}`,
      { actual: String(line.quantity) },
    );
    pricing.totalKnown = false;
  },
};

/** The checks run on each line, in order; the pricing ones fill in the line's amounts. */
export const LINE_CHECKS: readonly LineCheck[] = [
  lineCatalogCheck,
  lineRequiredFieldsCheck,
  lineAttributesCheck,
  linePerUnitCheck,
  lineAmountCheck,
  lineNetPriceCheck,
  lineTotalRangeCheck,
];

function linesCheckOf(lineChecks: readonly LineCheck[]): OrderCheck {
  return {
    name: 'lines',
    run(input) {
      const { submission, context, currency, pricing } = input;
      submission.lines.forEach((line, index) => {
        const state: LineCheckInput = {
          line,
          index,
          base: `lines[${index}].`,
          entry: context.catalog.get(line.partNumber),
          unitMinor: null,
          amountMinor: null,
          listPriceMinor: null,
          multiplier: null,
          expectedNetMinor: null,
        };
        for (const check of lineChecks) check.run(state, input);
        const fmt = (minor: number | null): string | null =>
          minor === null ? null : formatAmount(minor, currency);
        pricing.lines.push({
          partNumber: line.partNumber,
          quantity: line.quantity,
          listPrice: fmt(state.listPriceMinor),
          multiplier: state.multiplier,
          expectedNetPrice: fmt(state.expectedNetMinor),
          unitPrice: fmt(state.unitMinor) ?? line.unitPrice,
          amount: fmt(state.amountMinor) ?? '',
          listPriceMinor: state.listPriceMinor,
          expectedNetMinor: state.expectedNetMinor,
          unitPriceMinor: state.unitMinor,
          amountMinor: state.amountMinor,
        });
      });
    },
  };
}

// ---- Order-level checks after the lines ----------------------------------------------------

const poTotalCheck: OrderCheck = {
  name: 'purchase_order.total',
  run({ submission, currency, pricing, unreadable, add }) {
    const po = submission.purchaseOrder;
    if (!po || unreadable('purchaseOrder.total')) return;
    const total = parseAmount(po.total, currency, { allowExtraZeros: true });
    if (!total.ok) {
      add('purchaseOrder.total', 'invalid', `PO total: ${total.message}`, { actual: po.total });
    } else if (
      pricing.totalKnown &&
      Math.abs(pricing.totalMinor) <= MAX_MINOR &&
      total.minor !== pricing.totalMinor
    ) {
      add('purchaseOrder.total', 'total.mismatch', 'The PO total is not the sum of its lines', {
        expected: formatAmount(pricing.totalMinor, currency),
        actual: formatAmount(total.minor, currency),
      });
    }
  },
};

const poDuplicateCheck: OrderCheck = {
  name: 'purchase_order.duplicate',
  run({ submission, context, profile, add }) {
    const po = submission.purchaseOrder;
    if (!po || !context.duplicatePoNumber) return;
    add(
      'purchaseOrder.number',
      'po.duplicate',
      `PO ${po.number} was already submitted to ${profile.name}`,
      {
        actual: po.number,
      },
    );
  },
};

const poCurrencyCheck: OrderCheck = {
  name: 'purchase_order.currency',
  run({ submission, context, profile, orderType, currency, currencyPriced, add }) {
    const po = submission.purchaseOrder;
    if (!po || currencyPriced) return;
    // Against a quote in another currency the quote check says so, more precisely: one
    // problem, not two at the same field.
    if (orderType && context.quote && context.quote.currency !== currency) return;
    add(
      'purchaseOrder.currency',
      'currency.mismatch',
      `${profile.name} sells in ${profile.currency}`,
      {
        expected: profile.currency,
        actual: currency,
      },
    );
  },
};

const specialTermsCheck: OrderCheck = {
  name: 'special_terms',
  run({ submission, context, profile, orderType, add }) {
    const po = submission.purchaseOrder;
    if (!orderType?.specialTermsRequired || !profile.specialTerms || !po) return;
    const terms = profile.specialTerms;
    // Where the profile accepts the clause, in its order; the email body when there is one.
    const haystacks = terms.locations
      .map((l) => (l === 'email_body' ? context.emailBody : readPath(submission, l)))
      .filter((t): t is string => typeof t === 'string');
    const match = matchSpecialTerms(
      terms.template,
      {
        agreementDate: context.partnership.agreementDate,
        partnerLegalName: context.partnership.legalName,
      },
      haystacks,
      terms.dateFormat,
    );
    // A problem points at the first place on the PO the clause may go (the email body is
    // only a fallback for POs that cannot carry it).
    const where = terms.locations.find((l) => l !== 'email_body') ?? 'email_body';
    if (match.status === 'missing') {
      add(
        where,
        'special_terms.missing',
        'The PO must carry the special-terms clause of your distributor agreement',
        { expected: match.expected ?? '' },
      );
    } else if (match.status === 'mismatch') {
      add(where, 'special_terms.mismatch', match.message, {
        expected: match.expected,
        ...(match.actual !== undefined ? { actual: match.actual } : {}),
      });
    }
  },
};

const quoteCheck: OrderCheck = {
  name: 'quote',
  run(input) {
    if (input.orderType) checkQuote(input.orderType, input);
  },
};

const subscriptionCheck: OrderCheck = {
  name: 'subscription',
  run(input) {
    const { submission, context, orderType, add } = input;
    const policy = orderType?.subscription;
    // An unknown customer has no subscriptions to check (customerId says what is wrong).
    if (!orderType || context.customerKnown === false) return;
    const subscription = context.currentSubscription;
    // The subscription the order names must be one of the customer's (the context holds the
    // one found by that id, or null).
    const idField = policy?.effect === 'create' ? undefined : policy?.idField;
    const named = idField === undefined ? undefined : readPath(submission, idField);
    if (idField !== undefined && !isMissing(named)) {
      const id = String(named);
      if (subscription === null || subscription.id !== id) {
        add(idField, 'subscription.unknown', `No subscription ${id} of this customer`, {
          actual: id,
        });
        return;
      }
    }
    if (policy?.effect === 'change') {
      if (subscription === null) {
        if (idField === undefined) {
          add('customerId', 'subscription.unknown', 'The customer has no subscription to change');
        }
        return;
      }
      const status = subscription.status ?? 'active';
      if (status !== 'active') {
        add(
          idField ?? 'customerId',
          'invalid',
          `Subscription ${subscription.id} is ${status}; only an active one can be changed`,
          {
            expected: 'active',
            actual: status,
          },
        );
      }
    }
    // An auto-renewal exempt from the quote when unchanged, sent without a quote for a customer
    // with no subscription: besides the quote (quote.required), there is nothing to renew.
    if (
      orderType.quoteExemption === 'unchanged_subscription' &&
      !submission.quoteId &&
      subscription === null &&
      (idField === undefined || isMissing(named))
    ) {
      add('customerId', 'subscription.unknown', 'The customer has no subscription to renew');
    }
    if (isUnchangedRenewal(orderType, submission, context)) checkRenewalPrices(input);
  },
};

// An unchanged renewal goes without a quote, so nothing else fixes its prices: each line must
// be at the price the subscription was sold at (the price list's net price for a subscription
// line without one).
function checkRenewalPrices({
  submission,
  context,
  orderType,
  currency,
  pricing,
  add,
}: OrderCheckInput): void {
  const subscription = context.currentSubscription;
  if (subscription === null) return;
  if (subscription.currency != null && subscription.currency !== currency) {
    add(
      'purchaseOrder.currency',
      'currency.mismatch',
      `The subscription is in ${subscription.currency}`,
      {
        expected: subscription.currency,
        actual: currency,
      },
    );
    return;
  }
  submission.lines.forEach((line, i) => {
    const priced = pricing.lines[i];
    const actual = priced?.unitPriceMinor ?? null;
    if (actual === null) return; // an unreadable price is already reported
    const sold = subscription.lines.filter((l) => l.partNumber === line.partNumber);
    const fromList = sold.some((l) => l.unitPriceMinor == null);
    // The list price fallback is already checked by the net-price check when the order type
    // checks prices; don't report the same line twice.
    if (fromList && orderType?.priceCheck) return;
    const expected = [
      ...new Set(
        sold
          .map((l) => l.unitPriceMinor ?? priced?.expectedNetMinor ?? null)
          .filter((p): p is number => p !== null),
      ),
    ];
    if (expected.length === 0 || expected.includes(actual)) return;
    const formatted = expected.map((p) => formatAmount(p, currency)).join(' or ');
    add(
      `lines[${i}].unitPrice`,
      'price.mismatch',
      `An unchanged renewal keeps the subscription's price of ${line.partNumber}: ${formatted}`,
      { expected: formatted, actual: formatAmount(actual, currency) },
    );
  });
}

const licensesCheck: OrderCheck = {
  name: 'licenses',
  run({ submission, context, add }) {
    submission.licenseIds?.forEach((id, i) => {
      if (!context.knownLicenseIds.has(id)) {
        add(`licenseIds[${i}]`, 'license.unknown', `License ${id} is not one of yours`, {
          actual: id,
        });
      }
    });
  },
};

/** Every order-level check, in the order of the body's fields; `lines` runs `LINE_CHECKS`. */
export const ORDER_CHECKS: readonly OrderCheck[] = [
  orderTypeCheck,
  customerCheck,
  requiredFieldsCheck,
  shippingCheck,
  requiredPhrasesCheck,
  termsCheck,
  orderAttributesCheck,
  linesCheckOf(LINE_CHECKS),
  poTotalCheck,
  poDuplicateCheck,
  poCurrencyCheck,
  specialTermsCheck,
  quoteCheck,
  subscriptionCheck,
  licensesCheck,
];

/** Options of `validateOrder`: run only some checks (tests, partial validation). */
export interface ValidateOrderOptions {
  /** The order-level checks to run; `ORDER_CHECKS` when absent. */
  readonly checks?: readonly OrderCheck[];
  /** The line checks run by the `lines` check; `LINE_CHECKS` when absent. */
  readonly lineChecks?: readonly LineCheck[];
  /**
   * Paths of the submission whose values could not be read (`lines[1].quantity`,
   * `contacts.siteAdmin.email`): the caller reports them and left them out of `submission`
   * or emptied them (salvageSubmission). Nothing more is said at or under them, and what
   * depends on them (a line's amount, the order's total, the PO's currency) is not computed.
   */
  readonly unreadable?: ReadonlySet<string>;
}

/**
 * Validates an order submission against the vendor's profile and the gathered context;
 * returns every problem (errors and warnings) and the pricing of each line.
 */
export function validateOrder(
  submission: OrderSubmission,
  context: OrderValidationContext,
  options: ValidateOrderOptions = {},
): OrderValidationResult {
  const problems: Problem[] = [];
  const unreadableFields = options.unreadable ?? new Set<string>();
  const unreadable = (path: string): boolean => isPathWithin(path, unreadableFields);
  const add: ProblemCollector = (path, code, message, extra = {}) => {
    if (unreadable(path)) return;
    problems.push({
      path,
      code,
      severity: extra.severity ?? 'error',
      message,
      ...(extra.expected !== undefined ? { expected: extra.expected } : {}),
      ...(extra.actual !== undefined ? { actual: extra.actual } : {}),
    });
  };
  const { profile } = context;
  const po = submission.purchaseOrder;
  const poCurrency = unreadable('purchaseOrder.currency') ? undefined : po?.currency;
  const currency = poCurrency ?? context.quote?.currency ?? profile.currency;
  const orderType = profile.orderTypes.find((t) => t.key === submission.type);
  const termsRequired =
    orderType !== undefined &&
    (profile.termsAndConditions?.requiredFor.includes(orderType.key) ?? false);
  const input: OrderCheckInput = {
    submission,
    context,
    profile,
    orderType,
    currency,
    priceDate: po?.date ?? context.today,
    // A currency with no price at all for these lines is a currency problem, not one per line.
    currencyPriced:
      currency === profile.currency ||
      [...context.catalog.values()].some(
        (c) => c.currency === currency && c.listPriceMinor !== null,
      ),
    required: requiredFieldsOf(orderType, submission, context, termsRequired),
    termsRequired,
    unreadable,
    linesReadable:
      !unreadable('lines') &&
      submission.lines.every(
        (_, i) => !unreadable(`lines[${i}].partNumber`) && !unreadable(`lines[${i}].quantity`),
      ),
    add,
    pricing: {
      lines: [],
      totalMinor: 0,
      // Without readable lines there is no sum to compare the PO total with.
      totalKnown: !unreadable('lines'),
      expectedTotalMinor: unreadable('lines') ? null : 0,
    },
  };
  const checks =
    options.lineChecks === undefined
      ? (options.checks ?? ORDER_CHECKS)
      : (options.checks ?? ORDER_CHECKS).map((check) =>
          check.name === 'lines' ? linesCheckOf(options.lineChecks ?? LINE_CHECKS) : check,
        );
  for (const check of checks) check.run(input);

  const { pricing } = input;
  return {
    valid: !problems.some((p) => p.severity === 'error'),
    problems,
    pricing: {
      currency,
      lines: pricing.lines,
      total: formatAmount(pricing.totalKnown ? pricing.totalMinor : 0, currency),
      expectedTotal:
        pricing.expectedTotalMinor === null
          ? null
          : formatAmount(pricing.expectedTotalMinor, currency),
    },
  };
}

/** Whether an order is an auto-renewal exempt from the quote because it changes nothing. */
function isUnchangedRenewal(
  orderType: OrderTypeConfig,
  submission: OrderSubmission,
  context: OrderValidationContext,
): boolean {
  return (
    orderType.quoteExemption === 'unchanged_subscription' &&
    !submission.quoteId &&
    context.currentSubscription !== null &&
    sameLines(context.currentSubscription.lines, submission.lines)
  );
}

function checkQuote(orderType: OrderTypeConfig, input: OrderCheckInput): void {
  const { submission, context, currency, unreadable, linesReadable, add } = input;
  if (orderType.quote === 'not_applicable' && !submission.quoteId) return;
  if (!submission.quoteId) {
    if (orderType.quote !== 'required') return;
    // An unchanged auto-renewal needs only the PO (its prices: the subscription check).
    if (isUnchangedRenewal(orderType, submission, context)) return;
    // Lines that could not be read may be the subscription's own: whether a quote is needed
    // is not known until they are.
    if (orderType.quoteExemption === 'unchanged_subscription' && !linesReadable) return;
    const why =
      orderType.quoteExemption === 'unchanged_subscription'
        ? context.currentSubscription
          ? ' (the lines differ from the current subscription, so a quote is needed)'
          : ' (there is no current subscription to renew unchanged)'
        : '';
    add('quoteId', 'quote.required', `${orderType.label} orders need an approved quote${why}`);
    return;
  }
  const quote = context.quote;
  if (!quote) {
    const unissued = context.unissuedQuoteStatus;
    if (unissued) {
      // A draft revised before approval: its later revision is the one to order against.
      const message =
        unissued === 'superseded'
          ? 'The quote was superseded by a later revision before it was approved; order against that one'
          : `The quote is ${unissued}, not approved yet`;
      add('quoteId', 'quote.not_approved', message, { expected: 'approved', actual: unissued });
      return;
    }
    add('quoteId', 'quote.required', 'No such quote for this partnership', {
      actual: submission.quoteId,
    });
    return;
  }
  if (
    quote.status === 'expired' ||
    (quote.status === 'approved' && quote.validUntil < context.today)
  ) {
    add('quoteId', 'quote.expired', `The quote expired on ${quote.validUntil}`, {
      expected: `valid on ${context.today}`,
      actual: quote.validUntil,
    });
  } else if (quote.status === 'superseded') {
    const by = quote.supersededBy;
    const name = quote.number ?? submission.quoteId;
    add(
      'quoteId',
      'quote.not_approved',
      by
        ? `Quote ${name} was superseded by ${by.number === name ? '' : `${by.number} `}revision ${by.revision}; order against that one`
        : `Quote ${name} was superseded by a later revision; order against that one`,
      {
        expected: 'approved',
        actual: by ? `superseded by ${by.number} revision ${by.revision}` : 'superseded',
      },
    );
  } else if (quote.status !== 'approved') {
    add('quoteId', 'quote.not_approved', `The quote is ${quote.status}, not approved`, {
      expected: 'approved',
      actual: quote.status,
    });
  }
  if (quote.orderType !== submission.type) {
    add(
      'type',
      'quote.mismatch',
      `The quote is for a ${quote.orderType} order, not ${submission.type}`,
      {
        expected: quote.orderType,
        actual: submission.type,
      },
    );
  }
  if (context.customerKnown !== false && quote.customerId !== submission.customerId) {
    add('customerId', 'quote.mismatch', 'The quote was made for another customer', {
      expected: quote.customerId,
      actual: submission.customerId,
    });
  }
  if (quote.currency !== currency) {
    add('purchaseOrder.currency', 'currency.mismatch', `The quote is in ${quote.currency}`, {
      expected: quote.currency,
      actual: currency,
    });
    return;
  }
  // A line whose price cannot be read is already reported; compare it on part and quantity only.
  // A line whose part number cannot be read is not compared at all, and then no quote line is
  // said to be missing (it may be that one); the others keep their own indices.
  const quotePrices = new Map(quote.lines.map((l) => [l.partNumber, l.netPriceMinor]));
  const compared = submission.lines.flatMap((l, index) => {
    if (unreadable(`lines[${index}].partNumber`)) return [];
    const unit = unreadable(`lines[${index}].unitPrice`)
      ? null
      : parseAmount(l.unitPrice, currency, { allowExtraZeros: true });
    const line = {
      partNumber: l.partNumber,
      quantity: l.quantity,
      unitPriceMinor: unit?.ok ? unit.minor : (quotePrices.get(l.partNumber) ?? 0),
      index,
    };
    return [{ index, line }];
  });
  const comparison = compareOrderToQuote(
    quote.lines,
    compared.map((c) => c.line),
    currency,
  );
  for (const p of comparison) {
    if (p.path === 'lines' && compared.length < submission.lines.length) continue;
    const path = p.path.replace(
      /^lines\[(\d+)\]/,
      (_, i: string) => `lines[${compared[Number(i)]?.index ?? Number(i)}]`,
    );
    add(path, p.code, p.message, {
      ...(p.expected !== undefined ? { expected: p.expected } : {}),
      ...(p.actual !== undefined ? { actual: p.actual } : {}),
    });
  }
}
