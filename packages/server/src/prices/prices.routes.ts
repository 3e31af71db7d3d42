import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  endMultiplier,
  getMultipliers,
  MULTIPLIER_ADMIN_ACCESS,
  multiplierBodySchema,
  wholeListQuerySchema,
  multiplierListSchema,
  multiplierPatchSchema,
  multiplierSchema,
  priceParts,
  priceQuery,
  pricesSchema,
  requireActor,
  setMultiplier,
} from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { withIdempotency } from '../http/idempotency.ts';
import { problemSchema } from '../http/problem.ts';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };
const partnershipParams = z.object({ id: z.string().min(1).max(100) });

/** Net prices for a partner, and the price multipliers behind them (API.md "Catalog and pricing"). */
export function priceRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/prices',
      {
        schema: {
          tags: ['catalog'],
          summary: 'List price, multiplier and net price of part numbers for a partner',
          description:
            'Partners get their own prices (a tier-2 reseller its distributor’s net prices, ' +
            'never its multiplier); vendor staff pass `partnerId`. Net = list × multiplier, ' +
            'rounded to the currency’s minor unit by the profile’s `pricing.rounding` ' +
            '(half-up by default). Where the profile says `pricing.partnerVisible: false`, ' +
            'partners get `listPrice` and `multiplier` as null. A part number not in the ' +
            'catalog, or without a price in the list in force, fails the request (422) with ' +
            'a `part_number.unknown` problem for each.',
          querystring: priceQuery,
          response: { 200: pricesSchema, ...errors, 422: problemSchema },
        },
      },
      async (request) => priceParts(ctx, requireActor(request.actor), request.query),
    );

    app.get(
      '/partnerships/:id/multipliers',
      {
        schema: {
          tags: ['partnerships'],
          summary:
            "A partnership's price multipliers: the default and the rules by category and dates",
          description:
            'Vendor staff, and the partner itself where the profile says ' +
            '`pricing.partnerVisible`; a tier-2 reseller never sees its distributor’s (403).',
          params: partnershipParams,
          querystring: wholeListQuerySchema,
          response: { 200: multiplierListSchema, ...errors },
        },
      },
      async (request) =>
        getMultipliers(ctx, requireActor(request.actor), request.params.id, request.query),
    );

    app.post(
      '/partnerships/:id/multipliers',
      {
        config: { access: MULTIPLIER_ADMIN_ACCESS },
        schema: {
          tags: ['partnerships'],
          summary:
            'Add a multiplier rule, optionally for one category (vendor_admin; category rules ' +
            'only where the profile says pricing.multipliersPerCategory)',
          params: partnershipParams,
          body: multiplierBodySchema,
          response: { 201: multiplierSchema, ...errors, 409: problemSchema, 422: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 201,
          body: await setMultiplier(
            ctx,
            actor,
            { partnershipId: request.params.id, rule: request.body },
            { tx },
          ),
        }));
      },
    );

    app.patch(
      '/partnerships/:id/multipliers/:multiplierId',
      {
        config: { access: MULTIPLIER_ADMIN_ACCESS },
        schema: {
          tags: ['partnerships'],
          summary: 'End (or reopen) a multiplier rule (vendor_admin)',
          params: partnershipParams.extend({ multiplierId: z.string().min(1).max(100) }),
          body: multiplierPatchSchema,
          response: { 200: multiplierSchema, ...errors, 422: problemSchema },
        },
      },
      async (request) =>
        endMultiplier(ctx, requireActor(request.actor), {
          partnershipId: request.params.id,
          multiplierId: request.params.multiplierId,
          end: request.body,
        }),
    );
  };
}
