// An invoice the scheduler could not issue is recorded on its order's timeline as
// `invoice.failed`, which the vendor's staff see (the partner does not) and the profile's rule
// mails to finance, so that people learn of it rather than from a log line alone. The job
// retries the order on every run; only a failure that is news — the first, or one for another
// reason than the order's latest — is recorded, so the timeline and finance's mailbox get one
// entry per reason, not one a minute.
import { findOrderInScope, listAuditEvents, lockOrderRow, type Executor } from '@orderdesk/store';
import { SYSTEM_ACTOR, recordEvent } from '../events/record-event.ts';

/** The longest reason kept: enough for any message worth reading, never a whole dump. */
export const INVOICE_FAILURE_MESSAGE_MAX = 500;

/** An error's message as the timeline and the mail give it: one line, trimmed, bounded. */
export function invoiceFailureMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const text = raw.replace(/\s+/g, ' ').trim() || 'unknown error';
  return text.length > INVOICE_FAILURE_MESSAGE_MAX
    ? `${text.slice(0, INVOICE_FAILURE_MESSAGE_MAX - 1)}…`
    : text;
}

/**
 * Records that the order's invoice could not be issued at `at` for `message`, in a transaction
 * of its own (the issuing one was rolled back), unless the order's latest `invoice.failed`
 * already says the same. Says whether it recorded. The order's row is locked first, so two
 * processes failing on the same order at once record it once.
 */
export async function recordInvoiceFailure(
  db: Executor,
  input: { orderId: string; vendorId: string; at: Date; message: string },
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    await lockOrderRow(tx, input.orderId);
    const order = await findOrderInScope(tx, input.orderId, { vendorId: input.vendorId });
    if (!order) return false;
    // An order's timeline is short; the failure path reads it whole.
    let latest: string | undefined;
    for (const e of await listAuditEvents(tx, 'order', order.id)) {
      if (e.type === 'invoice.failed') latest = e.reason ?? undefined;
    }
    if (latest === input.message) return false;
    await recordEvent(tx, {
      type: 'invoice.failed',
      entityId: order.id,
      vendorId: order.vendor_id,
      partnerId: order.partner_id,
      actor: SYSTEM_ACTOR,
      at: input.at.toISOString(),
      reason: input.message,
      data: {
        orderId: order.id,
        number: order.number,
        orderType: order.type,
        message: input.message,
      },
      known: { order },
    });
    return true;
  });
}
