import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  InjectOptions,
  LightMyRequestResponse,
} from 'fastify';
import { findUserByEmail, type DialectName, type Store } from '@orderdesk/store';
import { createTestStore } from '@orderdesk/store/testing';
import { buildApp } from '../src/app.ts';
import { actorFromUser, createApiToken, seedDemo, SettableClock } from '@orderdesk/app';
import { configSchema, type Config } from '../src/config.ts';
import type { ServerContext } from '../src/context.ts';

export const DEMO_PASSWORD = 'demo';

export interface TestApp {
  app: FastifyInstance;
  ctx: ServerContext;
  store: Store;
  /** The app's clock: tests travel in time with `clock.set(...)` / `clock.advance(ms)`. */
  clock: SettableClock;
  /** Sends a request as a demo user (bearer token), or anonymously with `null`. */
  as(email: string | null): Client;
  close(): Promise<void>;
}

export interface Client {
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  patch(
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  put(
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  delete(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
}

/**
 * A keyed creating POST answers with the text it stored under its key, past the route's
 * response schema (src/http/idempotency.ts). In the tests every POST's 2xx answer is held to
 * that schema: a keyed first answer as sent, any other before it is serialised (the same view
 * a key would have stored, so every creating route is covered by the tests that send it
 * without a key). A field the schema does not list, or a value of another shape, fails the
 * request (a 500 naming the route) and so the test that sent it.
 */
function checkKeyedAnswers(app: FastifyInstance): void {
  const schemaOf = (
    request: FastifyRequest,
    reply: FastifyReply,
  ): { parse(value: unknown): unknown } | undefined => {
    if (request.method !== 'POST' || reply.statusCode < 200 || reply.statusCode >= 300) {
      return undefined;
    }
    const schemas = request.routeOptions.schema?.response as
      Record<number, { parse(value: unknown): unknown }> | undefined;
    return schemas?.[reply.statusCode];
  };
  const hold = (
    request: FastifyRequest,
    schema: { parse(value: unknown): unknown },
    sent: unknown,
  ): void => {
    const parsed: unknown = JSON.parse(JSON.stringify(schema.parse(sent)));
    if (!isDeepStrictEqual(sent, parsed)) {
      const message = `${request.routeOptions.url} answered beyond its response schema: ${JSON.stringify(sent)}`;
      console.error(message);
      throw new Error(message);
    }
  };
  // Keyed first answers: the stored text, as sent (replays are that same text).
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.headers['idempotency-key'] === undefined) return payload;
    if (reply.hasHeader('idempotent-replayed') || typeof payload !== 'string') return payload;
    const schema = schemaOf(request, reply);
    if (schema) hold(request, schema, JSON.parse(payload));
    return payload;
  });
  // Every other POST answer: the view before the schema's serialiser sees it. Not the check of
  // a submission, which creates nothing: its answer is the core's result, whose minor-unit
  // fields the schema leaves out.
  app.addHook('preSerialization', async (request, reply, payload) => {
    if (request.routeOptions.url === '/api/v1/orders/validate') return payload;
    const schema = schemaOf(request, reply);
    if (schema) hold(request, schema, JSON.parse(JSON.stringify(payload)));
    return payload;
  });
}

/** A fresh database of the dialect with the demo data, and the app on top of it. */
export async function createTestApp(
  dialect: DialectName,
  overrides: Partial<Config> = {},
): Promise<TestApp> {
  const store = await createTestStore(dialect);
  await store.db.transaction().execute((tx) => seedDemo(tx, DEMO_PASSWORD, new Date()));
  // Documents (invoices, uploads) go to a temporary directory of this app, never to ./data of
  // the checkout (the default beside a PostgreSQL URL); removed at close.
  const documentsDir = overrides.DOCUMENTS_DIR ? null : mkdtempSync(join(tmpdir(), 'od-docs-'));
  const config = {
    ...configSchema.parse({}),
    DATABASE_URL: store.url,
    ...(documentsDir ? { DOCUMENTS_DIR: documentsDir } : {}),
    ...overrides,
  };
  const clock = new SettableClock();
  const { app, ctx } = await buildApp({ store, config, clock });
  checkKeyedAnswers(app);
  await app.ready();
  const tokens = new Map<string, string>();
  const tokenFor = async (email: string): Promise<string> => {
    const cached = tokens.get(email);
    if (cached) return cached;
    const user = await findUserByEmail(store.db, email);
    if (!user) throw new Error(`no demo user ${email}`);
    // The tests act as the user: their token may do what a logged-in user may, minting too.
    const { token } = await createApiToken(ctx, await actorFromUser(store.db, user, 'token'), {
      name: 'test',
      canMint: true,
    });
    tokens.set(email, token);
    return token;
  };
  const as = (email: string | null): Client => {
    const send = async (options: InjectOptions): Promise<LightMyRequestResponse> => {
      const headers = { ...(options.headers ?? {}) } as Record<string, string>;
      if (email) headers.authorization = `Bearer ${await tokenFor(email)}`;
      return app.inject({ ...options, headers });
    };
    return {
      get: (url, headers) => send({ method: 'GET', url, headers }),
      post: (url, body, headers) =>
        send({ method: 'POST', url, payload: body as InjectOptions['payload'], headers }),
      patch: (url, body, headers) =>
        send({ method: 'PATCH', url, payload: body as InjectOptions['payload'], headers }),
      put: (url, body, headers) =>
        send({ method: 'PUT', url, payload: body as InjectOptions['payload'], headers }),
      delete: (url, headers) => send({ method: 'DELETE', url, headers }),
      request: send,
    };
  };
  return {
    app,
    ctx,
    store,
    clock,
    as,
    close: async () => {
      await app.close();
      await store.close();
      if (documentsDir) rmSync(documentsDir, { recursive: true, force: true });
    },
  };
}
