/**
 * Counts failed logins per e-mail and per client address in a sliding window; past the
 * limit, further attempts are refused (429) until the oldest failure leaves the window.
 * In-process: with several server processes each keeps its own count.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds until another attempt is allowed for any of the keys, or 0. */
  retryAfter(keys: readonly string[], now: number): number {
    let wait = 0;
    for (const key of keys) {
      const list = this.prune(key, now);
      if (list.length >= this.maxFailures) {
        const oldest = list[list.length - this.maxFailures] ?? now;
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
