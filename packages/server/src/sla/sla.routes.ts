import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  readSlaSummary,
  requireActor,
  SLA_SUMMARY_ACCESS,
  slaQuerySchema,
  slaSummarySchema,
} from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { problemSchema } from '../http/problem.ts';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

/** SLA clocks (API.md "SLA, escalations, returns, licenses"). */
export function slaRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/sla',
      {
        config: { access: SLA_SUMMARY_ACCESS },
        schema: {
          tags: ['orders'],
          summary:
            'Per SLA stage (acknowledge, fulfil): open, due today (the vendor’s day) and overdue; and the overdue orders (vendor staff)',
          description:
            'Per stage, `open` counts the orders whose stage still runs; of those, `dueToday` the ones due later today (at or after now, before midnight in the vendor’s time zone) and `overdue` the ones due before now, whatever day. The two never count the same order: an order due earlier today is overdue, not due today.',
          querystring: slaQuerySchema,
          response: { 200: slaSummarySchema, ...errors },
        },
      },
      async (request) => readSlaSummary(ctx, requireActor(request.actor), request.query),
    );
  };
}
