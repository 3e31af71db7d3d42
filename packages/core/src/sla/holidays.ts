import { createRequire } from 'node:module';
import type Holidays from 'date-holidays';

// date-holidays carries every country's rules (tens of MB once loaded), and most of a server's
// life needs none of them: it is loaded the first time a calendar or a profile names holidays.
// The calendar API is synchronous, so this is a synchronous require of the package's CommonJS
// build (its `require` export), not an `await import()`.

let loaded: typeof Holidays | undefined;

/** The date-holidays class, loaded on first use. */
export function holidaysClass(): typeof Holidays {
  loaded ??= createRequire(import.meta.url)('date-holidays') as typeof Holidays;
  return loaded;
}
