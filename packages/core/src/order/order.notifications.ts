// Which of a profile's notification rules fire for an order event.
import type {
  NotificationEvent,
  NotificationRule,
  VendorProfile,
} from '../profile/profile.schema.ts';
import { WELCOME_EMAIL_TEMPLATE } from '../profile/profile.schema.ts';

/**
 * The notification rules of the profile that fire for `event` on an order of `orderType`.
 * The end user's welcome email follows the order type's policy: `never` drops it, `optional`
 * keeps it only when provisioning chose to send one (`sendWelcomeEmail`), `always` keeps it.
 */
export function notificationsFor(
  profile: VendorProfile,
  event: NotificationEvent,
  orderType: string,
  options: { sendWelcomeEmail?: boolean } = {},
): NotificationRule[] {
  const type = profile.orderTypes.find((t) => t.key === orderType);
  return profile.notifications.filter((rule) => {
    if (rule.event !== event) return false;
    if (rule.orderTypes && !rule.orderTypes.includes(orderType)) return false;
    if (rule.template === WELCOME_EMAIL_TEMPLATE) {
      const policy = type?.welcomeEmail ?? 'never';
      if (policy === 'never') return false;
      if (policy === 'optional') return options.sendWelcomeEmail === true;
    }
    return true;
  });
}
