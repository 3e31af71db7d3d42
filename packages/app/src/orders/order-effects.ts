// What completing an order does beyond its status: the customer's subscription changes as
// the profile's order type says (core's planSubscriptionChange: no order-type names or term
// lengths here), and the licenses a license-authorization order names are authorized. Each
// change records its own event in the completing transaction.
import {
  planSubscriptionChange,
  subscriptionPolicyOf,
  type CurrentSubscription,
  type OrderSubmission,
  type ProductType,
  type SubscriptionLine,
  type SubscriptionStatus,
  type VendorProfile,
} from '@orderdesk/core';
import {
  authorizeLicenses,
  findCurrentSubscription,
  findPricesInForce,
  findSubscriptionInScope,
  insertSubscription,
  listOrderLines,
  newId,
  updateSubscription,
  VersionedRead,
  type Executor,
  type Stamps,
  type Order,
  type Subscription,
} from '@orderdesk/store';
import type { Actor } from '../auth/actor.ts';
import { eventActorOf, recordEvent } from '../events/record-event.ts';
import { AppError } from '../shared/errors.ts';
import { todayIn } from '../shared/time.ts';

/** Reads a dotted field (`attributes.subscriptionId`) of a stored order body. */
function fieldOf(body: unknown, path: string): unknown {
  let value: unknown = body;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A stored subscription as core reads it (lines stored before prices were kept have none). */
export function currentSubscriptionOf(row: Subscription): CurrentSubscription {
  const lines = JSON.parse(row.lines) as {
    partNumber: string;
    quantity: number;
    unitPriceMinor?: number | null;
  }[];
  return {
    id: row.id,
    status: row.status as SubscriptionStatus,
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    termMonths: row.term_months,
    lines: lines.map((l): SubscriptionLine => ({
      partNumber: l.partNumber,
      quantity: l.quantity,
      unitPriceMinor: l.unitPriceMinor ?? null,
    })),
  };
}

/** The subscription an order names in the profile's `idField` for its type, if any. */
export function subscriptionIdOf(
  profile: VendorProfile,
  orderType: string,
  body: unknown,
): string | undefined {
  const idField = subscriptionPolicyOf(profile, orderType)?.idField;
  const named = idField ? fieldOf(body, idField) : undefined;
  return typeof named === 'string' && named !== '' ? named : undefined;
}

/** A subscription by id within a vendor, kept while subscriptions are unchanged. */
const subscriptionsById = new VersionedRead(
  ['subscriptions'],
  (db, a: { id: string; vendorId: string }) =>
    findSubscriptionInScope(db, a.id, { vendorId: a.vendorId }),
);
/** A customer's current subscription with a vendor, kept the same way. */
const currentSubscriptions = new VersionedRead(
  ['subscriptions'],
  (db, a: { vendorId: string; customerId: string }) =>
    findCurrentSubscription(db, a.vendorId, a.customerId),
);

/**
 * The subscription an order acts on: the one its profile field names (`idField`), else the
 * customer's current one with this vendor. With `versions` (read-versions.ts) a row this
 * process read before is used while the subscriptions are unchanged.
 */
export async function subscriptionForOrder(
  db: Executor,
  input: { vendorId: string; customerId: string; orderType: string; body: unknown },
  profile: VendorProfile,
  versions: Stamps = null,
): Promise<{ row: Subscription | undefined; namedId: string | null }> {
  const named = subscriptionIdOf(profile, input.orderType, input.body);
  if (named !== undefined) {
    const row = await subscriptionsById.get(db, versions, { id: named, vendorId: input.vendorId });
    return { row: row?.customer_id === input.customerId ? row : undefined, namedId: named };
  }
  return {
    row: await currentSubscriptions.get(db, versions, {
      vendorId: input.vendorId,
      customerId: input.customerId,
    }),
    namedId: null,
  };
}

/** Completion effects: the subscription as the profile says, licenses authorized. */
export async function applyCompletionEffects(
  tx: Executor,
  input: { order: Order; profile: VendorProfile; actor: Actor; at: string },
): Promise<void> {
  const { order, profile, at } = input;
  const body = JSON.parse(order.body) as Partial<OrderSubmission>;
  const lines = await listOrderLines(tx, order.id);
  const entries = await findPricesInForce(tx, {
    vendorId: order.vendor_id,
    partNumbers: [...new Set(lines.map((l) => l.part_number))],
    on: '9999-12-31',
  });
  const types = new Map(entries.map((e) => [e.partNumber, e.type as ProductType]));
  const { row } = await subscriptionForOrder(
    tx,
    { vendorId: order.vendor_id, customerId: order.customer_id, orderType: order.type, body },
    profile,
  );
  const plan = planSubscriptionChange({
    profile,
    orderType: order.type,
    current: row ? currentSubscriptionOf(row) : null,
    lines: lines.map((l) => ({
      partNumber: l.part_number,
      quantity: l.quantity,
      unitPriceMinor: l.unit_price_minor,
      productType: types.get(l.part_number) ?? null,
    })),
    currency: order.currency,
    today: todayIn(profile.sla.calendar.timeZone, new Date(at)),
  });
  const actor = eventActorOf(input.actor);
  if (plan.kind === 'refused') {
    throw new AppError('conflict', 'subscription-refused', plan.message, [
      { path: 'subscription', code: plan.code, message: plan.message },
    ]);
  }
  if (plan.kind === 'create') {
    const id = newId('sub');
    const s = plan.subscription;
    await insertSubscription(tx, {
      id,
      vendor_id: order.vendor_id,
      partner_id: order.partner_id,
      customer_id: order.customer_id,
      status: s.status,
      term_months: s.termMonths,
      starts_on: s.startsOn,
      ends_on: s.endsOn,
      auto_renew: 1,
      lines: JSON.stringify(s.lines),
      last_order_id: order.id,
      created_at: at,
      updated_at: at,
    });
    await recordEvent(tx, {
      type: 'subscription.created',
      entityId: id,
      vendorId: order.vendor_id,
      partnerId: order.partner_id,
      actor,
      at,
      toStatus: 'active',
      data: {
        subscriptionId: id,
        customerId: order.customer_id,
        orderId: order.id,
        startsOn: s.startsOn,
        endsOn: s.endsOn,
        termMonths: s.termMonths,
      },
    });
  } else if (plan.kind === 'update') {
    const s = plan.subscription;
    await updateSubscription(tx, plan.subscriptionId, {
      status: s.status,
      term_months: s.termMonths,
      starts_on: s.startsOn,
      ends_on: s.endsOn,
      lines: JSON.stringify(s.lines),
      last_order_id: order.id,
      updated_at: at,
    });
    const data = {
      subscriptionId: plan.subscriptionId,
      customerId: order.customer_id,
      orderId: order.id,
      startsOn: s.startsOn,
      endsOn: s.endsOn,
      termMonths: s.termMonths,
    };
    const common = {
      entityId: plan.subscriptionId,
      vendorId: order.vendor_id,
      partnerId: order.partner_id,
      actor,
      at,
    };
    if (plan.event === 'subscription.renewed') {
      await recordEvent(tx, {
        ...common,
        type: plan.event,
        data: { ...data, previousEndsOn: plan.previousEndsOn },
      });
    } else {
      await recordEvent(tx, {
        ...common,
        type: plan.event,
        data: { ...data, effect: plan.effect === 'add' ? 'add' : 'change' },
      });
    }
  }
  if (body.licenseIds?.length) {
    await authorizeLicenses(tx, order.vendor_id, body.licenseIds, at, order.id);
    await recordEvent(tx, {
      type: 'license.authorized',
      entityId: order.id,
      vendorId: order.vendor_id,
      partnerId: order.partner_id,
      actor,
      at,
      data: { licenseIds: body.licenseIds, orderId: order.id },
    });
  }
}
