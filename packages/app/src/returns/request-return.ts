// POST /returns: a partner asks to return lines of one of its orders; the profile's returns
// policy decides at once (return-policy.ts) from what the order went through — its invoice
// (invoices), the mails that delivered it (its thread), a partner's download of its files
// (order.document_downloaded), the shipments of its goods (its fulfilments). Approved returns
// of shipped goods get a gapless per-vendor RMA number. The decision is stored with the request
// and recorded on the order's timeline: `return.decided` when the policy decided,
// `return.requested` when it left it to the vendor.
import {
  findOrderInScope,
  findProductsByPartNumber,
  findReturnInScope,
  insertReturn,
  listOrderLines,
  listReturns,
  newId,
  nextCounterValue,
  returnedQuantities,
  type ReturnRequest,
  type ReturnScope,
} from '@orderdesk/store';
import { z } from 'zod';
import { requireAccess, type PartnerAccess } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { eventActorOf, recordEvent } from '../events/record-event.ts';
import { orderScope } from '../orders/order-access.ts';
import { pickOrderLines } from '../orders/order-line-picks.ts';
import { vendorOf } from '../orders/order-view.ts';
import { notFound, unprocessable, type ProblemItem } from '../shared/errors.ts';
import { decodeCursor, pageOf, type Page } from '../shared/paging.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { readReturnFacts, readShipments, returnedLineOf } from './return-facts.ts';
import { decideReturn, type ReturnedLine } from './return-policy.ts';
import type { ReturnBody, ReturnListQuery, ReturnStatus, ReturnView } from './returns.schemas.ts';

// Still exported from here (the package's index names this file, not return-facts.ts).
export { DELIVERY_MAIL_TEMPLATES } from './return-facts.ts';

export function returnViewOf(row: ReturnRequest): ReturnView {
  return {
    id: row.id,
    orderId: row.order_id,
    lines: JSON.parse(row.lines) as ReturnView['lines'],
    reason: row.reason,
    status: row.status as ReturnStatus,
    decision: {
      ...(row.decision_code ? { code: row.decision_code } : {}),
      message: row.decision_message,
    },
    ...(row.rma_number ? { rmaNumber: row.rma_number } : {}),
    createdAt: row.created_at,
  };
}

// A partner sees the returns it asked for (a distributor not its resellers': theirs to make).
function returnScope(actor: Actor): ReturnScope {
  if (actor.side === 'vendor' && actor.vendorId) return { vendorId: actor.vendorId };
  return { partnerIds: actor.partnerId ? [actor.partnerId] : [] };
}

/** Returns are asked for by partner users. */
export const REQUEST_RETURN_ACCESS: PartnerAccess = {
  partner: 'any',
  refusal: 'Returns are requested by the partner',
};

export async function requestReturn(
  ctx: AppContext,
  actor: Actor,
  input: ReturnBody,
  options: WriteOptions = {},
): Promise<ReturnView> {
  requireAccess(actor, REQUEST_RETURN_ACCESS);
  return inTransaction(ctx, options, async (tx) => {
    const order = await findOrderInScope(tx, input.orderId, orderScope(actor));
    if (!order || order.ordering_partner_id !== actor.partnerId) {
      throw unprocessable('The return names an order that is not yours', [
        { path: 'orderId', code: 'invalid', message: 'Not an order your organization placed' },
      ]);
    }
    const { profile } = await vendorOf(tx, order);
    const lines = await listOrderLines(tx, order.id);
    const byNo = new Map(lines.map((l) => [l.line_no, l]));
    const returned = await returnedQuantities(tx, order.id);
    const products = await findProductsByPartNumber(
      tx,
      order.vendor_id,
      lines.map((l) => l.part_number),
    );
    const problems: ProblemItem[] = [];
    const picked = pickOrderLines(
      input.lines,
      byNo,
      returned,
      (line, left) => `At most ${left} of line ${line.line_no} can be returned`,
      problems,
    );
    if (problems.length > 0) throw unprocessable('The return cannot be requested', problems);
    const shipments = await readShipments(tx, order.id);
    const judged: ReturnedLine[] = picked.map(({ line, quantity }) =>
      returnedLineOf(
        line,
        products.get(line.part_number),
        shipments.get(line.line_no),
        (returned.get(line.line_no) ?? 0) + quantity,
      ),
    );

    const facts = await readReturnFacts(tx, order.id);
    const now = ctx.now();
    const decision = decideReturn({ policy: profile.returns, lines: judged, facts, now });
    const rma = decision.rma
      ? `RMA-${String(await nextCounterValue(tx, order.vendor_id, 'rma')).padStart(6, '0')}`
      : null;
    const at = now.toISOString();
    const row: ReturnRequest = {
      id: newId('ret'),
      vendor_id: order.vendor_id,
      partner_id: order.partner_id,
      ordering_partner_id: order.ordering_partner_id,
      order_id: order.id,
      lines: JSON.stringify(input.lines.map((l) => ({ lineNo: l.lineNo, quantity: l.quantity }))),
      reason: input.reason,
      status: decision.status,
      decision_code: decision.code ?? null,
      decision_message: decision.message,
      rma_number: rma,
      created_by: actor.userId,
      created_at: at,
    };
    await insertReturn(tx, row);
    const event = {
      entityId: order.id,
      vendorId: order.vendor_id,
      partnerId: order.partner_id,
      actor: eventActorOf(actor),
      at,
      reason: input.reason,
    };
    const about = { orderId: order.id, number: order.number, orderType: order.type };
    // Left to the vendor: a request, not a decision; the vendor's decision is `return.decided`
    // (decide-return.ts). The policy's own approval or refusal is decided now.
    if (decision.status === 'requested') {
      await recordEvent(tx, {
        ...event,
        type: 'return.requested',
        data: {
          ...about,
          returnId: row.id,
          status: 'requested',
          lines: input.lines.map((l) => ({ lineNo: l.lineNo, quantity: l.quantity })),
        },
      });
    } else {
      await recordEvent(tx, {
        ...event,
        type: 'return.decided',
        data: {
          ...about,
          returnId: row.id,
          status: decision.status,
          code: decision.code ?? null,
          rmaNumber: rma,
        },
      });
    }
    return returnViewOf(row);
  });
}

/** GET /returns/{id}: the partner's own (or its vendor's, for staff); 404 otherwise. */
export async function getReturn(ctx: AppContext, actor: Actor, id: string): Promise<ReturnView> {
  const row = await findReturnInScope(ctx.store.db, id, returnScope(actor));
  if (!row) throw notFound('Return');
  return returnViewOf(row);
}

/** GET /returns: newest first, in the caller's scope. */
export async function listReturnsPage(
  ctx: AppContext,
  actor: Actor,
  query: ReturnListQuery,
): Promise<Page<ReturnView>> {
  const before = decodeCursor(query.cursor, z.object({ id: z.string() }));
  const rows = await listReturns(
    ctx.store.db,
    returnScope(actor),
    {
      ...(query.orderId ? { orderId: query.orderId } : {}),
      ...(query.status ? { status: query.status } : {}),
    },
    { limit: query.limit + 1, ...(before ? { before: before.id } : {}) },
  );
  return pageOf(rows, query.limit, (r) => ({ id: r.id }), returnViewOf);
}
