import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  addContact,
  contactBodySchema,
  contactSchema,
  createCustomer,
  customerBodySchema,
  customerPatchSchema,
  CUSTOMERS_ACCESS,
  customerSchema,
  getCustomer,
  listCustomerContacts,
  listCustomersPage,
  pageQuerySchema,
  patchCustomer,
  requireActor,
  wholeListQuerySchema,
} from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { withIdempotency } from '../http/idempotency.ts';
import { problemSchema } from '../http/problem.ts';

const idParams = z.object({ id: z.string().min(1).max(100) });
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

/** Customer organizations and their contacts, owned by partners (API.md "Customers"). */
export function customerRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/customers',
      {
        config: { access: CUSTOMERS_ACCESS },
        schema: {
          tags: ['customers'],
          summary: "The partner's customer organizations (a distributor also sees its tier-2s')",
          querystring: pageQuerySchema,
          response: {
            200: z.object({ items: z.array(customerSchema), nextCursor: z.string().nullable() }),
            ...errors,
          },
        },
      },
      async (request) => listCustomersPage(ctx, requireActor(request.actor), request.query),
    );

    app.post(
      '/customers',
      {
        config: { access: CUSTOMERS_ACCESS },
        schema: {
          tags: ['customers'],
          summary: 'Create a customer organization',
          body: customerBodySchema,
          response: { 201: customerSchema, ...errors, 409: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 201,
          body: await createCustomer(ctx, actor, request.body, { tx }),
        }));
      },
    );

    app.get(
      '/customers/:id',
      {
        config: { access: CUSTOMERS_ACCESS },
        schema: {
          tags: ['customers'],
          summary: 'A customer organization',
          params: idParams,
          response: { 200: customerSchema, ...errors },
        },
      },
      async (request) => getCustomer(ctx, requireActor(request.actor), request.params.id),
    );

    app.patch(
      '/customers/:id',
      {
        config: { access: CUSTOMERS_ACCESS },
        schema: {
          tags: ['customers'],
          summary: 'Update a customer organization',
          params: idParams,
          body: customerPatchSchema,
          response: { 200: customerSchema, ...errors },
        },
      },
      async (request) =>
        patchCustomer(ctx, requireActor(request.actor), {
          customerId: request.params.id,
          patch: request.body,
        }),
    );

    app.get(
      '/customers/:id/contacts',
      {
        config: { access: CUSTOMERS_ACCESS },
        schema: {
          tags: ['customers'],
          summary: "A customer's contacts (site admin, billing, technical)",
          params: idParams,
          querystring: wholeListQuerySchema,
          response: {
            200: z.object({ items: z.array(contactSchema), nextCursor: z.string().nullable() }),
            ...errors,
          },
        },
      },
      async (request) =>
        listCustomerContacts(ctx, requireActor(request.actor), request.params.id, request.query),
    );

    app.post(
      '/customers/:id/contacts',
      {
        config: { access: CUSTOMERS_ACCESS },
        schema: {
          tags: ['customers'],
          summary: 'Add a contact to a customer',
          params: idParams,
          body: contactBodySchema,
          response: { 201: contactSchema, ...errors, 409: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 201,
          body: await addContact(
            ctx,
            actor,
            { customerId: request.params.id, contact: request.body },
            { tx },
          ),
        }));
      },
    );
  };
}
