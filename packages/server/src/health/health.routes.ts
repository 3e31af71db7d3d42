import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { checkHealth } from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { PUBLIC_ROUTE } from '../auth/auth.plugin.ts';
import { problemSchema } from '../http/problem.ts';

const healthSchema = z.object({
  status: z.enum(['ok']),
  db: z.enum(['sqlite', 'postgres']),
  version: z.string(),
});

export function healthRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/health',
      {
        config: PUBLIC_ROUTE,
        schema: {
          tags: ['system'],
          summary: 'Liveness and database check',
          response: { 200: healthSchema, 503: problemSchema },
        },
      },
      async () => ({ status: 'ok' as const, ...(await checkHealth(ctx)), version: ctx.version }),
    );
  };
}
