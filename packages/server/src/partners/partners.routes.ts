import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  listVendorPartners,
  partnerSchema,
  requireActor,
  VENDOR_PARTNERS_ACCESS,
  wholeListQuerySchema,
} from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { problemSchema } from '../http/problem.ts';

export function partnerRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/partners',
      {
        config: { access: VENDOR_PARTNERS_ACCESS },
        schema: {
          tags: ['partnerships'],
          summary: "The vendor's partners by name (vendor staff only)",
          querystring: wholeListQuerySchema,
          response: {
            200: z.object({ items: z.array(partnerSchema), nextCursor: z.string().nullable() }),
            400: problemSchema,
            401: problemSchema,
            403: problemSchema,
          },
        },
      },
      async (request) => listVendorPartners(ctx, requireActor(request.actor), request.query),
    );
  };
}
