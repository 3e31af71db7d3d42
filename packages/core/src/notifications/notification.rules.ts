// Which of a profile's notification rules fire for a domain event. One function for order and
// quote events alike: a rule matches on the event name and, if it lists order types, on the
// order type of the order or quote the event is about.
import { isNotificationEvent } from '../events/events.catalogue.ts';
import type { DomainEvent, DomainEventName } from '../events/events.catalogue.ts';
import type { NotificationRule, VendorProfile } from '../profile/profile.schema.ts';
import { WELCOME_EMAIL_TEMPLATE } from '../profile/profile.schema.ts';

/** What a rule is matched against besides the event name. */
export interface NotificationSubject {
  /** The order type of the order or quote; null for events about neither. */
  readonly orderType?: string | null;
  /** Provisioning chose to send the welcome email (for order types where it is optional). */
  readonly sendWelcomeEmail?: boolean;
}

/**
 * The notification rules of the profile that fire for `event`. Rules limited to some order
 * types fire only for a subject of one of them. The end user's welcome email follows the
 * order type's policy: `never` drops it, `optional` keeps it only when provisioning chose to
 * send one (`sendWelcomeEmail`), `always` keeps it. Events a profile cannot notify on (users,
 * tokens, ...) select nothing.
 */
export function selectNotifications(
  profile: VendorProfile,
  event: DomainEventName,
  subject: NotificationSubject = {},
): NotificationRule[] {
  if (!isNotificationEvent(event)) return [];
  const orderType = subject.orderType ?? null;
  const type = orderType === null ? undefined : profile.orderTypes.find((t) => t.key === orderType);
  return profile.notifications.filter((rule) => {
    if (rule.event !== event) return false;
    if (rule.orderTypes && (orderType === null || !rule.orderTypes.includes(orderType))) {
      return false;
    }
    if (rule.template === WELCOME_EMAIL_TEMPLATE) {
      const policy = type?.welcomeEmail ?? 'never';
      if (policy === 'never') return false;
      if (policy === 'optional') return subject.sendWelcomeEmail === true;
    }
    return true;
  });
}

/** The rules that fire for a recorded event, its order type and welcome choice read from its data. */
export function notificationsForEvent(
  profile: VendorProfile,
  event: DomainEvent,
): NotificationRule[] {
  const data = event.data;
  const orderType =
    'orderType' in data && typeof data.orderType === 'string' ? data.orderType : null;
  const welcome = 'sendWelcomeEmail' in data ? data.sendWelcomeEmail : undefined;
  return selectNotifications(profile, event.type, {
    orderType,
    ...(welcome !== undefined ? { sendWelcomeEmail: welcome } : {}),
  });
}

/**
 * Whether an order's invoice is also what tells the partner the order is complete (seed 000:
 * "if the order is a renewal with no welcome email then your invoice is confirmation of
 * completion"): its type says `invoice`, or `welcome_email_else_invoice` and no welcome mail
 * went out.
 */
export function invoiceConfirmsCompletion(
  profile: Pick<VendorProfile, 'orderTypes'>,
  orderType: string,
  welcomeEmailSent: boolean,
): boolean {
  const confirmation = profile.orderTypes.find((t) => t.key === orderType)?.completionConfirmation;
  return (
    confirmation === 'invoice' ||
    (confirmation === 'welcome_email_else_invoice' && !welcomeEmailSent)
  );
}
