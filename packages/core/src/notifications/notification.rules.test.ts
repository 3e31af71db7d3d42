import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseVendorProfile } from '../profile/profile.loader.ts';
import { domainEvent } from '../events/events.catalogue.ts';
import { notificationsFor } from '../order/order.notifications.ts';
import {
  invoiceConfirmsCompletion,
  notificationsForEvent,
  selectNotifications,
} from './notification.rules.ts';

const file = new URL('../../../../examples/profiles/northwind.yaml', import.meta.url);
const parsed = parseVendorProfile(readFileSync(file, 'utf8'), file.pathname);
if (!parsed.ok) throw new Error('northwind profile invalid');
const northwind = parsed.profile;

describe('notificationsFor', () => {
  it('sends the welcome email, copying the provisioning CC, on new business and upsell', () => {
    for (const type of ['new', 'upsell']) {
      const rules = notificationsFor(northwind, 'order.completed', type);
      expect(rules).toEqual([
        expect.objectContaining({
          template: 'welcome_email',
          to: ['end_user_site_admin'],
          cc: ['provisioning_cc'],
        }),
      ]);
    }
  });

  it('leaves the welcome email of a renewal to provisioning, and never sends one on auto-renewals', () => {
    expect(notificationsFor(northwind, 'order.completed', 'renewal')).toEqual([]);
    // Sent, it copies the partner like new business: it is then the partner's confirmation.
    expect(
      notificationsFor(northwind, 'order.completed', 'renewal', { sendWelcomeEmail: true }),
    ).toEqual([
      expect.objectContaining({
        template: 'welcome_email',
        to: ['end_user_site_admin'],
        cc: ['provisioning_cc'],
      }),
    ]);
    expect(
      notificationsFor(northwind, 'order.completed', 'auto_renewal', { sendWelcomeEmail: true }),
    ).toEqual([]);
  });

  it('tells the partner when an order is put on hold', () => {
    expect(notificationsFor(northwind, 'order.held', 'new')).toEqual([
      expect.objectContaining({ to: ['partner'] }),
    ]);
    expect(notificationsFor(northwind, 'order.booked', 'new')).toEqual([]);
  });
});

describe('selectNotifications', () => {
  it('selects quote notifications by event name, like order ones', () => {
    expect(selectNotifications(northwind, 'quote.requested', { orderType: 'new' })).toEqual([
      expect.objectContaining({ to: ['cam'] }),
    ]);
    expect(selectNotifications(northwind, 'quote.approved', { orderType: 'renewal' })).toEqual([
      expect.objectContaining({ to: ['partner'], attach: ['quote_pdf'] }),
    ]);
    expect(selectNotifications(northwind, 'quote.declined', { orderType: 'new' })).toEqual([]);
  });

  it('filters quote rules by the quote order type', () => {
    const profile = {
      ...northwind,
      notifications: [
        ...northwind.notifications,
        {
          event: 'quote.approved' as const,
          to: ['sales' as const],
          cc: [],
          attach: [],
          thread: 'order' as const,
          orderTypes: ['renewal'],
        },
      ],
    };
    expect(selectNotifications(profile, 'quote.approved', { orderType: 'renewal' })).toHaveLength(
      2,
    );
    expect(selectNotifications(profile, 'quote.approved', { orderType: 'new' })).toHaveLength(1);
    // An event about no order type never fires a rule limited to some order types.
    expect(selectNotifications(profile, 'quote.approved')).toHaveLength(1);
  });

  it('selects nothing for events a profile cannot notify on', () => {
    expect(selectNotifications(northwind, 'user.invited')).toEqual([]);
  });

  it('reads the order type and the welcome choice from a recorded event', () => {
    const completed = domainEvent('order.completed', {
      orderId: 'ord_1',
      number: 'NW-1',
      orderType: 'renewal',
      from: 'provisioning',
      to: 'completed',
      sendWelcomeEmail: true,
    });
    expect(notificationsForEvent(northwind, completed)).toEqual([
      expect.objectContaining({ template: 'welcome_email' }),
    ]);
    const held = domainEvent('order.held', {
      orderId: 'ord_1',
      number: 'NW-1',
      orderType: 'new',
      from: 'submitted',
      to: 'on_hold',
      reason: 'PO missing',
    });
    expect(notificationsForEvent(northwind, held)).toEqual([
      expect.objectContaining({ to: ['partner'] }),
    ]);
  });
});

describe('invoiceConfirmsCompletion', () => {
  it("is the partner's confirmation where the order type says so, or no welcome mail went out", () => {
    // northwind: new → welcome_email, renewal → welcome_email_else_invoice, auto_renewal → invoice.
    expect(invoiceConfirmsCompletion(northwind, 'new', false)).toBe(false);
    expect(invoiceConfirmsCompletion(northwind, 'renewal', false)).toBe(true);
    expect(invoiceConfirmsCompletion(northwind, 'renewal', true)).toBe(false);
    expect(invoiceConfirmsCompletion(northwind, 'auto_renewal', true)).toBe(true);
    expect(invoiceConfirmsCompletion(northwind, 'no_such_type', false)).toBe(false);
  });
});
