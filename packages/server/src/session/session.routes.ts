import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { findUserById } from '@orderdesk/store';
import { z } from 'zod';
import { requireActor } from '@orderdesk/app';
import { SESSION_COOKIE } from '../auth/auth.plugin.ts';
import { actorFromUser } from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { withIdempotency } from '../http/idempotency.ts';
import { problemSchema } from '../http/problem.ts';
import {
  loginBodySchema,
  loginResponseSchema,
  meSchema,
  tokenBodySchema,
  tokenResponseSchema,
} from '@orderdesk/app';
import { createApiToken, describeActor, logIn, logOut } from '@orderdesk/app';

export function sessionRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/session',
      {
        schema: {
          tags: ['identity'],
          summary: 'Log in with e-mail and password; sets the session cookie',
          body: loginBodySchema,
          response: { 200: loginResponseSchema, 401: problemSchema, 429: problemSchema },
        },
      },
      async (request, reply) => {
        const session = await logIn(ctx, { ...request.body, clientIp: request.ip });
        const user = await findUserById(ctx.store.db, session.userId);
        if (!user) throw new Error('user vanished during login');
        const actor = await actorFromUser(ctx.store.db, user, 'session');
        reply.setCookie(SESSION_COOKIE, session.sessionSecret, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure: ctx.config.COOKIE_SECURE,
          expires: session.expiresAt,
        });
        return { user: await describeActor(ctx.store.db, actor), csrfToken: session.csrfToken };
      },
    );

    app.delete(
      '/session',
      { schema: { tags: ['identity'], summary: 'Log out', response: { 204: z.null() } } },
      async (request, reply) => {
        await logOut(ctx.store.db, request.cookies[SESSION_COOKIE]);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/me',
      {
        schema: {
          tags: ['identity'],
          summary: 'The caller',
          response: { 200: meSchema, 401: problemSchema },
        },
      },
      async (request) => describeActor(ctx.store.db, requireActor(request.actor)),
    );

    app.post(
      '/tokens',
      {
        schema: {
          tags: ['identity'],
          summary: 'Create an API token for the caller (shown once)',
          body: tokenBodySchema,
          response: { 201: tokenResponseSchema, 401: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx.store.db, actor.userId, async (tx) => ({
          status: 201,
          body: await createApiToken(tx, actor, request.body.name),
        }));
      },
    );
  };
}
