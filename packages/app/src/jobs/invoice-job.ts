// Issues the invoices that are due: every order whose profile's invoicing event (booking or
// completion) happened `businessDays.min` business days ago in the vendor's calendar, and that
// has no invoice yet. Each invoice is issued in its own transaction; a concurrent process
// issuing the same one waits on the order's row and then finds it done.
import { calendarOfSla, invoiceIssueAt } from '@orderdesk/core';
import { findVendorById, listInvoiceCandidates } from '@orderdesk/store';
import { issueInvoiceForOrder } from '../invoices/issue-invoice.ts';
import { vendorOf, type VendorOfOrder } from '../orders/order-view.ts';
import { everyMinutes, type JobDefinition, type JobSummary } from './job.types.ts';

const INVOICING_EVENTS = ['order.booked', 'order.completed'] as const;
const BATCH = 200;

export const issueDueInvoicesJob: JobDefinition = {
  name: 'invoices.issue-due',
  description: 'Issue (and mail) the invoices due by now, per the profile’s invoicing timing',
  slotAt: everyMinutes(1),
  leaseMs: 10 * 60_000,
  async run({ ctx, now, shouldContinue }): Promise<JobSummary> {
    const summary = { issued: 0, waiting: 0, alreadyIssued: 0 };
    const db = ctx.store.db;
    const profiles = new Map<string, VendorOfOrder>();
    let after: string | undefined;
    for (;;) {
      const batch = await listInvoiceCandidates(db, {
        eventTypes: INVOICING_EVENTS,
        before: now.toISOString(),
        limit: BATCH,
        ...(after !== undefined ? { afterOrderId: after } : {}),
      });
      if (batch.length === 0) break;
      for (const candidate of batch) {
        after = candidate.orderId;
        if (!shouldContinue()) return summary;
        if (!(await findVendorById(db, candidate.vendorId))) continue;
        const { profile } = await vendorOf(
          db,
          { vendor_id: candidate.vendorId, profile_version: candidate.profileVersion },
          profiles,
        );
        const timing = profile.invoicing.timing;
        if (candidate.eventType !== timing.afterEvent) continue;
        const due = invoiceIssueAt(calendarOfSla(profile.sla), timing, new Date(candidate.eventAt));
        if (due > now) {
          summary.waiting += 1;
          continue;
        }
        const outcome = await db.transaction().execute((tx) =>
          issueInvoiceForOrder(tx, {
            orderId: candidate.orderId,
            vendorId: candidate.vendorId,
            at: now,
          }),
        );
        if (outcome.issued) summary.issued += 1;
        else if (outcome.reason === 'exists') summary.alreadyIssued += 1;
      }
      if (batch.length < BATCH) break;
    }
    return summary;
  },
};
