export {
  ATTACHMENTS,
  ATTRIBUTE_SCOPES,
  ATTRIBUTE_TYPES,
  LIST_ITEM_TYPES,
  CHANNEL_KINDS,
  COMPLETION_CONFIRMATIONS,
  NOTIFICATION_EVENTS,
  PRODUCT_TYPES,
  QUOTE_EXEMPTIONS,
  QUOTE_REQUIREMENTS,
  RECIPIENTS,
  RETURN_BLOCKING_EVENTS,
  ROUNDING_MODES,
  SPECIAL_TERMS_LOCATIONS,
  SPECIAL_TERMS_PLACEHOLDERS,
  THREADS,
  WELCOME_EMAIL_POLICIES,
  WELCOME_EMAIL_TEMPLATE,
  templatePlaceholders,
  vendorProfileSchema,
  vendorProfileViewSchema,
} from './profile.schema.ts';
export type {
  Attachment,
  AttributeConfig,
  AttributeScope,
  AttributeType,
  ChannelConfig,
  ChannelKind,
  CompletionConfirmation,
  InvoicingPolicy,
  ListItemType,
  LicensingPolicy,
  NotificationEvent,
  NotificationRule,
  OrderCondition,
  OrderTypeConfig,
  OrderTypeSubscription,
  ProductType,
  QuoteExemption,
  QuotePolicy,
  QuoteRequirement,
  Recipient,
  ReturnBlockingEvent,
  ReturnsPolicy,
  RoundingMode,
  SpecialTermsConfig,
  SpecialTermsLocation,
  SpecialTermsPlaceholder,
  SubscriptionsPolicy,
  Thread,
  VendorProfile,
  VendorProfileInput,
  WelcomeEmailPolicy,
} from './profile.schema.ts';
export {
  ATTRIBUTE_PATH_PREFIX,
  LINE_FIELD_PATHS,
  ORDER_FIELD_PATHS,
  fieldLabel,
  isKnownLineFieldPath,
  isKnownOrderFieldPath,
} from './profile.fields.ts';
export type { LineFieldPath, OrderFieldPath } from './profile.fields.ts';
export {
  ACTOR_SIDES,
  PARTNER_ROLES,
  ROLES,
  VENDOR_ROLES,
  rolesOnOwnSide,
  sideOfRole,
} from './profile.roles.ts';
export type { ActorRef, ActorSide, PartnerRole, Role, VendorRole } from './profile.roles.ts';
export {
  DEFAULT_STATUS_LABELS,
  DEFAULT_WORKFLOW,
  orderWorkflowSchema,
  orderWorkflowViewSchema,
} from './profile.workflow.ts';
export type { OrderWorkflow, OrderWorkflowInput, WorkflowStage } from './profile.workflow.ts';
export { formatProfileErrors, formatProfilePath, parseVendorProfile } from './profile.loader.ts';
export type { ParseProfileResult, ProfileError } from './profile.loader.ts';
export { PROFILE_SCHEMA_VERSION } from './profile.version.ts';
