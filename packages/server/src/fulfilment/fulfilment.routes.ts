import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  fulfilmentBodySchema,
  fulfilmentSchema,
  RECORD_FULFILMENT_ACCESS,
  recordFulfilment,
  requireActor,
} from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { withIdempotency } from '../http/idempotency.ts';
import { problemSchema } from '../http/problem.ts';

const idParams = z.object({ id: z.string().min(1).max(100) });
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

/** Fulfilment of an order's lines (API.md "Fulfilment, invoices, jobs"). */
export function fulfilmentRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/orders/:id/fulfilments',
      {
        config: { access: RECORD_FULFILMENT_ACCESS },
        schema: {
          tags: ['orders'],
          summary:
            'Record what was delivered for which lines (the profile’s provisioning role); the order completes when every line is fulfilled',
          params: idParams,
          body: fulfilmentBodySchema,
          response: { 201: fulfilmentSchema, ...errors, 409: problemSchema, 422: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 201,
          body: await recordFulfilment(
            ctx,
            actor,
            { orderId: request.params.id, body: request.body },
            { tx },
          ),
        }));
      },
    );
  };
}
