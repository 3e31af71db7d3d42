// What a completed order does to the customer's subscription, decided from the profile alone:
// the app layer knows no order-type names and no term length. Dates are ISO days; a term runs
// from `startsOn` up to `endsOn`, the day the next term starts.
import { addMonths, laterDate } from '../dates/iso-date.ts';
import type { ProductType, VendorProfile } from '../profile/profile.schema.ts';
import type { OrderTypeSubscription } from '../profile/profile.schema.ts';
import { transitionSubscription } from './subscription.machine.ts';
import type {
  SubscriptionEffect,
  SubscriptionStatus,
  SubscriptionTransitionErrorCode,
} from './subscription.machine.ts';

/** One line of a subscription: a part, a quantity and the unit price it was sold at. */
export interface SubscriptionLine {
  readonly partNumber: string;
  readonly quantity: number;
  /** Net unit price in minor units of the subscription's currency; null if never priced. */
  readonly unitPriceMinor: number | null;
}

/** The subscription an order acts on, as stored. */
export interface CurrentSubscription {
  readonly id: string;
  readonly status: SubscriptionStatus;
  readonly startsOn: string;
  readonly endsOn: string;
  readonly termMonths: number;
  readonly currency?: string | null;
  readonly lines: readonly SubscriptionLine[];
}

/** A line of the completed order, with what the catalog says it is. */
export interface OrderLineForSubscription {
  readonly partNumber: string;
  readonly quantity: number;
  readonly unitPriceMinor: number | null;
  /** The product type of the part; null when unknown (such lines never count). */
  readonly productType: ProductType | null;
}

/** The terms a subscription has after the change. */
export interface SubscriptionTerms {
  readonly status: 'active';
  readonly startsOn: string;
  readonly endsOn: string;
  readonly termMonths: number;
  readonly currency: string;
  readonly lines: readonly SubscriptionLine[];
}

/** What to do, if anything; `event` is the catalogue event to record with it. */
export type SubscriptionPlan =
  | { readonly kind: 'none'; readonly reason: string }
  | {
      readonly kind: 'refused';
      readonly code: SubscriptionTransitionErrorCode;
      readonly message: string;
    }
  | {
      readonly kind: 'create';
      readonly event: 'subscription.created';
      readonly effect: SubscriptionEffect;
      readonly subscription: SubscriptionTerms;
    }
  | {
      readonly kind: 'update';
      readonly event: 'subscription.renewed' | 'subscription.changed';
      readonly effect: 'renew' | 'change' | 'add';
      readonly subscriptionId: string;
      readonly previousEndsOn: string;
      readonly subscription: SubscriptionTerms;
    };

export interface PlanSubscriptionInput {
  readonly profile: VendorProfile;
  /** The order type key of the completed order. */
  readonly orderType: string;
  /**
   * The subscription the order acts on: the one its `idField` names when the order type has
   * one, else the customer's current subscription; null if none.
   */
  readonly current: CurrentSubscription | null;
  readonly lines: readonly OrderLineForSubscription[];
  /** The order's currency. */
  readonly currency: string;
  /** The completion day, ISO date, in the vendor's time zone. */
  readonly today: string;
}

/** The subscription settings of an order type, with the profile's defaults applied; null if none. */
export function subscriptionPolicyOf(
  profile: VendorProfile,
  orderType: string,
): (OrderTypeSubscription & { readonly termMonths: number }) | null {
  const subscription = profile.orderTypes.find((t) => t.key === orderType)?.subscription;
  if (subscription === undefined) return null;
  return {
    ...subscription,
    termMonths: subscription.termMonths ?? profile.subscriptions.defaultTermMonths,
  };
}

/** The order's lines that make up a subscription, one per part and price. */
export function subscriptionLinesOf(
  profile: VendorProfile,
  lines: readonly OrderLineForSubscription[],
): SubscriptionLine[] {
  const types = profile.subscriptions.productTypes;
  return mergeLines(
    [],
    lines
      .filter((l) => l.productType !== null && types.includes(l.productType))
      .map((l) => ({
        partNumber: l.partNumber,
        quantity: l.quantity,
        unitPriceMinor: l.unitPriceMinor,
      })),
  );
}

// Adds lines to lines: the same part at the same price adds up; at another price it stays a
// line of its own, so each seat keeps the price it was sold at.
function mergeLines(
  current: readonly SubscriptionLine[],
  added: readonly SubscriptionLine[],
): SubscriptionLine[] {
  const merged = current.map((l) => ({ ...l }));
  for (const line of added) {
    const same = merged.find(
      (l) => l.partNumber === line.partNumber && l.unitPriceMinor === line.unitPriceMinor,
    );
    if (same) same.quantity += line.quantity;
    else merged.push({ ...line });
  }
  return merged;
}

/**
 * What the completion of an order does to a subscription: create one, update one (renew,
 * change, add), nothing (the order type has no subscription effect, or no subscription
 * lines), or refused (e.g. a change to a cancelled subscription).
 */
export function planSubscriptionChange(input: PlanSubscriptionInput): SubscriptionPlan {
  const { profile, orderType, current, currency, today } = input;
  const policy = subscriptionPolicyOf(profile, orderType);
  if (policy === null) {
    return { kind: 'none', reason: `Order type "${orderType}" does not touch subscriptions` };
  }
  const lines = subscriptionLinesOf(profile, input.lines);
  if (lines.length === 0) {
    return {
      kind: 'none',
      reason: `The order has no ${profile.subscriptions.productTypes.join(' or ')} lines`,
    };
  }
  const create = (): SubscriptionPlan => ({
    kind: 'create',
    event: 'subscription.created',
    effect: policy.effect,
    subscription: {
      status: 'active',
      startsOn: today,
      endsOn: addMonths(today, policy.termMonths),
      termMonths: policy.termMonths,
      currency,
      lines,
    },
  });
  if (policy.effect === 'create') return create();

  // Renewing or adding to nothing (a customer whose subscription predates OrderDesk, or whose
  // last one was cancelled) starts one; a change needs something to change.
  const usable =
    current !== null &&
    (policy.effect === 'renew' ? current.status !== 'cancelled' : current.status === 'active');
  if (!usable && policy.effect !== 'change') return create();
  if (current === null) {
    return {
      kind: 'refused',
      code: 'action.not_allowed',
      message: 'There is no subscription to change',
    };
  }
  const allowed = transitionSubscription(current.status, policy.effect, {
    roles: [],
    side: 'system',
  });
  if (!allowed.ok) return { kind: 'refused', code: allowed.code, message: allowed.message };
  const currentCurrency = current.currency ?? currency;
  if (policy.effect === 'add' && currentCurrency !== currency) {
    return {
      kind: 'refused',
      code: 'action.not_allowed',
      message: `The subscription is in ${currentCurrency}, the order in ${currency}`,
    };
  }

  const base = { subscriptionId: current.id, previousEndsOn: current.endsOn } as const;
  if (policy.effect === 'renew') {
    // The next term follows the current one without a gap; a lapsed subscription restarts on
    // the renewal day (our choice: no term that is over before it is sold).
    const startsOn = laterDate(current.endsOn, today);
    return {
      kind: 'update',
      event: 'subscription.renewed',
      effect: 'renew',
      ...base,
      subscription: {
        status: 'active',
        startsOn,
        endsOn: addMonths(startsOn, policy.termMonths),
        termMonths: policy.termMonths,
        currency,
        lines,
      },
    };
  }
  return {
    kind: 'update',
    event: 'subscription.changed',
    effect: policy.effect,
    ...base,
    subscription: {
      status: 'active',
      startsOn: current.startsOn,
      endsOn: current.endsOn,
      termMonths: current.termMonths,
      currency: policy.effect === 'add' ? currentCurrency : currency,
      lines: policy.effect === 'add' ? mergeLines(current.lines, lines) : lines,
    },
  };
}

/**
 * Whether a subscription's term is over on `today`: `endsOn` is the day the next term starts,
 * so on that day the subscription has ended unless it was renewed (the scheduler's `expire`).
 */
export function subscriptionHasEnded(
  subscription: Pick<CurrentSubscription, 'endsOn'>,
  today: string,
): boolean {
  return today.slice(0, 10) >= subscription.endsOn.slice(0, 10);
}
