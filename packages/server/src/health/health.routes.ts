import { sql } from 'kysely';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ServerContext } from '../context.ts';
import { HttpProblem } from '../http/problem.ts';

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
        schema: {
          tags: ['system'],
          summary: 'Liveness and database check',
          response: { 200: healthSchema },
        },
      },
      async () => {
        try {
          await sql`select 1`.execute(ctx.store.db);
        } catch {
          throw new HttpProblem(503, 'database-unavailable', 'The database does not answer');
        }
        return { status: 'ok' as const, db: ctx.store.dialect, version: ctx.version };
      },
    );
  };
}
