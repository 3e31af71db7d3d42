import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  actOnQuote,
  CREATE_QUOTE_ACCESS,
  createQuote,
  createRenewalQuote,
  getQuote,
  getQuoteRequest,
  listQuoteMessages,
  listQuoteRequestsPage,
  listQuotesPage,
  pageQuerySchema,
  quoteActionBodySchema,
  quoteActionParams,
  quoteBodySchema,
  quoteForDocument,
  quoteListQuerySchema,
  quoteRequestBodySchema,
  quoteRequestSchema,
  quoteSchema,
  renderQuotePdf,
  RENEWAL_QUOTE_ACCESS,
  REQUEST_QUOTE_ACCESS,
  requestQuote,
  requireActor,
  threadMessageSchema,
  wholeListQuerySchema,
} from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { withIdempotency } from '../http/idempotency.ts';
import { expectedVersionOf } from '../http/if-match.ts';
import { problemSchema } from '../http/problem.ts';

const idParams = z.object({ id: z.string().min(1).max(100) });
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

/** Quote requests and quotes (API.md "Quotes"). */
export function quoteRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/quote-requests',
      {
        config: { access: REQUEST_QUOTE_ACCESS },
        schema: {
          tags: ['quotes'],
          summary:
            'A partner asks for a quote (new business, upsell, renewal); the CAM is notified',
          body: quoteRequestBodySchema,
          response: { 201: quoteRequestSchema, ...errors, 409: problemSchema, 422: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 201,
          body: await requestQuote(ctx, actor, request.body, { tx }),
        }));
      },
    );

    app.get(
      '/quote-requests',
      {
        schema: {
          tags: ['quotes'],
          summary: 'Quote requests (vendor staff: from their partners; partners: their own)',
          querystring: pageQuerySchema,
          response: {
            200: z.object({
              items: z.array(quoteRequestSchema),
              nextCursor: z.string().nullable(),
            }),
            ...errors,
          },
        },
      },
      async (request) => listQuoteRequestsPage(ctx, requireActor(request.actor), request.query),
    );

    app.get(
      '/quote-requests/:id',
      {
        schema: {
          tags: ['quotes'],
          summary: 'A quote request',
          params: idParams,
          response: { 200: quoteRequestSchema, ...errors },
        },
      },
      async (request) => getQuoteRequest(ctx, requireActor(request.actor), request.params.id),
    );

    app.post(
      '/quotes',
      {
        config: { access: CREATE_QUOTE_ACCESS },
        schema: {
          tags: ['quotes'],
          summary: "Build a quote at the partnership's net prices (sales, cam)",
          body: quoteBodySchema,
          response: { 201: quoteSchema, ...errors, 409: problemSchema, 422: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 201,
          body: await createQuote(ctx, actor, request.body, { tx }),
        }));
      },
    );

    app.get(
      '/quotes',
      {
        schema: {
          tags: ['quotes'],
          summary: 'Quotes, newest first',
          querystring: quoteListQuerySchema,
          response: {
            200: z.object({ items: z.array(quoteSchema), nextCursor: z.string().nullable() }),
            ...errors,
          },
        },
      },
      async (request) => listQuotesPage(ctx, requireActor(request.actor), request.query),
    );

    app.get(
      '/quotes/:id',
      {
        schema: {
          tags: ['quotes'],
          summary: 'A quote',
          params: idParams,
          response: { 200: quoteSchema, ...errors },
        },
      },
      async (request, reply) => {
        const quote = await getQuote(ctx, requireActor(request.actor), request.params.id);
        reply.header('etag', `"${quote.version}"`);
        return quote;
      },
    );

    app.get(
      '/quotes/:id/messages',
      {
        schema: {
          tags: ['quotes'],
          summary: "The quote's e-mail thread (its request's first), oldest first",
          params: idParams,
          querystring: wholeListQuerySchema,
          response: {
            200: z.object({
              items: z.array(threadMessageSchema),
              nextCursor: z.string().nullable(),
            }),
            ...errors,
          },
        },
      },
      async (request) =>
        listQuoteMessages(ctx, requireActor(request.actor), request.params.id, request.query),
    );

    app.get(
      '/quotes/:id/pdf',
      {
        schema: {
          tags: ['quotes'],
          summary: 'The quote as a PDF',
          params: idParams,
          response: { 200: z.any().describe('application/pdf'), ...errors },
        },
      },
      async (request, reply) => {
        const doc = await quoteForDocument(ctx, requireActor(request.actor), request.params.id);
        const pdf = await renderQuotePdf(doc);
        return reply
          .type('application/pdf')
          .header(
            'content-disposition',
            `inline; filename="${doc.view.number}-rev${doc.view.revision}.pdf"`,
          )
          .send(pdf);
      },
    );

    app.post(
      '/quotes/:id/actions/:action',
      {
        schema: {
          tags: ['quotes'],
          summary:
            'approve (sales, cam), decline (partner), revise (sales: a new revision, this one superseded); If-Match: version',
          params: quoteActionParams,
          body: quoteActionBodySchema,
          response: { 200: quoteSchema, ...errors, 409: problemSchema, 422: problemSchema },
        },
      },
      async (request) =>
        actOnQuote(ctx, requireActor(request.actor), {
          quoteId: request.params.id,
          action: request.params.action,
          body: request.body,
          expectedVersion: expectedVersionOf(request.headers['if-match']),
        }),
    );

    app.post(
      '/subscriptions/:id/renewal-quote',
      {
        config: { access: RENEWAL_QUOTE_ACCESS },
        schema: {
          tags: ['quotes'],
          summary:
            'Start a renewal quote from an existing subscription, of the order type the profile names (sales, cam)',
          params: idParams,
          response: { 201: quoteSchema, ...errors, 409: problemSchema, 422: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 201,
          body: await createRenewalQuote(ctx, actor, request.params.id, { tx }),
        }));
      },
    );
  };
}
