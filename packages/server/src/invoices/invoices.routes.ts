import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  creditNoteBodySchema,
  creditNoteViewSchema,
  getInvoice,
  INVOICE_COPY_ACCESS,
  INVOICE_FINANCE_ACCESS,
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

    // The invoice's documents and its credit note's: one route each, the same way.
    const FORMATS = {
      pdf: { type: 'application/pdf', extension: 'pdf' },
      ubl: { type: 'application/xml; charset=utf-8', extension: 'xml' },
    } as const;
    const documents = [
      ['/invoices/:id/pdf', 'pdf', renderInvoiceDocument, 'The invoice as a PDF'],
      [
        '/invoices/:id/ubl',
        'ubl',
        renderInvoiceDocument,
        'The invoice as a UBL 2.1 Invoice (EN 16931, PEPPOL BIS Billing 3.0)',
      ],
      [
        '/invoices/:id/credit-note/pdf',
        'pdf',
        renderCreditNoteDocument,
        'The credit note of the invoice as a PDF (404 while it has none)',
      ],
      [
        '/invoices/:id/credit-note/ubl',
        'ubl',
        renderCreditNoteDocument,
        'The credit note of the invoice as a UBL 2.1 CreditNote (EN 16931, PEPPOL BIS Billing 3.0; 404 while it has none)',
      ],
    ] as const;
    for (const [path, format, render, summary] of documents) {
      const { type, extension } = FORMATS[format];
      app.get(
        path,
        {
          schema: {
            tags: ['invoices'],
            summary,
            params: idParams,
            response: { 200: z.any().describe(type.split(';')[0] ?? type), ...errors },
          },
        },
        async (request, reply) => {
          const doc = await render(ctx, requireActor(request.actor), request.params.id, format);
          return reply
            .type(type)
            .header('content-disposition', `inline; filename="${doc.number}.${extension}"`)
            .send(doc.content);
        },
      );
    }

    app.post(
      '/invoices/:id/actions/resend',
      {
        config: { access: INVOICE_COPY_ACCESS },
        schema: {
          tags: ['invoices'],
          summary:
            '“Request my invoice”: mail a copy to the invoicing contact (partner, or vendor staff); recorded on the timeline',
          description:
            'Takes an `Idempotency-Key`: a retry with the same key mails no second copy and ' +
            'answers as the first request did; the same key for another request is a 409.',
          params: idParams,
          response: {
            200: invoiceRequestResultSchema,
            ...errors,
            409: problemSchema,
            422: problemSchema,
          },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        // A retried request (a timeout, a double click) must not mail the contact again.
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 200,
          body: await requestInvoiceCopy(ctx, actor, request.params.id, { tx }),
        }));
      },
    );

    app.post(
      '/invoices/:id/actions/mark-paid',
      {
        config: { access: INVOICE_FINANCE_ACCESS },
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
        config: { access: INVOICE_FINANCE_ACCESS },
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
