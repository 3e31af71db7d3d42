import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseVendorProfile } from '../profile/profile.loader.ts';
import { notificationsFor } from './order.notifications.ts';

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
    expect(
      notificationsFor(northwind, 'order.completed', 'renewal', { sendWelcomeEmail: true }),
    ).toHaveLength(1);
    expect(
      notificationsFor(northwind, 'order.completed', 'auto_renewal', { sendWelcomeEmail: true }),
    ).toEqual([]);
  });

  it('tells the partner when an order is put on hold', () => {
    expect(notificationsFor(northwind, 'order.on_hold', 'new')).toEqual([
      expect.objectContaining({ to: ['partner'] }),
    ]);
    expect(notificationsFor(northwind, 'order.booked', 'new')).toEqual([]);
  });
});
