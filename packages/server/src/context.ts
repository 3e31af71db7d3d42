import type { Store } from '@orderdesk/store';
import type { Config } from './config.ts';
import type { LoginThrottle } from './auth/login-throttle.ts';

/** What every route module gets: the store, the configuration and shared services. */
export interface AppContext {
  store: Store;
  config: Config;
  loginThrottle: LoginThrottle;
  version: string;
  /** Every route registered, recorded at build time (the isolation tests enumerate them). */
  routes: { method: string; url: string }[];
  /** Injected clock, so tests can travel in time. */
  now(): Date;
}
