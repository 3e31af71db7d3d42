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
const now = new Date('2027-03-01T12:00:00Z');
const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000).toISOString();
const license: ReturnedLine = {
  lineNo: 1,
  partNumber: 'EW-LIC',
  type: 'perpetual_license',
  ships: false,
  unitsBack: 1,
  shipped: { quantity: 0, lastAt: null },
};
/** A device line of which one unit is asked back, shipped `at` (by default, two days ago). */
const shippedDevice = (at: string | null = daysAgo(2), quantity = 1): ReturnedLine => ({
  lineNo: 2,
  partNumber: 'EW-GW',
  type: 'device',
  ships: true,
  unitsBack: 1,
  shipped: { quantity: at === null ? 0 : quantity, lastAt: at },
});
const device = shippedDevice();

describe('decideReturn', () => {
  it('refuses a license once any of the three happened, naming each with its time', () => {
    for (const fact of ['invoiced', 'emailed', 'downloaded'] as const) {
      const decision = decideReturn({
        policy,
        lines: [license],
        facts: { [fact]: { at: daysAgo(1), detail: 'proof' } },
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
    expect(decideReturn({ policy, lines: [license], facts: {}, now }).status).toBe('requested');
    expect(
      decideReturn({
        policy: undefined,
        lines: [license],
        facts: { downloaded: { at: daysAgo(1), detail: 'x' } },
        now,
      }).status,
    ).toBe('requested');
  });

  it("takes the window from the profile's returns.deviceReturnDays", () => {
    const short = { ...policy, deviceReturnDays: 10 };
    const judge = (days: number) =>
      decideReturn({ policy: short, lines: [shippedDevice(daysAgo(days))], facts: {}, now });
    expect(judge(10)).toMatchObject({ status: 'approved', rma: true });
    expect(judge(11)).toMatchObject({ status: 'refused', code: 'return.not_refundable' });
    expect(judge(11).message).toContain('within 10 days');
  });

  it('gives shipped goods an RMA within the window, to the day, and refuses them after it', () => {
    const within = decideReturn({
      policy,
      lines: [shippedDevice(daysAgo(RETURN_WINDOW_DAYS))],
      facts: { invoiced: { at: daysAgo(3), detail: 'INV-1' } },
      now,
    });
    expect(within).toMatchObject({ status: 'approved', rma: true });
    const late = decideReturn({
      policy,
      lines: [
        shippedDevice(new Date(now.getTime() - RETURN_WINDOW_DAYS * 86_400_000 - 1).toISOString()),
      ],
      facts: {},
      now,
    });
    expect(late).toMatchObject({ status: 'refused', code: 'return.not_refundable', rma: false });
    // Mixed with something that does not ship: the vendor decides.
    expect(
      decideReturn({
        policy,
        lines: [device, { ...license, type: 'service' }],
        facts: {},
        now,
      }).status,
    ).toBe('requested');
  });

  it('counts the window from the last shipment of the lines asked back', () => {
    const early = { ...shippedDevice(daysAgo(40)), lineNo: 3, partNumber: 'EW-KIT' };
    const decision = decideReturn({
      policy,
      lines: [early, shippedDevice(daysAgo(5))],
      facts: {},
      now,
    });
    expect(decision).toMatchObject({ status: 'approved', rma: true });
    expect(decision.message).toContain(`(shipped ${daysAgo(5)})`);
  });

  it('leaves goods no fulfilment shipped to the vendor: no delivery to count from, nothing to send back', () => {
    const never = decideReturn({ policy, lines: [shippedDevice(null)], facts: {}, now });
    expect(never).toEqual({
      status: 'requested',
      message:
        'Line 2 (EW-GW) never shipped: no fulfilment of the order records it. The vendor will decide on the return.',
      rma: false,
    });
    // More units asked back (with the line's earlier returns) than shipped: the same.
    const partly = decideReturn({
      policy,
      lines: [{ ...shippedDevice(daysAgo(1), 1), unitsBack: 3 }],
      facts: {},
      now,
    });
    expect(partly).toMatchObject({ status: 'requested', rma: false });
    expect(partly.message).toBe(
      'Line 2 (EW-GW): 1 of the 3 units asked back shipped. The vendor will decide on the return.',
    );
    // However long ago the order completed, and beside a line that did ship.
    expect(
      decideReturn({
        policy,
        lines: [{ ...shippedDevice(daysAgo(1)), lineNo: 1 }, shippedDevice(null)],
        facts: {},
        now,
      }),
    ).toMatchObject({ status: 'requested', rma: false });
    // A license refusal still comes first: it is the policy's, whatever shipped.
    expect(
      decideReturn({
        policy,
        lines: [license, shippedDevice(null)],
        facts: { invoiced: { at: daysAgo(1), detail: 'INV-2' } },
        now,
      }),
    ).toMatchObject({ status: 'refused', code: 'return.not_refundable' });
  });
});
