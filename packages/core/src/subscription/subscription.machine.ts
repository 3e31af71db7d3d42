// The subscription lifecycle: a declarative transition map like the order's and the quote's.
// A subscription is born `active` when an order creates it; completed orders renew, change or
// add to it (system actions, taken when the order completes); the scheduler expires it after
// its end date; a vendor admin may cancel it. An expired subscription can still be renewed
// (a late renewal PO); a cancelled one is final: the customer starts a new one.
import { rolesOnOwnSide } from '../profile/profile.roles.ts';
import type { ActorRef, Role } from '../profile/profile.roles.ts';

/** Every status a subscription can be in. */
export const SUBSCRIPTION_STATUSES = ['active', 'expired', 'cancelled'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** The status of a newly created subscription. */
export const INITIAL_SUBSCRIPTION_STATUS: SubscriptionStatus = 'active';

/** Every action on an existing subscription. */
export const SUBSCRIPTION_ACTIONS = ['renew', 'change', 'add', 'expire', 'cancel'] as const;
export type SubscriptionAction = (typeof SUBSCRIPTION_ACTIONS)[number];

/**
 * What an order type does to the customer's subscription when the order completes
 * (`orderTypes[].subscription.effect` in a profile):
 * - `create`: a new subscription, whatever the customer has;
 * - `renew`: the next term of the current subscription, with the order's lines and prices
 *   (a new subscription if the customer has none yet);
 * - `change`: the current subscription's lines become the order's, dates unchanged;
 * - `add`: the order's lines are added to the current subscription, co-terminous (a new
 *   subscription if the customer has none yet).
 */
export const SUBSCRIPTION_EFFECTS = ['create', 'renew', 'change', 'add'] as const;
export type SubscriptionEffect = (typeof SUBSCRIPTION_EFFECTS)[number];

/** Codes of a refused transition (the order machine's). */
export const SUBSCRIPTION_TRANSITION_ERROR_CODES = [
  'action.not_allowed',
  'role.forbidden',
] as const;
export type SubscriptionTransitionErrorCode = (typeof SUBSCRIPTION_TRANSITION_ERROR_CODES)[number];

/** Who may take an action: roles (on their own side), or the system. */
export type SubscriptionActor = Role | 'system';

export interface SubscriptionTransitionRule {
  readonly to: SubscriptionStatus;
  readonly actors: readonly SubscriptionActor[];
}

export type SubscriptionTransitionMap = Readonly<
  Record<
    SubscriptionStatus,
    Readonly<Partial<Record<SubscriptionAction, SubscriptionTransitionRule>>>
  >
>;

const SYSTEM = ['system'] as const;

/** The subscription lifecycle: `{ status: { action: { to, actors } } }`. */
export const SUBSCRIPTION_TRANSITIONS: SubscriptionTransitionMap = {
  active: {
    renew: { to: 'active', actors: SYSTEM },
    change: { to: 'active', actors: SYSTEM },
    add: { to: 'active', actors: SYSTEM },
    expire: { to: 'expired', actors: SYSTEM },
    cancel: { to: 'cancelled', actors: ['vendor_admin', 'system'] },
  },
  expired: {
    renew: { to: 'active', actors: SYSTEM },
  },
  cancelled: {},
};

export type SubscriptionTransitionResult =
  | { readonly ok: true; readonly to: SubscriptionStatus }
  | {
      readonly ok: false;
      readonly code: SubscriptionTransitionErrorCode;
      readonly message: string;
    };

/** Apply `action` to a subscription in `status` for `actor` (refusals are returned). */
export function transitionSubscription(
  status: SubscriptionStatus,
  action: SubscriptionAction,
  actor: ActorRef,
): SubscriptionTransitionResult {
  const rule = SUBSCRIPTION_TRANSITIONS[status][action];
  if (rule === undefined) {
    const possible = SUBSCRIPTION_ACTIONS.filter((a) => SUBSCRIPTION_TRANSITIONS[status][a]);
    return {
      ok: false,
      code: 'action.not_allowed',
      message:
        `Cannot ${action} a subscription that is ${status}` +
        (possible.length > 0 ? `; possible actions: ${possible.join(', ')}` : '; it is final'),
    };
  }
  const effective: readonly string[] = actor.side === 'system' ? ['system'] : rolesOnOwnSide(actor);
  if (!effective.some((role) => (rule.actors as readonly string[]).includes(role))) {
    return {
      ok: false,
      code: 'role.forbidden',
      message: `Only ${rule.actors.join(', ')} may ${action} a subscription that is ${status}`,
    };
  }
  return { ok: true, to: rule.to };
}
