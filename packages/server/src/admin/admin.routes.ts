import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ServerContext } from '../context.ts';

/** Administration (API.md "Administration"): vendor profiles, partners, users, invitations, tokens. */
export function adminRoutes(_ctx: ServerContext): FastifyPluginAsyncZod {
  return async () => {};
}
