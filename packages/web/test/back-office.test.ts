// Back-office choices read from the vendor profile: the queue a user starts on, and whether
// completing an order offers the welcome e-mail.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseVendorProfile, type VendorProfile } from '@orderdesk/core';
import { queueOfRoles } from '../src/routes/desk/queue-of-roles.ts';
import { offersWelcomeEmailChoice } from '../src/routes/orders/welcome-email.ts';

function profileOf(slug: string): VendorProfile {
  const file = new URL(`../../../examples/profiles/${slug}.yaml`, import.meta.url);
  const parsed = parseVendorProfile(readFileSync(file, 'utf8'), `${slug}.yaml`);
  if (!parsed.ok) throw new Error(`${slug}.yaml does not parse`);
  return parsed.profile;
}

describe('queueOfRoles', () => {
  it('opens the first stage the user’s role acts on', () => {
    const northwind = profileOf('northwind').workflow;
    expect(queueOfRoles(northwind, ['order_desk'])).toBe('submitted');
    expect(queueOfRoles(northwind, ['finance'])).toBe('booking');
    expect(queueOfRoles(northwind, ['provisioning'])).toBe('provisioning');
    expect(queueOfRoles(northwind, ['finance', 'provisioning'])).toBe('booking');
    // Skyline has no booking stage.
    expect(queueOfRoles(profileOf('skyline').workflow, ['provisioning'])).toBe('provisioning');
  });

  it('opens the first stage for a role no stage names', () => {
    expect(queueOfRoles(profileOf('edgeworks').workflow, ['sales'])).toBe('submitted');
  });
});

describe('offersWelcomeEmailChoice', () => {
  it('only where the order type leaves it open', () => {
    const northwind = profileOf('northwind');
    expect(offersWelcomeEmailChoice(northwind, 'renewal')).toBe(true);
    expect(offersWelcomeEmailChoice(northwind, 'new')).toBe(false);
    expect(offersWelcomeEmailChoice(northwind, 'auto_renewal')).toBe(false);
    const edgeworks = profileOf('edgeworks');
    for (const type of edgeworks.orderTypes) {
      expect(offersWelcomeEmailChoice(edgeworks, type.key), type.key).toBe(false);
    }
    expect(offersWelcomeEmailChoice(undefined, 'renewal')).toBe(false);
  });
});
