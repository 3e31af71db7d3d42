import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseVendorProfile } from '../profile/profile.loader.ts';
import type { VendorProfile } from '../profile/profile.schema.ts';
import { quoteOrderTypeProblem } from './quote.order-type.ts';

function profile(slug: string): VendorProfile {
  const file = new URL(`../../../../examples/profiles/${slug}.yaml`, import.meta.url);
  const result = parseVendorProfile(readFileSync(file, 'utf8'), file.pathname);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.profile;
}

describe('quoteOrderTypeProblem', () => {
  it('takes every order type a quote is required or optional for', () => {
    for (const slug of ['northwind', 'edgeworks']) {
      const p = profile(slug);
      for (const type of p.orderTypes.filter((t) => t.quote !== 'not_applicable')) {
        expect(quoteOrderTypeProblem(p, type.key), `${slug} ${type.key}`).toBeUndefined();
      }
    }
  });

  it('refuses a type that takes no quote as invalid at orderType, naming the types that do', () => {
    expect(quoteOrderTypeProblem(profile('edgeworks'), 'license_authorization')).toEqual({
      path: 'orderType',
      code: 'invalid',
      severity: 'error',
      message:
        'License Authorization Orders take no quote; quotes are for license_maintenance, training_seat, kits_renewal, device',
      expected: 'license_maintenance, training_seat, kits_renewal, device',
      actual: 'license_authorization',
    });
    // A vendor with no quoted type at all says so, with nothing to expect.
    expect(quoteOrderTypeProblem(profile('skyline'), 'change')).toEqual({
      path: 'orderType',
      code: 'invalid',
      severity: 'error',
      message:
        'Skyline Marketplace takes no quotes: Subscription change orders are placed without one',
      actual: 'change',
    });
  });

  it('calls a type the profile does not declare unknown, listing the declared ones', () => {
    expect(quoteOrderTypeProblem(profile('northwind'), 'device')).toEqual({
      path: 'orderType',
      code: 'order_type.unknown',
      severity: 'error',
      message: 'Unknown order type; one of new, upsell, renewal, auto_renewal',
    });
  });
});
