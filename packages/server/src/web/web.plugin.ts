import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Serves the web app (packages/web: the built app if present, else its public placeholder) at /. */
export async function installWeb(app: FastifyInstance): Promise<void> {
  const built = fileURLToPath(new URL('../../../web/dist', import.meta.url));
  const placeholder = fileURLToPath(new URL('../../../web/public', import.meta.url));
  const root = existsSync(built) ? built : placeholder;
  await app.register(fastifyStatic, { root, prefix: '/', wildcard: false, index: ['index.html'] });
  // The page an invitation link opens (orderdesk vendor create, POST /users): it sets the
  // password through POST /api/v1/invitations/{token}.
  const invitation = existsSync(`${root}/invitation.html`) ? root : placeholder;
  app.get('/invitations/:token', { schema: { hide: true } }, async (_request, reply) =>
    reply.sendFile('invitation.html', invitation),
  );
}
