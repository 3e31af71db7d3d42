import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { vendorProfileViewSchema } from '@orderdesk/core';
import {
  getVendorProfile,
  listVisibleVendors,
  requireActor,
  wholeListQuerySchema,
} from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { problemSchema } from '../http/problem.ts';

const vendorSchema = z.object({ slug: z.string(), name: z.string() }).meta({ id: 'Vendor' });
const slugParams = z.object({ slug: z.string().min(1).max(100) });

export function vendorRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/vendors',
      {
        schema: {
          tags: ['catalog'],
          summary: 'Vendors the caller works with, by slug',
          querystring: wholeListQuerySchema,
          response: {
            200: z.object({ items: z.array(vendorSchema), nextCursor: z.string().nullable() }),
            400: problemSchema,
            401: problemSchema,
          },
        },
      },
      async (request) => listVisibleVendors(ctx, requireActor(request.actor), request.query),
    );

    app.get(
      '/vendors/:slug/profile',
      {
        schema: {
          tags: ['catalog'],
          summary: "A vendor's profile: order types, required fields, quote policy, workflow, SLA…",
          params: slugParams,
          // The parsed profile: every default filled in, the workflow resolved.
          response: { 200: vendorProfileViewSchema, 404: problemSchema },
        },
        // The profile was parsed through that schema when it was read: sent as it is, not
        // parsed again as input.
        serializerCompiler: () => (data) => JSON.stringify(data),
      },
      async (request) => getVendorProfile(ctx, requireActor(request.actor), request.params.slug),
    );
  };
}
