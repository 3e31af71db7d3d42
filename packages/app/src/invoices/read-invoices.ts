import {
  findCreditNoteOfInvoice,
  findInvoiceInScope,
  listInvoiceLines,
  listInvoices,
  type Invoice,
} from '@orderdesk/store';
import { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { renderCreditNotePdf } from '../documents/credit-note-pdf.ts';
import { renderCreditNoteUbl } from '../documents/credit-note-ubl.ts';
import { renderInvoicePdf } from '../documents/invoice-pdf.ts';
import { renderInvoiceUbl } from '../documents/invoice-ubl.ts';
import { orderScope } from '../orders/order-access.ts';
import { notFound } from '../shared/errors.ts';
import { decodeCursor, pageOf, type Page } from '../shared/paging.ts';
import { creditNoteDocumentOf, invoiceDocumentOf } from './invoice-document.ts';
import { toInvoiceSummary, toInvoiceView } from './invoice-view.ts';
import type {
  InvoiceSummaryView,
  InvoiceView,
  invoiceListQuerySchema,
} from './invoices.schemas.ts';

/** An invoice the caller may see (partners: of the orders they placed; staff: their vendor's); 404 otherwise. */
export async function invoiceInScope(ctx: AppContext, actor: Actor, id: string): Promise<Invoice> {
  const invoice = await findInvoiceInScope(ctx.store.db, id, orderScope(actor));
  if (!invoice) throw notFound('Invoice');
  return invoice;
}

/** Invoices, newest first, in the caller's scope, by order and status. */
export async function listInvoicesPage(
  ctx: AppContext,
  actor: Actor,
  query: z.infer<typeof invoiceListQuerySchema>,
): Promise<Page<InvoiceSummaryView>> {
  const before = decodeCursor(query.cursor, z.object({ id: z.string() }));
  const rows = await listInvoices(
    ctx.store.db,
    orderScope(actor),
    {
      ...(query.orderId ? { orderId: query.orderId } : {}),
      ...(query.status ? { status: query.status } : {}),
    },
    { limit: query.limit + 1, ...(before ? { before: before.id } : {}) },
  );
  return pageOf(rows, query.limit, (i) => ({ id: i.id }), toInvoiceSummary);
}

/** One invoice with its lines and credit note. */
export async function getInvoice(ctx: AppContext, actor: Actor, id: string): Promise<InvoiceView> {
  const invoice = await invoiceInScope(ctx, actor, id);
  const db = ctx.store.db;
  return toInvoiceView(
    invoice,
    await listInvoiceLines(db, invoice.id),
    await findCreditNoteOfInvoice(db, invoice.id),
  );
}

/** An invoice's PDF or UBL document, rendered from what was issued. */
export async function renderInvoiceDocument(
  ctx: AppContext,
  actor: Actor,
  id: string,
  format: 'pdf' | 'ubl',
): Promise<{ number: string; content: Buffer | string }> {
  const invoice = await invoiceInScope(ctx, actor, id);
  const db = ctx.store.db;
  const doc = invoiceDocumentOf(
    invoice,
    await listInvoiceLines(db, invoice.id),
    await findCreditNoteOfInvoice(db, invoice.id),
  );
  return {
    number: invoice.number,
    content: format === 'pdf' ? await renderInvoicePdf(doc) : renderInvoiceUbl(doc),
  };
}

/**
 * The PDF or UBL CreditNote of an invoice's credit note, rendered from what was issued; 404
 * when the invoice is not the caller's (as its own documents) or has no credit note.
 */
export async function renderCreditNoteDocument(
  ctx: AppContext,
  actor: Actor,
  invoiceId: string,
  format: 'pdf' | 'ubl',
): Promise<{ number: string; content: Buffer | string }> {
  const invoice = await invoiceInScope(ctx, actor, invoiceId);
  const db = ctx.store.db;
  const note = await findCreditNoteOfInvoice(db, invoice.id);
  if (!note) throw notFound('Credit note');
  const doc = creditNoteDocumentOf(invoice, await listInvoiceLines(db, invoice.id), note);
  return {
    number: note.number,
    content: format === 'pdf' ? await renderCreditNotePdf(doc) : renderCreditNoteUbl(doc),
  };
}
