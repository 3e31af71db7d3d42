import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Random bytes drawn 4 KiB at a time (one call to the CSPRNG per 256 ids, as uuid does). */
const pool = new Uint8Array(4096);
let poolUsed = pool.length;

/** The random part of the last id, as 16 base32 digits (reused: no array per id). */
const lastRandom = new Uint8Array(16);

/** Fresh random digits into lastRandom. */
function drawRandom(): void {
  if (poolUsed + 16 > pool.length) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  for (let i = 0; i < 16; i++) lastRandom[i] = pool[poolUsed + i]! % 32;
  poolUsed += 16;
}

/** lastRandom + 1 (32^16 ids in one millisecond would wrap: practically unreachable). */
function increment(): void {
  for (let i = 15; i >= 0; i--) {
    if (lastRandom[i]! < 31) {
      lastRandom[i]! += 1;
      return;
    }
    lastRandom[i] = 0;
  }
}

let lastTime = -1;
/** The time part of lastTime's ids (10 base32 digits). */
let lastTimeText = '';

/**
 * A prefixed, time-ordered id (`ord_01j…`): 10 chars of millisecond time then 16 random
 * chars, Crockford base32. Monotonic within a process (ids made in the same millisecond
 * increment the random part), so ids sort by creation and make stable pagination cursors.
 * It reads the machine's clock, not the caller's: an id only has to order creations, while
 * every stored instant comes from the caller's clock (so a test's clock never skews ids).
 */
export function newId(prefix: string, now: number = Date.now()): string {
  if (now <= lastTime) {
    increment();
  } else {
    drawRandom();
    lastTime = now;
    let time = '';
    let t = now;
    for (let i = 0; i < 10; i++) {
      time = ALPHABET[t % 32] + time;
      t = Math.floor(t / 32);
    }
    lastTimeText = time;
  }
  let random = '';
  for (let i = 0; i < 16; i++) random += ALPHABET[lastRandom[i]!];
  return `${prefix}_${lastTimeText}${random}`;
}
