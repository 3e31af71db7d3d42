import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '@orderdesk/app';
import {
  DEAD_LETTERS_ACCESS,
  listDeadLetters,
  outboxIdParams,
  outboxItemSchema,
  outboxListQuerySchema,
  retryDeadLetter,
} from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { problemSchema } from '../http/problem.ts';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

/** The outbox's dead letters (issue 10): mail that gave up, seen and retried by a vendor_admin. */
export function outboxRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/outbox',
      {
        config: { access: DEAD_LETTERS_ACCESS },
        schema: {
          tags: ['administration'],
          summary:
            "Your vendor's mail that gave up after the last attempt (vendor_admin), with the last error",
          querystring: outboxListQuerySchema,
          response: {
            200: z.object({ items: z.array(outboxItemSchema), nextCursor: z.string().nullable() }),
            ...errors,
          },
        },
      },
      async (request) => listDeadLetters(ctx, request.actor, request.query),
    );

    app.post(
      '/outbox/:id/actions/retry',
      {
        config: { access: DEAD_LETTERS_ACCESS },
        schema: {
          tags: ['administration'],
          summary:
            'Send a dead letter again (vendor_admin): due now, attempts from zero, its message queued',
          params: outboxIdParams,
          response: { 200: outboxItemSchema, ...errors, 409: problemSchema },
        },
      },
      async (request) => retryDeadLetter(ctx, requireActor(request.actor), request.params.id),
    );
  };
}
