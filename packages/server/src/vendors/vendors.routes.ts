import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listVendors } from '@orderdesk/store';
import { z } from 'zod';
import { requireActor } from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { problemSchema } from '../http/problem.ts';
import { findVisibleVendor, visibleVendorIds } from '@orderdesk/app';

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
      async (request) => {
        const actor = requireActor(request.actor);
        const ids = await visibleVendorIds(ctx.store.db, actor);
        const rows = await listVendors(ctx.store.db, { vendorIds: ids });
        return { items: rows.map((v) => ({ slug: v.slug, name: v.name })), nextCursor: null };
      },
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
      async (request) => {
        const actor = requireActor(request.actor);
        const vendor = await findVisibleVendor(ctx.store.db, actor, request.params.slug);
        return JSON.parse(vendor.profile) as Record<string, unknown>;
      },
    );
  };
}
