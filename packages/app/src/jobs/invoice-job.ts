// Issues the invoices that are due: every order whose profile's invoicing event (booking or
// completion) happened `businessDays.min` business days ago in the vendor's calendar, and that
// has no invoice yet. Each invoice is issued in its own transaction; a concurrent process
// issuing the same one waits on the order's row and then finds it done. An invoice that cannot
// be issued is retried on every run and recorded on its order as `invoice.failed` (seen by the
// vendor's staff, mailed to finance by the profile's rule) when the failure is news: the first,
// or another reason.
import { calendarOfSla, invoiceIssueAt } from '@orderdesk/core';
import { findVendorById, listInvoiceCandidates, type InvoiceCandidate } from '@orderdesk/store';
import { invoiceFailureMessage, recordInvoiceFailure } from '../invoices/invoice-failure.ts';
import { issueInvoiceForOrder } from '../invoices/issue-invoice.ts';
import { vendorOf, type VendorOfOrder } from '../orders/order-view.ts';
import {
  everyMinutes,
  type JobDefinition,
  type JobRunContext,
  type JobSummary,
} from './job.types.ts';

const INVOICING_EVENTS = ['order.booked', 'order.completed'] as const;
const BATCH = 200;
/**
 * Invoices issued per transaction: each commit is a durable write (an fsync on SQLite), which
 * costs more than issuing one invoice; a group that fails is issued again one by one, so one
 * bad order never holds back the others.
 */
const PER_TRANSACTION = 20;

export const issueDueInvoicesJob: JobDefinition = {
  name: 'invoices.issue-due',
  description: 'Issue (and mail) the invoices due by now, per the profile’s invoicing timing',
  slotAt: everyMinutes(1),
  leaseMs: 10 * 60_000,
  async run({ ctx, now, shouldContinue, log }): Promise<JobSummary> {
    const summary: InvoiceJobSummary = {
      issued: 0,
      waiting: 0,
      alreadyIssued: 0,
      failed: 0,
      failuresRecorded: 0,
    };
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
      const due: InvoiceCandidate[] = [];
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
        const issueAt = invoiceIssueAt(
          calendarOfSla(profile.sla),
          timing,
          new Date(candidate.eventAt),
        );
        if (issueAt > now) {
          summary.waiting += 1;
          continue;
        }
        due.push(candidate);
      }
      await issueAll(ctx, now, due, summary, shouldContinue, log);
      if (batch.length < BATCH) break;
    }
    return summary;
  },
};

type InvoiceJobSummary = {
  issued: number;
  waiting: number;
  alreadyIssued: number;
  failed: number;
  /** Failures that were news (the first for the order, or another reason): on its timeline. */
  failuresRecorded: number;
};

async function issueAll(
  ctx: JobRunContext['ctx'],
  now: Date,
  due: readonly InvoiceCandidate[],
  summary: InvoiceJobSummary,
  shouldContinue: () => boolean,
  log: (line: string) => void,
): Promise<void> {
  const db = ctx.store.db;
  const issueIn = async (group: readonly InvoiceCandidate[]): Promise<void> => {
    const outcomes = await db.transaction().execute(async (tx) => {
      const results = [];
      for (const c of group) {
        results.push(
          await issueInvoiceForOrder(tx, { orderId: c.orderId, vendorId: c.vendorId, at: now }),
        );
      }
      return results;
    });
    for (const outcome of outcomes) {
      if (outcome.issued) summary.issued += 1;
      else if (outcome.reason === 'exists') summary.alreadyIssued += 1;
    }
  };
  for (let i = 0; i < due.length; i += PER_TRANSACTION) {
    if (!shouldContinue()) return;
    const group = due.slice(i, i + PER_TRANSACTION);
    try {
      await issueIn(group);
    } catch {
      for (const one of group) {
        try {
          await issueIn([one]);
        } catch (error) {
          summary.failed += 1;
          log(
            `invoice of order ${one.orderId} not issued: ${error instanceof Error ? error.message : String(error)}`,
          );
          try {
            const recorded = await recordInvoiceFailure(db, {
              orderId: one.orderId,
              vendorId: one.vendorId,
              at: now,
              message: invoiceFailureMessage(error),
            });
            if (recorded) summary.failuresRecorded += 1;
          } catch (recordError) {
            // The next run tries both again; the other orders go on meanwhile.
            log(
              `failure of order ${one.orderId}'s invoice not recorded: ${invoiceFailureMessage(recordError)}`,
            );
          }
        }
      }
    }
  }
}
