// Fulfilment: what was delivered for which order lines — a subscription provisioned, license
// keys issued, a device shipped (carrier and tracking number, to the order's confirmed
// address), a seat booked, product files attached (document ids). Only the role that may
// complete the order at its current stage records one (the profile's provisioning stage).
// When every line is fulfilled the order completes through the order machine's `complete`
// (its own event and effects), in the same transaction.
import {
  transition,
  type OrderStatus,
  type OrderSubmission,
  type ProductType,
} from '@orderdesk/core';
import {
  findDocumentsByIds,
  findOrderInScope,
  findProductsByPartNumber,
  fulfilledQuantities,
  insertFulfilment,
  listOrderLines,
  newId,
  type Executor,
  type Fulfilment,
  type FulfilmentLine,
  type Order,
  type OrderLine,
} from '@orderdesk/store';
import { requireAccess, type VendorAccess } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { eventActorOf, recordEvent } from '../events/record-event.ts';
import { actOnOrder } from '../orders/act-on-order.ts';
import { orderScope } from '../orders/order-access.ts';
import { pickOrderLines } from '../orders/order-line-picks.ts';
import { machineOf, vendorOf } from '../orders/order-view.ts';
import {
  AppError,
  forbidden,
  notFound,
  unprocessable,
  type ProblemItem,
} from '../shared/errors.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import type { FulfilmentInput, FulfilmentKind, FulfilmentView } from './fulfilment.schemas.ts';
import { completionMailReachesPartner, writeFulfilmentReceipt } from './fulfilment-mail.ts';

const KIND_OF_TYPE: Record<ProductType, FulfilmentKind> = {
  subscription: 'subscription_provisioned',
  maintenance: 'subscription_provisioned',
  perpetual_license: 'license_keys_issued',
  training_seat: 'seat_booked',
  kit: 'device_shipped',
  device: 'device_shipped',
  service: 'service_delivered',
};

interface PlannedLine {
  line: OrderLine;
  quantity: number;
  kind: FulfilmentKind;
}

/** Checks the requested lines against the order; every problem at once. */
async function planLines(
  tx: Executor,
  order: Order,
  input: FulfilmentInput,
): Promise<{ planned: PlannedLine[]; remainingAfter: number; problems: ProblemItem[] }> {
  const lines = await listOrderLines(tx, order.id);
  const byNo = new Map(lines.map((l) => [l.line_no, l]));
  const done = await fulfilledQuantities(tx, order.id);
  const products = await findProductsByPartNumber(
    tx,
    order.vendor_id,
    lines.map((l) => l.part_number),
  );
  const problems: ProblemItem[] = [];
  const planned: PlannedLine[] = [];
  const picked = pickOrderLines(
    input.lines,
    byNo,
    done,
    (line, left) => `Line ${line.line_no} has ${left} left to fulfil`,
    problems,
  );
  for (const { line, quantity } of picked) {
    const product = products.get(line.part_number);
    const type = (product?.type ?? 'service') as ProductType;
    const kind = product?.ships ? 'device_shipped' : KIND_OF_TYPE[type];
    planned.push({ line, quantity, kind });
  }
  const fulfilledNow = new Map(planned.map((p) => [p.line.line_no, p.quantity]));
  const remainingAfter = lines.reduce(
    (sum, l) => sum + l.quantity - (done.get(l.line_no) ?? 0) - (fulfilledNow.get(l.line_no) ?? 0),
    0,
  );
  return { planned, remainingAfter, problems };
}

function shippedTo(
  a: NonNullable<OrderSubmission['shippingAddress']>,
): FulfilmentView['shippedTo'] {
  return {
    ...(a.name !== undefined ? { name: a.name } : {}),
    line1: a.line1,
    ...(a.line2 !== undefined ? { line2: a.line2 } : {}),
    city: a.city,
    ...(a.region !== undefined ? { region: a.region } : {}),
    postalCode: a.postalCode,
    country: a.country,
  };
}

/** The product files a fulfilment attaches must be documents of the order itself, named once. */
async function documentProblems(
  db: Executor,
  order: Order,
  ids: readonly string[],
): Promise<ProblemItem[]> {
  if (ids.length === 0) return [];
  const found = await findDocumentsByIds(db, order.vendor_id, ids);
  const ofOrder = new Set(found.filter((d) => d.order_id === order.id).map((d) => d.id));
  const seen = new Set<string>();
  const problems: ProblemItem[] = [];
  ids.forEach((id, i) => {
    if (seen.has(id)) {
      problems.push({
        path: `documentIds[${i}]`,
        code: 'invalid',
        message: `Document ${id} is named twice`,
      });
    } else if (!ofOrder.has(id)) {
      problems.push({
        path: `documentIds[${i}]`,
        code: 'invalid',
        message: `Document ${id} is not a document of this order (upload it with POST /orders/{id}/documents)`,
      });
    }
    seen.add(id);
  });
  return problems;
}

/**
 * Fulfilments are recorded by vendor staff; which role (the profile's provisioning role) is
 * the order's vendor's to say, checked by recordFulfilment.
 */
export const RECORD_FULFILMENT_ACCESS: VendorAccess = { vendor: 'any' };

/** Records a fulfilment; completes the order when nothing is left to fulfil. */
export async function recordFulfilment(
  ctx: AppContext,
  actorOrNull: Actor | null,
  input: { orderId: string; body: FulfilmentInput },
  options: WriteOptions = {},
): Promise<FulfilmentView> {
  const actor = requireAccess(actorOrNull, RECORD_FULFILMENT_ACCESS);
  return inTransaction(ctx, options, async (tx) => {
    const order = await findOrderInScope(tx, input.orderId, orderScope(actor));
    if (!order) throw notFound('Order');
    const { slug, profile } = await vendorOf(tx, order);
    // Whoever may complete the order at its stage fulfils it (the profile's provisioning role).
    const step = transition(machineOf(profile), {
      status: order.status as OrderStatus,
      action: 'complete',
      actorRoles: actor.roles,
      actorSide: actor.side,
    });
    if (!step.ok) {
      if (step.code === 'role.forbidden') {
        throw forbidden('Your role does not fulfil orders of this vendor');
      }
      throw new AppError(
        'conflict',
        'action-not-allowed',
        `The order is ${order.status}: ${step.message}`,
        [{ path: 'status', code: step.code, message: step.message }],
      );
    }
    const body = input.body;
    const { planned, remainingAfter, problems } = await planLines(tx, order, body);
    const submission = JSON.parse(order.body) as Partial<OrderSubmission>;
    const ships = planned.some((p) => p.kind === 'device_shipped');
    if (ships) {
      if (!body.carrier) {
        problems.push({
          path: 'carrier',
          code: 'required',
          message: 'A shipment names its carrier',
        });
      }
      if (!body.trackingNumber) {
        problems.push({
          path: 'trackingNumber',
          code: 'required',
          message: 'A shipment has a tracking number',
        });
      }
      if (!submission.shippingAddress?.confirmed) {
        problems.push({
          path: 'shippingAddress',
          code: 'shipping.unconfirmed',
          message: 'Devices ship only to the confirmed address on the order',
        });
      }
    }
    if (planned.some((p) => p.kind === 'license_keys_issued') && !body.licenseKeys?.length) {
      problems.push({
        path: 'licenseKeys',
        code: 'required',
        message: 'License lines are fulfilled by issuing their keys',
      });
    }
    problems.push(...(await documentProblems(tx, order, body.documentIds ?? [])));
    if (problems.length > 0) throw unprocessable('The fulfilment cannot be recorded', problems);

    const at = ctx.now().toISOString();
    const fulfilment: Fulfilment = {
      id: newId('ful'),
      vendor_id: order.vendor_id,
      partner_id: order.partner_id,
      order_id: order.id,
      carrier: body.carrier ?? null,
      tracking_number: body.trackingNumber ?? null,
      shipping_address:
        ships && submission.shippingAddress ? JSON.stringify(submission.shippingAddress) : null,
      license_keys: JSON.stringify(body.licenseKeys ?? []),
      document_ids: JSON.stringify(body.documentIds ?? []),
      created_by: actor.userId,
      created_at: at,
    };
    const rows: FulfilmentLine[] = planned.map((p) => ({
      fulfilment_id: fulfilment.id,
      order_id: order.id,
      line_no: p.line.line_no,
      quantity: p.quantity,
      kind: p.kind,
    }));
    await insertFulfilment(tx, fulfilment, rows);
    const event = await recordEvent(tx, {
      type: 'fulfilment.recorded',
      entityId: order.id,
      vendorId: order.vendor_id,
      partnerId: order.partner_id,
      actor: eventActorOf(actor),
      at,
      data: {
        orderId: order.id,
        number: order.number,
        orderType: order.type,
        fulfilmentId: fulfilment.id,
        lines: rows.map((r) => ({ lineNo: r.line_no, quantity: r.quantity, kind: r.kind })),
        carrier: fulfilment.carrier,
        trackingNumber: fulfilment.tracking_number,
        licenseKeys: body.licenseKeys?.length ?? 0,
        documentIds: body.documentIds ?? [],
      },
    });
    const confirmation = profile.orderTypes.find(
      (t) => t.key === order.type,
    )?.completionConfirmation;
    // One mail when this fulfilment completes the order: the profile's completion mail, which
    // lists what was delivered, where it reaches the partner; else this receipt.
    const completionMailed =
      remainingAfter === 0 && completionMailReachesPartner(profile, order.type, body.welcomeEmail);
    if (confirmation === 'completion_notice' && !completionMailed) {
      await writeFulfilmentReceipt(tx, {
        order,
        profile,
        vendorSlug: slug,
        fulfilment,
        planned,
        remaining: remainingAfter,
        eventId: event.id,
        at,
      });
    }
    let status = order.status;
    if (remainingAfter === 0) {
      const completed = await actOnOrder(
        ctx,
        actor,
        {
          orderId: order.id,
          action: 'complete',
          body: body.welcomeEmail === undefined ? {} : { welcomeEmail: body.welcomeEmail },
        },
        { tx },
      );
      status = completed.status;
    }
    return {
      id: fulfilment.id,
      orderId: order.id,
      lines: rows.map((r) => ({
        lineNo: r.line_no,
        quantity: r.quantity,
        kind: r.kind as FulfilmentKind,
      })),
      carrier: fulfilment.carrier,
      trackingNumber: fulfilment.tracking_number,
      shippedTo: ships && submission.shippingAddress ? shippedTo(submission.shippingAddress) : null,
      licenseKeys: body.licenseKeys ?? [],
      documentIds: body.documentIds ?? [],
      createdAt: at,
      orderCompleted: remainingAfter === 0,
      orderStatus: status,
    };
  });
}
