// What happens to an issued invoice: a copy mailed again on request (audited), a credit note
// that reverses it in full (status credited), or the payment recorded (status paid).
import {
  calendarOfSla,
  computeInvoiceTotals,
  creditNoteTotals,
  formatAmount,
  formatInvoiceNumber,
  invoiceDateOf,
  type TaxCategory,
} from '@orderdesk/core';
import {
  findCreditNoteOfInvoice,
  findInvoiceInScope,
  insertCreditNote,
  listInvoiceLines,
  newId,
  nextCounterValue,
  updateInvoiceIfVersion,
  type CreditNote,
  type Executor,
  type Invoice,
  type Order,
} from '@orderdesk/store';
import type { z } from 'zod';
import { requireAccess, type Access, type VendorAccess } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { renderCreditNotePdf } from '../documents/credit-note-pdf.ts';
import { renderCreditNoteUbl } from '../documents/credit-note-ubl.ts';
import { renderInvoicePdf } from '../documents/invoice-pdf.ts';
import { renderInvoiceUbl } from '../documents/invoice-ubl.ts';
import { eventActorOf, recordEvent } from '../events/record-event.ts';
import { orderScope } from '../orders/order-access.ts';
import { vendorOf } from '../orders/order-view.ts';
import { checkVersion, conflict, notFound, staleVersion, unprocessable } from '../shared/errors.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { creditNoteDocumentOf, invoiceDocumentOf } from './invoice-document.ts';
import {
  invoiceAttachmentsOf,
  invoicingContactOf,
  writeCreditNoteMail,
  writeInvoiceMail,
} from './invoice-mail.ts';
import { toCreditNoteView, toInvoiceView } from './invoice-view.ts';
import type {
  CreditNoteView,
  InvoiceView,
  creditNoteBodySchema,
  markPaidBodySchema,
} from './invoices.schemas.ts';

/** Invoices are credited and marked paid by finance and the vendor admin. */
export const INVOICE_FINANCE_ACCESS: VendorAccess = { vendor: ['finance', 'vendor_admin'] };
/** A copy of an invoice is asked for by the partner, or mailed again by these vendor roles. */
export const INVOICE_COPY_ACCESS: Access = {
  partner: 'any',
  vendor: ['finance', 'vendor_admin', 'order_desk', 'cam'],
};

async function loadForUpdate(
  tx: Executor,
  actor: Actor,
  invoiceId: string,
): Promise<{ invoice: Invoice; order: Order }> {
  const invoice = await findInvoiceInScope(tx, invoiceId, orderScope(actor));
  if (!invoice) throw notFound('Invoice');
  const order = await tx
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', invoice.order_id)
    .executeTakeFirstOrThrow();
  return { invoice, order };
}

/**
 * "Request my invoice": mails a copy to the invoicing contact on the order's thread, and
 * records who asked (`invoice.requested`). Partners may ask for their own; vendor staff too.
 */
export async function requestInvoiceCopy(
  ctx: AppContext,
  actorOrNull: Actor | null,
  invoiceId: string,
  options: WriteOptions = {},
): Promise<{ invoiceId: string; number: string; sentTo: string[] }> {
  const actor = requireAccess(actorOrNull, INVOICE_COPY_ACCESS);
  return inTransaction(ctx, options, async (tx) => {
    const { invoice, order } = await loadForUpdate(tx, actor, invoiceId);
    const { slug, profile } = await vendorOf(tx, order);
    const at = ctx.now().toISOString();
    const doc = invoiceDocumentOf(invoice, await listInvoiceLines(tx, invoice.id));
    const pdf = await renderInvoicePdf(doc);
    const ubl = renderInvoiceUbl(doc);
    const attachments = invoiceAttachmentsOf(invoice.number, {
      pdf: pdf.length,
      ubl: Buffer.byteLength(ubl),
    });
    const to = await invoicingContactOf(tx, order);
    if (to.length === 0) {
      throw unprocessable('Nobody to send the invoice to', [
        {
          path: 'invoicingContact',
          code: 'required',
          message: 'The partnership has no invoicing contact; ask the vendor to set one',
        },
      ]);
    }
    const event = await recordEvent(tx, {
      type: 'invoice.requested',
      entityId: invoice.id,
      vendorId: invoice.vendor_id,
      partnerId: invoice.partner_id,
      actor: eventActorOf(actor),
      at,
      data: { invoiceId: invoice.id, number: invoice.number, orderId: order.id, to },
    });
    const sentTo = await writeInvoiceMail(tx, {
      invoice,
      order,
      profile,
      vendorSlug: slug,
      eventId: event.id,
      at,
      attachments,
      again: true,
    });
    return { invoiceId: invoice.id, number: invoice.number, sentTo };
  });
}

/**
 * Issues a credit note reversing an invoice in full (vendor finance or admin): numbered from
 * its own gapless sequence, amounts the exact negation of the invoice's; the invoice becomes
 * `credited`. A second credit note for the same invoice is a 409. The credit note's PDF and
 * UBL CreditNote are mailed to the invoicing contact on the order's thread (after commit, by
 * the outbox), as the invoice was.
 */
export async function issueCreditNote(
  ctx: AppContext,
  actorOrNull: Actor | null,
  input: {
    invoiceId: string;
    body: z.infer<typeof creditNoteBodySchema>;
    expectedVersion?: number | undefined;
  },
  options: WriteOptions = {},
): Promise<CreditNoteView> {
  const actor = requireAccess(actorOrNull, INVOICE_FINANCE_ACCESS);
  return inTransaction(ctx, options, async (tx) => {
    const { invoice, order } = await loadForUpdate(tx, actor, input.invoiceId);
    checkVersion('invoice', invoice.version, input.expectedVersion);
    if (invoice.status === 'credited' || (await findCreditNoteOfInvoice(tx, invoice.id))) {
      throw conflict(`Invoice ${invoice.number} is already credited`, [
        { path: 'invoiceId', code: 'invoice.credited', message: 'A credit note exists for it' },
      ]);
    }
    const { slug, profile } = await vendorOf(tx, order);
    const lines = await listInvoiceLines(tx, invoice.id);
    const totals = creditNoteTotals(
      computeInvoiceTotals({
        currency: invoice.currency,
        lines: lines.map((l) => ({
          lineNo: l.line_no,
          partNumber: l.part_number,
          name: l.name,
          quantity: l.quantity,
          unitPriceMinor: Number(l.unit_price_minor),
        })),
        tax: {
          category: invoice.tax_category as TaxCategory,
          rate: invoice.tax_rate,
          exemptionReason: invoice.tax_exemption_reason,
        },
        rounding: profile.pricing.rounding,
      }),
    );
    if (totals.totalMinor !== -Number(invoice.total_minor)) {
      // The invoice's stored amounts are what the credit note must reverse, to the cent.
      throw new Error(`Credit note of ${invoice.number} would not reverse its total exactly`);
    }
    const now = ctx.now();
    const at = now.toISOString();
    const sequence = await nextCounterValue(tx, invoice.vendor_id, 'credit_note');
    const note: CreditNote = {
      id: newId('crn'),
      vendor_id: invoice.vendor_id,
      invoice_id: invoice.id,
      number: formatInvoiceNumber(`${profile.invoicing.numberPrefix}CN-`, sequence),
      reason: input.body.reason,
      issued_at: at,
      issue_date: invoiceDateOf(calendarOfSla(profile.sla).timeZone, now),
      currency: invoice.currency,
      subtotal_minor: totals.subtotalMinor,
      tax_minor: totals.taxMinor,
      total_minor: totals.totalMinor,
      created_by: actor.userId,
      created_at: at,
    };
    await insertCreditNote(tx, note);
    if (
      !(await updateInvoiceIfVersion(tx, invoice.id, invoice.version, {
        status: 'credited',
        credited_at: at,
        updated_at: at,
      }))
    ) {
      throw staleVersion('The invoice was changed by someone else; reload and retry');
    }
    const event = await recordEvent(tx, {
      type: 'credit_note.issued',
      entityId: invoice.id,
      vendorId: invoice.vendor_id,
      partnerId: invoice.partner_id,
      actor: eventActorOf(actor),
      at,
      fromStatus: invoice.status,
      toStatus: 'credited',
      reason: input.body.reason,
      data: {
        invoiceId: invoice.id,
        creditNoteId: note.id,
        number: note.number,
        orderId: order.id,
        total: formatAmount(totals.totalMinor, invoice.currency),
      },
    });
    // Rendered now to list the files with their sizes; the mail worker renders them again.
    const doc = creditNoteDocumentOf({ ...invoice, status: 'credited' }, lines, note);
    const pdf = await renderCreditNotePdf(doc);
    const ubl = renderCreditNoteUbl(doc);
    await writeCreditNoteMail(tx, {
      note,
      invoice,
      order,
      profile,
      vendorSlug: slug,
      eventId: event.id,
      sizes: { pdf: pdf.length, ubl: Buffer.byteLength(ubl) },
    });
    return toCreditNoteView(note, { ...invoice, status: 'credited' });
  });
}

/**
 * Records that an issued invoice was paid (vendor finance or admin); 409 unless it is `issued`.
 * The payment day (`paidOn`, today by default) lies between the issue date and today in the
 * vendor's calendar zone; another is a 422 naming `paidOn`, and nothing is written.
 */
export async function markInvoicePaid(
  ctx: AppContext,
  actorOrNull: Actor | null,
  input: {
    invoiceId: string;
    body: z.infer<typeof markPaidBodySchema>;
    expectedVersion?: number | undefined;
  },
  options: WriteOptions = {},
): Promise<InvoiceView> {
  const actor = requireAccess(actorOrNull, INVOICE_FINANCE_ACCESS);
  return inTransaction(ctx, options, async (tx) => {
    const { invoice, order } = await loadForUpdate(tx, actor, input.invoiceId);
    checkVersion('invoice', invoice.version, input.expectedVersion);
    if (invoice.status !== 'issued') {
      throw conflict(`Invoice ${invoice.number} is ${invoice.status}, not open for payment`, [
        { path: 'status', code: 'invoice.not_open', message: `The invoice is ${invoice.status}` },
      ]);
    }
    const { profile } = await vendorOf(tx, order);
    const now = ctx.now();
    const at = now.toISOString();
    const timeZone = calendarOfSla(profile.sla).timeZone;
    const today = invoiceDateOf(timeZone, now);
    const paidOn = input.body?.paidOn ?? today;
    // ISO dates compare as strings. The day is the vendor's (its calendar's zone), as the
    // default and the invoice's issue date are.
    if (paidOn > today) {
      throw unprocessable('The payment day is in the future', [
        {
          path: 'paidOn',
          code: 'invalid',
          message: `A payment is recorded once made: today is ${today} (${timeZone})`,
          expected: `on or before ${today}`,
          actual: paidOn,
        },
      ]);
    }
    if (paidOn < invoice.issue_date) {
      throw unprocessable('The payment day is before the invoice was issued', [
        {
          path: 'paidOn',
          code: 'invalid',
          message: `Invoice ${invoice.number} was issued on ${invoice.issue_date}`,
          expected: `on or after ${invoice.issue_date}`,
          actual: paidOn,
        },
      ]);
    }
    const fields = { status: 'paid', paid_at: at, paid_on: paidOn, updated_at: at };
    if (!(await updateInvoiceIfVersion(tx, invoice.id, invoice.version, fields))) {
      throw staleVersion('The invoice was changed by someone else; reload and retry');
    }
    await recordEvent(tx, {
      type: 'invoice.settled',
      entityId: invoice.id,
      vendorId: invoice.vendor_id,
      partnerId: invoice.partner_id,
      actor: eventActorOf(actor),
      at,
      fromStatus: 'issued',
      toStatus: 'paid',
      data: { invoiceId: invoice.id, number: invoice.number, orderId: order.id, paidOn },
    });
    const updated = { ...invoice, ...fields, version: invoice.version + 1 };
    return toInvoiceView(updated, await listInvoiceLines(tx, invoice.id), undefined);
  });
}
