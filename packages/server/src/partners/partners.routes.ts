import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listVendorPartners, partnerSchema, requireActor } from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { problemSchema } from '../http/problem.ts';

export function partnerRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/partners',
      {
        schema: {
          tags: ['partnerships'],
          summary: "The vendor's partners (vendor staff only)",
          response: {
            200: z.object({ items: z.array(partnerSchema), nextCursor: z.null() }),
            401: problemSchema,
            403: problemSchema,
          },
        },
      },
      async (request) => ({
        items: await listVendorPartners(ctx, requireActor(request.actor)),
        nextCursor: null,
      }),
    );
  };
}
