import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createApiToken,
  describeMe,
  listLoginLockouts,
  logIn,
  loginLockoutListQuerySchema,
  loginLockoutSchema,
  logOut,
  loginBodySchema,
  loginResponseSchema,
  meSchema,
  requireActor,
  TENANT_ADMIN_ACCESS,
  tokenBodySchema,
  tokenResponseSchema,
} from '@orderdesk/app';
import { PUBLIC_ROUTE, SESSION_COOKIE } from '../auth/auth.plugin.ts';
import type { ServerContext } from '../context.ts';
import { problemSchema } from '../http/problem.ts';

/**
 * The long-lived cookie of a browser that logged in before (a random secret whose hash is in
 * `login_devices`): with it, the right password gets through while the account is throttled
 * for everyone else (README, "Login throttling").
 */
export const DEVICE_COOKIE = 'od_device';

/** GET /session: the caller when logged in, else `user: null` (never the CSRF token). */
const sessionStateSchema = z.object({ user: meSchema.nullable() });

/** Log in and out, the caller, and API tokens (API.md "Identity"). */
export function sessionRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/session',
      {
        config: PUBLIC_ROUTE,
        schema: {
          tags: ['identity'],
          summary: 'Log in with e-mail and password; sets the session cookie',
          body: loginBodySchema,
          response: { 200: loginResponseSchema, 401: problemSchema, 429: problemSchema },
        },
      },
      async (request, reply) => {
        // Never the password, nor the e-mail typed: the account's id when it exists.
        const session = await logIn(
          ctx,
          {
            ...request.body,
            clientIp: request.ip,
            deviceSecret: request.cookies[DEVICE_COOKIE],
          },
          {
            onLockout: (lockout) =>
              request.log.warn({ ...lockout, clientIp: request.ip }, 'login lockout'),
            onRefused: (refused) =>
              request.log.info({ ...refused, clientIp: request.ip }, 'login refused: throttled'),
          },
        );
        reply.setCookie(SESSION_COOKIE, session.sessionSecret, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure: ctx.config.COOKIE_SECURE,
          expires: session.expiresAt,
        });
        // Only the login route ever reads it; it grants nothing but the device's own throttle.
        reply.setCookie(DEVICE_COOKIE, session.deviceSecret, {
          path: '/api/v1/session',
          httpOnly: true,
          sameSite: 'strict',
          secure: ctx.config.COOKIE_SECURE,
          expires: session.deviceExpiresAt,
        });
        return { user: session.me, csrfToken: session.csrfToken };
      },
    );

    app.get(
      '/login-lockouts',
      {
        config: { access: TENANT_ADMIN_ACCESS },
        schema: {
          tags: ['identity'],
          summary:
            "Login lockouts of your tenant's users, newest first (vendor_admin: its staff; partner_admin: its users)",
          querystring: loginLockoutListQuerySchema,
          response: {
            200: z.object({
              items: z.array(loginLockoutSchema),
              nextCursor: z.string().nullable(),
            }),
            400: problemSchema,
            401: problemSchema,
            403: problemSchema,
          },
        },
      },
      async (request) => listLoginLockouts(ctx, request.actor, request.query),
    );

    app.delete(
      '/session',
      {
        config: PUBLIC_ROUTE,
        schema: { tags: ['identity'], summary: 'Log out', response: { 204: z.null() } },
      },
      async (request, reply) => {
        await logOut(ctx, request.cookies[SESSION_COOKIE]);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/session',
      {
        config: PUBLIC_ROUTE,
        schema: {
          tags: ['identity'],
          summary:
            'Whether the caller is logged in: `user` is the caller, or null when not logged in (200 either way; GET /me answers 401 then)',
          response: { 200: sessionStateSchema, 401: problemSchema },
        },
      },
      // For the web app's first question on every load: a visitor who is not logged in is not
      // an error, and a 401 there would be a failed request in every such visitor's console.
      async (request) => ({
        user: request.actor === null ? null : await describeMe(ctx, request.actor),
      }),
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
      async (request) => describeMe(ctx, requireActor(request.actor)),
    );

    app.post(
      '/tokens',
      {
        schema: {
          tags: ['identity'],
          summary:
            'Create an API token for the caller (shown once; an Idempotency-Key is not honoured here: the secret is never stored to be replayed)',
          body: tokenBodySchema,
          response: { 201: tokenResponseSchema, 401: problemSchema, 403: problemSchema },
        },
      },
      async (request, reply) => {
        // No idempotency record: it would keep the secret in plain text and replay it (even
        // after revocation). A retried request makes a second token, which is harmless.
        const created = await createApiToken(ctx, requireActor(request.actor), {
          name: request.body.name,
          ...(request.body.canMint !== undefined ? { canMint: request.body.canMint } : {}),
          ...(request.body.expiresAt !== undefined ? { expiresAt: request.body.expiresAt } : {}),
        });
        return reply.code(201).send(created);
      },
    );
  };
}
