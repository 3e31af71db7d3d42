export {
  ORDER_ACTIONS,
  ORDER_STATUSES,
  STAGE_ACTIONS,
  STAGE_STATUSES,
  TERMINAL_STATUSES,
  TRANSITION_ERROR_CODES,
  availableActions,
  buildOrderMachine,
  transition,
} from './order.machine.ts';
export type {
  OrderAction,
  OrderMachine,
  OrderStatus,
  OrderTransitionMap,
  OrderTransitionRule,
  StageStatus,
  TerminalStatus,
  TransitionErrorCode,
  TransitionRequest,
  TransitionResult,
} from './order.machine.ts';
export {
  LINE_CHECKS,
  ORDER_CHECKS,
  multiplierFor,
  orderPartnerTier,
  readPath,
  validateOrder,
} from './order.rules.ts';
export type {
  LineCheck,
  LineCheckInput,
  OrderCheck,
  OrderCheckInput,
  PricingState,
  ProblemCollector,
  ValidateOrderOptions,
} from './order.rules.ts';
export {
  calendarDate,
  decimalString,
  orderLineInputSchema,
  orderSubmissionSchema,
  postalAddressFields,
} from './order.types.ts';
export type {
  CatalogEntry,
  MultiplierRule,
  OrderLineInput,
  OrderSubmission,
  OrderValidationContext,
  OrderValidationResult,
  PricedLine,
  QuoteForValidation,
  SubscriptionForValidation,
} from './order.types.ts';
export { notificationsFor } from './order.notifications.ts';
export { isPathWithin, salvageSubmission } from './order.salvage.ts';
export { highestTaxRate, largestOrderTotalMinor } from './order.limits.ts';
