import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  convertIntake,
  getIntake,
  INTAKE_ACCESS,
  intakeConvertBodySchema,
  intakeIdParams,
  intakeItemSchema,
  intakeListQuerySchema,
  intakeRejectBodySchema,
  listIntake,
  orderSchema,
  rejectIntake,
  requireActor,
} from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { withIdempotency } from '../http/idempotency.ts';
import { problemSchema } from '../http/problem.ts';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

/** Mail intake (API.md "Mail"): POs that came by mail, converted or rejected by the desk. */
export function intakeRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/intake',
      {
        config: { access: INTAKE_ACCESS },
        schema: {
          tags: ['intake'],
          summary:
            'Mail that is not a reply to a thread, newest first (order_desk, vendor_admin): what was read from it, how it validated, the sender flags',
          querystring: intakeListQuerySchema,
          response: {
            200: z.object({ items: z.array(intakeItemSchema), nextCursor: z.string().nullable() }),
            ...errors,
          },
        },
      },
      async (request) => listIntake(ctx, request.actor, request.query),
    );

    app.get(
      '/intake/:id',
      {
        config: { access: INTAKE_ACCESS },
        schema: {
          tags: ['intake'],
          summary: 'One intake item (order_desk, vendor_admin)',
          params: intakeIdParams,
          response: { 200: intakeItemSchema, ...errors },
        },
      },
      async (request) => getIntake(ctx, request.actor, request.params.id),
    );

    app.post(
      '/intake/:id/actions/convert',
      {
        config: { access: INTAKE_ACCESS },
        schema: {
          tags: ['intake'],
          summary:
            'Place the order on the partner’s behalf (order_desk, vendor_admin; channel email): the draft with these fields overriding it; confirmSender when the sender was flagged',
          params: intakeIdParams,
          body: intakeConvertBodySchema,
          response: { 201: orderSchema, ...errors, 409: problemSchema, 422: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 201,
          body: await convertIntake(ctx, actor, request.params.id, request.body ?? {}, { tx }),
        }));
      },
    );

    app.post(
      '/intake/:id/actions/reject',
      {
        config: { access: INTAKE_ACCESS },
        schema: {
          tags: ['intake'],
          summary: 'Reject the item (order_desk, vendor_admin); the sender gets the reason by mail',
          params: intakeIdParams,
          body: intakeRejectBodySchema,
          response: { 200: intakeItemSchema, ...errors, 409: problemSchema },
        },
      },
      async (request) =>
        rejectIntake(ctx, requireActor(request.actor), request.params.id, request.body),
    );
  };
}
