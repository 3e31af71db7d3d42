import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A prefixed, time-ordered id (`ord_01j…`): 10 chars of millisecond time then 16 random
 * chars, Crockford base32, so ids sort by creation and make stable pagination cursors.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b % 32];
  return `${prefix}_${time}${rand}`;
}

/** The current time as the ISO-8601 UTC text stored in timestamp columns. */
export function nowIso(now: Date = new Date()): string {
  return now.toISOString();
}
