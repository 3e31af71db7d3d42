// Judging a return by the vendor profile's returns policy (seed 002): products of a
// non-refundable type (software licenses) may not be returned once the order was invoiced,
// e-mailed or downloaded — the refusal says which of these happened and when; shipped goods
// (devices, kits) returned within the profile's returns.deviceReturnDays (default 30) of delivery get an RMA number; anything
// else waits for the vendor's decision. Pure: the facts are read by the caller.
import type { ProductType, ReturnBlockingEvent, ReturnsPolicy } from '@orderdesk/core';
import type { ReturnStatus } from './returns.schemas.ts';

/** Days after delivery within which a shipped item is taken back with an RMA, by default. */
/** The window when a profile names none (`returns.deviceReturnDays`). */
export const RETURN_WINDOW_DAYS = 30;

/** What happened to the order that can make a return non-refundable, with when. */
export interface ReturnFacts {
  invoiced?: { at: string; detail: string };
  emailed?: { at: string; detail: string };
  downloaded?: { at: string; detail: string };
}

export interface ReturnedLine {
  lineNo: number;
  partNumber: string;
  type: ProductType | null;
  ships: boolean;
}

export interface ReturnDecision {
  status: ReturnStatus;
  code?: 'return.not_refundable';
  message: string;
  rma: boolean;
}

const TYPE_WORDS: Partial<Record<ProductType, string>> = {
  perpetual_license: 'a software license',
  subscription: 'a subscription',
  maintenance: 'maintenance',
  service: 'a service',
  training_seat: 'a training seat',
};
const EVENT_WORDS: Record<ReturnBlockingEvent, string> = {
  invoiced: 'invoiced',
  emailed: 'e-mailed',
  downloaded: 'downloaded',
};

export function decideReturn(input: {
  policy: ReturnsPolicy | undefined;
  lines: readonly ReturnedLine[];
  facts: ReturnFacts;
  /** When the order was delivered (completed), if it was. */
  deliveredAt: string | null;
  now: Date;
}): ReturnDecision {
  const { policy, facts } = input;
  const blocked = (policy?.nonRefundableAfter ?? []).filter((e) => facts[e] !== undefined);
  const nonRefundable = input.lines.filter(
    (l) => l.type !== null && (policy?.nonRefundableProductTypes ?? []).includes(l.type),
  );
  if (nonRefundable.length > 0 && blocked.length > 0) {
    const what = nonRefundable
      .map(
        (l) =>
          `line ${l.lineNo} (${l.partNumber}) is ${TYPE_WORDS[l.type as ProductType] ?? l.type}`,
      )
      .join('; ');
    const happened = blocked
      .map((e) => {
        const fact = facts[e] as { at: string; detail: string };
        return `${EVENT_WORDS[e]} on ${fact.at} (${fact.detail})`;
      })
      .join(', and ');
    return {
      status: 'refused',
      code: 'return.not_refundable',
      message:
        `Not refundable: ${what}, and the order was ${happened}. ${policy?.policy ?? ''}`.trim(),
      rma: false,
    };
  }
  const windowDays = policy?.deviceReturnDays ?? RETURN_WINDOW_DAYS;
  const shipped = input.lines.filter((l) => l.ships);
  if (shipped.length === input.lines.length) {
    if (input.deliveredAt === null) {
      return {
        status: 'requested',
        message: 'The order is not delivered yet: the vendor will decide on the return.',
        rma: false,
      };
    }
    const ageDays = (input.now.getTime() - new Date(input.deliveredAt).getTime()) / 86_400_000;
    if (ageDays <= windowDays) {
      return {
        status: 'approved',
        message: `Returned within ${windowDays} days of delivery (${input.deliveredAt}): send the items back quoting the RMA number.`,
        rma: true,
      };
    }
    return {
      status: 'refused',
      code: 'return.not_refundable',
      message: `Delivered on ${input.deliveredAt}: returns are taken within ${windowDays} days of delivery.`,
      rma: false,
    };
  }
  return {
    status: 'requested',
    message: 'The return awaits the vendor’s decision.',
    rma: false,
  };
}
