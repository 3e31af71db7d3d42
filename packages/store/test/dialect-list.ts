import { DIALECTS, type DialectName } from '../src/dialects.ts';

/** The dialects the suites loop over: both, unless ORDERDESK_TEST_DATABASES narrows it. */
export function testDialects(): DialectName[] {
  const raw = process.env.ORDERDESK_TEST_DATABASES;
  if (!raw) return [...DIALECTS];
  const names = raw.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(DIALECTS as readonly string[]).includes(n)) {
      throw new Error(`ORDERDESK_TEST_DATABASES: unknown database "${n}" (sqlite, postgres)`);
    }
  }
  return names as DialectName[];
}
