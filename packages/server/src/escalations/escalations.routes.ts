import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ESCALATE_ORDER_ACCESS,
  escalateOrder,
  escalationBodySchema,
  escalationSchema,
  requireActor,
} from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { withIdempotency } from '../http/idempotency.ts';
import { problemSchema } from '../http/problem.ts';

const idParams = z.object({ id: z.string().min(1).max(100) });
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

/** Escalations of an order (API.md "SLA, escalations, returns, licenses"). */
export function escalationRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/orders/:id/escalations',
      {
        config: { access: ESCALATE_ORDER_ACCESS },
        schema: {
          tags: ['orders'],
          summary:
            'Escalate an order (partner): the CAM is mailed, and the profile’s escalation contact when the CAM has not acted within the window',
          params: idParams,
          body: escalationBodySchema,
          response: { 201: escalationSchema, ...errors, 409: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 201,
          body: await escalateOrder(
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
