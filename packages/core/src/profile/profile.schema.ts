// The vendor profile: one vendor's partner order process as data. Everything a seed guide
// asks of partners (order types and their required information, quotes, special terms,
// channels, workflow, SLA, notifications, invoicing, returns, licensing) has a key here.
import { DateTime } from 'luxon';
import { z } from 'zod';
import { NOTIFICATION_EVENTS, RENAMED_NOTIFICATION_EVENTS } from '../events/events.catalogue.ts';
import { ROUNDING_MODES } from '../money/money.ts';
import { slaPolicySchema } from '../sla/sla.schema.ts';
import { SUBSCRIPTION_EFFECTS } from '../subscription/subscription.machine.ts';
import {
  ORDER_FIELD_PATHS,
  LINE_FIELD_PATHS,
  isKnownLineFieldPath,
  isKnownOrderFieldPath,
} from './profile.fields.ts';
import { ROLES } from './profile.roles.ts';
import { orderWorkflowSchema, orderWorkflowViewSchema } from './profile.workflow.ts';

/** Product types a catalog entry can have (PRODUCT.md glossary). */
export const PRODUCT_TYPES = [
  'subscription',
  'perpetual_license',
  'maintenance',
  'training_seat',
  'kit',
  'device',
  'service',
] as const;
export type ProductType = (typeof PRODUCT_TYPES)[number];

/** Whether an order type needs an approved quote. */
export const QUOTE_REQUIREMENTS = ['required', 'optional', 'not_applicable'] as const;
export type QuoteRequirement = (typeof QUOTE_REQUIREMENTS)[number];

/** Cases in which a `required` quote may be left out. */
export const QUOTE_EXEMPTIONS = ['unchanged_subscription'] as const;
export type QuoteExemption = (typeof QUOTE_EXEMPTIONS)[number];

export const WELCOME_EMAIL_POLICIES = ['always', 'optional', 'never'] as const;
export type WelcomeEmailPolicy = (typeof WELCOME_EMAIL_POLICIES)[number];

/**
 * What tells the partner that an order is done: the welcome email to the end user, the
 * invoice, the welcome email or else the invoice, or OrderDesk's own completion notice to the
 * partner (the order turning `completed`, plus any `order.completed` notification).
 */
export const COMPLETION_CONFIRMATIONS = [
  'welcome_email',
  'invoice',
  'welcome_email_else_invoice',
  'completion_notice',
] as const;
export type CompletionConfirmation = (typeof COMPLETION_CONFIRMATIONS)[number];

export const ATTRIBUTE_TYPES = [
  'string',
  'integer',
  'email',
  'domain',
  'url',
  'phone',
  'date',
  /** A list of entries (e.g. one attendee per seat), each of the attribute's `items` type. */
  'list',
] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** The types a `list` attribute's entries can have. */
export const LIST_ITEM_TYPES = ['string', 'email', 'domain', 'url', 'phone', 'date'] as const;
export type ListItemType = (typeof LIST_ITEM_TYPES)[number];

export const ATTRIBUTE_SCOPES = ['order', 'line'] as const;
export type AttributeScope = (typeof ATTRIBUTE_SCOPES)[number];

export const CHANNEL_KINDS = [
  'api',
  'web_wizard',
  'email',
  'excel_template',
  'licensing_server',
] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** Where a special-terms clause may be written, in order of preference. */
export const SPECIAL_TERMS_LOCATIONS = [
  'purchaseOrder.specialTerms',
  'purchaseOrder.notes',
  'email_body',
] as const;
export type SpecialTermsLocation = (typeof SPECIAL_TERMS_LOCATIONS)[number];

/** Placeholders a special-terms template may use. */
export const SPECIAL_TERMS_PLACEHOLDERS = ['agreementDate', 'partnerLegalName'] as const;
export type SpecialTermsPlaceholder = (typeof SPECIAL_TERMS_PLACEHOLDERS)[number];

// The events a notification may follow are the catalogue's (../events), same names.
export { NOTIFICATION_EVENTS } from '../events/events.catalogue.ts';
export type { NotificationEvent } from '../events/events.catalogue.ts';

export const RECIPIENTS = [
  'partner',
  'cam',
  'sales',
  'order_desk',
  'finance',
  'provisioning',
  'end_user_site_admin',
  'provisioning_cc',
  'invoicing_contact',
  'tier2_reseller',
  'escalation',
] as const;
export type Recipient = (typeof RECIPIENTS)[number];

export const ATTACHMENTS = [
  'invoice_pdf',
  'quote_pdf',
  'sales_order_pdf',
  'product_files',
] as const;
export type Attachment = (typeof ATTACHMENTS)[number];

/** Which email thread a notification is posted on. */
export const THREADS = ['order', 'sales_order'] as const;
export type Thread = (typeof THREADS)[number];

export const RETURN_BLOCKING_EVENTS = ['invoiced', 'emailed', 'downloaded'] as const;
export type ReturnBlockingEvent = (typeof RETURN_BLOCKING_EVENTS)[number];

// The modes a profile may round net prices by are the money module's.
export { ROUNDING_MODES } from '../money/money.ts';
export type { RoundingMode } from '../money/money.ts';

/** The template of notifications that are the end user's welcome / provisioning email. */
export const WELCOME_EMAIL_TEMPLATE = 'welcome_email';

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const KEY = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
const CAMEL_KEY = /^[a-z][a-zA-Z0-9]*$/;
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

const text = z.string().trim().min(1);
const orderTypeKey = z.string().regex(KEY, 'Expected a snake_case key such as "auto_renewal"');
const currencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, {
    message: 'Expected an ISO 4217 currency code such as "USD"',
    abort: true,
  })
  .refine((code) => Intl.supportedValuesOf('currency').includes(code), 'Unknown currency code');

const attributeSchema = z.strictObject({
  key: z.string().regex(CAMEL_KEY, 'Expected a camelCase key such as "microsoftDomain"'),
  label: text,
  type: z.enum(ATTRIBUTE_TYPES).default('string'),
  /** `order`: `attributes.<key>` of the order; `line`: `attributes.<key>` of each line. */
  scope: z.enum(ATTRIBUTE_SCOPES).default('order'),
  /** For a `list`: the type of each entry. */
  items: z.enum(LIST_ITEM_TYPES).optional(),
  help: z.string().optional(),
  example: z.string().optional(),
});

const conditionSchema = z.strictObject({
  when: z
    .strictObject({
      /**
       * The channel tier of the order: 2 when a tier-2 reseller (a reseller under a
       * distributor) places it, or when its customer is a tier-2 reseller's, whoever places it
       * (the distributor's PO for its reseller's deal); 1 otherwise.
       */
      partnerTier: z.literal([1, 2]).optional(),
      /** Some line is a product of this type. */
      lineProductType: z.enum(PRODUCT_TYPES).optional(),
      /** Some line is a product that ships (the catalog says so; devices do by default). */
      linesShip: z.literal(true).optional(),
      /** The order came in through this channel. */
      channel: z.enum(CHANNEL_KINDS).optional(),
      /** This field of the order is present (e.g. `attributes.microsoftDomain`). */
      fieldPresent: z.string().optional(),
    })
    .refine(
      (when) => Object.values(when).some((v) => v !== undefined),
      'Give at least one condition',
    ),
  /** Order field paths that become required when the condition holds. */
  require: z.array(z.string()).min(1),
  message: z.string().optional(),
});

const requiredPhraseSchema = z.strictObject({
  /** Where the phrase must appear. */
  path: z.enum(['purchaseOrder.notes', 'purchaseOrder.specialTerms', 'email_body']),
  phrase: text,
  caseSensitive: z.boolean().default(false),
  message: z.string().optional(),
});

/**
 * What a completed order of a type does to the customer's subscription (see
 * SUBSCRIPTION_EFFECTS): `create` a new one, `renew` it for the next term, `change` its lines,
 * or `add` lines to it, co-terminous.
 */
const orderTypeSubscriptionSchema = z.strictObject({
  effect: z.enum(SUBSCRIPTION_EFFECTS),
  /** Months of the term a `create` or `renew` starts; `subscriptions.defaultTermMonths` if absent. */
  termMonths: z.number().int().min(1).max(120).optional(),
  /**
   * The order field naming the subscription the order acts on (e.g. `attributes.subscriptionId`);
   * an id that is not one of the customer's subscriptions is `subscription.unknown`. Without it
   * the order acts on the customer's current subscription.
   */
  idField: z.string().optional(),
});

const orderTypeSchema = z.strictObject({
  key: orderTypeKey,
  label: text,
  description: z.string().optional(),
  quote: z.enum(QUOTE_REQUIREMENTS),
  /** `unchanged_subscription`: an auto-renewal whose lines equal the subscription needs no quote. */
  quoteExemption: z.enum(QUOTE_EXEMPTIONS).optional(),
  purchaseOrderRequired: z.boolean().default(true),
  specialTermsRequired: z.boolean().default(false),
  /** Enforce net price = list price × the partner's multiplier on every line. */
  priceCheck: z.boolean().default(false),
  /** Order field paths (API.md submission body) or `attributes.<key>`. */
  requiredFields: z.array(z.string()).default([]),
  /** Fields asked for but not required (shown in forms and templates). */
  optionalFields: z.array(z.string()).default([]),
  /** Per-line field paths or `attributes.<key>` of line-scope attributes. */
  lineRequiredFields: z.array(z.string()).default([]),
  /**
   * Line fields that list one entry per unit (`list` attributes): a line of N seats names N
   * attendees. Missing is `required` (when also a required line field), a count that is not
   * the quantity is `invalid`.
   */
  perUnitLineFields: z.array(z.string()).default([]),
  /** Further per-line fields for lines of a given product type (e.g. maintenance: serial). */
  lineRequiredFieldsByProductType: z
    .partialRecord(z.enum(PRODUCT_TYPES), z.array(z.string()).min(1))
    .default({}),
  conditions: z.array(conditionSchema).default([]),
  /** Phrases that must appear in the PO (e.g. "License Authorization" in the notes). */
  requiredPhrases: z.array(requiredPhraseSchema).default([]),
  /** Product types its lines may have; all of the profile's when absent. */
  allowedProductTypes: z.array(z.enum(PRODUCT_TYPES)).min(1).optional(),
  welcomeEmail: z.enum(WELCOME_EMAIL_POLICIES).default('never'),
  completionConfirmation: z.enum(COMPLETION_CONFIRMATIONS).default('completion_notice'),
  /** What the order does to the customer's subscription when it completes; nothing if absent. */
  subscription: orderTypeSubscriptionSchema.optional(),
});

const subscriptionsSchema = z.strictObject({
  /** Months of a new or renewed term when the order type gives none. */
  defaultTermMonths: z.number().int().min(1).max(120).default(12),
  /** Product types whose lines make up a subscription (others on the order are one-off). */
  productTypes: z.array(z.enum(PRODUCT_TYPES)).min(1).default(['subscription']),
  /**
   * The order type of the quote prepared ahead of a renewal (it must renew); without it no
   * renewal quotes are prepared.
   */
  renewalQuoteOrderType: orderTypeKey.optional(),
});

const quotePolicySchema = z.strictObject({
  validityDays: z.number().int().positive().default(30),
  /** Who a partner's quote request goes to: the CAM (who finds a rep) or sales directly. */
  requestRouting: z.enum(['cam', 'sales']).default('sales'),
  revisionsAllowed: z.boolean().default(true),
});

// There is no `roundAt`: a PO line is a unit price in minor units × a quantity, and the store
// keeps unit prices in minor units, so the net *unit* price is what is rounded, once; a line
// amount is that unit price × quantity, exact. Rounding line amounts instead would need unit
// prices finer than the currency's minor unit, which no PO line here can carry.
const pricingSchema = z.strictObject({
  /**
   * Multipliers may differ per product category, not only per partner. When false, setting a
   * category multiplier is refused (`checkCategoryMultiplier`) and none is applied.
   */
  multipliersPerCategory: z.boolean().default(false),
  /** How the net unit price (list × multiplier) is rounded to the minor unit. */
  rounding: z.enum(ROUNDING_MODES).default('half_up'),
  /**
   * Partners see list prices and their multipliers (`GET /prices`, partnerships). When
   * false they see only the net prices they pay (`priceVisibility`).
   */
  partnerVisible: z.boolean().default(true),
});

const specialTermsSchema = z.strictObject({
  /** The clause, with {{agreementDate}} and {{partnerLegalName}} placeholders. */
  template: text,
  /** luxon format of {{agreementDate}}, e.g. "MMMM d, yyyy". */
  dateFormat: z.string().min(1).default('MMMM d, yyyy'),
  /** Where the clause is accepted, in order of preference. */
  locations: z
    .array(z.enum(SPECIAL_TERMS_LOCATIONS))
    .min(1)
    .default(['purchaseOrder.specialTerms']),
  /** How strictly the clause is compared after normalizing whitespace, quotes and case. */
  match: z.enum(['exact', 'normalized']).default('normalized'),
});

const wizardStepSchema = z.strictObject({
  key: orderTypeKey,
  label: text,
  description: z.string().optional(),
  /** Order field paths collected in this step (`lines` for item selection). */
  fields: z.array(z.string()).default([]),
});

const wizardSchema = z.strictObject({
  /** The partner first picks one of its customer organizations. */
  startFrom: z.enum(['customer_organization']).default('customer_organization'),
  catalog: z
    .strictObject({ categories: z.boolean().default(true), search: z.boolean().default(true) })
    .prefault({}),
  steps: z.array(wizardStepSchema).min(1),
  /** What a selected item offers: change it, product details, invoice (billing) details. */
  itemActions: z.array(z.enum(['edit', 'product_info', 'invoice_info'])).default([]),
  submitLabel: z.string().default('Submit'),
});

const channelSchema = z.strictObject({
  kind: z.enum(CHANNEL_KINDS),
  label: z.string().optional(),
  /** Mailbox for email channels, URL for web channels. */
  address: z.string().optional(),
  notes: z.string().optional(),
  /** Order types accepted through this channel; all when absent. */
  orderTypes: z.array(orderTypeKey).optional(),
  /** Who may use it, when not every partner (e.g. qualified OEM partners). */
  eligibility: z.string().optional(),
  /** Access is granted on request (by the given role), not self-service. */
  accessOnRequestFrom: z.enum(ROLES).optional(),
  wizard: wizardSchema.optional(),
});

const termsAndConditionsSchema = z.strictObject({
  version: text,
  url: z.url().optional(),
  /** Order types whose submission needs `termsAccepted` with this version. */
  requiredFor: z.array(orderTypeKey).min(1),
  acceptance: z.enum(['checkbox_on_submit', 'signature']).default('checkbox_on_submit'),
});

const notificationSchema = z.strictObject({
  /** An event of the catalogue (../events); an old name is refused with its new one. */
  event: z.enum(NOTIFICATION_EVENTS, {
    error: (issue) => {
      const renamed =
        typeof issue.input === 'string' ? RENAMED_NOTIFICATION_EVENTS[issue.input] : undefined;
      return renamed === undefined
        ? undefined
        : `"${String(issue.input)}" was renamed "${renamed}"; use the new name`;
    },
  }),
  /** A template key, e.g. "welcome_email" (the end user's provisioning email). */
  template: z.string().regex(KEY, 'Expected a snake_case template key').optional(),
  to: z.array(z.enum(RECIPIENTS)).min(1),
  cc: z.array(z.enum(RECIPIENTS)).default([]),
  attach: z.array(z.enum(ATTACHMENTS)).default([]),
  thread: z.enum(THREADS).default('order'),
  /** Only for these order types; all when absent. */
  orderTypes: z.array(orderTypeKey).optional(),
  /** Who sends it (shown as the sender on the thread). */
  sentBy: z.enum(ROLES).optional(),
});

const contactRefSchema = z
  .strictObject({
    /** A role resolved per partnership (e.g. the partner's assigned CAM). */
    role: z.enum(ROLES).optional(),
    name: z.string().optional(),
    email: z.email().optional(),
    notes: z.string().optional(),
  })
  .refine((c) => c.role !== undefined || c.email !== undefined, 'Give a role or an email');

const COUNTRY = /^[A-Z]{2}$/;
const countryCode = z.string().regex(COUNTRY, 'Expected an ISO 3166-1 alpha-2 code such as "US"');

const invoiceSellerSchema = z.strictObject({
  legalName: text,
  country: countryCode,
  /** VAT / sales-tax registration, printed on the invoice and in UBL PartyTaxScheme. */
  taxId: z.string().min(1).optional(),
  /** PEPPOL endpoint: an electronic address scheme (EAS code, e.g. "0088" GLN, "0192") and id. */
  endpoint: z.strictObject({ scheme: z.string().regex(/^\d{4}$|^[A-Z]{2,4}$/), id: text }),
  address: z
    .strictObject({
      line1: text,
      city: text,
      postalCode: text,
      region: z.string().optional(),
    })
    .optional(),
});

const invoiceTaxSchema = z
  .strictObject({
    /**
     * Tax rate (percent, a decimal string such as "20" or "8.25") by the buyer's country; `*`
     * for any other country. A country with no rate and no `*` is zero-rated (exports).
     */
    rates: z
      .array(
        z.strictObject({
          country: z.union([countryCode, z.literal('*')]),
          rate: z
            .string()
            .regex(/^\d{1,2}(\.\d{1,4})?$|^100$/, 'Expected a percentage such as "20" or "8.25"'),
        }),
      )
      .default([]),
    /**
     * A buyer abroad that gives a tax ID accounts for the tax itself (reverse charge, UBL
     * category AE); otherwise its country's rate applies.
     */
    reverseChargeWhenTaxId: z.boolean().default(false),
  })
  .superRefine((tax, ctx) => {
    const seen = new Set<string>();
    tax.rates.forEach((r, i) => {
      if (seen.has(r.country)) {
        ctx.addIssue({
          code: 'custom',
          path: ['rates', i, 'country'],
          message: `Duplicate rate for ${r.country}`,
        });
      }
      seen.add(r.country);
    });
  });

const invoicingSchema = z.strictObject({
  timing: z
    .strictObject({
      afterEvent: z.enum(['order.booked', 'order.completed']).default('order.booked'),
      businessDays: z
        .strictObject({ min: z.number().int().min(0), max: z.number().int().min(0) })
        .refine((d) => d.min <= d.max, { message: 'min must not exceed max', path: ['max'] })
        .prefault({ min: 0, max: 0 }),
    })
    .prefault({}),
  deliverTo: z.enum(['invoicing_contact']).default('invoicing_contact'),
  format: z.enum(['pdf']).default('pdf'),
  via: z.enum(['email', 'portal']).default('email'),
  /** Invoice numbers are this prefix and a gapless per-vendor sequence (`INV-000001`). */
  numberPrefix: z.string().min(1).max(12).default('INV-'),
  /** Days from the issue date to the due date (payment terms "net N"). */
  paymentTermsDays: z.number().int().min(0).max(365).default(30),
  /** The seller as the invoice names it (UBL AccountingSupplierParty); the vendor's name if absent. */
  seller: invoiceSellerSchema.optional(),
  /** Tax on invoices; none (zero-rated) when absent. */
  tax: invoiceTaxSchema.optional(),
});

const returnsSchema = z.strictObject({
  policy: text,
  nonRefundableProductTypes: z.array(z.enum(PRODUCT_TYPES)).default([]),
  nonRefundableAfter: z.array(z.enum(RETURN_BLOCKING_EVENTS)).default([]),
  /** Days after delivery within which shipped goods (devices, kits) get an RMA number. */
  deviceReturnDays: z.number().int().min(0).max(365).default(30),
});

const CRON = /^(\S+\s+){4}\S+$/;
const licensingSchema = z.strictObject({
  /** Partners may generate licenses themselves and send an authorization PO afterwards. */
  authorizationOrders: z.boolean().default(false),
  /** The order type of those authorization POs. */
  authorizationOrderType: orderTypeKey.optional(),
  weeklyAuthorizationJob: z
    .strictObject({
      cron: z.string().regex(CRON, 'Expected a five-field cron expression'),
      appliesTo: z.enum(['pre_bundled']),
    })
    .optional(),
});

const vendorProfileObject = z.strictObject({
  slug: z.string().regex(SLUG, 'Expected a lowercase kebab-case slug such as "northwind"'),
  name: text,
  description: z.string().optional(),
  /** Default currency of price lists and quotes. */
  currency: currencyCode,
  orderNumberPrefix: z.string().min(1).max(12),
  salesOrderNumberPrefix: z.string().min(1).max(12),
  /** Product types this vendor sells. */
  productTypes: z
    .array(z.enum(PRODUCT_TYPES))
    .min(1)
    .default([...PRODUCT_TYPES]),
  attributes: z.array(attributeSchema).default([]),
  orderTypes: z.array(orderTypeSchema).min(1),
  quotePolicy: quotePolicySchema.prefault({}),
  pricing: pricingSchema.prefault({}),
  subscriptions: subscriptionsSchema.prefault({}),
  specialTerms: specialTermsSchema.optional(),
  termsAndConditions: termsAndConditionsSchema.optional(),
  channels: z
    .array(channelSchema)
    .min(1)
    .prefault([{ kind: 'api' }]),
  workflow: orderWorkflowSchema.prefault({}),
  sla: slaPolicySchema.prefault({}),
  notifications: z.array(notificationSchema).default([]),
  /** How the vendor's mail reads in the partner's client: the sender's name, where replies go. */
  mail: z
    .strictObject({
      /** The display name on From (the vendor's name when absent). */
      fromName: z.string().trim().min(1).max(200).optional(),
      /**
       * The address mail is sent from (the e-mail channel's mailbox when absent, else a no-reply
       * address that cannot be answered): one the vendor's domain may send from (SPF, DMARC).
       */
      from: z.email().optional(),
      /** Reply-To (the sending mailbox when absent), e.g. the ordering team's shared mailbox. */
      replyTo: z.email().optional(),
    })
    .optional(),
  escalation: z.strictObject({ contacts: z.array(contactRefSchema).min(1) }).optional(),
  invoiceRequests: z.strictObject({ email: z.email(), notes: z.string().optional() }).optional(),
  invoicing: invoicingSchema.prefault({}),
  returns: returnsSchema.optional(),
  licensing: licensingSchema.optional(),
  /** Help text per order field path, shown next to the field (soft rules and advice). */
  fieldHelp: z.record(z.string(), z.string()).default({}),
});
type ProfileShape = z.output<typeof vendorProfileObject>;
type Path = (string | number)[];

/** The placeholders used in a special-terms template, and any unbalanced braces. */
export function templatePlaceholders(template: string): { names: string[]; unbalanced: boolean } {
  const names = [...template.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '');
  const rest = template.replace(PLACEHOLDER, '');
  return { names, unbalanced: rest.includes('{{') || rest.includes('}}') };
}

const unknownLineField = (path: string): string =>
  `Unknown line field "${path}": expected one of ${LINE_FIELD_PATHS.join(', ')}, or attributes.<key> of a declared line attribute`;

// The known fields sharing the unknown path's first segment, or the first segments themselves.
function knownFieldsLike(path: string, orderAttributes: ReadonlySet<string>): string {
  const root = path.split('.')[0] ?? '';
  const known = [...ORDER_FIELD_PATHS, ...[...orderAttributes].map((key) => `attributes.${key}`)];
  const siblings = known.filter((field) => field.split('.')[0] === root);
  if (siblings.length > 0) return `known under "${root}": ${siblings.join(', ')}`;
  const roots = [...new Set(ORDER_FIELD_PATHS.map((field) => field.split('.')[0]))];
  return `known fields start with ${roots.join(', ')}, or attributes.<key> of a declared attribute`;
}

function checkProfile(profile: ProfileShape, ctx: z.RefinementCtx): void {
  const issue = (path: Path, message: string): void => {
    ctx.addIssue({ code: 'custom', path, message });
  };
  const duplicates = <T>(
    items: readonly T[],
    keyOf: (item: T) => string,
    path: (i: number) => Path,
    what: string,
  ): void => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const key = keyOf(item);
      if (seen.has(key)) issue(path(index), `Duplicate ${what} "${key}"`);
      seen.add(key);
    });
  };

  duplicates(
    profile.orderTypes,
    (t) => t.key,
    (i) => ['orderTypes', i, 'key'],
    'order type',
  );
  duplicates(
    profile.attributes,
    (a) => a.key,
    (i) => ['attributes', i, 'key'],
    'attribute',
  );
  const typeKeys = new Set(profile.orderTypes.map((type) => type.key));
  const orderAttributes = new Set(
    profile.attributes.filter((a) => a.scope === 'order').map((a) => a.key),
  );
  const lineAttributes = new Set(
    profile.attributes.filter((a) => a.scope === 'line').map((a) => a.key),
  );
  const productTypes = new Set(profile.productTypes);
  const listLineAttributes = new Set(
    profile.attributes.filter((a) => a.scope === 'line' && a.type === 'list').map((a) => a.key),
  );
  profile.attributes.forEach((attribute, a) => {
    if (attribute.items !== undefined && attribute.type !== 'list') {
      issue(['attributes', a, 'items'], 'Only a list attribute has items');
    }
  });

  const checkOrderPaths = (paths: readonly string[], at: Path): void => {
    paths.forEach((path, index) => {
      if (!isKnownOrderFieldPath(path, orderAttributes)) {
        issue(
          [...at, index],
          `Unknown order field "${path}"; ${knownFieldsLike(path, orderAttributes)}`,
        );
      }
    });
  };
  const checkTypeKeys = (keys: readonly string[] | undefined, at: Path): void => {
    keys?.forEach((key, index) => {
      if (!typeKeys.has(key)) {
        issue([...at, index], `Unknown order type "${key}"; declared: ${[...typeKeys].join(', ')}`);
      }
    });
  };
  const checkProductTypes = (types: readonly ProductType[] | undefined, at: Path): void => {
    types?.forEach((type, index) => {
      if (!productTypes.has(type)) {
        issue([...at, index], `Product type "${type}" is not among this vendor's productTypes`);
      }
    });
  };
  const appliesTo = (orderTypes: readonly string[] | undefined, key: string): boolean =>
    orderTypes === undefined || orderTypes.includes(key);

  profile.orderTypes.forEach((type, t) => {
    const at: Path = ['orderTypes', t];
    checkOrderPaths(type.requiredFields, [...at, 'requiredFields']);
    checkOrderPaths(type.optionalFields, [...at, 'optionalFields']);
    type.lineRequiredFields.forEach((path, index) => {
      if (!isKnownLineFieldPath(path, lineAttributes)) {
        issue([...at, 'lineRequiredFields', index], unknownLineField(path));
      }
    });
    type.perUnitLineFields.forEach((path, index) => {
      const key = path.startsWith('attributes.') ? path.slice('attributes.'.length) : undefined;
      if (key === undefined || !listLineAttributes.has(key)) {
        issue(
          [...at, 'perUnitLineFields', index],
          `"${path}" must be attributes.<key> of a line attribute of type list`,
        );
      }
    });
    for (const [productType, paths] of Object.entries(type.lineRequiredFieldsByProductType)) {
      const at2: Path = [...at, 'lineRequiredFieldsByProductType', productType];
      if (!productTypes.has(productType as ProductType)) {
        issue(at2, `Product type "${productType}" is not among this vendor's productTypes`);
      }
      paths?.forEach((path, index) => {
        if (!isKnownLineFieldPath(path, lineAttributes)) {
          issue([...at2, index], unknownLineField(path));
        }
      });
    }
    type.conditions.forEach((condition, c) => {
      checkOrderPaths(condition.require, [...at, 'conditions', c, 'require']);
      const { lineProductType, fieldPresent } = condition.when;
      if (lineProductType !== undefined && !productTypes.has(lineProductType)) {
        issue(
          [...at, 'conditions', c, 'when', 'lineProductType'],
          `Product type "${lineProductType}" is not among this vendor's productTypes`,
        );
      }
      if (fieldPresent !== undefined && !isKnownOrderFieldPath(fieldPresent, orderAttributes)) {
        issue(
          [...at, 'conditions', c, 'when', 'fieldPresent'],
          `Unknown order field "${fieldPresent}"`,
        );
      }
    });
    checkProductTypes(type.allowedProductTypes, [...at, 'allowedProductTypes']);
    if (type.quoteExemption !== undefined && type.quote !== 'required') {
      issue(
        [...at, 'quoteExemption'],
        'A quote exemption only makes sense when the quote is required',
      );
    }
    if (type.quoteExemption === 'unchanged_subscription' && type.subscription?.effect !== 'renew') {
      issue(
        [...at, 'quoteExemption'],
        'An unchanged-subscription exemption needs subscription: { effect: renew }',
      );
    }
    const subscription = type.subscription;
    if (subscription !== undefined) {
      const sat: Path = [...at, 'subscription'];
      if (
        subscription.termMonths !== undefined &&
        subscription.effect !== 'create' &&
        subscription.effect !== 'renew'
      ) {
        issue(
          [...sat, 'termMonths'],
          `A term only applies when the order creates or renews a subscription (effect is ${subscription.effect})`,
        );
      }
      if (subscription.idField !== undefined) {
        if (subscription.effect === 'create') {
          issue([...sat, 'idField'], 'An order that creates a subscription names none');
        } else if (!isKnownOrderFieldPath(subscription.idField, orderAttributes)) {
          issue(
            [...sat, 'idField'],
            `Unknown order field "${subscription.idField}"; ${knownFieldsLike(subscription.idField, orderAttributes)}`,
          );
        }
      }
      const subscriptionTypes = profile.subscriptions.productTypes;
      if (
        type.allowedProductTypes !== undefined &&
        !type.allowedProductTypes.some((t) => subscriptionTypes.includes(t))
      ) {
        issue(
          [...sat, 'effect'],
          `None of its allowed product types (${type.allowedProductTypes.join(', ')}) is a subscription product type (${subscriptionTypes.join(', ')})`,
        );
      }
    }
    if (type.specialTermsRequired && profile.specialTerms === undefined) {
      issue(
        [...at, 'specialTermsRequired'],
        'Special terms are required but the profile has no specialTerms block',
      );
    }
    if (
      type.requiredPhrases.some((p) => p.path.startsWith('purchaseOrder')) &&
      !type.purchaseOrderRequired
    ) {
      issue([...at, 'requiredPhrases'], 'Phrases on the PO need purchaseOrderRequired: true');
    }

    const welcome = profile.notifications.some(
      (n) => n.template === WELCOME_EMAIL_TEMPLATE && appliesTo(n.orderTypes, type.key),
    );
    if (type.welcomeEmail !== 'never' && !welcome) {
      issue(
        [...at, 'welcomeEmail'],
        `No notification with template "${WELCOME_EMAIL_TEMPLATE}" applies to order type "${type.key}"`,
      );
    }
    const confirmation = type.completionConfirmation;
    const expectedWelcome: Partial<Record<CompletionConfirmation, WelcomeEmailPolicy>> = {
      welcome_email: 'always',
      welcome_email_else_invoice: 'optional',
    };
    const needed = expectedWelcome[confirmation];
    if (needed !== undefined && type.welcomeEmail !== needed) {
      issue(
        [...at, 'completionConfirmation'],
        `"${confirmation}" needs welcomeEmail: ${needed} (it is ${type.welcomeEmail})`,
      );
    }
  });

  if (profile.specialTerms !== undefined) {
    const { names, unbalanced } = templatePlaceholders(profile.specialTerms.template);
    const path: Path = ['specialTerms', 'template'];
    for (const name of names) {
      if (!(SPECIAL_TERMS_PLACEHOLDERS as readonly string[]).includes(name)) {
        issue(
          path,
          `Unknown placeholder {{${name}}}; known: ${SPECIAL_TERMS_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
        );
      }
    }
    if (unbalanced) issue(path, 'Unbalanced {{ or }} in the template');
    const sample = DateTime.fromISO('2024-03-05', { zone: 'UTC' }).toFormat(
      profile.specialTerms.dateFormat,
    );
    if (!sample.includes('24')) {
      issue(
        ['specialTerms', 'dateFormat'],
        `Date format "${profile.specialTerms.dateFormat}" does not print a year`,
      );
    }
  }

  checkProductTypes(profile.subscriptions.productTypes, ['subscriptions', 'productTypes']);
  const renewalQuoteType = profile.subscriptions.renewalQuoteOrderType;
  if (renewalQuoteType !== undefined) {
    const type = profile.orderTypes.find((t) => t.key === renewalQuoteType);
    const path: Path = ['subscriptions', 'renewalQuoteOrderType'];
    if (type === undefined) {
      issue(
        path,
        `Unknown order type "${renewalQuoteType}"; declared: ${[...typeKeys].join(', ')}`,
      );
    } else if (type.subscription?.effect !== 'renew') {
      issue(path, `Order type "${renewalQuoteType}" does not renew a subscription`);
    } else if (type.quote === 'not_applicable') {
      issue(path, `Order type "${renewalQuoteType}" takes no quote`);
    }
  }

  if (profile.termsAndConditions !== undefined) {
    checkTypeKeys(profile.termsAndConditions.requiredFor, ['termsAndConditions', 'requiredFor']);
  }

  profile.channels.forEach((channel, c) => {
    checkTypeKeys(channel.orderTypes, ['channels', c, 'orderTypes']);
    if (channel.wizard !== undefined && channel.kind !== 'web_wizard') {
      issue(['channels', c, 'wizard'], 'Only a web_wizard channel has wizard steps');
    }
    channel.wizard?.steps.forEach((step, s) => {
      checkOrderPaths(step.fields, ['channels', c, 'wizard', 'steps', s, 'fields']);
    });
    if (
      (channel.kind === 'email' || channel.kind === 'excel_template') &&
      channel.address !== undefined
    ) {
      if (!z.email().safeParse(channel.address).success) {
        issue(['channels', c, 'address'], 'Expected an email address');
      }
    }
  });

  profile.notifications.forEach((notification, n) => {
    checkTypeKeys(notification.orderTypes, ['notifications', n, 'orderTypes']);
    const recipients = [...notification.to, ...notification.cc];
    if (recipients.includes('escalation') && profile.escalation === undefined) {
      issue(['notifications', n, 'to'], 'Recipient "escalation" needs an escalation block');
    }
  });

  if (profile.licensing?.authorizationOrderType !== undefined) {
    const key = profile.licensing.authorizationOrderType;
    if (!typeKeys.has(key)) {
      issue(['licensing', 'authorizationOrderType'], `Unknown order type "${key}"`);
    }
  }
  if (
    profile.licensing?.authorizationOrderType !== undefined &&
    !profile.licensing.authorizationOrders
  ) {
    issue(
      ['licensing', 'authorizationOrders'],
      'An authorization order type is set but authorizationOrders is false',
    );
  }
  checkProductTypes(profile.returns?.nonRefundableProductTypes, [
    'returns',
    'nonRefundableProductTypes',
  ]);

  Object.keys(profile.fieldHelp).forEach((path) => {
    if (!isKnownOrderFieldPath(path, orderAttributes)) {
      issue(['fieldHelp', path], `Unknown order field "${path}"`);
    }
  });
}

/**
 * The shape of a parsed profile (every default filled in, the workflow resolved), for
 * documents that show one — the OpenAPI document of `GET /vendors/{slug}/profile`. Parse
 * with `vendorProfileSchema`, never with this.
 */
export const vendorProfileViewSchema = vendorProfileObject
  .extend({ workflow: orderWorkflowViewSchema })
  .meta({ id: 'VendorProfile' });

/** Schema of a vendor profile (YAML/JSON), with cross-field checks and defaults. */
export const vendorProfileSchema = vendorProfileObject.superRefine(checkProfile);

/** A parsed vendor profile, defaults applied. */
export type VendorProfile = z.output<typeof vendorProfileSchema>;
/** A vendor profile as written (defaults optional). */
export type VendorProfileInput = z.input<typeof vendorProfileSchema>;
export type OrderTypeConfig = VendorProfile['orderTypes'][number];
export type AttributeConfig = VendorProfile['attributes'][number];
export type ChannelConfig = VendorProfile['channels'][number];
export type NotificationRule = VendorProfile['notifications'][number];
export type SpecialTermsConfig = NonNullable<VendorProfile['specialTerms']>;
export type QuotePolicy = VendorProfile['quotePolicy'];
export type InvoicingPolicy = VendorProfile['invoicing'];
export type ReturnsPolicy = NonNullable<VendorProfile['returns']>;
export type LicensingPolicy = NonNullable<VendorProfile['licensing']>;
export type OrderCondition = OrderTypeConfig['conditions'][number];
export type OrderTypeSubscription = NonNullable<OrderTypeConfig['subscription']>;
export type SubscriptionsPolicy = VendorProfile['subscriptions'];
