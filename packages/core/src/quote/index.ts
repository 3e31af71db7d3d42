export {
  INITIAL_QUOTE_STATUS,
  QUOTE_ACTIONS,
  QUOTE_ACTORS,
  QUOTE_ACTOR_SIDES,
  QUOTE_STATUSES,
  QUOTE_TRANSITIONS,
  QUOTE_TRANSITION_ERROR_CODES,
  availableQuoteActions,
  availableQuoteActionsFor,
  isFinalQuoteStatus,
  isQuoteExpired,
  transitionQuote,
} from './quote.machine.ts';
export type {
  QuoteAction,
  QuoteActor,
  QuoteActorRef,
  QuoteActorSide,
  QuoteStatus,
  QuoteTransitionErrorCode,
  QuoteTransitionMap,
  QuoteTransitionResult,
  QuoteTransitionRule,
} from './quote.machine.ts';
export { compareOrderToQuote } from './quote.rules.ts';
export type { OrderLineForComparison, QuoteLineForComparison } from './quote.rules.ts';
export { quoteOrderTypeProblem } from './quote.order-type.ts';
export { quoteTotalProblem } from './quote.limits.ts';
