// An order that ends undelivered (cancelled, rejected) leaves no payable invoice behind: while
// its invoice is not credited, act-on-order refuses the actions that would end it
// (invoice-not-credited) and the order view does not offer them. One rule for both, here.
import type { OrderAction, OrderMachine, OrderStatus } from '@orderdesk/core';
import {
  findInvoiceOfOrder,
  listInvoicesOfOrders,
  type Executor,
  type Invoice,
} from '@orderdesk/store';

/** Whether a transition to `to` ends the order undelivered. */
export function endsUndelivered(to: OrderStatus): boolean {
  return to === 'cancelled' || to === 'rejected';
}

/** Whether an order's invoice (undefined: none issued) stands in the way of ending it. */
export function isUncredited<I extends Pick<Invoice, 'status'>>(
  invoice: I | undefined,
): invoice is I {
  return invoice !== undefined && invoice.status !== 'credited';
}

/** The order's invoice if it is not credited. */
export async function uncreditedInvoiceOf(
  db: Executor,
  orderId: string,
): Promise<Invoice | undefined> {
  const invoice = await findInvoiceOfOrder(db, orderId);
  return isUncredited(invoice) ? invoice : undefined;
}

/** Of `orderIds`, those with an invoice not credited (one statement for them all). */
export async function ordersWithUncreditedInvoice(
  db: Executor,
  orderIds: readonly string[],
): Promise<Set<string>> {
  const invoices = await listInvoicesOfOrders(db, orderIds);
  return new Set(invoices.filter((i) => isUncredited(i)).map((i) => i.order_id));
}

/** Whether `action`, taken from `status`, would end the order undelivered. */
function ends(machine: OrderMachine, status: OrderStatus, action: OrderAction): boolean {
  const to = machine.transitions[status]?.[action]?.to;
  return to !== undefined && endsUndelivered(to);
}

/** Whether any of `actions`, taken from `status`, would end the order undelivered. */
export function offersEnding(
  machine: OrderMachine,
  status: OrderStatus,
  actions: readonly OrderAction[],
): boolean {
  return actions.some((action) => ends(machine, status, action));
}

/** `actions` less those that, taken from `status`, would end the order undelivered. */
export function withoutEnding(
  machine: OrderMachine,
  status: OrderStatus,
  actions: readonly OrderAction[],
): OrderAction[] {
  return actions.filter((action) => !ends(machine, status, action));
}
