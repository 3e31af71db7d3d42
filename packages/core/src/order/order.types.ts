// The order submission of API.md ("Orders") and what the validation engine needs to judge it.
import { z } from 'zod';
import { isCurrencyCode } from '../money/currency.ts';
import type { Problem } from '../problems/index.ts';
import type { ProductType, VendorProfile } from '../profile/profile.schema.ts';

/** A decimal money string as the API writes amounts: "1234.50", "-3", "0.5". */
export const decimalString = z
  .string({
    // A JSON number is not exact money (0.1 + 0.2 is not 0.3): amounts travel as strings.
    error: (issue) =>
      typeof issue.input === 'number'
        ? `Money is a decimal string like "1234.50", not a JSON number`
        : undefined,
  })
  .regex(/^-?\d{1,15}(\.\d{1,6})?$/, 'A decimal amount like "1234.50", without spaces');

/**
 * An ISO 8601 calendar date, "2026-12-04". A date-time with an offset ("2026-12-04T09:30:00Z",
 * as JavaScript's `toISOString()` writes it) is taken as the date it names as written: API.md
 * says only "Dates are ISO 8601", so a client sending either is understood.
 */
export const calendarDate = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    error: 'An ISO date such as 2026-12-04 (a date-time is taken as its date)',
  })
  .overwrite((v) => v.slice(0, 10));

/** A calendar date within sane bounds: a PO dated 9999-12-31 is a typo, not an order. */
const isoDate = calendarDate.refine(
  (d) => d >= '2000-01-01' && d <= '2099-12-31',
  'A date between 2000-01-01 and 2099-12-31',
);
// A `list` attribute (e.g. one attendee per seat) is an array of strings.
const attributeValue = z.union([
  z.string().max(2000),
  z.number(),
  z.boolean(),
  z.array(z.string().max(2000)).max(10_000),
]);
const attributes = z.record(z.string().min(1).max(100), attributeValue);

export const orderLineInputSchema = z.strictObject({
  partNumber: z.string().trim().min(1).max(100),
  quantity: z.number().int().min(1).max(10_000_000),
  unitPrice: decimalString,
  attributes: attributes.optional(),
});

// Which of a contact's fields an order must carry is the profile's to say (requiredFields, e.g. skyline's
// `change` asks only the e-mail addresses): the schema checks the form of what is given.
const person = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    email: z.email().optional(),
  })
  .refine((p) => p.name !== undefined || p.email !== undefined, {
    message: 'A contact needs a name or an e-mail address',
  });

/** The fields of a postal address (orders' shipping address, customers' addresses). */
export const postalAddressFields = {
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().max(200).optional(),
  city: z.string().trim().min(1).max(100),
  region: z.string().trim().max(100).optional(),
  postalCode: z.string().trim().min(1).max(20),
  country: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 country code, e.g. US'),
};

export const orderSubmissionSchema = z.strictObject({
  vendor: z.string().trim().min(1).max(100),
  type: z.string().trim().min(1).max(100),
  customerId: z.string().trim().min(1).max(100),
  quoteId: z.string().trim().min(1).max(100).optional(),
  channel: z.enum(['api', 'web_wizard', 'email', 'excel_template', 'licensing_server']).optional(),
  purchaseOrder: z
    .strictObject({
      number: z.string().trim().min(1).max(100),
      // Optional here: whether an order type needs it is the profile's to say (requiredFields;
      // seed 002's License Authorization Order lists it as optional), and a missing one is then
      // a `required` problem among the others, not a 400 that hides them.
      date: isoDate.optional(),
      currency: z
        .string()
        .trim()
        .toUpperCase()
        .regex(/^[A-Z]{3}$/, 'ISO 4217 currency code')
        .refine(isCurrencyCode, 'Not an ISO 4217 currency code'),
      total: decimalString,
      specialTerms: z.string().max(20_000).optional(),
      notes: z.string().max(20_000).optional(),
    })
    .optional(),
  lines: z.array(orderLineInputSchema).min(1, 'An order needs at least one line').max(20_000),
  contacts: z
    .strictObject({
      siteAdmin: person.optional(),
      provisioningCc: z.email().optional(),
      invoicing: person.optional(),
    })
    .optional(),
  tier2Reseller: z
    .strictObject({
      name: z.string().trim().min(1).max(200),
      email: z.email(),
      phone: z.string().trim().min(3).max(40).optional(),
    })
    .optional(),
  shippingAddress: z
    .strictObject({
      ...postalAddressFields,
      name: z.string().trim().min(1).max(200),
      taxId: z.string().trim().min(2).max(50).optional(),
      confirmed: z.boolean(),
    })
    .optional(),
  attributes: attributes.optional(),
  licenseIds: z.array(z.string().trim().min(1).max(200)).max(10_000).optional(),
  termsAccepted: z.strictObject({ version: z.string().trim().min(1).max(50) }).optional(),
});

export type OrderSubmission = z.infer<typeof orderSubmissionSchema>;
export type OrderLineInput = z.infer<typeof orderLineInputSchema>;

/** What the catalog knows about a part number on the PO date (price list in force). */
export interface CatalogEntry {
  partNumber: string;
  productId: string;
  name: string;
  type: ProductType;
  /** Category id, and its ancestors nearest first (for per-category multipliers). */
  categoryId: string | null;
  categoryAncestorIds?: readonly string[];
  active: boolean;
  /**
   * Whether the product is shipped (a device, a kit with hardware): orders with such lines
   * need a confirmed shipping address. Devices ship when absent.
   */
  ships?: boolean;
  /** List price in minor units of `currency`, from the price list in force; null if unpriced. */
  listPriceMinor: number | null;
  currency: string;
  priceListId: string | null;
}

/** A multiplier rule of the partnership (default when `categoryId` is null). */
export interface MultiplierRule {
  categoryId: string | null;
  multiplier: string;
  effectiveFrom: string;
  effectiveTo?: string | null;
}

export interface QuoteForValidation {
  id: string;
  /** The quote number and revision, to name it in messages. */
  number?: string;
  revision?: number;
  status: string;
  validUntil: string;
  currency: string;
  customerId: string;
  orderType: string;
  lines: readonly { partNumber: string; quantity: number; netPriceMinor: number }[];
  /** For a superseded quote: the revision that replaced it. */
  supersededBy?: { number: string; revision: number } | null;
}

export interface SubscriptionForValidation {
  id: string;
  /** The status of the subscription (active, expired, cancelled); active when absent. */
  status?: string;
  /** The currency of its prices; the order's when absent. */
  currency?: string | null;
  /**
   * Its lines; `unitPriceMinor` is the price each was sold at (an unchanged renewal keeps it;
   * without it the price list's net price is expected).
   */
  lines: readonly { partNumber: string; quantity: number; unitPriceMinor?: number | null }[];
}

/**
 * Everything the pure validation engine needs, gathered by the server in a few queries.
 * `today` and the PO date come in as data: the engine reads no clock.
 */
export interface OrderValidationContext {
  profile: VendorProfile;
  partnership: {
    legalName: string;
    agreementDate: string;
    /** Default multiplier of the partnership. */
    multiplier: string;
    multipliers: readonly MultiplierRule[];
  };
  /**
   * The tier of the partner that placed the order (2 = a reseller under a distributor): the
   * partner whose user submitted it, kept when someone else resubmits. A distributor ordering
   * for a customer of one of its tier-2 resellers is tier 1 here; `customerPartnerTier` says
   * the deal is the tier-2's.
   */
  orderingPartnerTier: 1 | 2;
  /**
   * The tier of the partner the customer belongs to: 2 when it is a tier-2 reseller's customer,
   * whoever orders for it (the distributor's PO for its reseller's deal). Absent when not known
   * (an unknown customer): then only `orderingPartnerTier` counts. A profile condition
   * `partnerTier: 2` holds when either tier is 2 (`orderPartnerTier`).
   */
  customerPartnerTier?: 1 | 2;
  /** Catalog entries by part number, for every part number on the order (missing = unknown). */
  catalog: ReadonlyMap<string, CatalogEntry>;
  /** The quote named by `quoteId`, if it exists, belongs to this partnership and was issued. */
  quote: QuoteForValidation | null;
  /**
   * When `quote` is null but `quoteId` names a quote of this partnership that was never issued
   * (a draft, or a draft revised before approval): its status. Its content is not the
   * partner's to see, so only "not approved" is said of it.
   */
  unissuedQuoteStatus?: string | null;
  /**
   * The subscription the order acts on: when the order type names one (its
   * `subscription.idField`, e.g. `attributes.subscriptionId`), the customer's subscription
   * with that id, or null if there is none; otherwise the customer's current subscription
   * with this vendor (renewals, auto-renewals, upsells), or null.
   */
  currentSubscription: SubscriptionForValidation | null;
  /** Whether another live order of this partnership already carries the PO number. */
  duplicatePoNumber: boolean;
  /**
   * Whether `customerId` names a customer of the ordering partner; false: it is `invalid`, and
   * what depends on the customer (the quote's customer, the subscription) is not checked, the
   * rest is. True when absent.
   */
  customerKnown?: boolean;
  /** Which of `licenseIds` are known licenses of this partnership. */
  knownLicenseIds: ReadonlySet<string>;
  /** Today in the vendor's time zone, ISO date. */
  today: string;
  /**
   * The body of the email the order came with (email intake), where the profile may accept
   * the special-terms clause and ask for required phrases (`email_body`); absent otherwise.
   */
  emailBody?: string;
}

export interface PricedLine {
  partNumber: string;
  quantity: number;
  listPrice: string | null;
  multiplier: string | null;
  expectedNetPrice: string | null;
  unitPrice: string;
  amount: string;
  /** Minor-unit forms for storage. */
  listPriceMinor: number | null;
  expectedNetMinor: number | null;
  unitPriceMinor: number | null;
  amountMinor: number | null;
}

export interface OrderValidationResult {
  valid: boolean;
  /** Every problem found, errors and warnings, in the order of the body's fields. */
  problems: Problem[];
  pricing: {
    currency: string;
    lines: PricedLine[];
    /** Sum of the lines as written on the PO (unit price × quantity). */
    total: string;
    /** Sum at the expected net prices, when every line is priced. */
    expectedTotal: string | null;
  };
}
