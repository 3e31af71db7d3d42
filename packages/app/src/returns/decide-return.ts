// POST /returns/{id}/actions/approve|refuse: the vendor's decision on a return its policy left
// to it (status `requested`: e.g. maintenance, services, a license asked back before it was
// delivered). Approving runs the profile's policy again on the order as it is now: what it
// could not decide then it may refuse now (a license e-mailed, invoiced or downloaded since),
// and the vendor cannot approve past it — the approve is a 422 with the policy's
// `return.not_refundable` and nothing is written; the return stays `requested` for the vendor
// to refuse. Approving the return of goods that shipped gives it the next RMA number, as the
// policy's own approvals do (units no fulfilment shipped have nothing to send back, so none);
// refusing says why. The decision is made once (two staff at once: one wins, the other gets
// 409) and goes on the order's timeline as `return.decided`, like the policy's.
import {
  decideRequestedReturn,
  findOrderInScope,
  findProductsByPartNumber,
  findReturnInScope,
  listOrderLines,
  nextCounterValue,
  returnedQuantities,
  type Executor,
} from '@orderdesk/store';
import { requireAccess, type VendorAccess } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { eventActorOf, recordEvent } from '../events/record-event.ts';
import { orderScope } from '../orders/order-access.ts';
import { vendorOf } from '../orders/order-view.ts';
import { AppError, notFound, unprocessable } from '../shared/errors.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { returnViewOf } from './request-return.ts';
import { readReturnFacts, readShipments, returnedLineOf } from './return-facts.ts';
import { decideReturn, shippedInFull } from './return-policy.ts';
import type { ReturnDecisionBody, ReturnView } from './returns.schemas.ts';

/** Returns left to the vendor are decided by the order desk, the vendor admin and the CAM. */
export const DECIDE_RETURN_ACCESS: VendorAccess = { vendor: ['order_desk', 'vendor_admin', 'cam'] };

export type ReturnDecisionAction = 'approve' | 'refuse';

// The return and its order, when they are the actor's vendor's (and the order in its scope).
async function loadDecidable(db: Executor, actor: Actor & { vendorId: string }, returnId: string) {
  const found = await findReturnInScope(db, returnId, { vendorId: actor.vendorId });
  if (!found) throw notFound('Return');
  const order = await findOrderInScope(db, found.order_id, orderScope(actor));
  if (!order) throw notFound('Return');
  return { found, order };
}

/**
 * Who may decide the return, before its body is read: a role that decides returns (else 403)
 * and a return of the actor's vendor (else 404). The HTTP adapter calls it ahead of the
 * body's validation, so a partner's or another vendor's request is not answered with a 400
 * about the reason; decideReturnRequest checks the same again in its transaction.
 */
export async function checkReturnDecider(
  ctx: AppContext,
  actorOrNull: Actor | null,
  returnId: string,
): Promise<void> {
  await loadDecidable(ctx.store.db, requireAccess(actorOrNull, DECIDE_RETURN_ACCESS), returnId);
}

export async function decideReturnRequest(
  ctx: AppContext,
  actorOrNull: Actor | null,
  input: { returnId: string; decision: ReturnDecisionAction; body: ReturnDecisionBody },
  options: WriteOptions = {},
): Promise<ReturnView> {
  const actor = requireAccess(actorOrNull, DECIDE_RETURN_ACCESS);
  return inTransaction(ctx, options, async (tx) => {
    const { found, order } = await loadDecidable(tx, actor, input.returnId);
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
      const lines = (await listOrderLines(tx, order.id)).filter((l) =>
        returned.some((r) => r.lineNo === l.line_no),
      );
      const products = await findProductsByPartNumber(
        tx,
        order.vendor_id,
        lines.map((l) => l.part_number),
      );
      // This return stands (requested), so the units out on returns include its own.
      const [shipments, out] = await Promise.all([
        readShipments(tx, order.id),
        returnedQuantities(tx, order.id),
      ]);
      const judged = lines.map((l) =>
        returnedLineOf(
          l,
          products.get(l.part_number),
          shipments.get(l.line_no),
          out.get(l.line_no) ?? 0,
        ),
      );
      const { profile } = await vendorOf(tx, order);
      const policy = decideReturn({
        policy: profile.returns,
        lines: judged,
        facts: await readReturnFacts(tx, order.id),
        now: ctx.now(),
      });
      if (policy.status === 'refused') {
        throw unprocessable('The returns policy does not allow this return', [
          {
            path: 'lines',
            code: policy.code ?? 'return.not_refundable',
            message: policy.message,
          },
        ]);
      }
      // An RMA number is for sending goods back: none for units that never shipped.
      if (judged.some(shippedInFull)) {
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
