import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  findSubscriptionInScope,
  findVendorById,
  listSubscriptions,
  type Subscription,
} from '@orderdesk/store';
import { z } from 'zod';
import { requireActor } from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { decodeCursor, encodeCursor, pageQuerySchema } from '@orderdesk/app';
import { notFound, problemSchema } from '../http/problem.ts';
import { subscriptionScope } from '@orderdesk/app';

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

const listQuerySchema = z.strictObject({
  ...pageQuerySchema.shape,
  customerId: z.string().min(1).max(100).optional(),
});
const cursorSchema = z.object({ id: z.string() });

/** Customers' subscriptions, created and updated when subscription orders complete. */
export function subscriptionRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  /** Renders subscriptions, looking each vendor's slug up once (per request). */
  const viewer = () => {
    const slugs = new Map<string, string>();
    const slugOf = async (vendorId: string): Promise<string> => {
      let slug = slugs.get(vendorId);
      if (slug === undefined) {
        slug = (await findVendorById(ctx.store.db, vendorId))?.slug ?? '';
        slugs.set(vendorId, slug);
      }
      return slug;
    };
    return async (s: Subscription): Promise<z.infer<typeof subscriptionSchema>> => ({
      id: s.id,
      vendor: await slugOf(s.vendor_id),
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
  };
  return async (app) => {
    app.get(
      '/subscriptions',
      {
        schema: {
          tags: ['quotes'],
          summary: 'Subscriptions (the base for renewals and auto-renewals), newest first',
          querystring: listQuerySchema,
          response: {
            200: z.object({
              items: z.array(subscriptionSchema),
              nextCursor: z.string().nullable(),
            }),
            400: problemSchema,
            401: problemSchema,
          },
        },
      },
      async (request) => {
        const actor = requireActor(request.actor);
        const q = request.query;
        const before = decodeCursor(q.cursor, cursorSchema);
        const rows = await listSubscriptions(
          ctx.store.db,
          subscriptionScope(actor),
          { ...(q.customerId ? { customerId: q.customerId } : {}) },
          { limit: q.limit + 1, ...(before ? { before: before.id } : {}) },
        );
        const page = rows.slice(0, q.limit);
        const view = viewer();
        const items = [];
        for (const s of page) items.push(await view(s));
        const last = page.at(-1);
        return {
          items,
          nextCursor: rows.length > q.limit && last ? encodeCursor({ id: last.id }) : null,
        };
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
          subscriptionScope(requireActor(request.actor)),
        );
        if (!s) throw notFound('Subscription');
        return viewer()(s);
      },
    );
  };
}
