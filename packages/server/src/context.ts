import type { Access, AppContext } from '@orderdesk/app';
import type { Config } from './config.ts';

/** What every route module gets: the application context plus the server's own settings. */
export interface ServerContext extends AppContext {
  config: Config;
  version: string;
  /**
   * Every route registered, recorded at build time (the isolation tests enumerate them), with
   * the access it declares (`config.access`), if any.
   */
  routes: { method: string; url: string; access?: Access }[];
}
