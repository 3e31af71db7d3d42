import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  replyToOrderThread,
  replyToQuoteThread,
  requireActor,
  threadMessageBodySchema,
  threadMessageSchema,
} from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { withIdempotency } from '../http/idempotency.ts';
import { problemSchema } from '../http/problem.ts';

const idParams = z.object({ id: z.string().min(1).max(100) });
const errors = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
  422: problemSchema,
};

/**
 * Writing on the e-mail thread of an order or a quote (API.md "Mail"). Every user of a tenant
 * may write on a thread it reads, so the routes declare no `config.access`: what refuses a
 * caller (a distributor on its reseller's order, 403) depends on the record.
 */
export function messageRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/orders/:id/messages',
      {
        schema: {
          tags: ['orders'],
          summary:
            "Write on the order's e-mail thread: the vendor's staff to the partner, the partner to the vendor's order desk; mailed as an answer to the thread's latest message",
          params: idParams,
          body: threadMessageBodySchema,
          response: { 201: threadMessageSchema, ...errors },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 201,
          body: await replyToOrderThread(
            ctx,
            actor,
            { orderId: request.params.id, body: request.body },
            { tx },
          ),
        }));
      },
    );

    app.post(
      '/quotes/:id/messages',
      {
        schema: {
          tags: ['quotes'],
          summary:
            "Write on the quote's e-mail thread: the vendor's staff to the partner, the partner to the CAM and sales; mailed as an answer to the thread's latest message",
          params: idParams,
          body: threadMessageBodySchema,
          response: { 201: threadMessageSchema, ...errors },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 201,
          body: await replyToQuoteThread(
            ctx,
            actor,
            { quoteId: request.params.id, body: request.body },
            { tx },
          ),
        }));
      },
    );
  };
}
