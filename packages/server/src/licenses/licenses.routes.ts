import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  LICENSE_REGISTRATION_ACCESS,
  licenseListQuerySchema,
  licenseRegistrationResultSchema,
  licenseRegistrationSchema,
  licenseSchema,
  licensesCsv,
  listLicenses,
  registerLicenses,
  requireActor,
} from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { withIdempotency } from '../http/idempotency.ts';
import { problemSchema } from '../http/problem.ts';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

/** Licenses from partners' licensing servers (API.md "SLA, escalations, returns, licenses"). */
export function licenseRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/licenses',
      {
        config: { access: LICENSE_REGISTRATION_ACCESS },
        schema: {
          tags: ['licenses'],
          summary:
            'Register licenses an OEM partner generated (unauthorized until an authorization order or the weekly job)',
          body: licenseRegistrationSchema,
          response: {
            201: licenseRegistrationResultSchema,
            ...errors,
            409: problemSchema,
            422: problemSchema,
          },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 201,
          body: await registerLicenses(ctx, actor, request.body, { tx }),
        }));
      },
    );

    app.get(
      '/licenses',
      {
        schema: {
          tags: ['licenses'],
          summary:
            'Licenses of a vendor, newest first (partners: their own); authorized=false is the report of those still unauthorized, format=csv its CSV',
          querystring: licenseListQuerySchema,
          response: {
            200: z
              .object({ items: z.array(licenseSchema), nextCursor: z.string().nullable() })
              .or(z.string().describe('text/csv')),
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        if (request.query.format === 'csv') {
          const { filename, csv } = await licensesCsv(ctx, actor, request.query);
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="${filename}"`)
            .send(csv);
        }
        return listLicenses(ctx, actor, request.query);
      },
    );
  };
}
