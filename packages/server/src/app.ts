import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import cookie from '@fastify/cookie';
import type { Logger } from 'pino';
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Store } from '@orderdesk/store';
import { LoginThrottle, SettableClock, systemClock, type Clock } from '@orderdesk/app';
import { installAuth } from './auth/auth.plugin.ts';
import type { Config } from './config.ts';
import type { ServerContext } from './context.ts';
import { adminRoutes } from './admin/admin.routes.ts';
import { outboxRoutes } from './outbox/outbox.routes.ts';
import { testClockRoutes } from './testing/clock.routes.ts';
import { customerRoutes } from './customers/customers.routes.ts';
import { orderRoutes } from './orders/orders.routes.ts';
import { invoiceRoutes } from './invoices/invoices.routes.ts';
import { fulfilmentRoutes } from './fulfilment/fulfilment.routes.ts';
import { slaRoutes } from './sla/sla.routes.ts';
import { escalationRoutes } from './escalations/escalations.routes.ts';
import { messageRoutes } from './messages/messages.routes.ts';
import { licenseRoutes } from './licenses/licenses.routes.ts';
import { returnRoutes } from './returns/returns.routes.ts';
import { orderImportRoutes } from './orders/order-import.routes.ts';
import { intakeRoutes } from './intake/intake.routes.ts';
import { documentRoutes } from './documents/documents.routes.ts';
import { quoteRoutes } from './quotes/quotes.routes.ts';
import { subscriptionRoutes } from './subscriptions/subscriptions.routes.ts';
import { catalogRoutes } from './catalog/catalog.routes.ts';
import { healthRoutes } from './health/health.routes.ts';
import { installErrorHandler } from './http/error-handler.ts';
import { usePlainSizeMessages } from './http/zod-messages.ts';
import { installSecurityHeaders } from './http/security-headers.ts';
import { installEtags } from './http/etag.ts';
import { installInputBoundary, jsonCharsetError, parseJsonBody } from './http/input-boundary.ts';
import { installListCursors } from './http/list-cursors.ts';
import { lazyDefaultCompilers } from './http/lazy-compilers.ts';
import { problemType } from './http/problem.ts';
import { installOpenApi } from './openapi/openapi.plugin.ts';
import { partnerRoutes } from './partners/partners.routes.ts';
import { partnershipRoutes } from './partnerships/partnerships.routes.ts';
import { priceListRoutes } from './price-lists/price-lists.routes.ts';
import { priceRoutes } from './prices/prices.routes.ts';
import { sessionRoutes } from './session/session.routes.ts';
import { loginPolicyOf, trustProxyOf } from './session/login-settings.ts';
import { VERSION } from './version.ts';
import { vendorRoutes } from './vendors/vendors.routes.ts';
import { installWeb } from './web/web.plugin.ts';

/** The security headers of a problem answered before routing: a JSON error loads nothing. */
const BEFORE_ROUTING_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;

/** Parses a query string, treating empty values (`?vendor=&q=`) as absent. */
function parseQuery(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    if (value === '') continue;
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

export interface BuildAppOptions {
  store: Store;
  config: Config;
  logger?: Logger | false;
  /** The clock of the app (a SettableClock in tests); the wall clock by default. */
  clock?: Clock;
}

/** Builds the Fastify application: every route under /api/v1, the docs, and the web app at /. */
export async function buildApp(
  options: BuildAppOptions,
): Promise<{ app: FastifyInstance; ctx: ServerContext }> {
  const { config, store } = options;
  const clock =
    options.clock ?? (config.ORDERDESK_SETTABLE_CLOCK ? new SettableClock() : systemClock);
  const ctx: ServerContext = {
    store,
    config,
    clock,
    version: VERSION,
    routes: [],
    now: () => clock.now(),
    loginThrottle: new LoginThrottle(config.LOGIN_WINDOW_MINUTES * 60_000, loginPolicyOf(config)),
  };
  // Typed as Fastify's base logger so the instance keeps Fastify's default generics. A silent
  // logger (LOG_LEVEL=silent) writes nothing: Fastify then gets none, and spares every request
  // its child logger.
  const loggerInstance: FastifyBaseLogger | undefined =
    options.logger && options.logger.level !== 'silent' ? options.logger : undefined;
  const app = Fastify({
    ...(loggerInstance ? { loggerInstance } : { logger: false }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    trustProxy: trustProxyOf(config),
    routerOptions: { ignoreTrailingSlash: true, querystringParser: parseQuery },
    schemaController: { compilersFactory: lazyDefaultCompilers },
    // Errors raised before routing (a malformed URL escape) are problem details too. No hook
    // runs for them, so the security headers every other answer gets are set here.
    frameworkErrors: (error, request, rawReply) => {
      const reply = rawReply as unknown as FastifyReply;
      void reply
        .code(400)
        .headers(BEFORE_ROUTING_HEADERS)
        .type('application/problem+json; charset=utf-8')
        .send(
          JSON.stringify({
            type: problemType('bad-url'),
            title: 'Bad request',
            status: 400,
            detail: error.message,
            requestId: request.id,
            errors: [{ path: 'url', code: 'invalid', message: error.message }],
          }),
        );
    },
  }).withTypeProvider<ZodTypeProvider>();
  // JSON bodies only: text/plain on a JSON route is a wrong content type (415), and an empty
  // JSON body is "no body" (routes whose body is optional accept it; others say "required").
  app.removeContentTypeParser('text/plain');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const charsetError = jsonCharsetError(request.headers['content-type']);
    if (charsetError) {
      done(charsetError, undefined);
      return;
    }
    const text = typeof body === 'string' ? body : body.toString('utf8');
    // Blank (a test, not a trimmed copy of every body).
    if (!/\S/.test(text)) {
      done(null, undefined);
      return;
    }
    try {
      done(null, parseJsonBody(text));
    } catch (error) {
      const e = error as Error & { statusCode?: number; code?: string };
      e.statusCode = 400;
      e.code = 'FST_ERR_CTP_INVALID_JSON_BODY';
      done(e, undefined);
    }
  });
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const access = route.config?.access;
    for (const method of methods) {
      if (method !== 'HEAD')
        ctx.routes.push({ method, url: route.url, ...(access ? { access } : {}) });
    }
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Hooks on every request take `done` rather than returning a promise: a promise and a
  // microtask per hook per request for nothing asynchronous.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  installErrorHandler(app);
  usePlainSizeMessages();
  installInputBoundary(app);
  installListCursors(app);
  await installSecurityHeaders(app, {
    corsOrigins: config.CORS_ORIGINS,
    https: config.COOKIE_SECURE,
  });
  installEtags(app);
  await app.register(cookie);
  installAuth(app, ctx);
  await installOpenApi(app, VERSION);

  await app.register(
    async (api) => {
      await api.register(healthRoutes(ctx));
      await api.register(sessionRoutes(ctx));
      await api.register(vendorRoutes(ctx));
      await api.register(partnershipRoutes(ctx));
      await api.register(partnerRoutes(ctx));
      await api.register(customerRoutes(ctx));
      await api.register(orderRoutes(ctx));
      await api.register(fulfilmentRoutes(ctx));
      await api.register(invoiceRoutes(ctx));
      await api.register(slaRoutes(ctx));
      await api.register(escalationRoutes(ctx));
      await api.register(messageRoutes(ctx));
      await api.register(licenseRoutes(ctx));
      await api.register(returnRoutes(ctx));
      await api.register(orderImportRoutes(ctx));
      await api.register(intakeRoutes(ctx));
      await api.register(documentRoutes(ctx));
      await api.register(quoteRoutes(ctx));
      await api.register(subscriptionRoutes(ctx));
      await api.register(catalogRoutes(ctx));
      await api.register(priceListRoutes(ctx));
      await api.register(priceRoutes(ctx));
      await api.register(adminRoutes(ctx));
      await api.register(outboxRoutes(ctx));
      if (config.ORDERDESK_SETTABLE_CLOCK) await api.register(testClockRoutes(ctx));
    },
    { prefix: '/api/v1' },
  );
  await installWeb(app, ctx);
  return { app, ctx };
}
