import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { z } from 'zod';
import { DEMO_PARTNERS, DEMO_STAFF, DEMO_VENDOR_SLUGS, repoPath } from '@orderdesk/app';
import { findUserByEmail } from '@orderdesk/store';
import { PUBLIC_ROUTE } from '../auth/auth.plugin.ts';
import type { ServerContext } from '../context.ts';

const BUILT = repoPath('packages', 'web', 'dist');
const PUBLIC = repoPath('packages', 'web', 'public');

const demoLoginsSchema = z.object({
  demo: z.boolean().describe('Demo data is loaded and the demo logins below work'),
  password: z
    .string()
    .nullable()
    .describe('The demo password when it is the documented default; null when it was changed'),
  logins: z.array(
    z.object({
      email: z.string(),
      role: z.string(),
      organization: z.string(),
    }),
  ),
});

/** The demo logins of API.md, shown on the log-in page only while the demo data is loaded. */
async function demoLogins(ctx: ServerContext): Promise<z.infer<typeof demoLoginsSchema>> {
  const none = { demo: false, password: null, logins: [] };
  if (!ctx.config.ORDERDESK_DEMO) return none;
  const buyer = DEMO_PARTNERS[0]?.buyer;
  // Seeding is skipped on a database that already had vendors: only list what exists.
  if (!buyer || !(await findUserByEmail(ctx.store.db, buyer))) return none;
  const logins = [
    ...DEMO_PARTNERS.map((p) => ({ email: p.buyer, role: 'partner_admin', organization: p.name })),
    ...DEMO_VENDOR_SLUGS.flatMap((slug) =>
      DEMO_STAFF.map(([local, role]) => ({
        email: `${local}@${slug}.example`,
        role,
        organization: slug,
      })),
    ),
  ];
  const password = ctx.config.ORDERDESK_DEMO_PASSWORD === 'demo' ? 'demo' : null;
  return { demo: true, password, logins };
}

/** The app's icon: the same drawing packages/web/index.html links inline as a data URL. */
const FAVICON_SVG =
  "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'><rect width='32' height='32' rx='7' fill='#4263eb'/><path d='M9 16.5l4.5 4.5L23 11' fill='none' stroke='#fff' stroke-width='3.5' stroke-linecap='round' stroke-linejoin='round'/></svg>";

/**
 * Serves the web app at /: the Vite build (packages/web/dist) when present, else the
 * placeholder in packages/web/public. Paths the app routes itself (/orders/ord_…) get its
 * index.html; the API keeps its own 404s.
 */
export async function installWeb(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const built = existsSync(`${BUILT}/index.html`);
  const root = built ? BUILT : PUBLIC;
  await app.register(fastifyStatic, { root, prefix: '/', wildcard: false, index: ['index.html'] });
  // The page an invitation link opens (orderdesk vendor create, POST /users): it sets the
  // password through POST /api/v1/invitations/{token}. It lives in public/ (Vite copies nothing).
  app.get('/invitations/:token', { schema: { hide: true } }, async (_request, reply) =>
    reply.sendFile('invitation.html', PUBLIC),
  );
  // Browsers and tools that ask for /favicon.ico by name get the icon the pages link inline.
  app.get('/favicon.ico', { config: PUBLIC_ROUTE, schema: { hide: true } }, async (_r, reply) =>
    reply
      .header('content-type', 'image/svg+xml')
      .header('cache-control', 'public, max-age=86400')
      .send(FAVICON_SVG),
  );
  app.get(
    '/api/v1/demo-logins',
    {
      config: PUBLIC_ROUTE,
      schema: {
        tags: ['system'],
        summary: 'The demo logins for the log-in page (empty unless the demo data is loaded)',
        response: { 200: demoLoginsSchema },
      },
    },
    async () => demoLogins(ctx),
  );
  if (!built) return;
  // The single-page app's own routes: any other GET that is not the API nor a file.
  // Public: it answers a path under /api/ that no route has with the API's 404.
  app.get('/*', { config: PUBLIC_ROUTE, schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const last = path.slice(path.lastIndexOf('/') + 1);
    if (path.startsWith('/api/') || path === '/api' || last.includes('.')) {
      return reply.callNotFound();
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html', BUILT);
  });
}
