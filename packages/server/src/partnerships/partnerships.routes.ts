import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { problemSchema } from '../http/problem.ts';
import {
  partnershipListQuery,
  partnershipPatchSchema,
  partnershipSchema,
} from '@orderdesk/app';
import {
  listVisiblePartnerships,
  patchPartnership,
  toPartnershipView,
} from '@orderdesk/app';

export function partnershipRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/partnerships',
      {
        schema: {
          tags: ['partnerships'],
          summary: 'Partnerships (vendor × partner) with the rendered special-terms clause',
          querystring: partnershipListQuery,
          response: {
            200: z.object({ items: z.array(partnershipSchema), nextCursor: z.null() }),
            401: problemSchema,
          },
        },
      },
      async (request) => {
        const actor = requireActor(request.actor);
        const rows = await listVisiblePartnerships(ctx.store.db, actor, request.query.vendor);
        return { items: rows.map(toPartnershipView), nextCursor: null };
      },
    );

    app.patch(
      '/partnerships/:id',
      {
        schema: {
          tags: ['partnerships'],
          summary: 'Update partnership details (partner admin: invoicing contact, provisioning CC)',
          params: z.object({ id: z.string().max(100) }),
          body: partnershipPatchSchema,
          response: { 200: partnershipSchema, 403: problemSchema, 404: problemSchema },
        },
      },
      async (request) => {
        const actor = requireActor(request.actor);
        return ctx.store.db
          .transaction()
          .execute((tx) => patchPartnership(tx, actor, request.params.id, request.body));
      },
    );
  };
}
