/**
 * Counts failed logins per key (an e-mail, a client address) in a sliding window; a key past
 * its limit refuses further attempts (429) until its oldest failure leaves the window.
 * In-process: with several server processes each keeps its own count.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly windowMs: number) {}

  /** Seconds until another attempt is allowed for every key under its limit, or 0. */
  retryAfter(limits: readonly { key: string; max: number }[], now: number): number {
    let wait = 0;
    for (const { key, max } of limits) {
      const list = this.prune(key, now);
      if (list.length >= max) {
        const oldest = list[list.length - max] ?? now;
        wait = Math.max(wait, Math.ceil((oldest + this.windowMs - now) / 1000));
      }
    }
    return wait;
  }

  recordFailure(keys: readonly string[], now: number): void {
    for (const key of keys) {
      const list = this.prune(key, now);
      list.push(now);
      this.failures.set(key, list);
    }
  }

  recordSuccess(keys: readonly string[]): void {
    for (const key of keys) this.failures.delete(key);
  }

  private prune(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }
}
