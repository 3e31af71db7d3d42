import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { findVendorBySlug } from '@orderdesk/store';
import { z } from 'zod';
import { requireActor } from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { withIdempotency } from '../http/idempotency.ts';
import { decodeCursor, encodeCursor } from '@orderdesk/app';
import { problemSchema } from '../http/problem.ts';
import {
  orderActionBodySchema,
  orderActionParams,
  orderEventSchema,
  orderMessageSchema,
  orderListQuerySchema,
  orderPatchSchema,
  orderSchema,
  orderSubmissionSchema,
  orderSummarySchema,
  validateResponseSchema,
} from '@orderdesk/app';
import {
  actOnOrder,
  getOrder,
  getOrderMessages,
  orderEvents,
  pageOrders,
  patchOrder,
  submitOrder,
  validateSubmission,
} from '@orderdesk/app';

const idParams = z.object({ id: z.string().min(1).max(100) });
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

/** Orders: validate, submit, follow, correct and move through the vendor's workflow (API.md "Orders"). */
export function orderRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/orders/validate',
      {
        schema: {
          tags: ['orders'],
          summary: 'Validate an order without recording it: every problem at once, and the pricing',
          body: orderSubmissionSchema,
          response: { 200: validateResponseSchema, ...errors, 422: problemSchema },
        },
      },
      async (request) => validateSubmission(ctx, requireActor(request.actor), request.body),
    );

    app.post(
      '/orders',
      {
        schema: {
          tags: ['orders'],
          summary:
            'Submit an order (Idempotency-Key recommended); 422 with every problem when invalid',
          body: orderSubmissionSchema,
          response: { 201: orderSchema, ...errors, 409: problemSchema, 422: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx.store.db, actor.userId, async (tx) => ({
          status: 201,
          body: await submitOrder(ctx, tx, actor, request.body),
        }));
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
      async (request) => {
        const actor = requireActor(request.actor);
        const q = request.query;
        const before = decodeCursor(q.cursor, z.object({ id: z.string() }));
        let vendorId: string | undefined;
        if (q.vendor) {
          const v = await findVendorBySlug(ctx.store.db, q.vendor);
          vendorId = v?.id ?? 'none';
        }
        const page = await pageOrders(
          ctx,
          actor,
          {
            ...(q.status ? { status: q.status } : {}),
            ...(vendorId ? { vendorId } : {}),
            ...(q.customerId ? { customerId: q.customerId } : {}),
            ...(q.partnerId ? { partnerId: q.partnerId } : {}),
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
      '/orders/:id',
      {
        schema: {
          tags: ['orders'],
          summary: 'An order',
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
        schema: {
          tags: ['orders'],
          summary: 'Correct an order while it is on hold (partner); then resubmit',
          params: idParams,
          body: orderPatchSchema,
          response: { 200: orderSchema, ...errors, 409: problemSchema },
        },
      },
      async (request) => {
        const actor = requireActor(request.actor);
        return ctx.store.db
          .transaction()
          .execute((tx) =>
            patchOrder(
              ctx,
              tx,
              actor,
              request.params.id,
              request.body,
              request.headers['if-match'],
            ),
          );
      },
    );

    app.post(
      '/orders/:id/actions/:action',
      {
        schema: {
          tags: ['orders'],
          summary: 'approve, hold, resubmit, book, complete, reject or cancel (If-Match: version)',
          params: orderActionParams,
          body: orderActionBodySchema,
          response: { 200: orderSchema, ...errors, 409: problemSchema, 422: problemSchema },
        },
      },
      async (request) => {
        const actor = requireActor(request.actor);
        return ctx.store.db
          .transaction()
          .execute((tx) =>
            actOnOrder(
              ctx,
              tx,
              actor,
              request.params.id,
              request.params.action,
              request.body ?? {},
              request.headers['if-match'],
            ),
          );
      },
    );

    app.get(
      '/orders/:id/messages',
      {
        schema: {
          tags: ['orders'],
          summary: "The order's e-mail thread (queued and sent notifications)",
          params: idParams,
          response: { 200: z.object({ items: z.array(orderMessageSchema) }), ...errors },
        },
      },
      async (request) => ({
        items: await getOrderMessages(ctx, requireActor(request.actor), request.params.id),
      }),
    );

    app.get(
      '/orders/:id/events',
      {
        schema: {
          tags: ['orders'],
          summary: 'The timeline: who did what, when and why',
          params: idParams,
          response: { 200: z.object({ items: z.array(orderEventSchema) }), ...errors },
        },
      },
      async (request) => ({
        items: await orderEvents(ctx, requireActor(request.actor), request.params.id),
      }),
    );
  };
}
