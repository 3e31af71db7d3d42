import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Random bytes drawn 4 KiB at a time (one call to the CSPRNG per 256 ids, as uuid does). */
const pool = new Uint8Array(4096);
let poolUsed = pool.length;

function randomDigits(): number[] {
  if (poolUsed + 16 > pool.length) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  const digits = new Array<number>(16);
  for (let i = 0; i < 16; i++) digits[i] = (pool[poolUsed + i] ?? 0) % 32;
  poolUsed += 16;
  return digits;
}

let lastTime = -1;
let lastRandom: number[] = [];

function increment(digits: number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i--) {
    if ((next[i] ?? 0) < 31) {
      next[i] = (next[i] ?? 0) + 1;
      return next;
    }
    next[i] = 0;
  }
  return next; // 32^16 ids in one millisecond: wraps, practically unreachable
}

/**
 * A prefixed, time-ordered id (`ord_01j…`): 10 chars of millisecond time then 16 random
 * chars, Crockford base32. Monotonic within a process (ids made in the same millisecond
 * increment the random part), so ids sort by creation and make stable pagination cursors.
 * It reads the machine's clock, not the caller's: an id only has to order creations, while
 * every stored instant comes from the caller's clock (so a test's clock never skews ids).
 */
export function newId(prefix: string, now: number = Date.now()): string {
  let random: number[];
  if (now <= lastTime) {
    now = lastTime;
    random = increment(lastRandom);
  } else {
    random = randomDigits();
  }
  lastTime = now;
  lastRandom = random;
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return `${prefix}_${time}${random.map((d) => ALPHABET[d]).join('')}`;
}
