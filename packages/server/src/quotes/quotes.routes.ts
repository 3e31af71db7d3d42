import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { renderQuotePdf } from '@orderdesk/app';
import { withIdempotency } from '../http/idempotency.ts';
import { decodeCursor, encodeCursor, pageQuerySchema } from '@orderdesk/app';
import { problemSchema } from '../http/problem.ts';
import {
  quoteActionBodySchema,
  quoteActionParams,
  quoteBodySchema,
  quoteListQuerySchema,
  quoteRequestBodySchema,
  quoteRequestSchema,
  quoteSchema,
} from '@orderdesk/app';
import {
  actOnQuote,
  createQuote,
  createQuoteRequest,
  createRenewalQuote,
  getQuote,
  getQuoteRequest,
  pageQuoteRequests,
  pageQuotes,
  quoteForDocument,
} from '@orderdesk/app';

const idParams = z.object({ id: z.string().min(1).max(100) });
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };
const cursorSchema = z.object({ id: z.string() });

/** Quote requests and quotes (API.md "Quotes"). */
export function quoteRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/quote-requests',
      {
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
        return withIdempotency(request, reply, ctx.store.db, actor.userId, async (tx) => ({
          status: 201,
          body: await createQuoteRequest(ctx, tx, actor, request.body),
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
      async (request) => {
        const before = decodeCursor(request.query.cursor, cursorSchema);
        const page = await pageQuoteRequests(ctx, requireActor(request.actor), {
          limit: request.query.limit,
          ...(before ? { before: before.id } : {}),
        });
        return {
          items: page.items,
          nextCursor: page.more && page.last ? encodeCursor({ id: page.last }) : null,
        };
      },
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
        schema: {
          tags: ['quotes'],
          summary: "Build a quote at the partnership's net prices (sales, cam)",
          body: quoteBodySchema,
          response: { 201: quoteSchema, ...errors, 409: problemSchema, 422: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx.store.db, actor.userId, async (tx) => ({
          status: 201,
          body: await createQuote(ctx, tx, actor, request.body),
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
      async (request) => {
        const q = request.query;
        const before = decodeCursor(q.cursor, cursorSchema);
        const page = await pageQuotes(
          ctx,
          requireActor(request.actor),
          {
            ...(q.status ? { status: q.status } : {}),
            ...(q.customerId ? { customerId: q.customerId } : {}),
          },
          { limit: q.limit, ...(before ? { before: before.id } : {}) },
        );
        return {
          items: page.items,
          nextCursor: page.more && page.last ? encodeCursor({ id: page.last }) : null,
        };
      },
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
      async (request) => getQuote(ctx, requireActor(request.actor), request.params.id),
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
            `inline; filename="${doc.view.number}-v${doc.view.version}.pdf"`,
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
            'approve (sales, cam), decline (partner), revise (sales: new version, this one superseded); If-Match: version',
          params: quoteActionParams,
          body: quoteActionBodySchema,
          response: { 200: quoteSchema, ...errors, 409: problemSchema, 422: problemSchema },
        },
      },
      async (request) => {
        const actor = requireActor(request.actor);
        return ctx.store.db
          .transaction()
          .execute((tx) =>
            actOnQuote(
              ctx,
              tx,
              actor,
              request.params.id,
              request.params.action,
              request.body,
              request.headers['if-match'],
            ),
          );
      },
    );

    app.post(
      '/subscriptions/:id/renewal-quote',
      {
        schema: {
          tags: ['quotes'],
          summary: 'Start a renewal quote from an existing subscription (sales, cam)',
          params: idParams,
          response: { 201: quoteSchema, ...errors, 422: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        const view = await ctx.store.db
          .transaction()
          .execute((tx) => createRenewalQuote(ctx, tx, actor, request.params.id));
        return reply.code(201).send(view);
      },
    );
  };
}
