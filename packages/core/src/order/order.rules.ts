// The order validation engine: one pure function, driven by the vendor profile, that returns
// every problem of a submission at once with the stable codes of API.md.
import { formatAmount, MAX_MINOR, parseAmount } from '../money/index.ts';
import { netUnitPrice, resolveMultiplier } from '../pricing/index.ts';
import type { OrderTypeConfig, VendorProfile } from '../profile/profile.schema.ts';
import { compareOrderToQuote } from '../quote/index.ts';
import type { Problem, ProblemCode } from '../problems/index.ts';
import { matchSpecialTerms } from '../special-terms/index.ts';
import type {
  CatalogEntry,
  OrderSubmission,
  OrderValidationContext,
  OrderValidationResult,
  PricedLine,
} from './order.types.ts';

type Collector = (
  path: string,
  code: ProblemCode,
  message: string,
  extra?: { expected?: string; actual?: string; severity?: 'error' | 'warning' },
) => void;

/** Reads a dotted path (`contacts.siteAdmin.email`, `attributes.microsoftDomain`) of a value. */
export function readPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

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
  values: Readonly<Record<string, string | number | boolean>> | undefined,
  base: string,
  add: Collector,
): void {
  if (!values) return;
  for (const attr of profile.attributes) {
    if (attr.scope !== scope) continue;
    const v = values[attr.key];
    if (v === undefined) continue;
    const path = `${base}attributes.${attr.key}`;
    if (attr.type === 'integer') {
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

function conditionHolds(
  when: OrderTypeConfig['conditions'][number]['when'],
  submission: OrderSubmission,
  context: OrderValidationContext,
): boolean {
  if (when.partnerTier !== undefined && when.partnerTier !== context.orderingPartnerTier)
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
  return true;
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

/**
 * Validates an order submission against the vendor's profile and the gathered context;
 * returns every problem (errors and warnings) and the pricing of each line.
 */
export function validateOrder(
  submission: OrderSubmission,
  context: OrderValidationContext,
): OrderValidationResult {
  const problems: Problem[] = [];
  const add: Collector = (path, code, message, extra = {}) => {
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
  const currency = po?.currency ?? context.quote?.currency ?? profile.currency;
  const priceDate = po?.date ?? context.today;
  const orderType = profile.orderTypes.find((t) => t.key === submission.type);
  // A currency with no price at all for these lines is a currency problem, not one per line.
  const currencyPriced =
    currency === profile.currency ||
    [...context.catalog.values()].some((c) => c.currency === currency && c.listPriceMinor !== null);

  // Order type and the fields it requires.
  if (!orderType) {
    add(
      'type',
      'order_type.unknown',
      `Unknown order type "${submission.type}" for ${profile.name}`,
      {
        expected: profile.orderTypes.map((t) => t.key).join(', '),
        actual: submission.type,
      },
    );
  } else {
    const required = new Map<string, string | undefined>();
    if (orderType.purchaseOrderRequired) required.set('purchaseOrder', undefined);
    for (const path of orderType.requiredFields) required.set(path, undefined);
    for (const condition of orderType.conditions) {
      if (!conditionHolds(condition.when, submission, context)) continue;
      for (const path of condition.require) required.set(path, condition.message);
    }
    // The terms check below says more (which version) than a bare "required".
    const termsRequired = profile.termsAndConditions?.requiredFor.includes(orderType.key) ?? false;
    if (termsRequired) {
      required.delete('termsAccepted');
      required.delete('termsAccepted.version');
    }
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
          message ?? `${path} is required for ${orderType.label} orders`,
        );
      }
    }
    if (
      required.has('shippingAddress.confirmed') === false &&
      submission.shippingAddress &&
      submission.lines.some((l) => context.catalog.get(l.partNumber)?.type === 'device') &&
      !submission.shippingAddress.confirmed
    ) {
      add(
        'shippingAddress.confirmed',
        'shipping.unconfirmed',
        'Device orders need a confirmed shipping address',
      );
    }
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
          {
            expected: phrase.phrase,
          },
        );
      }
    }
    if (termsRequired && profile.termsAndConditions) {
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
    }
  }
  checkAttributes(profile, 'order', submission.attributes, '', add);

  // Lines: catalog, per-line fields, prices.
  const priced: PricedLine[] = [];
  let totalMinor = 0;
  let expectedTotalMinor: number | null = 0;
  let totalKnown = true;
  submission.lines.forEach((line, i) => {
    const base = `lines[${i}].`;
    const entry = context.catalog.get(line.partNumber);
    if (!entry) {
      add(`${base}partNumber`, 'part_number.unknown', `Unknown part number ${line.partNumber}`, {
        actual: line.partNumber,
      });
    } else {
      if (!entry.active) {
        add(`${base}partNumber`, 'part_number.inactive', `${line.partNumber} is no longer sold`, {
          actual: line.partNumber,
        });
      }
      if (orderType?.allowedProductTypes && !orderType.allowedProductTypes.includes(entry.type)) {
        add(
          `${base}partNumber`,
          'invalid',
          `${entry.type} products cannot be ordered on ${orderType.label} orders`,
          {
            expected: orderType.allowedProductTypes.join(', '),
            actual: entry.type,
          },
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
    }
    if (orderType) {
      const fields = [
        ...orderType.lineRequiredFields,
        ...(entry ? (orderType.lineRequiredFieldsByProductType[entry.type] ?? []) : []),
      ];
      for (const field of new Set(fields)) {
        if (isMissing(readPath(line, field))) {
          add(
            `${base}${field}`,
            'required',
            `${field} is required on each ${entry?.type ?? ''} line`.replace('  ', ' '),
          );
        }
      }
    }
    checkAttributes(profile, 'line', line.attributes, base, add);

    const unit = parseAmount(line.unitPrice, currency, { allowExtraZeros: true });
    if (!unit.ok) {
      add(`${base}unitPrice`, 'invalid', `Unit price: ${unit.message}`, { actual: line.unitPrice });
    }
    const unitMinor = unit.ok ? unit.minor : null;
    let amountMinor = unitMinor === null ? null : unitMinor * line.quantity;
    if (amountMinor !== null && Math.abs(amountMinor) > MAX_MINOR) {
      add(`${base}quantity`, 'invalid', 'The line amount is too large to be exact', {
        actual: String(line.quantity),
      });
      amountMinor = null;
    }
    if (amountMinor === null) totalKnown = false;
    else totalMinor += amountMinor;

    let listPriceMinor: number | null = null;
    let multiplier: string | null = null;
    let expectedNet: number | null = null;
    if (entry && entry.listPriceMinor !== null && entry.currency === currency) {
      listPriceMinor = entry.listPriceMinor;
      multiplier = multiplierFor(entry, context.partnership, priceDate, {
        perCategory: profile.pricing.multipliersPerCategory,
      });
      expectedNet = netUnitPrice(
        entry.listPriceMinor,
        multiplier,
        currency,
        profile.pricing.rounding,
      );
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
    if (expectedNet === null) expectedTotalMinor = null;
    else if (expectedTotalMinor !== null) {
      expectedTotalMinor += expectedNet * line.quantity;
      if (Math.abs(expectedTotalMinor) > MAX_MINOR) expectedTotalMinor = null;
    }
    if (Math.abs(totalMinor) > MAX_MINOR && totalKnown) {
      add(`${base}quantity`, 'invalid', 'The order total is too large to be exact', {
        actual: String(line.quantity),
      });
      totalKnown = false;
    }
    priced.push({
      partNumber: line.partNumber,
      quantity: line.quantity,
      listPrice: listPriceMinor === null ? null : formatAmount(listPriceMinor, currency),
      multiplier,
      expectedNetPrice: expectedNet === null ? null : formatAmount(expectedNet, currency),
      unitPrice: unitMinor === null ? line.unitPrice : formatAmount(unitMinor, currency),
      amount: amountMinor === null ? '' : formatAmount(amountMinor, currency),
      listPriceMinor,
      expectedNetMinor: expectedNet,
      unitPriceMinor: unitMinor,
      amountMinor,
    });
  });

  // The purchase order: total, currency, duplicate number, special terms.
  if (po) {
    const total = parseAmount(po.total, currency, { allowExtraZeros: true });
    if (!total.ok) {
      add('purchaseOrder.total', 'invalid', `PO total: ${total.message}`, { actual: po.total });
    } else if (totalKnown && Math.abs(totalMinor) <= MAX_MINOR && total.minor !== totalMinor) {
      add('purchaseOrder.total', 'total.mismatch', 'The PO total is not the sum of its lines', {
        expected: formatAmount(totalMinor, currency),
        actual: formatAmount(total.minor, currency),
      });
    }
    if (context.duplicatePoNumber) {
      add(
        'purchaseOrder.number',
        'po.duplicate',
        `PO ${po.number} was already submitted to ${profile.name}`,
        {
          actual: po.number,
        },
      );
    }
    if (!currencyPriced) {
      add(
        'purchaseOrder.currency',
        'currency.mismatch',
        `${profile.name} sells in ${profile.currency}`,
        {
          expected: profile.currency,
          actual: po.currency,
        },
      );
    }
  }
  if (orderType?.specialTermsRequired && profile.specialTerms && po) {
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
        {
          expected: match.expected ?? '',
        },
      );
    } else if (match.status === 'mismatch') {
      add(where, 'special_terms.mismatch', match.message, {
        expected: match.expected,
        ...(match.actual !== undefined ? { actual: match.actual } : {}),
      });
    }
  }

  // The quote.
  if (orderType) checkQuote(orderType, submission, context, add);

  // Licenses named by license authorization orders.
  submission.licenseIds?.forEach((id, i) => {
    if (!context.knownLicenseIds.has(id)) {
      add(`licenseIds[${i}]`, 'license.unknown', `License ${id} is not one of yours`, {
        actual: id,
      });
    }
  });

  return {
    valid: !problems.some((p) => p.severity === 'error'),
    problems,
    pricing: {
      currency,
      lines: priced,
      total: formatAmount(totalKnown ? totalMinor : 0, currency),
      expectedTotal:
        expectedTotalMinor === null ? null : formatAmount(expectedTotalMinor, currency),
    },
  };
}

function checkQuote(
  orderType: OrderTypeConfig,
  submission: OrderSubmission,
  context: OrderValidationContext,
  add: Collector,
): void {
  if (orderType.quote === 'not_applicable' && !submission.quoteId) return;
  if (!submission.quoteId) {
    if (orderType.quote !== 'required') return;
    if (
      orderType.quoteExemption === 'unchanged_subscription' &&
      context.currentSubscription &&
      sameLines(context.currentSubscription.lines, submission.lines)
    ) {
      return; // an unchanged auto-renewal needs only the PO
    }
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
  } else if (quote.status !== 'approved') {
    add('quoteId', 'quote.not_approved', `The quote is ${quote.status}, not approved`, {
      expected: 'approved',
      actual: quote.status,
    });
  }
  if (quote.customerId !== submission.customerId) {
    add('customerId', 'quote.mismatch', 'The quote was made for another customer', {
      expected: quote.customerId,
      actual: submission.customerId,
    });
  }
  const currency = submission.purchaseOrder?.currency ?? quote.currency;
  if (quote.currency !== currency) {
    add('purchaseOrder.currency', 'currency.mismatch', `The quote is in ${quote.currency}`, {
      expected: quote.currency,
      actual: currency,
    });
    return;
  }
  // A line whose price cannot be read is already reported; compare it on part and quantity only.
  const quotePrices = new Map(quote.lines.map((l) => [l.partNumber, l.netPriceMinor]));
  const orderLines = submission.lines.map((l) => {
    const unit = parseAmount(l.unitPrice, currency, { allowExtraZeros: true });
    return {
      partNumber: l.partNumber,
      quantity: l.quantity,
      unitPriceMinor: unit.ok ? unit.minor : (quotePrices.get(l.partNumber) ?? 0),
    };
  });
  for (const p of compareOrderToQuote(quote.lines, orderLines, currency)) {
    add(p.path, p.code, p.message, {
      ...(p.expected !== undefined ? { expected: p.expected } : {}),
      ...(p.actual !== undefined ? { actual: p.actual } : {}),
    });
  }
}
