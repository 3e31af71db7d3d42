import type { LoginThrottlePolicy } from '@orderdesk/app';
import type { Config } from '../config.ts';

/** The login throttle's policy from the configuration (README, "Login throttling"). */
export function loginPolicyOf(config: Config): Partial<LoginThrottlePolicy> {
  return {
    maxDelayMs: config.LOGIN_MAX_DELAY_SECONDS * 1000,
    addressCeiling: config.LOGIN_ADDRESS_MAX_FAILURES,
    accountCeiling: config.LOGIN_ACCOUNT_MAX_FAILURES,
  };
}

/**
 * Fastify's `trustProxy`: X-Forwarded-For decides `request.ip` only when the connection comes
 * from one of TRUSTED_PROXIES. Otherwise anyone could pick a fresh address per guess and walk
 * around the per-address throttle (or blame someone else's address).
 */
export function trustProxyOf(config: Config): string[] | false {
  return config.TRUSTED_PROXIES.length > 0 ? config.TRUSTED_PROXIES : false;
}
