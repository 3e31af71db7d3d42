import { describe, expect, it } from 'vitest';
import { ORDER_ACTIONS } from '../order/order.machine.ts';
import { vendorProfileSchema } from '../profile/profile.schema.ts';
import { QUOTE_ACTIONS } from '../quote/quote.machine.ts';
import {
  DOMAIN_EVENTS,
  EVENT_SUBJECT,
  NOTIFICATION_EVENTS,
  ORDER_ACTION_EVENTS,
  QUOTE_ACTION_EVENTS,
  RENAMED_NOTIFICATION_EVENTS,
  VENDOR_ONLY_EVENTS,
  domainEvent,
  isDomainEventName,
  isVendorOnlyEvent,
} from './events.catalogue.ts';

// Regular past tenses end in -ed; the irregular ones are listed.
const PAST_TENSE = /^[a-z_]+\.(?:[a-z_]*ed|held|set)$/;

describe('the event catalogue', () => {
  it('names every event once, in the past tense, with a subject', () => {
    expect(new Set(DOMAIN_EVENTS).size).toBe(DOMAIN_EVENTS.length);
    for (const name of DOMAIN_EVENTS) {
      expect(name).toMatch(PAST_TENSE);
      expect(EVENT_SUBJECT[name]).toBeDefined();
    }
    expect(Object.keys(EVENT_SUBJECT).sort()).toEqual([...DOMAIN_EVENTS].sort());
  });

  it('has one event per order action and per quote action', () => {
    for (const action of ORDER_ACTIONS)
      expect(isDomainEventName(ORDER_ACTION_EVENTS[action])).toBe(true);
    for (const action of QUOTE_ACTIONS)
      expect(isDomainEventName(QUOTE_ACTION_EVENTS[action])).toBe(true);
    expect(ORDER_ACTION_EVENTS.hold).toBe('order.held');
    expect(QUOTE_ACTION_EVENTS.release).toBe('quote.released');
    expect(new Set(Object.values(ORDER_ACTION_EVENTS)).size).toBe(ORDER_ACTIONS.length);
  });

  it('lets profiles notify on a subset of it, under the same names', () => {
    for (const name of NOTIFICATION_EVENTS) expect(isDomainEventName(name)).toBe(true);
    for (const renamed of Object.values(RENAMED_NOTIFICATION_EVENTS)) {
      expect(NOTIFICATION_EVENTS).toContain(renamed);
    }
    for (const old of Object.keys(RENAMED_NOTIFICATION_EVENTS)) {
      expect(isDomainEventName(old)).toBe(false);
    }
  });

  it('records an invoice the scheduler could not issue on its order, for the vendor alone', () => {
    expect(isDomainEventName('invoice.failed')).toBe(true);
    expect(EVENT_SUBJECT['invoice.failed']).toBe('order');
    expect(NOTIFICATION_EVENTS).toContain('invoice.failed');
    const event = domainEvent('invoice.failed', {
      orderId: 'ord_1',
      number: 'EW-000001',
      orderType: 'device',
      message: 'Sum beyond the safe range',
    });
    expect(event.data.message).toBe('Sum beyond the safe range');
    // Vendor-only events are order events of the catalogue (the order timeline filters them).
    for (const name of VENDOR_ONLY_EVENTS) {
      expect(isDomainEventName(name)).toBe(true);
      expect(EVENT_SUBJECT[name]).toBe('order');
    }
    expect(isVendorOnlyEvent('invoice.failed')).toBe(true);
    expect(isVendorOnlyEvent('order.held')).toBe(false);
  });

  it('builds typed events', () => {
    const event = domainEvent('quote.released', {
      quoteId: 'qt_1',
      number: 'Q-1',
      revision: 2,
      orderType: 'new',
      from: 'ordered',
      to: 'approved',
      orderId: 'ord_1',
    });
    expect(event).toEqual({
      type: 'quote.released',
      data: expect.objectContaining({ revision: 2 }),
    });
  });
});

describe('notification events in a profile', () => {
  const base = {
    slug: 'acme',
    name: 'Acme',
    currency: 'USD',
    orderNumberPrefix: 'A-',
    salesOrderNumberPrefix: 'AS-',
    orderTypes: [{ key: 'new', label: 'New', quote: 'optional' }],
  };
  const withEvent = (event: string) =>
    vendorProfileSchema.safeParse({ ...base, notifications: [{ event, to: ['partner'] }] });

  it('accepts the catalogue names', () => {
    expect(withEvent('order.held').success).toBe(true);
    expect(withEvent('quote.released').success).toBe(true);
  });

  it.each(Object.entries(RENAMED_NOTIFICATION_EVENTS))(
    'refuses the old name %s and names the new one, %s',
    (old, renamed) => {
      const result = withEvent(old);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toBe(
        `"${old}" was renamed "${renamed}"; use the new name`,
      );
    },
  );

  it('refuses events a profile cannot notify on, with the usual message', () => {
    const result = withEvent('user.invited');
    expect(result.error?.issues[0]?.message).toMatch(/^Invalid option/);
  });
});
