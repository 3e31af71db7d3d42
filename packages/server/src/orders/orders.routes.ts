import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  actOnOrder,
  CORRECT_ORDER_ACCESS,
  correctOrder,
  getOrder,
  listOrderEvents,
  listOrderMessages,
  listOrdersPage,
  orderActionParams,
  orderEventSchema,
  orderListQuerySchema,
  orderPatchSchema,
  orderSchema,
  orderSubmissionBodySchema,
  orderSummarySchema,
  readSubmissionBody,
  requireActor,
  SUBMIT_ORDER_ACCESS,
  submitOrder,
  threadMessageSchema,
  validateResponseSchema,
  validateSubmission,
  wholeListQuerySchema,
} from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { bodyWithFieldProblems } from '../http/field-problems.ts';
import { withIdempotency } from '../http/idempotency.ts';
import { expectedVersionOf } from '../http/if-match.ts';
import { problemSchema } from '../http/problem.ts';
import { orderActionBody } from './orders.schemas.ts';

const idParams = z.object({ id: z.string().min(1).max(100) });
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

/** Orders: validate, submit, follow, correct and move through the vendor's workflow (API.md "Orders"). */
export function orderRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    // A submission's field problems (a bad e-mail, no lines, money as a JSON number) are
    // problems of the order, said with all the others (API.md: validate 200, submit 422), not
    // a 400 that hides them: the body's schema failing is attached (attachValidation) and read
    // by bodyWithFieldProblems. Only a body that is not a JSON object stays a 400.
    app.post(
      '/orders/validate',
      {
        config: { access: SUBMIT_ORDER_ACCESS },
        attachValidation: true,
        schema: {
          tags: ['orders'],
          summary: 'Check a submission without recording anything: every problem at once',
          body: orderSubmissionBodySchema,
          response: { 200: validateResponseSchema, ...errors, 422: problemSchema },
        },
      },
      async (request) => {
        const actor = requireActor(request.actor);
        const { body, fieldProblems } = bodyWithFieldProblems(request, readSubmissionBody);
        return validateSubmission(ctx, actor, body, { fieldProblems });
      },
    );

    app.post(
      '/orders',
      {
        config: { access: SUBMIT_ORDER_ACCESS },
        attachValidation: true,
        schema: {
          tags: ['orders'],
          summary:
            'Submit an order (Idempotency-Key recommended); 422 with every problem when invalid. Vendor staff (order_desk, vendor_admin) submit on a partner’s behalf with partnerId',
          body: orderSubmissionBodySchema,
          response: { 201: orderSchema, ...errors, 409: problemSchema, 422: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        const { body, fieldProblems } = bodyWithFieldProblems(request, readSubmissionBody);
        // The key is written with the order, last: a repeated submission finds its PO number
        // (or its key) taken, is rolled back and answered as the first was. A body with field
        // problems is a 422 (nothing written, no key kept), as any invalid order.
        return withIdempotency(
          request,
          reply,
          ctx,
          actor.userId,
          async (tx) => ({
            status: 201,
            body: await submitOrder(ctx, actor, body, { tx, fieldProblems }),
          }),
          { keyLast: true },
        );
      },
    );

    app.get(
      '/orders',
      {
        schema: {
          tags: ['orders'],
          summary:
            'Orders, newest first (vendor staff: their vendor; partners: their own and their tier-2s)',
          querystring: orderListQuerySchema,
          response: {
            200: z.object({
              items: z.array(orderSummarySchema),
              nextCursor: z.string().nullable(),
            }),
            ...errors,
          },
        },
      },
      async (request) => listOrdersPage(ctx, requireActor(request.actor), request.query),
    );

    app.get(
      '/orders/:id',
      {
        schema: {
          tags: ['orders'],
          summary: 'One order: lines, PO, problems, SLA, the actions open to the caller',
          params: idParams,
          response: { 200: orderSchema, ...errors },
        },
      },
      async (request, reply) => {
        const order = await getOrder(ctx, requireActor(request.actor), request.params.id);
        reply.header('etag', `"${order.version}"`);
        return order;
      },
    );

    app.patch(
      '/orders/:id',
      {
        config: { access: CORRECT_ORDER_ACCESS },
        schema: {
          tags: ['orders'],
          summary: 'Correct an order while it is on hold (partner; If-Match: version)',
          params: idParams,
          body: orderPatchSchema,
          response: { 200: orderSchema, ...errors, 409: problemSchema, 422: problemSchema },
        },
      },
      async (request) =>
        correctOrder(ctx, requireActor(request.actor), {
          orderId: request.params.id,
          patch: request.body,
          expectedVersion: expectedVersionOf(request.headers['if-match']),
        }),
    );

    app.post(
      '/orders/:id/actions/:action',
      {
        schema: {
          tags: ['orders'],
          summary: 'approve, hold, resubmit, book, complete, reject or cancel (If-Match: version)',
          params: orderActionParams,
          body: orderActionBody,
          response: { 200: orderSchema, ...errors, 409: problemSchema, 422: problemSchema },
        },
      },
      async (request) =>
        actOnOrder(ctx, requireActor(request.actor), {
          orderId: request.params.id,
          action: request.params.action,
          body: request.body ?? {},
          expectedVersion: expectedVersionOf(request.headers['if-match']),
        }),
    );

    app.get(
      '/orders/:id/messages',
      {
        schema: {
          tags: ['orders'],
          summary: "The order's e-mail thread, oldest first",
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
        listOrderMessages(ctx, requireActor(request.actor), request.params.id, request.query),
    );

    app.get(
      '/orders/:id/events',
      {
        schema: {
          tags: ['orders'],
          summary: 'The timeline: who did what, when and why, oldest first',
          params: idParams,
          querystring: wholeListQuerySchema,
          response: {
            200: z.object({ items: z.array(orderEventSchema), nextCursor: z.string().nullable() }),
            ...errors,
          },
        },
      },
      async (request) =>
        listOrderEvents(ctx, requireActor(request.actor), request.params.id, request.query),
    );
  };
}
