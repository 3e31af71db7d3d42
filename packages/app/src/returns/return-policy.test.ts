import { describe, expect, it } from 'vitest';
import type { ReturnsPolicy } from '@orderdesk/core';
import { RETURN_WINDOW_DAYS, decideReturn, type ReturnedLine } from './return-policy.ts';

// Seed 002's policy, as edgeworks' profile writes it.
const policy: ReturnsPolicy = {
  policy: 'No credit is issued for software licenses once invoiced, e-mailed or downloaded.',
  nonRefundableProductTypes: ['perpetual_license'],
  nonRefundableAfter: ['invoiced', 'emailed', 'downloaded'],
  deviceReturnDays: RETURN_WINDOW_DAYS,
};
const license: ReturnedLine = {
  lineNo: 1,
  partNumber: 'EW-LIC',
  type: 'perpetual_license',
  ships: false,
};
const device: ReturnedLine = { lineNo: 2, partNumber: 'EW-GW', type: 'device', ships: true };
const now = new Date('2027-03-01T12:00:00Z');
const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000).toISOString();

describe('decideReturn', () => {
  it('refuses a license once any of the three happened, naming each with its time', () => {
    for (const fact of ['invoiced', 'emailed', 'downloaded'] as const) {
      const decision = decideReturn({
        policy,
        lines: [license],
        facts: { [fact]: { at: daysAgo(1), detail: 'proof' } },
        deliveredAt: daysAgo(2),
        now,
      });
      expect(decision).toMatchObject({
        status: 'refused',
        code: 'return.not_refundable',
        rma: false,
      });
      const word = { invoiced: 'invoiced', emailed: 'e-mailed', downloaded: 'downloaded' }[fact];
      expect(decision.message).toContain(`${word} on ${daysAgo(1)} (proof)`);
      expect(decision.message).toContain('line 1 (EW-LIC) is a software license');
    }
  });

  it('leaves a license nothing happened to, and a policy-free vendor, to the vendor', () => {
    expect(
      decideReturn({ policy, lines: [license], facts: {}, deliveredAt: null, now }).status,
    ).toBe('requested');
    expect(
      decideReturn({
        policy: undefined,
        lines: [license],
        facts: { downloaded: { at: daysAgo(1), detail: 'x' } },
        deliveredAt: null,
        now,
      }).status,
    ).toBe('requested');
  });

  it("takes the window from the profile's returns.deviceReturnDays", () => {
    const short = { ...policy, deviceReturnDays: 10 };
    const judge = (days: number) =>
      decideReturn({ policy: short, lines: [device], facts: {}, deliveredAt: daysAgo(days), now });
    expect(judge(10)).toMatchObject({ status: 'approved', rma: true });
    expect(judge(11)).toMatchObject({ status: 'refused', code: 'return.not_refundable' });
    expect(judge(11).message).toContain('within 10 days');
  });

  it('gives shipped goods an RMA within the window, to the day, and refuses them after it', () => {
    const within = decideReturn({
      policy,
      lines: [device],
      facts: { invoiced: { at: daysAgo(3), detail: 'INV-1' } },
      deliveredAt: daysAgo(RETURN_WINDOW_DAYS),
      now,
    });
    expect(within).toMatchObject({ status: 'approved', rma: true });
    const late = decideReturn({
      policy,
      lines: [device],
      facts: {},
      deliveredAt: new Date(now.getTime() - RETURN_WINDOW_DAYS * 86_400_000 - 1).toISOString(),
      now,
    });
    expect(late).toMatchObject({ status: 'refused', code: 'return.not_refundable', rma: false });
    // Not delivered yet, or mixed with something that does not ship: the vendor decides.
    expect(
      decideReturn({ policy, lines: [device], facts: {}, deliveredAt: null, now }).status,
    ).toBe('requested');
    expect(
      decideReturn({
        policy,
        lines: [device, { ...license, type: 'service' }],
        facts: {},
        deliveredAt: daysAgo(1),
        now,
      }).status,
    ).toBe('requested');
  });
});
