import { cachedProfileVersion, profileOfVendor } from '../vendors/profile-cache.ts';
import { supersedingRevision } from '../quotes/quote-view.ts';
import { currentSubscriptionOf, subscriptionForOrder, subscriptionIdOf } from './order-effects.ts';
import {
  batchedReads,
  batchesReads,
  findCustomerWithContacts,
  findKnownLicenseKeys,
  findMultipliers,
  findOrderParties,
  findPricesInForce,
  findQuoteWithLinesInScope,
  listContacts,
  poNumberInUse,
  readVersions,
  VersionedRead,
  type Executor,
  type Stamps,
  type CustomerContact,
  type Partnership,
  type PriceInForce,
  type Quote,
  type QuoteLine,
  type Vendor,
} from '@orderdesk/store';
import {
  type CatalogEntry,
  type OrderSubmission,
  type OrderValidationContext,
  type ProductType,
  type VendorProfile,
} from '@orderdesk/core';
import type { Actor } from '../auth/actor.ts';
import { unprocessable } from '../shared/errors.ts';
import { contractingPartnerId, visibleVendorIds } from '../vendors/vendor-scope.ts';
import { todayIn } from '../shared/time.ts';

// The reference rows of a submission — who the order is between, the customer, the prices,
// the multipliers — kept by this process while their tables are unchanged (read-versions.ts:
// one statement checks them all; on PostgreSQL it goes with the reads that do run).
const orderParties = new VersionedRead(['vendors', 'partnerships', 'partners'], findOrderParties);
const customersWithContacts = new VersionedRead(
  ['customers', 'customer_contacts', 'partners'],
  (db, a: { id: string; partnerIds: readonly string[] }) =>
    findCustomerWithContacts(db, a.id, a.partnerIds),
);
const pricesInForce = new VersionedRead(
  ['products', 'categories', 'price_lists', 'price_list_items'],
  findPricesInForce,
);
const partnershipMultipliers = new VersionedRead(
  ['partnership_multipliers', 'categories'],
  (db, a: { partnershipId: string; on: string }) => findMultipliers(db, a.partnershipId, a.on),
);

export interface OrderParties {
  vendor: Vendor;
  profile: VendorProfile;
  partnership: Partnership;
  orderingPartnerId: string;
  orderingPartnerTier: 1 | 2;
  /**
   * The tier of the partner the customer belongs to (read with the customer): 2 for a tier-2
   * reseller's customer, whoever orders for it; absent when the customer is unknown.
   */
  customerPartnerTier?: 1 | 2;
  /** The partners whose customers the caller can see (itself and, for a distributor, its tier-2s). */
  customerScopeIds: readonly string[];
  /** The customer the parties were resolved for, and its stored contacts (read with it). */
  customerId: string;
  customerContacts: readonly CustomerContact[];
  /**
   * Whether that customer is one the caller may order for. When not, the order is still
   * checked (every problem at once) with `customerId` invalid, and nothing of the unknown
   * customer is read.
   */
  customerKnown: boolean;
}

/**
 * Resolves who the order is between: the vendor (visible to the caller), the partnership it
 * falls under (a tier-2 reseller's distributor's) and the customer (the caller's own).
 * An unknown or foreign vendor is a 422 (without the profile nothing can be checked), with the
 * customer's problem too; an unknown or foreign customer alone is `customerKnown: false`, and
 * the validation reports it among the order's other problems. Neither reveals other tenants.
 */
async function resolveParties(
  db: Executor,
  actor: Actor & { partnerId: string },
  input: { vendor: string; customerId: string },
  /** The partner that placed the order, when someone else (its distributor) acts on it. */
  orderingPartnerId: string,
  versions: Stamps,
): Promise<OrderParties> {
  const contracting = contractingPartnerId(actor);
  // The vendor, the partnership and the ordering partner's tier in one query. A partner sees
  // the vendors it has a partnership with: finding that partnership tells as much.
  // With the customer (and its contacts): on PostgreSQL one round trip (batchedReads).
  const reads = await batchedReads(db);
  const [found, withContacts] = await Promise.all([
    orderParties.get(reads, versions, {
      vendorSlug: input.vendor,
      contractingPartnerId: contracting,
      orderingPartnerId,
    }),
    customersWithContacts.get(reads, versions, {
      id: input.customerId,
      partnerIds: actor.partnerScopeIds,
    }),
  ]);
  const vendor = found?.vendor;
  const visible = !vendor
    ? false
    : actor.side === 'partner'
      ? true
      : (await visibleVendorIds(db, actor)).includes(vendor.id);
  const partnership = vendor && visible && contracting ? found?.partnership : undefined;
  const customer = withContacts?.customer;
  const errors = [];
  if (!vendor || !partnership) {
    errors.push({
      path: 'vendor',
      code: 'invalid',
      message: `No partnership with vendor "${input.vendor}"`,
    });
  }
  if (!vendor || !partnership || errors.length > 0) {
    if (!customer)
      errors.push({ path: 'customerId', code: 'invalid', message: 'No such customer of yours' });
    throw unprocessable('The order names an unknown vendor or customer', errors);
  }
  return {
    vendor,
    profile: await profileOfVendor(db, vendor),
    partnership,
    orderingPartnerId,
    customerScopeIds: actor.partnerScopeIds,
    orderingPartnerTier: found?.orderingPartnerTier === 2 ? 2 : 1,
    ...(customer ? { customerPartnerTier: withContacts?.partnerTier === 2 ? 2 : 1 } : {}),
    customerId: customer?.id ?? input.customerId,
    customerContacts: customer ? (withContacts?.contacts ?? []) : [],
    customerKnown: customer !== undefined,
  };
}

/**
 * The submission with the contacts the desk already knows filled in where the partner left
 * them out: the customer's stored site admin and billing contacts, and the partnership's
 * provisioning CC (seed 000: "We require 1 email address to copy on the provisioning email").
 * What the partner wrote always wins.
 */
async function withContactDefaults(
  db: Executor,
  submission: OrderSubmission,
  parties: OrderParties,
): Promise<OrderSubmission> {
  const given = submission.contacts ?? {};
  const stored =
    parties.customerId === submission.customerId || !parties.customerKnown
      ? parties.customerContacts
      : await listContacts(db, submission.customerId);
  const withRole = (role: string) =>
    stored.find((c) => (JSON.parse(c.roles) as string[]).includes(role));
  const siteAdmin = withRole('site_admin');
  const billing = withRole('billing');
  const cc = parties.partnership.provisioning_cc;
  const contacts = {
    ...given,
    ...(!given.siteAdmin && siteAdmin
      ? { siteAdmin: { name: siteAdmin.name, email: siteAdmin.email } }
      : {}),
    ...(!given.invoicing && billing
      ? { invoicing: { name: billing.name, email: billing.email } }
      : {}),
    ...(!given.provisioningCc && cc ? { provisioningCc: cc } : {}),
  };
  return Object.keys(contacts).length > 0 ? { ...submission, contacts } : submission;
}

/** The body of the mail an order came with (on-behalf submissions from e-mail intake). */
function emailBodyOf(submission: OrderSubmission): string | undefined {
  const text = (submission as OrderSubmission & { emailBody?: unknown }).emailBody;
  return typeof text === 'string' ? text : undefined;
}

export interface ContextOptions {
  now: Date;
  /** The order being corrected, whose own PO number is no duplicate. */
  excludeOrderId?: string;
}

/**
 * The validation context, with the quote row it was built from (a submission consumes that
 * quote without reading it again).
 */
export interface LoadedContext {
  context: OrderValidationContext;
  quote: Quote | undefined;
}

/** What the context's reads take from the parties: ids and the profile (by its version). */
interface ReadKeys {
  vendorId: string;
  profileVersion: number;
  profile: VendorProfile;
  partnershipId: string;
  /** The partnership's partner (the contracting one): whose quotes and PO numbers. */
  partnerId: string;
}

function readKeysOf(parties: OrderParties): ReadKeys {
  return {
    vendorId: parties.vendor.id,
    profileVersion: parties.vendor.profile_version,
    profile: parties.profile,
    partnershipId: parties.partnership.id,
    partnerId: parties.partnership.partner_id,
  };
}

/** Whether reads made for `a` are the reads `b` would make. */
function sameReadKeys(a: ReadKeys, b: ReadKeys): boolean {
  return (
    a.vendorId === b.vendorId &&
    a.profileVersion === b.profileVersion &&
    a.partnershipId === b.partnershipId &&
    a.partnerId === b.partnerId
  );
}

/** The rows the validation context is built from. */
interface ContextReads {
  today: string;
  prices: PriceInForce[];
  multipliers: Awaited<ReturnType<typeof findMultipliers>>;
  quote: Quote | undefined;
  quoteLines: QuoteLine[];
  /** The status of the quote named when it is this partnership's but was never issued. */
  unissuedQuoteStatus: string | null;
  subscription: Awaited<ReturnType<typeof subscriptionForOrder>>;
  duplicate: boolean;
  licenses: Set<string>;
}

/** The context's independent reads, together: on PostgreSQL one round trip (batchedReads). */
async function readContext(
  db: Executor,
  keys: ReadKeys,
  customerScopeIds: readonly string[],
  submission: OrderSubmission,
  options: ContextOptions,
  versions: Stamps,
  customerKnown = true,
): Promise<ContextReads> {
  const { vendorId, profile, partnershipId, partnerId } = keys;
  const today = todayIn(profile.sla.calendar.timeZone, options.now);
  const priceDate = submission.purchaseOrder?.date ?? today;
  // A part number, PO number or currency the schema refused is emptied (readSubmissionBody):
  // nothing is looked up for it.
  const partNumbers = [...new Set(submission.lines.map((l) => l.partNumber))].filter(
    (p) => p !== '',
  );
  const currency = submission.purchaseOrder?.currency || profile.currency;

  const reads = await batchedReads(db);
  const [prices, multipliers, quoted, subscription, duplicate, licenses] = await Promise.all([
    pricesInForce.get(reads, versions, { vendorId, currency, partNumbers, on: priceDate }),
    partnershipMultipliers.get(reads, versions, { partnershipId, on: priceDate }),
    submission.quoteId
      ? findQuoteWithLinesInScope(reads, submission.quoteId, {
          partnerIds: [partnerId],
          customerPartnerIds: customerScopeIds,
          issuedOnly: true,
        })
      : Promise.resolve(undefined),
    // Nothing of a customer the caller may not order for is read.
    customerKnown
      ? subscriptionForOrder(
          reads,
          {
            vendorId,
            customerId: submission.customerId,
            orderType: submission.type,
            body: submission,
          },
          profile,
          versions,
        )
      : Promise.resolve({ row: undefined, namedId: null }),
    submission.purchaseOrder?.number
      ? poNumberInUse(reads, {
          vendorId,
          partnerId,
          poNumber: submission.purchaseOrder.number,
          ...(options.excludeOrderId ? { excludeOrderId: options.excludeOrderId } : {}),
        })
      : Promise.resolve(false),
    submission.licenseIds?.length
      ? findKnownLicenseKeys(reads, vendorId, partnerId, submission.licenseIds)
      : Promise.resolve(new Set<string>()),
  ]);
  // Only when the quote named was not found among the issued ones: is it a draft of this
  // partnership (quote.not_approved) or none of its quotes at all (quote.required)?
  const unissued =
    submission.quoteId && !quoted
      ? await findQuoteWithLinesInScope(db, submission.quoteId, {
          partnerIds: [partnerId],
          customerPartnerIds: customerScopeIds,
        })
      : undefined;
  return {
    today,
    prices,
    multipliers,
    quote: quoted?.quote,
    quoteLines: quoted?.lines ?? [],
    unissuedQuoteStatus: unissued?.quote.status ?? null,
    subscription,
    duplicate,
    licenses,
  };
}

/** The validation context from its rows and the parties. */
async function contextOf(
  db: Executor,
  parties: OrderParties,
  submission: OrderSubmission,
  reads: ContextReads,
): Promise<LoadedContext> {
  const { partnership } = parties;
  const { quote, quoteLines, subscription } = reads;
  const catalog = catalogOf(reads.prices);
  const superseding = quote ? await supersedingRevision(db, quote) : null;
  const context: OrderValidationContext = {
    profile: parties.profile,
    partnership: {
      legalName: partnership.legal_name,
      agreementDate: partnership.agreement_date,
      multiplier: partnership.multiplier,
      multipliers: reads.multipliers,
    },
    orderingPartnerTier: parties.orderingPartnerTier,
    ...(parties.customerPartnerTier !== undefined
      ? { customerPartnerTier: parties.customerPartnerTier }
      : {}),
    catalog,
    unissuedQuoteStatus: reads.unissuedQuoteStatus,
    quote: quote
      ? {
          id: quote.id,
          number: quote.number,
          revision: quote.revision,
          status: quote.status,
          validUntil: quote.valid_until,
          currency: quote.currency,
          customerId: quote.customer_id,
          orderType: quote.order_type,
          lines: quoteLines.map((l) => ({
            partNumber: l.part_number,
            quantity: l.quantity,
            netPriceMinor: l.net_price_minor,
          })),
          supersededBy: superseding
            ? { number: quote.number, revision: superseding.revision }
            : null,
        }
      : null,
    currentSubscription: subscription.row
      ? (() => {
          const current = currentSubscriptionOf(subscription.row);
          return { id: current.id, status: current.status, lines: current.lines };
        })()
      : null,
    duplicatePoNumber: reads.duplicate,
    customerKnown: parties.customerKnown,
    knownLicenseIds: reads.licenses,
    today: reads.today,
    ...(emailBodyOf(submission) !== undefined ? { emailBody: emailBodyOf(submission) } : {}),
  };
  return { context, quote };
}

/** The parties a process resolved last for a key (partiesKey): their ids and profile version. */
type RememberedParties = Omit<ReadKeys, 'profile'>;

/**
 * The parties this process last resolved, per vendor slug, contracting and ordering partner,
 * as the ids and profile version the context's reads take, so that those reads can go with
 * the parties' own (resolveOrderContext). Only ever used to issue reads whose rows are kept
 * when the parties read back match; at most MAX_REMEMBERED, the oldest dropped first.
 */
const lastParties = new Map<string, RememberedParties>();
const MAX_REMEMBERED = 1_000;

function partiesKey(
  actor: Actor & { partnerId: string },
  vendorSlug: string,
  orderingPartnerId: string,
): string {
  return `${vendorSlug}\u0000${contractingPartnerId(actor) ?? ''}\u0000${orderingPartnerId}`;
}

function remember(key: string, keys: ReadKeys): void {
  lastParties.delete(key);
  if (lastParties.size >= MAX_REMEMBERED) {
    lastParties.delete(lastParties.keys().next().value as string);
  }
  const { profile: _profile, ...remembered } = keys;
  lastParties.set(key, remembered);
}

/**
 * The read keys of the parties last resolved for `key`, with their profile if this process
 * still has it parsed (the profile cache); otherwise none: nothing to read ahead for.
 */
function guessFor(key: string): ReadKeys | undefined {
  const last = lastParties.get(key);
  const profile = last && cachedProfileVersion(last.vendorId, last.profileVersion);
  return last && profile ? { ...last, profile } : undefined;
}

export interface ResolvedOrder extends LoadedContext {
  parties: OrderParties;
  /** The submission with the contact defaults filled in (withContactDefaults). */
  submission: OrderSubmission;
}

/**
 * The parties of a submission, the submission with its contact defaults (the customer's
 * stored site admin and billing contacts, the partnership's provisioning CC) and the
 * validation context built for them.
 *
 * Inside a PostgreSQL transaction, where reads issued together go as one statement
 * (batchedReads), the context's reads go with the parties' own — one round trip instead of
 * two — when this process resolved the same vendor for the same partners before: they are made
 * for the parties found then, and their rows are kept only if the parties read now are the
 * same (vendor, profile version, partnership) and the contact defaults leave the subscription
 * the order names unchanged; otherwise they are read again. The answer is the same either
 * way. The reads ahead share the parties' statement, so a failure of theirs fails the request
 * as a failure of the parties' read would; and they are settled before this returns or throws.
 */
export async function resolveOrderContext(
  db: Executor,
  actor: Actor & { partnerId: string },
  submission: OrderSubmission,
  options: ContextOptions & { orderingPartnerId?: string },
): Promise<ResolvedOrder> {
  const orderingPartnerId = options.orderingPartnerId ?? actor.partnerId;
  const key = partiesKey(actor, submission.vendor, orderingPartnerId);
  const batched = batchesReads(db);
  // The stamps first, before the kept reads and with no write in between (read-versions.ts).
  // On PostgreSQL they are not awaited: held with the reads issued in this turn, they go in
  // the same statement (a rejection is reported where they are awaited).
  const versions: Stamps = batched ? readVersions(await batchedReads(db)) : await readVersions(db);
  if (versions instanceof Promise) versions.catch(() => {});
  const guess = batched ? guessFor(key) : undefined;
  const early = guess
    ? readContext(db, guess, actor.partnerScopeIds, submission, options, versions)
    : undefined;
  // Settled before any other statement of the transaction and before returning: a read of
  // theirs (license keys go in chunks) must not run after the transaction moved on. A
  // failure is reported only where its rows are used.
  const settled = early?.then(
    () => undefined,
    () => undefined,
  );
  try {
    const parties = await resolveParties(db, actor, submission, orderingPartnerId, versions);
    const keys = readKeysOf(parties);
    remember(key, keys);
    const withDefaults = await withContactDefaults(db, submission, parties);
    const hit =
      guess !== undefined &&
      parties.customerKnown &&
      sameReadKeys(guess, keys) &&
      subscriptionIdOf(keys.profile, submission.type, submission) ===
        subscriptionIdOf(keys.profile, submission.type, withDefaults);
    await settled;
    const reads = await (hit && early !== undefined
      ? early
      : readContext(
          db,
          keys,
          parties.customerScopeIds,
          withDefaults,
          options,
          versions,
          parties.customerKnown,
        ));
    return {
      parties,
      submission: withDefaults,
      ...(await contextOf(db, parties, withDefaults, reads)),
    };
  } finally {
    await settled;
  }
}

/** The validation engine's catalog map from the store's prices in force. */
export function catalogOf(prices: readonly PriceInForce[]): Map<string, CatalogEntry> {
  const catalog = new Map<string, CatalogEntry>();
  for (const p of prices) {
    catalog.set(p.partNumber, {
      partNumber: p.partNumber,
      productId: p.productId,
      name: p.name,
      type: p.type as ProductType,
      categoryId: p.categoryId,
      categoryAncestorIds: p.categoryAncestorIds,
      active: p.active,
      ships: p.ships,
      listPriceMinor: p.listPriceMinor,
      currency: p.currency,
      priceListId: p.priceListId,
    });
  }
  return catalog;
}
