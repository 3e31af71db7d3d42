// POST /returns/{id}/actions/approve|refuse: the vendor's decision on a return its policy left
// to it (status `requested`: e.g. maintenance, services). Approving the return of goods that
// ship gives it the next RMA number, as the policy's own approvals do; refusing says why. The
// decision is made once (two staff at once: one wins, the other gets 409) and goes on the
// order's timeline as `return.decided`, like the policy's.
import {
  decideRequestedReturn,
  findOrderInScope,
  findProductsByPartNumber,
  findReturnInScope,
  listOrderLines,
  nextCounterValue,
} from '@orderdesk/store';
import { requireVendorStaff, type Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { eventActorOf, recordEvent } from '../events/record-event.ts';
import { orderScope } from '../orders/order-access.ts';
import { AppError, notFound } from '../shared/errors.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { returnViewOf } from './request-return.ts';
import type { ReturnDecisionBody, ReturnView } from './returns.schemas.ts';

/** Vendor roles that decide returns. */
const RETURN_ROLES = ['order_desk', 'vendor_admin', 'cam'] as const;

export type ReturnDecisionAction = 'approve' | 'refuse';

export async function decideReturnRequest(
  ctx: AppContext,
  actorOrNull: Actor | null,
  input: { returnId: string; decision: ReturnDecisionAction; body: ReturnDecisionBody },
  options: WriteOptions = {},
): Promise<ReturnView> {
  const actor = requireVendorStaff(actorOrNull, RETURN_ROLES);
  return inTransaction(ctx, options, async (tx) => {
    const found = await findReturnInScope(tx, input.returnId, { vendorId: actor.vendorId });
    if (!found) throw notFound('Return');
    const order = await findOrderInScope(tx, found.order_id, orderScope(actor));
    if (!order) throw notFound('Return');
    if (found.status !== 'requested') {
      throw new AppError('conflict', 'return-decided', `The return is already ${found.status}`, [
        {
          path: 'status',
          code: 'action.not_allowed',
          message: `Only a requested return is decided; this one is ${found.status}`,
        },
      ]);
    }
    const approve = input.decision === 'approve';
    let rma: string | null = null;
    if (approve) {
      const returned = JSON.parse(found.lines) as { lineNo: number }[];
      const lines = await listOrderLines(tx, order.id);
      const partNumbers = lines
        .filter((l) => returned.some((r) => r.lineNo === l.line_no))
        .map((l) => l.part_number);
      const products = await findProductsByPartNumber(tx, order.vendor_id, partNumbers);
      const ships = [...products.values()].some((p) => p.ships === 1 || p.type === 'device');
      if (ships) {
        rma = `RMA-${String(await nextCounterValue(tx, order.vendor_id, 'rma')).padStart(6, '0')}`;
      }
    }
    const message = `${approve ? 'Approved' : 'Refused'} by the vendor: ${input.body.reason}`;
    const decided = await decideRequestedReturn(tx, {
      vendorId: actor.vendorId,
      id: found.id,
      status: approve ? 'approved' : 'refused',
      decisionCode: approve ? null : 'return.refused',
      decisionMessage: message,
      rmaNumber: rma,
    });
    if (!decided) {
      throw new AppError('conflict', 'return-decided', 'The return was decided meanwhile', [
        { path: 'status', code: 'action.not_allowed', message: 'Someone decided it first' },
      ]);
    }
    const at = ctx.now().toISOString();
    await recordEvent(tx, {
      type: 'return.decided',
      entityId: order.id,
      vendorId: order.vendor_id,
      partnerId: order.partner_id,
      actor: eventActorOf(actor),
      at,
      reason: input.body.reason,
      data: {
        orderId: order.id,
        number: order.number,
        orderType: order.type,
        returnId: found.id,
        status: approve ? 'approved' : 'refused',
        code: approve ? null : 'return.refused',
        rmaNumber: rma,
      },
    });
    return returnViewOf({
      ...found,
      status: approve ? 'approved' : 'refused',
      decision_code: approve ? null : 'return.refused',
      decision_message: message,
      rma_number: rma,
    });
  });
}
