export {
  invoiceConfirmsCompletion,
  notificationsForEvent,
  selectNotifications,
} from './notification.rules.ts';
export type { NotificationSubject } from './notification.rules.ts';
