import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  replyToOrderThread,
  replyToQuoteThread,
  requireActor,
  threadMessageBodySchema,
  threadMessageSchema,
  type Actor,
  type ThreadMessageBody,
} from '@orderdesk/app';
import type { Executor } from '@orderdesk/store';
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

/** The threads a caller may write on: the record's route, its tag, and the use case. */
const THREADS = [
  {
    route: '/orders/:id/messages',
    tag: 'orders',
    summary:
      "Write on the order's e-mail thread: the vendor's staff to the partner, the partner to the vendor's order desk; mailed as an answer to the thread's latest message",
    reply: (ctx: ServerContext, actor: Actor, id: string, body: ThreadMessageBody, tx: Executor) =>
      replyToOrderThread(ctx, actor, { orderId: id, body }, { tx }),
  },
  {
    route: '/quotes/:id/messages',
    tag: 'quotes',
    summary:
      "Write on the quote's e-mail thread: the vendor's staff to the partner, the partner to the CAM and sales; mailed as an answer to the thread's latest message",
    reply: (ctx: ServerContext, actor: Actor, id: string, body: ThreadMessageBody, tx: Executor) =>
      replyToQuoteThread(ctx, actor, { quoteId: id, body }, { tx }),
  },
] as const;

/**
 * Writing on the e-mail thread of an order or a quote (API.md "Mail"). Every user of a tenant
 * may write on a thread it reads, so the routes declare no `config.access`: what refuses a
 * caller (a distributor on its reseller's order, 403) depends on the record.
 */
export function messageRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    for (const thread of THREADS) {
      app.post(
        thread.route,
        {
          schema: {
            tags: [thread.tag],
            summary: thread.summary,
            params: idParams,
            body: threadMessageBodySchema,
            response: { 201: threadMessageSchema, ...errors },
          },
        },
        async (request, reply) => {
          const actor = requireActor(request.actor);
          return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
            status: 201,
            body: await thread.reply(ctx, actor, request.params.id, request.body, tx),
          }));
        },
      );
    }
  };
}
