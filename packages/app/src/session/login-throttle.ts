import {
  deleteLoginThrottleRows,
  lockLoginThrottleRows,
  pruneLoginThrottle,
  updateLoginThrottleRow,
  type Executor,
  type LoginThrottleRow,
} from '@orderdesk/store';

/**
 * How failed logins are slowed down (README, "Login throttling"). Nothing here can be turned
 * against a user by someone elsewhere: the growing delays count failures per account *at one
 * client address*, so an attacker's guesses from address A never slow the user at address B;
 * the ceilings only stop floods, and a browser the user logged in from before (a device) is
 * judged by its own count only.
 */
export interface LoginThrottlePolicy {
  /** The window of the ceilings (LOGIN_WINDOW_MINUTES). */
  windowMs: number;
  /** First delay once an (account, address) pair has used its free attempts; then doubled. */
  baseDelayMs: number;
  /** The longest delay (LOGIN_MAX_DELAY_SECONDS). */
  maxDelayMs: number;
  /** How long a pair's (or a device's) failures are remembered without a new one. */
  memoryMs: number;
  /** Failures per client address, all accounts together, per window (LOGIN_ADDRESS_MAX_FAILURES). */
  addressCeiling: number;
  /**
   * Failures per account from every address together, per window (LOGIN_ACCOUNT_MAX_FAILURES):
   * past it, only known devices may still try (a guessing attack spread over many addresses).
   */
  accountCeiling: number;
}

export const DEFAULT_LOGIN_THROTTLE_POLICY: LoginThrottlePolicy = {
  windowMs: 15 * 60_000,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60_000,
  memoryMs: 24 * 3600_000,
  addressCeiling: 100,
  accountCeiling: 100,
};

/** Which limit a throttled attempt met. */
export const LOGIN_THROTTLE_SCOPES = ['address', 'account', 'client', 'device'] as const;
/**
 * `address`: the account at this client address (growing delays); `client`: this client
 * address for every account (ceiling); `account`: this account from everywhere (ceiling, known
 * devices exempt); `device`: a known device's own failures (growing delays).
 */
export type LoginThrottleScope = (typeof LOGIN_THROTTLE_SCOPES)[number];

interface ThrottleKey {
  key: string;
  scope: LoginThrottleScope;
  /** Growing delays per failure (pairs, devices) or a per-window ceiling (address, account). */
  kind: 'delay' | 'ceiling';
  limit: number;
}

/** The keys one attempt counts against. */
export interface LoginAttemptKeys {
  keys: ThrottleKey[];
}

/** An attempt let through and already counted as a failure until it succeeds. */
export interface ReservedAttempt {
  keys: ThrottleKey[];
  /** Limits this attempt reaches if it fails: where a lockout begins. */
  lockouts: { scope: LoginThrottleScope; failures: number; blockedSeconds: number }[];
}

/** Thrown inside the reservation when a key is blocked: the seconds to wait and which limit. */
export class LoginBlocked extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    readonly scope: LoginThrottleScope,
  ) {
    super(`Login blocked for ${retryAfterSeconds} s (${scope})`);
    this.name = 'LoginBlocked';
  }
}

/**
 * The login throttle: its policy, and the counting, which lives in the database (table
 * `login_throttle`) so every server process and a restarted one see the same counts.
 */
export class LoginThrottle {
  readonly policy: LoginThrottlePolicy;

  /** `windowMs`: the ceilings' window; `policy`: the rest (defaults above). */
  constructor(windowMs: number, policy: Partial<LoginThrottlePolicy> = {}) {
    this.policy = { ...DEFAULT_LOGIN_THROTTLE_POLICY, ...policy, windowMs };
  }

  /**
   * The keys of an attempt on `email` from `clientAddress`. From a known device of that
   * account only the device's own count applies: failures elsewhere (even at the same address,
   * behind the same NAT) do not lock it out, and a stolen device cookie still guesses slowly.
   */
  keysOf(input: {
    email: string;
    clientAddress: string;
    deviceHash: string | null;
    freeFailures: number;
  }): LoginAttemptKeys {
    const email = input.email.trim().toLowerCase();
    if (input.deviceHash) {
      return {
        keys: [
          {
            key: `device:${input.deviceHash}`,
            scope: 'device',
            kind: 'delay',
            limit: input.freeFailures,
          },
        ],
      };
    }
    return {
      keys: [
        {
          key: `pair:${email}|${input.clientAddress}`,
          scope: 'address',
          kind: 'delay',
          limit: input.freeFailures,
        },
        {
          key: `client:${input.clientAddress}`,
          scope: 'client',
          kind: 'ceiling',
          limit: this.policy.addressCeiling,
        },
        {
          key: `account:${email}`,
          scope: 'account',
          kind: 'ceiling',
          limit: this.policy.accountCeiling,
        },
      ],
    };
  }

  /**
   * The delay after the `failures`-th failure of a pair with `free` undelayed attempts: with 3,
   * the attempts wait 0, 0, 0, then 1 s, 2 s, 4 s… up to the cap.
   */
  delayAfter(failures: number, free: number): number {
    if (failures < free) return 0;
    const doublings = Math.min(failures - free, 40);
    return Math.min(this.policy.baseDelayMs * 2 ** doublings, this.policy.maxDelayMs);
  }

  /**
   * Refuses the attempt when a key is blocked (throws LoginBlocked), else counts it as a
   * failure now — before the password is checked, in one transaction holding the keys' rows —
   * so that a burst of parallel guesses cannot all pass the check before any is counted.
   * `succeeded` takes the count back.
   */
  async reserve(tx: Executor, attempt: LoginAttemptKeys, now: Date): Promise<ReservedAttempt> {
    const at = now.toISOString();
    const nowMs = now.getTime();
    const rows = await lockLoginThrottleRows(
      tx,
      attempt.keys.map((k) => k.key),
      at,
    );
    const current = attempt.keys.map((k) => ({ k, row: this.fresh(k, rows.get(k.key), nowMs) }));
    let blocked: LoginBlocked | null = null;
    for (const { k, row } of current) {
      const until = row.blocked_until ? Date.parse(row.blocked_until) : 0;
      if (until > nowMs) {
        const wait = Math.max(1, Math.ceil((until - nowMs) / 1000));
        if (!blocked || wait > blocked.retryAfterSeconds) blocked = new LoginBlocked(wait, k.scope);
      }
    }
    if (blocked) throw blocked;
    const lockouts: ReservedAttempt['lockouts'] = [];
    for (const { k, row } of current) {
      const failures = row.failures + 1;
      let blockedUntil: number | null = null;
      if (k.kind === 'delay') {
        const delay = this.delayAfter(failures, k.limit);
        if (delay > 0) blockedUntil = nowMs + delay;
        if (failures === k.limit) {
          lockouts.push({ scope: k.scope, failures, blockedSeconds: Math.ceil(delay / 1000) });
        }
      } else if (failures >= k.limit) {
        blockedUntil = Date.parse(row.window_start) + this.policy.windowMs;
        if (failures === k.limit) {
          lockouts.push({
            scope: k.scope,
            failures,
            blockedSeconds: Math.max(1, Math.ceil((blockedUntil - nowMs) / 1000)),
          });
        }
      }
      await updateLoginThrottleRow(tx, {
        key: k.key,
        failures,
        windowStart: row.window_start,
        blockedUntil: blockedUntil === null ? null : new Date(blockedUntil).toISOString(),
        at,
      });
    }
    // Old rows go when a login succeeds, and when a lockout begins: an attack from many
    // addresses that never succeeds still cannot grow the table without end.
    if (lockouts.length > 0) await this.prune(tx, nowMs);
    return { keys: attempt.keys, lockouts };
  }

  /**
   * The right password: the pair's (or device's) failures are forgotten and this attempt is
   * taken back from the ceilings' counts. Old rows are pruned on the way.
   */
  async succeeded(tx: Executor, reserved: ReservedAttempt, now: Date): Promise<void> {
    const at = now.toISOString();
    const nowMs = now.getTime();
    const ceilings = reserved.keys.filter((k) => k.kind === 'ceiling');
    const rows = await lockLoginThrottleRows(
      tx,
      ceilings.map((k) => k.key),
      at,
    );
    for (const k of ceilings) {
      const row = this.fresh(k, rows.get(k.key), nowMs);
      const failures = Math.max(0, row.failures - 1);
      await updateLoginThrottleRow(tx, {
        key: k.key,
        failures,
        windowStart: row.window_start,
        blockedUntil: failures >= k.limit ? row.blocked_until : null,
        at,
      });
    }
    await deleteLoginThrottleRows(
      tx,
      reserved.keys.filter((k) => k.kind === 'delay').map((k) => k.key),
    );
    await this.prune(tx, nowMs);
  }

  private async prune(tx: Executor, nowMs: number): Promise<void> {
    const horizon = Math.max(this.policy.memoryMs, this.policy.windowMs, this.policy.maxDelayMs);
    await pruneLoginThrottle(tx, new Date(nowMs - horizon).toISOString());
  }

  /** The row as it counts now: a ceiling's window restarts when over, a pair forgets in time. */
  private fresh(k: ThrottleKey, row: LoginThrottleRow | undefined, nowMs: number) {
    const at = new Date(nowMs).toISOString();
    const empty = { failures: 0, window_start: at, blocked_until: null as string | null };
    if (!row) return empty;
    const blockedUntil = row.blocked_until ? Date.parse(row.blocked_until) : 0;
    if (k.kind === 'ceiling') {
      const windowOver = Date.parse(row.window_start) + this.policy.windowMs <= nowMs;
      return windowOver && blockedUntil <= nowMs ? empty : row;
    }
    const forgotten = Date.parse(row.updated_at) + this.policy.memoryMs <= nowMs;
    return forgotten && blockedUntil <= nowMs ? empty : row;
  }
}
