import type { Store } from '@orderdesk/store';
import type { Clock } from './shared/clock.ts';
import type { LoginThrottle } from './session/login-throttle.ts';

/** The settings the use cases read (the server's configuration supplies them). */
export interface AppSettings {
  /** Failed logins per (account, client address) before each further attempt waits (growing delays). */
  LOGIN_MAX_FAILURES: number;
  /** Lifetime of a login session. */
  SESSION_TTL_HOURS: number;
  /** Lifetime of an invitation link. */
  INVITATION_TTL_HOURS: number;
  /** Base URL of the web app, for links in mails (invitations). */
  PUBLIC_URL?: string | undefined;
  /** The database, for where documents live by default (beside a SQLite file). */
  DATABASE_URL?: string | undefined;
  /** Where documents (PO PDFs, product files) are stored; see documents/storage. */
  DOCUMENTS_DIR?: string | undefined;
  /** The SMTP server mail goes out through; unset: mail stays on its thread as `not_sent`. */
  SMTP_URL?: string | undefined;
  /** Whether this process drains the outbox (false: an `orderdesk worker` beside it does). */
  OUTBOX_IN_PROCESS?: boolean | undefined;
  /** The address OrderDesk's own mail (not a vendor's) is sent from. */
  MAIL_FROM?: string | undefined;
}

/**
 * Whether mail this process queues goes nowhere: no SMTP server, and no worker beside it
 * (which has its own settings) sending for it.
 */
export function mailIsOff(config: AppSettings): boolean {
  return !config.SMTP_URL && config.OUTBOX_IN_PROCESS !== false;
}

/**
 * What every use case gets besides its actor and input: the store, the one clock and the
 * settings. Built once per process by whoever hosts the use cases (server, CLI, worker).
 */
export interface AppContext {
  store: Store;
  clock: Clock;
  config: AppSettings;
  loginThrottle: LoginThrottle;
  /** The clock's now (shorthand used throughout the use cases). */
  now(): Date;
}

export const DEFAULT_APP_SETTINGS: AppSettings = {
  LOGIN_MAX_FAILURES: 5,
  SESSION_TTL_HOURS: 12,
  INVITATION_TTL_HOURS: 72,
  PUBLIC_URL: 'http://localhost:3000',
};
