// Judging a return by the vendor profile's returns policy (seed 002): products of a
// non-refundable type (software licenses) may not be returned once the order was invoiced,
// e-mailed or downloaded — the refusal says which of these happened and when; shipped goods
// (devices, kits) returned within the profile's returns.deviceReturnDays (default 30) of their
// shipment get an RMA number. Goods are delivered by their shipment — a fulfilment of their
// line — not by the order's completion: units asked back that no fulfilment shipped have no
// delivery to count from and nothing to send back, and the seed does not forbid the return
// (a partner may be owed a credit for them), so the vendor decides, as it does anything else.
// Pure: the facts are read by the caller.
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
  /** Units of the line asked back: this return's, with the line's earlier returns that stand. */
  unitsBack: number;
  /** Units of the line the order's fulfilments shipped, and when the last of them left. */
  shipped: { quantity: number; lastAt: string | null };
}

/** Whether every unit of a line of goods asked back was shipped (a fulfilment records it). */
export function shippedInFull(line: ReturnedLine): boolean {
  return line.ships && line.shipped.lastAt !== null && line.shipped.quantity >= line.unitsBack;
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
  const unshipped = shipped.filter((l) => !shippedInFull(l));
  if (unshipped.length > 0) {
    return {
      status: 'requested',
      message: `${capitalised(unshipped.map(unshippedWords).join('; '))}. The vendor will decide on the return.`,
      rma: false,
    };
  }
  if (shipped.length > 0 && shipped.length === input.lines.length) {
    // The window runs from the last shipment of what comes back: the doubt goes to the partner.
    const deliveredAt = shipped
      .map((l) => l.shipped.lastAt as string)
      .reduce((a, b) => (new Date(b) > new Date(a) ? b : a));
    const ageDays = (input.now.getTime() - new Date(deliveredAt).getTime()) / 86_400_000;
    if (ageDays <= windowDays) {
      return {
        status: 'approved',
        message: `Returned within ${windowDays} days of delivery (shipped ${deliveredAt}): send the items back quoting the RMA number.`,
        rma: true,
      };
    }
    return {
      status: 'refused',
      code: 'return.not_refundable',
      message: `Shipped on ${deliveredAt}: returns are taken within ${windowDays} days of delivery.`,
      rma: false,
    };
  }
  return {
    status: 'requested',
    message: 'The return awaits the vendor’s decision.',
    rma: false,
  };
}

function unshippedWords(l: ReturnedLine): string {
  return l.shipped.quantity === 0
    ? `line ${l.lineNo} (${l.partNumber}) never shipped: no fulfilment of the order records it`
    : `line ${l.lineNo} (${l.partNumber}): ${l.shipped.quantity} of the ${l.unitsBack} units asked back shipped`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
