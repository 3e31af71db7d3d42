import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  checkReturnDecider,
  DECIDE_RETURN_ACCESS,
  decideReturnRequest,
  getReturn,
  listReturnsPage,
  REQUEST_RETURN_ACCESS,
  requestReturn,
  requireActor,
  returnBodySchema,
  returnDecisionBodySchema,
  returnListQuerySchema,
  returnSchema,
} from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { withIdempotency } from '../http/idempotency.ts';
import { problemSchema } from '../http/problem.ts';

const idParams = z.object({ id: z.string().min(1).max(100) });
const decisionParams = idParams.extend({ action: z.enum(['approve', 'refuse']) });
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

/** Returns judged by the profile's policy (API.md "SLA, escalations, returns, licenses"). */
export function returnRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/returns',
      {
        config: { access: REQUEST_RETURN_ACCESS },
        schema: {
          tags: ['returns'],
          summary:
            'Ask to return lines of an order (partner): approved with an RMA number, refused (return.not_refundable with what happened and when) or left to the vendor',
          body: returnBodySchema,
          response: { 201: returnSchema, ...errors, 422: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 201,
          body: await requestReturn(ctx, actor, request.body, { tx }),
        }));
      },
    );

    app.post(
      '/returns/:id/actions/:action',
      {
        config: { access: DECIDE_RETURN_ACCESS },
        schema: {
          tags: ['returns'],
          summary:
            'Decide a return left to the vendor (order desk, vendor admin, CAM): approve (an RMA number when goods ship) or refuse, with the reason; 409 once decided',
          params: decisionParams,
          body: returnDecisionBodySchema,
          response: { 200: returnSchema, ...errors, 409: problemSchema, 422: problemSchema },
        },
        // The role answers before the body is validated (`config.access`), and so does the
        // scope, here: another vendor's `{}` is a 404, not a 400 about the reason. (The reason
        // stays required in the body schema, so the OpenAPI document says so.) The id is not
        // validated yet here: one the params schema would refuse is left to it.
        preValidation: async (request) => {
          const { id } = request.params as { id?: unknown };
          if (typeof id === 'string' && idParams.shape.id.safeParse(id).success) {
            await checkReturnDecider(ctx, request.actor, id);
          }
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 200,
          body: await decideReturnRequest(
            ctx,
            actor,
            {
              returnId: request.params.id,
              decision: request.params.action,
              body: request.body,
            },
            { tx },
          ),
        }));
      },
    );

    app.get(
      '/returns',
      {
        schema: {
          tags: ['returns'],
          summary:
            'Returns and their decisions, newest first (partners: their own; staff: their vendor’s)',
          querystring: returnListQuerySchema,
          response: {
            200: z.object({ items: z.array(returnSchema), nextCursor: z.string().nullable() }),
            ...errors,
          },
        },
      },
      async (request) => listReturnsPage(ctx, requireActor(request.actor), request.query),
    );

    app.get(
      '/returns/:id',
      {
        schema: {
          tags: ['returns'],
          summary: 'One return and its decision',
          params: idParams,
          response: { 200: returnSchema, ...errors },
        },
      },
      async (request) => getReturn(ctx, requireActor(request.actor), request.params.id),
    );
  };
}
