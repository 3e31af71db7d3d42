import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.ts';
import * as m0003 from './0003_contacts.ts';
import * as m0004 from './0004_quotes_orders.ts';

/** Every migration, in order. Names are frozen once released. */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0003_contacts': m0003,
  '0004_quotes_orders': m0004,
};
