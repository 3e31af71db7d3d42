import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  listVisiblePartnerships,
  PARTNERSHIP_UPDATE_ACCESS,
  partnershipListQuery,
  partnershipPatchSchema,
  partnershipSchema,
  requireActor,
  updatePartnershipDetails,
} from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { problemSchema } from '../http/problem.ts';

export function partnershipRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/partnerships',
      {
        schema: {
          tags: ['partnerships'],
          summary: 'Partnerships (vendor × partner) with the rendered special-terms clause',
          description:
            'Partners see the multiplier only where the vendor profile says ' +
            '`pricing.partnerVisible`; a tier-2 reseller sees its distributor’s partnerships ' +
            'without the multiplier and the agreement (legal name, date, invoicing contact, ' +
            'billing details). ' +
            'Ordered by vendor slug and partner name.',
          querystring: partnershipListQuery,
          response: {
            200: z.object({ items: z.array(partnershipSchema), nextCursor: z.string().nullable() }),
            400: problemSchema,
            401: problemSchema,
          },
        },
      },
      async (request) => listVisiblePartnerships(ctx, requireActor(request.actor), request.query),
    );

    app.patch(
      '/partnerships/:id',
      {
        config: { access: PARTNERSHIP_UPDATE_ACCESS },
        schema: {
          tags: ['partnerships'],
          summary:
            'Update partnership details (partner admin: invoicing contact, provisioning CC; vendor admin or CAM: the agreement and the billing details)',
          description:
            'Vendor admins and CAMs set the partner’s `billing` details (country, ISO 3166-1 ' +
            'alpha-2; address; tax ID), replaced as a whole or cleared with `null`: the buyer ' +
            'of the partnership’s invoices, whose country and tax ID decide their tax. The ' +
            'multiplier is the vendor admin’s alone.',
          params: z.object({ id: z.string().max(100) }),
          body: partnershipPatchSchema,
          response: {
            200: partnershipSchema,
            401: problemSchema,
            403: problemSchema,
            404: problemSchema,
            422: problemSchema,
          },
        },
      },
      async (request) =>
        updatePartnershipDetails(ctx, requireActor(request.actor), {
          partnershipId: request.params.id,
          patch: request.body,
        }),
    );
  };
}
