import type { AppContext } from '@orderdesk/app';
import type { Config } from './config.ts';

/** What every route module gets: the application context plus the server's own settings. */
export interface ServerContext extends AppContext {
  config: Config;
  version: string;
  /** Every route registered, recorded at build time (the isolation tests enumerate them). */
  routes: { method: string; url: string }[];
}
