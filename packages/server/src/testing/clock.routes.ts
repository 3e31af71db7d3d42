import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SettableClock } from '@orderdesk/app';
import { PUBLIC_ROUTE } from '../auth/auth.plugin.ts';
import type { ServerContext } from '../context.ts';
import { HttpProblem, problemSchema } from '../http/problem.ts';

// No `meta({ id })`: a named schema joins Zod's global registry when this module loads, and the
// OpenAPI document would list it as a component even where these routes are not registered.
const clockSchema = z.object({ now: z.string() });

/**
 * Test only (ORDERDESK_SETTABLE_CLOCK=1): read and set the running app's clock, so acceptance
 * and browser tests travel in time (quote expiry, SLA due dates) without editing rows. Not
 * registered otherwise.
 */
export function testClockRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    const clock = ctx.clock;
    if (!(clock instanceof SettableClock)) {
      throw new Error('ORDERDESK_SETTABLE_CLOCK needs a SettableClock');
    }
    app.get(
      '/test/clock',
      {
        config: PUBLIC_ROUTE,
        schema: {
          tags: ['testing'],
          summary: "The app's clock (test mode only)",
          response: { 200: clockSchema },
        },
      },
      async () => ({ now: ctx.now().toISOString() }),
    );
    app.put(
      '/test/clock',
      {
        config: PUBLIC_ROUTE,
        schema: {
          tags: ['testing'],
          summary:
            "Set the app's clock (test mode only): `now` an ISO instant; `freeze` stops it; `reset` back to the wall clock",
          body: z.strictObject({
            now: z.iso.datetime({ offset: true }).optional(),
            freeze: z.boolean().optional(),
            reset: z.boolean().optional(),
          }),
          response: { 200: clockSchema, 400: problemSchema },
        },
      },
      async (request) => {
        const { now, freeze, reset } = request.body;
        if (reset) clock.reset();
        else if (now) clock.set(new Date(now), { freeze: freeze ?? false });
        else
          throw new HttpProblem(400, 'bad-request', 'Give `now` or `reset: true`', [
            { path: 'now', code: 'required', message: 'An ISO instant, e.g. 2027-01-31T09:00:00Z' },
          ]);
        return { now: ctx.now().toISOString() };
      },
    );
  };
}
