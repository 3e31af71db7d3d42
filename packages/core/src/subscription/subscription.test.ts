import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProfileErrors, parseVendorProfile } from '../profile/profile.loader.ts';
import type { VendorProfile } from '../profile/profile.schema.ts';
import { vendorProfileSchema } from '../profile/profile.schema.ts';
import {
  SUBSCRIPTION_ACTIONS,
  SUBSCRIPTION_STATUSES,
  SUBSCRIPTION_TRANSITIONS,
  transitionSubscription,
} from './subscription.machine.ts';
import type { SubscriptionAction, SubscriptionStatus } from './subscription.machine.ts';
import {
  planSubscriptionChange,
  subscriptionHasEnded,
  subscriptionPolicyOf,
} from './subscription.rules.ts';
import type { CurrentSubscription, OrderLineForSubscription } from './subscription.rules.ts';

function load(slug: string): VendorProfile {
  const file = new URL(`../../../../examples/profiles/${slug}.yaml`, import.meta.url);
  const result = parseVendorProfile(readFileSync(file, 'utf8'), `${slug}.yaml`);
  if (!result.ok) throw new Error(formatProfileErrors(result.errors));
  return result.profile;
}
const northwind = load('northwind');
const skyline = load('skyline');
const edgeworks = load('edgeworks');

const SYSTEM = { roles: [], side: 'system' } as const;

describe('the subscription machine', () => {
  const ALLOWED: [SubscriptionStatus, SubscriptionAction, SubscriptionStatus][] = [
    ['active', 'renew', 'active'],
    ['active', 'change', 'active'],
    ['active', 'add', 'active'],
    ['active', 'expire', 'expired'],
    ['active', 'cancel', 'cancelled'],
    ['expired', 'renew', 'active'],
  ];

  it.each(ALLOWED)('%s --%s--> %s for the system', (from, action, to) => {
    expect(transitionSubscription(from, action, SYSTEM)).toEqual({ ok: true, to });
  });

  const refused = SUBSCRIPTION_STATUSES.flatMap((status) =>
    SUBSCRIPTION_ACTIONS.filter((a) => !ALLOWED.some(([s, x]) => s === status && x === a)).map(
      (action): [SubscriptionStatus, SubscriptionAction] => [status, action],
    ),
  );
  it.each(refused)('%s --%s--> is refused with action.not_allowed', (status, action) => {
    expect(transitionSubscription(status, action, SYSTEM)).toMatchObject({
      ok: false,
      code: 'action.not_allowed',
    });
  });

  it('lets a vendor admin cancel, and no user take the system actions', () => {
    expect(
      transitionSubscription('active', 'cancel', { roles: ['vendor_admin'], side: 'vendor' }),
    ).toEqual({ ok: true, to: 'cancelled' });
    expect(
      transitionSubscription('active', 'cancel', { roles: ['vendor_admin'], side: 'partner' }),
    ).toMatchObject({ ok: false, code: 'role.forbidden' });
    expect(
      transitionSubscription('active', 'renew', {
        roles: ['vendor_admin', 'system'],
        side: 'vendor',
      }),
    ).toMatchObject({ ok: false, code: 'role.forbidden' });
  });

  it('covers the whole map', () => {
    const mapped = SUBSCRIPTION_STATUSES.flatMap((s) =>
      Object.keys(SUBSCRIPTION_TRANSITIONS[s]).map((a) => `${s}:${a}`),
    );
    expect(new Set(mapped)).toEqual(new Set(ALLOWED.map(([s, a]) => `${s}:${a}`)));
  });
});

const seat = (
  quantity: number,
  unitPriceMinor: number | null = 13_580,
): OrderLineForSubscription => ({
  partNumber: 'NW-SEAT',
  quantity,
  unitPriceMinor,
  productType: 'subscription',
});
const service: OrderLineForSubscription = {
  partNumber: 'NW-ONBOARD',
  quantity: 1,
  unitPriceMinor: 50_000,
  productType: 'service',
};
const current = (overrides: Partial<CurrentSubscription> = {}): CurrentSubscription => ({
  id: 'sub_1',
  status: 'active',
  startsOn: '2028-02-29',
  endsOn: '2029-02-28',
  termMonths: 12,
  currency: 'USD',
  lines: [{ partNumber: 'NW-SEAT', quantity: 50, unitPriceMinor: 13_580 }],
  ...overrides,
});
const plan = (
  profile: VendorProfile,
  orderType: string,
  lines: readonly OrderLineForSubscription[],
  sub: CurrentSubscription | null,
  today = '2029-01-15',
) => planSubscriptionChange({ profile, orderType, current: sub, lines, currency: 'USD', today });

describe('planSubscriptionChange', () => {
  it('reads each order type effect and term from the profile', () => {
    expect(subscriptionPolicyOf(northwind, 'new')).toEqual({ effect: 'create', termMonths: 12 });
    expect(subscriptionPolicyOf(northwind, 'upsell')?.effect).toBe('add');
    expect(subscriptionPolicyOf(northwind, 'renewal')?.effect).toBe('renew');
    expect(subscriptionPolicyOf(northwind, 'auto_renewal')?.effect).toBe('renew');
    expect(subscriptionPolicyOf(skyline, 'change')).toEqual({
      effect: 'change',
      idField: 'attributes.subscriptionId',
      termMonths: 12,
    });
    expect(subscriptionPolicyOf(edgeworks, 'kits_renewal')?.effect).toBe('renew');
    expect(subscriptionPolicyOf(edgeworks, 'training_seat')).toBeNull();
    expect(northwind.subscriptions.renewalQuoteOrderType).toBe('renewal');
    expect(edgeworks.subscriptions.renewalQuoteOrderType).toBe('kits_renewal');
    expect(skyline.subscriptions.renewalQuoteOrderType).toBeUndefined();
  });

  it('creates a subscription from new business, with only its subscription lines', () => {
    expect(plan(northwind, 'new', [seat(50), service], null, '2028-02-29')).toEqual({
      kind: 'create',
      event: 'subscription.created',
      effect: 'create',
      subscription: {
        status: 'active',
        startsOn: '2028-02-29',
        endsOn: '2029-02-28',
        termMonths: 12,
        currency: 'USD',
        lines: [{ partNumber: 'NW-SEAT', quantity: 50, unitPriceMinor: 13_580 }],
      },
    });
  });

  it('creates a new one even when the customer has one already', () => {
    expect(plan(northwind, 'new', [seat(5)], current())).toMatchObject({ kind: 'create' });
  });

  it('renews for the next term, from the end of the current one (29 February safe)', () => {
    const result = plan(northwind, 'renewal', [seat(55, 14_000)], current());
    expect(result).toEqual({
      kind: 'update',
      event: 'subscription.renewed',
      effect: 'renew',
      subscriptionId: 'sub_1',
      previousEndsOn: '2029-02-28',
      subscription: {
        status: 'active',
        startsOn: '2029-02-28',
        endsOn: '2030-02-28',
        termMonths: 12,
        currency: 'USD',
        lines: [{ partNumber: 'NW-SEAT', quantity: 55, unitPriceMinor: 14_000 }],
      },
    });
  });

  it('renews a lapsed subscription from the renewal day, and an expired one too', () => {
    const lapsed = current({ status: 'expired', endsOn: '2028-12-31' });
    expect(plan(northwind, 'auto_renewal', [seat(50)], lapsed, '2029-01-15')).toMatchObject({
      kind: 'update',
      subscription: { startsOn: '2029-01-15', endsOn: '2030-01-15' },
    });
  });

  it('starts a subscription when a renewal or an upsell finds none', () => {
    expect(plan(northwind, 'renewal', [seat(5)], null)).toMatchObject({ kind: 'create' });
    expect(plan(northwind, 'upsell', [seat(5)], null)).toMatchObject({ kind: 'create' });
    expect(plan(northwind, 'upsell', [seat(5)], current({ status: 'cancelled' }))).toMatchObject({
      kind: 'create',
    });
  });

  it('adds upsell seats to the current subscription, co-terminous, each at its price', () => {
    const result = plan(northwind, 'upsell', [seat(10), seat(5, 12_000)], current());
    expect(result).toEqual({
      kind: 'update',
      event: 'subscription.changed',
      effect: 'add',
      subscriptionId: 'sub_1',
      previousEndsOn: '2029-02-28',
      subscription: {
        status: 'active',
        startsOn: '2028-02-29',
        endsOn: '2029-02-28',
        termMonths: 12,
        currency: 'USD',
        lines: [
          { partNumber: 'NW-SEAT', quantity: 60, unitPriceMinor: 13_580 },
          { partNumber: 'NW-SEAT', quantity: 5, unitPriceMinor: 12_000 },
        ],
      },
    });
  });

  it('changes the lines of the named subscription and keeps its dates', () => {
    const result = plan(skyline, 'change', [seat(3, 900)], current());
    expect(result).toMatchObject({
      kind: 'update',
      event: 'subscription.changed',
      effect: 'change',
      subscription: {
        startsOn: '2028-02-29',
        endsOn: '2029-02-28',
        lines: [{ partNumber: 'NW-SEAT', quantity: 3, unitPriceMinor: 900 }],
      },
    });
  });

  it('refuses a change with nothing to change, or of a subscription no longer active', () => {
    expect(plan(skyline, 'change', [seat(3)], null)).toMatchObject({
      kind: 'refused',
      code: 'action.not_allowed',
    });
    expect(plan(skyline, 'change', [seat(3)], current({ status: 'cancelled' }))).toMatchObject({
      kind: 'refused',
      code: 'action.not_allowed',
    });
  });

  it('does nothing for order types without an effect, or orders without subscription lines', () => {
    expect(plan(edgeworks, 'training_seat', [seat(1)], null)).toMatchObject({ kind: 'none' });
    expect(plan(northwind, 'new', [service], null)).toMatchObject({ kind: 'none' });
  });

  it('counts the product types the profile names: maintenance for Edgeworks', () => {
    const maintenance: OrderLineForSubscription = {
      partNumber: 'EW-MNT',
      quantity: 2,
      unitPriceMinor: 10_000,
      productType: 'maintenance',
    };
    const license = {
      ...maintenance,
      partNumber: 'EW-LIC',
      productType: 'perpetual_license' as const,
    };
    expect(plan(edgeworks, 'license_maintenance', [license, maintenance], null)).toMatchObject({
      kind: 'create',
      subscription: { lines: [{ partNumber: 'EW-MNT', quantity: 2 }] },
    });
    expect(plan(northwind, 'new', [maintenance], null)).toMatchObject({ kind: 'none' });
  });

  it('uses the order type term over the default', () => {
    const profile = {
      ...northwind,
      orderTypes: northwind.orderTypes.map((t) =>
        t.key === 'new' ? { ...t, subscription: { effect: 'create' as const, termMonths: 36 } } : t,
      ),
    };
    expect(plan(profile, 'new', [seat(1)], null, '2028-02-29')).toMatchObject({
      subscription: { endsOn: '2031-02-28', termMonths: 36 },
    });
  });
});

describe('subscription keys of a profile', () => {
  const base = {
    slug: 'acme',
    name: 'Acme',
    currency: 'USD',
    orderNumberPrefix: 'A-',
    salesOrderNumberPrefix: 'AS-',
    attributes: [{ key: 'subscriptionId', label: 'Subscription' }],
  };
  const messages = (input: object): string[] => {
    const result = vendorProfileSchema.safeParse({ ...base, ...input });
    return result.success
      ? []
      : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  const type = (key: string, extra: object = {}) => ({
    key,
    label: key,
    quote: 'optional',
    ...extra,
  });

  it('defaults to a 12-month term of subscription lines, and no renewal quotes', () => {
    const parsed = vendorProfileSchema.parse({ ...base, orderTypes: [type('new')] });
    expect(parsed.subscriptions).toEqual({ defaultTermMonths: 12, productTypes: ['subscription'] });
  });

  it('refuses a term where nothing starts one, an id field on a creation, unknown fields', () => {
    expect(
      messages({
        orderTypes: [
          type('upsell', { subscription: { effect: 'add', termMonths: 12 } }),
          type('new', { subscription: { effect: 'create', idField: 'attributes.subscriptionId' } }),
          type('change', { subscription: { effect: 'change', idField: 'attributes.subId' } }),
        ],
      }),
    ).toEqual([
      'orderTypes.0.subscription.termMonths: A term only applies when the order creates or renews a subscription (effect is add)',
      'orderTypes.1.subscription.idField: An order that creates a subscription names none',
      expect.stringMatching(
        /^orderTypes\.2\.subscription\.idField: Unknown order field "attributes\.subId"/,
      ),
    ]);
  });

  it('needs the renewal quote type to be a renewing order type that takes quotes', () => {
    expect(
      messages({ orderTypes: [type('new')], subscriptions: { renewalQuoteOrderType: 'renewal' } }),
    ).toEqual(['subscriptions.renewalQuoteOrderType: Unknown order type "renewal"; declared: new']);
    expect(
      messages({ orderTypes: [type('new')], subscriptions: { renewalQuoteOrderType: 'new' } }),
    ).toEqual([
      'subscriptions.renewalQuoteOrderType: Order type "new" does not renew a subscription',
    ]);
    expect(
      messages({
        orderTypes: [
          type('renewal', { quote: 'not_applicable', subscription: { effect: 'renew' } }),
        ],
        subscriptions: { renewalQuoteOrderType: 'renewal' },
      }),
    ).toEqual(['subscriptions.renewalQuoteOrderType: Order type "renewal" takes no quote']);
  });

  it('needs an unchanged-subscription exemption to renew', () => {
    expect(
      messages({
        orderTypes: [type('auto', { quote: 'required', quoteExemption: 'unchanged_subscription' })],
      }),
    ).toEqual([
      'orderTypes.0.quoteExemption: An unchanged-subscription exemption needs subscription: { effect: renew }',
    ]);
  });

  it('refuses an effect on an order type that cannot carry subscription lines', () => {
    expect(
      messages({
        orderTypes: [
          type('svc', { allowedProductTypes: ['service'], subscription: { effect: 'create' } }),
        ],
      }),
    ).toEqual([
      'orderTypes.0.subscription.effect: None of its allowed product types (service) is a subscription product type (subscription)',
    ]);
  });
});

describe('subscriptionHasEnded', () => {
  it('ends on its end date, the day the next term would start', () => {
    expect(subscriptionHasEnded({ endsOn: '2029-02-28' }, '2029-02-27')).toBe(false);
    expect(subscriptionHasEnded({ endsOn: '2029-02-28' }, '2029-02-28')).toBe(true);
    expect(subscriptionHasEnded({ endsOn: '2029-02-28' }, '2029-03-01T10:00:00Z')).toBe(true);
  });
});
