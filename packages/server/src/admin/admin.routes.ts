import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  acceptInvitation,
  createPartner,
  createdPartnerSchema,
  deactivateUserAccount,
  enrolPartner,
  invitationAcceptBodySchema,
  invitationAcceptedSchema,
  invitationParams,
  invitedUserSchema,
  inviteUser,
  listUserTokens,
  listUsers,
  PARTNER_ENROLMENT_ACCESS,
  partnerCreateBodySchema,
  partnershipCreateBodySchema,
  partnershipSchema,
  requireActor,
  revokeUserToken,
  TENANT_ADMIN_ACCESS,
  tokenIdParams,
  tokenListQuerySchema,
  tokenSummarySchema,
  userCreateBodySchema,
  userIdParams,
  wholeListQuerySchema,
  userSchema,
} from '@orderdesk/app';
import { PUBLIC_ROUTE } from '../auth/auth.plugin.ts';
import type { ServerContext } from '../context.ts';
import { withIdempotency } from '../http/idempotency.ts';
import { problemSchema } from '../http/problem.ts';
import { profileRoutes } from './profiles.routes.ts';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };
const creating = { ...errors, 409: problemSchema, 422: problemSchema };

/** Administration (API.md "Administration"): vendor profiles, partners, users, invitations, tokens. */
export function adminRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    await app.register(profileRoutes(ctx));

    app.post(
      '/partners',
      {
        config: { access: PARTNER_ENROLMENT_ACCESS },
        schema: {
          tags: ['administration'],
          summary:
            'Create a partner (vendor_admin): tier 1 with its partnership with your vendor, or tier 2 under an enrolled distributor; `admin` invites its first partner_admin',
          description:
            'A tier-1 partner may be given its `billing` details (country, ISO 3166-1 ' +
            'alpha-2; address; tax ID) as `PATCH /partnerships/{id}` sets them; left out, ' +
            'the partnership has none. A tier-2 reseller has no partnership to bill.',
          body: partnerCreateBodySchema,
          response: { 201: createdPartnerSchema, ...creating },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 201,
          body: await createPartner(ctx, actor, request.body, { tx }),
        }));
      },
    );

    app.post(
      '/partnerships',
      {
        config: { access: PARTNER_ENROLMENT_ACCESS },
        schema: {
          tags: ['administration'],
          summary:
            'Enrol an existing tier-1 partner with your vendor (vendor_admin); the partner id is the one its admin sees in GET /me',
          description:
            'The partnership may be given the partner’s `billing` details (country, ISO ' +
            '3166-1 alpha-2; address; tax ID) as `PATCH /partnerships/{id}` sets them; left ' +
            'out, it has none.',
          body: partnershipCreateBodySchema,
          response: { 201: partnershipSchema, ...creating },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 201,
          body: await enrolPartner(ctx, actor, request.body, { tx }),
        }));
      },
    );

    app.get(
      '/users',
      {
        config: { access: TENANT_ADMIN_ACCESS },
        schema: {
          tags: ['administration'],
          summary:
            "Your tenant's users by e-mail (vendor_admin: the vendor's staff; partner_admin: the partner's users)",
          querystring: wholeListQuerySchema,
          response: {
            200: z.object({ items: z.array(userSchema), nextCursor: z.string().nullable() }),
            ...errors,
          },
        },
      },
      async (request) => listUsers(ctx, request.actor, request.query),
    );

    app.post(
      '/users',
      {
        config: { access: TENANT_ADMIN_ACCESS },
        schema: {
          tags: ['administration'],
          summary:
            'Create a user of your tenant and mail it a single-use link to set its password (vendor_admin: staff roles; partner_admin: partner roles)',
          body: userCreateBodySchema,
          response: { 201: invitedUserSchema, ...creating },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 201,
          body: await inviteUser(ctx, actor, request.body, { tx }),
        }));
      },
    );

    app.delete(
      '/users/:id',
      {
        config: { access: TENANT_ADMIN_ACCESS },
        schema: {
          tags: ['administration'],
          summary: 'Deactivate a user of your tenant: its sessions and tokens stop working at once',
          params: userIdParams,
          response: { 204: z.null(), ...errors, 409: problemSchema },
        },
      },
      async (request, reply) => {
        await deactivateUserAccount(ctx, request.actor, request.params.id);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/invitations/:token',
      {
        config: PUBLIC_ROUTE,
        schema: {
          tags: ['identity'],
          summary:
            'Set your password with the single-use link of an invitation mail (no login); then log in',
          params: invitationParams,
          body: invitationAcceptBodySchema,
          response: { 200: invitationAcceptedSchema, 400: problemSchema, 404: problemSchema },
        },
      },
      async (request) => acceptInvitation(ctx, request.params.token, request.body),
    );

    app.get(
      '/tokens',
      {
        schema: {
          tags: ['identity'],
          summary:
            'Your API tokens, newest first (never the secret); an admin may pass ?userId= of its tenant',
          querystring: tokenListQuerySchema,
          response: {
            200: z.object({
              items: z.array(tokenSummarySchema),
              nextCursor: z.string().nullable(),
            }),
            ...errors,
          },
        },
      },
      async (request) => listUserTokens(ctx, request.actor, request.query),
    );

    app.delete(
      '/tokens/:id',
      {
        schema: {
          tags: ['identity'],
          summary:
            "Revoke a token (yours; an admin also its tenant's users'): it stops working at once",
          params: tokenIdParams,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await revokeUserToken(ctx, request.actor, request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
