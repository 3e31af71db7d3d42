import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  listVendorProfileVersions,
  PROFILE_SOURCE_ACCESS,
  profileFormatOf,
  profilePublishedSchema,
  profileSourceQuerySchema,
  profileSourceSchema,
  PUBLISH_PROFILE_ACCESS,
  wholeListQuerySchema,
  profileVersionSchema,
  publishProfile,
  readProfileSource,
} from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { expectedVersionOf } from '../http/if-match.ts';
import { problemSchema } from '../http/problem.ts';

const slugParams = z.object({ slug: z.string().min(1).max(100) });
const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

/** The content types a profile source may be sent as. */
export const PROFILE_CONTENT_TYPES = [
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/x-yaml',
  'application/json',
] as const;

/** Vendor profiles as source (API.md "Administration"): publish a version, list, read back. */
export function profileRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    // In this plugin only, bodies are the profile's source text, kept exactly as written (JSON
    // too: re-serialising it would lose the vendor's layout and the line numbers of errors).
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser(
      [...PROFILE_CONTENT_TYPES],
      { parseAs: 'string' },
      (_request, body, done) => {
        done(null, typeof body === 'string' ? body : body.toString('utf8'));
      },
    );

    app.put(
      '/vendors/:slug/profile',
      {
        config: { access: PUBLISH_PROFILE_ACCESS },
        schema: {
          tags: ['administration'],
          summary:
            "Publish a new version of the vendor's profile (vendor_admin; application/yaml or application/json); 422 with `line:column path` per error",
          params: slugParams,
          consumes: ['application/yaml', 'text/yaml', 'application/json'],
          body: z
            .string()
            .min(1, 'Send the profile source')
            .meta({ description: 'The profile source (YAML or JSON), stored as written' }),
          response: {
            200: profilePublishedSchema,
            ...errors,
            415: problemSchema,
            422: problemSchema,
          },
        },
      },
      async (request) =>
        publishProfile(ctx, request.actor, {
          slug: request.params.slug,
          source: request.body,
          format: profileFormatOf(request.headers['content-type']),
          expectedVersion: expectedVersionOf(request.headers['if-match']),
        }),
    );

    app.get(
      '/vendors/:slug/profile/versions',
      {
        config: { access: PROFILE_SOURCE_ACCESS },
        schema: {
          tags: ['administration'],
          summary: "The vendor's profile versions, newest first (its staff)",
          params: slugParams,
          querystring: wholeListQuerySchema,
          response: {
            200: z.object({
              items: z.array(profileVersionSchema),
              nextCursor: z.string().nullable(),
            }),
            ...errors,
          },
        },
      },
      async (request) =>
        listVendorProfileVersions(ctx, request.actor, request.params.slug, request.query),
    );

    app.get(
      '/vendors/:slug/profile/source',
      {
        config: { access: PROFILE_SOURCE_ACCESS },
        schema: {
          tags: ['administration'],
          summary:
            'The source of the current (or ?version=) profile version as the vendor wrote it (its staff)',
          params: slugParams,
          querystring: profileSourceQuerySchema,
          response: { 200: profileSourceSchema, ...errors },
        },
      },
      async (request) =>
        readProfileSource(ctx, request.actor, request.params.slug, request.query.version),
    );
  };
}
