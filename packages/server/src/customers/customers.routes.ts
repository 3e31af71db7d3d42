import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePartner } from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { withIdempotency } from '../http/idempotency.ts';
import { decodeCursor, encodeCursor, pageQuerySchema } from '@orderdesk/app';
import { problemSchema } from '../http/problem.ts';
import {
  contactBodySchema,
  contactSchema,
  customerBodySchema,
  customerPatchSchema,
  customerSchema,
} from '@orderdesk/app';
import {
  addContact,
  contactsOf,
  createCustomer,
  getCustomer,
  pageCustomers,
  patchCustomer,
  toCustomerView,
} from '@orderdesk/app';

const idParams = z.object({ id: z.string().min(1).max(100) });
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

/** Customer organizations and their contacts, owned by partners (API.md "Customers"). */
export function customerRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/customers',
      {
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
      async (request) => {
        const actor = requirePartner(request.actor);
        const after = decodeCursor(request.query.cursor, z.object({ id: z.string() }));
        const rows = await pageCustomers(ctx.store.db, actor, {
          limit: request.query.limit + 1,
          ...(after ? { after: after.id } : {}),
        });
        const items = rows.slice(0, request.query.limit);
        const last = items.at(-1);
        return {
          items: items.map(toCustomerView),
          nextCursor:
            rows.length > request.query.limit && last ? encodeCursor({ id: last.id }) : null,
        };
      },
    );

    app.post(
      '/customers',
      {
        schema: {
          tags: ['customers'],
          summary: 'Create a customer organization',
          body: customerBodySchema,
          response: { 201: customerSchema, ...errors, 409: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requirePartner(request.actor);
        return withIdempotency(request, reply, ctx.store.db, actor.userId, async (tx) => ({
          status: 201,
          body: await createCustomer(tx, actor, request.body),
        }));
      },
    );

    app.get(
      '/customers/:id',
      {
        schema: {
          tags: ['customers'],
          summary: 'A customer organization',
          params: idParams,
          response: { 200: customerSchema, ...errors },
        },
      },
      async (request) =>
        toCustomerView(
          await getCustomer(ctx.store.db, requirePartner(request.actor), request.params.id),
        ),
    );

    app.patch(
      '/customers/:id',
      {
        schema: {
          tags: ['customers'],
          summary: 'Update a customer organization',
          params: idParams,
          body: customerPatchSchema,
          response: { 200: customerSchema, ...errors },
        },
      },
      async (request) => {
        const actor = requirePartner(request.actor);
        return ctx.store.db
          .transaction()
          .execute((tx) => patchCustomer(tx, actor, request.params.id, request.body));
      },
    );

    app.get(
      '/customers/:id/contacts',
      {
        schema: {
          tags: ['customers'],
          summary: "A customer's contacts (site admin, billing, technical)",
          params: idParams,
          response: {
            200: z.object({ items: z.array(contactSchema), nextCursor: z.null() }),
            ...errors,
          },
        },
      },
      async (request) => ({
        items: await contactsOf(ctx.store.db, requirePartner(request.actor), request.params.id),
        nextCursor: null,
      }),
    );

    app.post(
      '/customers/:id/contacts',
      {
        schema: {
          tags: ['customers'],
          summary: 'Add a contact to a customer',
          params: idParams,
          body: contactBodySchema,
          response: { 201: contactSchema, ...errors, 409: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requirePartner(request.actor);
        return withIdempotency(request, reply, ctx.store.db, actor.userId, async (tx) => ({
          status: 201,
          body: await addContact(tx, actor, request.params.id, request.body),
        }));
      },
    );
  };
}
