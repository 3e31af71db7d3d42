import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listPartnerships } from '@orderdesk/store';
import { z } from 'zod';
import { requireVendorStaff } from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { problemSchema } from '../http/problem.ts';

const partnerSchema = z
  .object({ id: z.string(), name: z.string(), tier: z.number().int(), partnershipId: z.string() })
  .meta({ id: 'Partner' });

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
            403: problemSchema,
          },
        },
      },
      async (request) => {
        const actor = requireVendorStaff(request.actor);
        const rows = await listPartnerships(ctx.store.db, { vendorId: actor.vendorId });
        return {
          items: rows.map((r) => ({
            id: r.partner_id,
            name: r.partner_name,
            tier: r.partner_tier,
            partnershipId: r.id,
          })),
          nextCursor: null,
        };
      },
    );
  };
}
