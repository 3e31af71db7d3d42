import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  getSubscription,
  listSubscriptionsPage,
  requireActor,
  subscriptionListQuery,
  subscriptionSchema,
} from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { problemSchema } from '../http/problem.ts';

/** Customers' subscriptions, created and updated when subscription orders complete. */
export function subscriptionRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/subscriptions',
      {
        schema: {
          tags: ['quotes'],
          summary: 'Subscriptions (the base for renewals and auto-renewals), newest first',
          querystring: subscriptionListQuery,
          response: {
            200: z.object({
              items: z.array(subscriptionSchema),
              nextCursor: z.string().nullable(),
            }),
            400: problemSchema,
            401: problemSchema,
          },
        },
      },
      async (request) => listSubscriptionsPage(ctx, requireActor(request.actor), request.query),
    );

    app.get(
      '/subscriptions/:id',
      {
        schema: {
          tags: ['quotes'],
          summary: 'A subscription',
          params: z.object({ id: z.string().min(1).max(100) }),
          response: { 200: subscriptionSchema, 401: problemSchema, 404: problemSchema },
        },
      },
      async (request) => getSubscription(ctx, requireActor(request.actor), request.params.id),
    );
  };
}
