export {
  INITIAL_SUBSCRIPTION_STATUS,
  SUBSCRIPTION_ACTIONS,
  SUBSCRIPTION_EFFECTS,
  SUBSCRIPTION_STATUSES,
  SUBSCRIPTION_TRANSITIONS,
  SUBSCRIPTION_TRANSITION_ERROR_CODES,
  transitionSubscription,
} from './subscription.machine.ts';
export type {
  SubscriptionAction,
  SubscriptionActor,
  SubscriptionEffect,
  SubscriptionStatus,
  SubscriptionTransitionErrorCode,
  SubscriptionTransitionMap,
  SubscriptionTransitionResult,
  SubscriptionTransitionRule,
} from './subscription.machine.ts';
export {
  planSubscriptionChange,
  subscriptionHasEnded,
  subscriptionLinesOf,
  subscriptionPolicyOf,
} from './subscription.rules.ts';
export type {
  CurrentSubscription,
  OrderLineForSubscription,
  PlanSubscriptionInput,
  SubscriptionLine,
  SubscriptionPlan,
  SubscriptionTerms,
} from './subscription.rules.ts';
