import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  creditNoteBodySchema,
  creditNoteViewSchema,
  getInvoice,
  invoiceListQuerySchema,
  invoiceRequestResultSchema,
  invoiceSchema,
  invoiceSummarySchema,
  issueCreditNote,
  listInvoicesPage,
  markInvoicePaid,
  markPaidBodySchema,
  renderCreditNoteDocument,
  renderInvoiceDocument,
  requestInvoiceCopy,
  requireActor,
} from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { withIdempotency } from '../http/idempotency.ts';
import { expectedVersionOf } from '../http/if-match.ts';
import { problemSchema } from '../http/problem.ts';

const idParams = z.object({ id: z.string().min(1).max(100) });
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

/**
 * Invoices: list, read, documents (PDF, UBL), copy on request, credit notes and their
 * documents, payment (API.md).
 */
export function invoiceRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/invoices',
      {
        schema: {
          tags: ['invoices'],
          summary:
            'Invoices, newest first (partners: of the orders they placed; vendor staff: their vendor’s)',
          querystring: invoiceListQuerySchema,
          response: {
            200: z.object({
              items: z.array(invoiceSummarySchema),
              nextCursor: z.string().nullable(),
            }),
            ...errors,
          },
        },
      },
      async (request) => listInvoicesPage(ctx, requireActor(request.actor), request.query),
    );

    app.get(
      '/invoices/:id',
      {
        schema: {
          tags: ['invoices'],
          summary: 'One invoice: parties, lines, tax, totals, credit note',
          params: idParams,
          response: { 200: invoiceSchema, ...errors },
        },
      },
      async (request, reply) => {
        const invoice = await getInvoice(ctx, requireActor(request.actor), request.params.id);
        reply.header('etag', `"${invoice.version}"`);
        return invoice;
      },
    );

    app.get(
      '/invoices/:id/pdf',
      {
        schema: {
          tags: ['invoices'],
          summary: 'The invoice as a PDF',
          params: idParams,
          response: { 200: z.any().describe('application/pdf'), ...errors },
        },
      },
      async (request, reply) => {
        const doc = await renderInvoiceDocument(
          ctx,
          requireActor(request.actor),
          request.params.id,
          'pdf',
        );
        return reply
          .type('application/pdf')
          .header('content-disposition', `inline; filename="${doc.number}.pdf"`)
          .send(doc.content);
      },
    );

    app.get(
      '/invoices/:id/ubl',
      {
        schema: {
          tags: ['invoices'],
          summary: 'The invoice as a UBL 2.1 Invoice (EN 16931, PEPPOL BIS Billing 3.0)',
          params: idParams,
          response: { 200: z.any().describe('application/xml'), ...errors },
        },
      },
      async (request, reply) => {
        const doc = await renderInvoiceDocument(
          ctx,
          requireActor(request.actor),
          request.params.id,
          'ubl',
        );
        return reply
          .type('application/xml; charset=utf-8')
          .header('content-disposition', `inline; filename="${doc.number}.xml"`)
          .send(doc.content);
      },
    );

    app.get(
      '/invoices/:id/credit-note/pdf',
      {
        schema: {
          tags: ['invoices'],
          summary: 'The credit note of the invoice as a PDF (404 while it has none)',
          params: idParams,
          response: { 200: z.any().describe('application/pdf'), ...errors },
        },
      },
      async (request, reply) => {
        const doc = await renderCreditNoteDocument(
          ctx,
          requireActor(request.actor),
          request.params.id,
          'pdf',
        );
        return reply
          .type('application/pdf')
          .header('content-disposition', `inline; filename="${doc.number}.pdf"`)
          .send(doc.content);
      },
    );

    app.get(
      '/invoices/:id/credit-note/ubl',
      {
        schema: {
          tags: ['invoices'],
          summary:
            'The credit note of the invoice as a UBL 2.1 CreditNote (EN 16931, PEPPOL BIS Billing 3.0; 404 while it has none)',
          params: idParams,
          response: { 200: z.any().describe('application/xml'), ...errors },
        },
      },
      async (request, reply) => {
        const doc = await renderCreditNoteDocument(
          ctx,
          requireActor(request.actor),
          request.params.id,
          'ubl',
        );
        return reply
          .type('application/xml; charset=utf-8')
          .header('content-disposition', `inline; filename="${doc.number}.xml"`)
          .send(doc.content);
      },
    );

    app.post(
      '/invoices/:id/actions/resend',
      {
        schema: {
          tags: ['invoices'],
          summary:
            '“Request my invoice”: mail a copy to the invoicing contact (partner, or vendor staff); recorded on the timeline',
          params: idParams,
          response: { 200: invoiceRequestResultSchema, ...errors, 422: problemSchema },
        },
      },
      async (request) => requestInvoiceCopy(ctx, request.actor, request.params.id),
    );

    app.post(
      '/invoices/:id/actions/mark-paid',
      {
        schema: {
          tags: ['invoices'],
          summary:
            'Record the payment of an issued invoice (finance, vendor_admin; If-Match: version)',
          params: idParams,
          body: markPaidBodySchema,
          response: { 200: invoiceSchema, ...errors, 409: problemSchema, 422: problemSchema },
        },
      },
      async (request) =>
        markInvoicePaid(ctx, request.actor, {
          invoiceId: request.params.id,
          body: request.body,
          expectedVersion: expectedVersionOf(request.headers['if-match']),
        }),
    );

    app.post(
      '/invoices/:id/credit-notes',
      {
        schema: {
          tags: ['invoices'],
          summary:
            'Credit the invoice in full (finance, vendor_admin): a credit note referencing it, mailed with its PDF and UBL to the invoicing contact; the invoice becomes credited',
          params: idParams,
          body: creditNoteBodySchema,
          response: { 201: creditNoteViewSchema, ...errors, 409: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 201,
          body: await issueCreditNote(
            ctx,
            actor,
            {
              invoiceId: request.params.id,
              body: request.body,
              expectedVersion: expectedVersionOf(request.headers['if-match']),
            },
            { tx },
          ),
        }));
      },
    );
  };
}
