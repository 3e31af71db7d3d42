// Fastify's default JSON-schema compilers, loaded on first use (lazy-compilers.ts): a route
// with a plain JSON schema still validates its body (Ajv) and serializes its answer
// (fast-json-stringify), as with Fastify's defaults.
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { lazyDefaultCompilers } from './lazy-compilers.ts';

describe('lazy default compilers', () => {
  const app = Fastify({ schemaController: { compilersFactory: lazyDefaultCompilers } });
  app.post(
    '/echo',
    {
      schema: {
        body: {
          type: 'object',
          required: ['n'],
          properties: { n: { type: 'integer', minimum: 1 } },
        },
        response: {
          200: { type: 'object', properties: { n: { type: 'integer' } } },
        },
      },
    },
    async (request) => ({ ...(request.body as { n: number }), secret: 'not in the schema' }),
  );
  afterAll(() => app.close());

  it('validates a body with Ajv', async () => {
    const bad = await app.inject({ method: 'POST', url: '/echo', payload: { n: 0 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'FST_ERR_VALIDATION' });
    expect(bad.json().message).toMatch(/must be >= 1/);
    const missing = await app.inject({ method: 'POST', url: '/echo', payload: {} });
    expect(missing.statusCode).toBe(400);
  });

  it('serializes an answer with its response schema', async () => {
    const ok = await app.inject({ method: 'POST', url: '/echo', payload: { n: 3 } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('{"n":3}');
  });
});
