// Which of a profile's notification rules fire for an order event: the general rule lives in
// ../notifications (for quote events too); this keeps the order-shaped call working.
import type { NotificationEvent } from '../events/events.catalogue.ts';
import { selectNotifications } from '../notifications/notification.rules.ts';
import type { NotificationRule, VendorProfile } from '../profile/profile.schema.ts';

/**
 * The notification rules of the profile that fire for `event` on an order (or quote) of
 * `orderType`; see `selectNotifications`.
 */
export function notificationsFor(
  profile: VendorProfile,
  event: NotificationEvent,
  orderType: string,
  options: { sendWelcomeEmail?: boolean } = {},
): NotificationRule[] {
  return selectNotifications(profile, event, { orderType, ...options });
}
