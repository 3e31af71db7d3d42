/** The application's one source of "now". Use cases read it; repositories get the instant. */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that can be set and moved while the app runs (tests, `orderdesk jobs run --now`,
 * and the test-only clock route when ORDERDESK_SETTABLE_CLOCK=1). Unset, it follows the wall
 * clock; set, it advances with the wall clock from the instant it was set to.
 */
export class SettableClock implements Clock {
  #offsetMs = 0;
  #frozen: Date | null = null;

  now(): Date {
    if (this.#frozen) return new Date(this.#frozen.getTime());
    return new Date(Date.now() + this.#offsetMs);
  }

  /** Sets "now" to `instant`; with `freeze`, time stands still until the next change. */
  set(instant: Date, options: { freeze?: boolean } = {}): void {
    if (options.freeze) {
      this.#frozen = new Date(instant.getTime());
      this.#offsetMs = 0;
    } else {
      this.#frozen = null;
      this.#offsetMs = instant.getTime() - Date.now();
    }
  }

  /** Moves "now" by `ms` milliseconds. */
  advance(ms: number): void {
    if (this.#frozen) this.#frozen = new Date(this.#frozen.getTime() + ms);
    else this.#offsetMs += ms;
  }

  /** Back to the wall clock. */
  reset(): void {
    this.#frozen = null;
    this.#offsetMs = 0;
  }
}
