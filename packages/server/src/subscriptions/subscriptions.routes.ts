import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  findSubscriptionInScope,
  findVendorById,
  listSubscriptions,
  type Subscription,
} from '@orderdesk/store';
import { z } from 'zod';
import { requireActor, type Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { notFound, problemSchema } from '../http/problem.ts';
import { contractingPartnerId } from '../vendors/vendor-scope.ts';

const subscriptionSchema = z
  .object({
    id: z.string(),
    vendor: z.string(),
    partnerId: z.string(),
    customerId: z.string(),
    status: z.string(),
    termMonths: z.number().int(),
    startsOn: z.string(),
    endsOn: z.string(),
    autoRenew: z.boolean(),
    lines: z.array(z.object({ partNumber: z.string(), quantity: z.number().int() })),
    lastOrderId: z.string().nullable(),
  })
  .meta({ id: 'Subscription' });

function scopeOf(actor: Actor): { vendorId: string } | { partnerIds: string[] } {
  if (actor.side === 'vendor' && actor.vendorId) return { vendorId: actor.vendorId };
  const contracting = contractingPartnerId(actor);
  return { partnerIds: contracting ? [contracting] : [] };
}

/** Customers' subscriptions, created and updated when subscription orders complete. */
export function subscriptionRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const view = async (s: Subscription): Promise<z.infer<typeof subscriptionSchema>> => ({
    id: s.id,
    vendor: (await findVendorById(ctx.store.db, s.vendor_id))?.slug ?? '',
    partnerId: s.partner_id,
    customerId: s.customer_id,
    status: s.status,
    termMonths: s.term_months,
    startsOn: s.starts_on,
    endsOn: s.ends_on,
    autoRenew: s.auto_renew === 1,
    lines: JSON.parse(s.lines) as { partNumber: string; quantity: number }[],
    lastOrderId: s.last_order_id,
  });
  return async (app) => {
    app.get(
      '/subscriptions',
      {
        schema: {
          tags: ['quotes'],
          summary: 'Subscriptions (the base for renewals and auto-renewals)',
          querystring: z.strictObject({ customerId: z.string().min(1).max(100).optional() }),
          response: { 200: z.object({ items: z.array(subscriptionSchema) }), 401: problemSchema },
        },
      },
      async (request) => {
        const actor = requireActor(request.actor);
        const rows = await listSubscriptions(ctx.store.db, scopeOf(actor), {
          ...(request.query.customerId ? { customerId: request.query.customerId } : {}),
        });
        return { items: await Promise.all(rows.map(view)) };
      },
    );
    app.get(
      '/subscriptions/:id',
      {
        schema: {
          tags: ['quotes'],
          summary: 'A subscription',
          params: z.object({ id: z.string().min(1).max(100) }),
          response: { 200: subscriptionSchema, 404: problemSchema },
        },
      },
      async (request) => {
        const s = await findSubscriptionInScope(
          ctx.store.db,
          request.params.id,
          scopeOf(requireActor(request.actor)),
        );
        if (!s) throw notFound('Subscription');
        return view(s);
      },
    );
  };
}
