import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getVendorProfile, listVisibleVendors, requireActor } from '@orderdesk/app';
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
          summary: 'Vendors the caller works with',
          response: {
            200: z.object({ items: z.array(vendorSchema), nextCursor: z.null() }),
            401: problemSchema,
          },
        },
      },
      async (request) => ({
        items: await listVisibleVendors(ctx, requireActor(request.actor)),
        nextCursor: null,
      }),
    );

    app.get(
      '/vendors/:slug/profile',
      {
        schema: {
          tags: ['catalog'],
          summary: "A vendor's profile: order types, required fields, quote policy, workflow, SLA…",
          params: slugParams,
          response: { 200: z.record(z.string(), z.unknown()), 404: problemSchema },
        },
      },
      async (request) =>
        (await getVendorProfile(ctx, requireActor(request.actor), request.params.slug)) as Record<
          string,
          unknown
        >,
    );
  };
}
