import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { PUBLIC_ROUTE } from '../auth/auth.plugin.ts';

/**
 * Generates the OpenAPI 3.1 document from the same Zod schemas that validate requests,
 * serves it at /api/v1/openapi.json and a browsable reference at /api/docs.
 */
export async function installOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'OrderDesk API',
        version,
        description:
          'Partner order desk: quotes, purchase orders, validation, booking, provisioning. ' +
          'Errors are RFC 9457 problem details; lists are cursor-paginated; creating POSTs accept Idempotency-Key.',
      },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'od_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    // No validator badge: it loads from an outside site, which the CSP refuses.
    uiConfig: { validatorUrl: null },
    transformSpecification: (spec) => completeDocument(spec as OpenApiDocument),
  });
  let document: OpenApiDocument | undefined;
  app.get('/api/v1/openapi.json', { config: PUBLIC_ROUTE, schema: { hide: true } }, async () => {
    document ??= completeDocument(app.swagger() as unknown as OpenApiDocument);
    return document;
  });
}

interface OpenApiOperation {
  parameters?: { in: string; name: string }[];
  responses?: Record<string, { content?: Record<string, unknown> }>;
  requestBody?: { required?: boolean };
}
type OpenApiDocument = { paths?: Record<string, Record<string, OpenApiOperation>> };

const IDEMPOTENCY_KEY = {
  in: 'header',
  name: 'Idempotency-Key',
  required: false,
  description: 'Same key and body → the same response; same key, another body → 409.',
  schema: { type: 'string', maxLength: 200 },
};
const IF_MATCH = {
  in: 'header',
  name: 'If-Match',
  required: false,
  description: "The resource's `version`; 409 when it has changed.",
  schema: { type: 'string' },
};

/**
 * What the schemas cannot say by themselves: errors are `application/problem+json`, creating
 * POSTs take `Idempotency-Key`, actions and corrections take `If-Match`, and action bodies
 * may be left out.
 */
function completeDocument(spec: OpenApiDocument): OpenApiDocument {
  const doc = structuredClone(spec);
  for (const [path, operations] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(operations)) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const json = response.content?.['application/json'];
        if (Number(status) >= 400 && json && response.content) {
          response.content = { 'application/problem+json': json };
        }
      }
      const params = (op.parameters ??= []);
      const creating =
        method === 'post' &&
        !path.includes('/actions/') &&
        !path.endsWith('/validate') &&
        path !== '/api/v1/session';
      // Resending an invoice mails a copy: a retry under the same key mails no second one.
      if (creating || path.endsWith('/actions/resend')) params.push(IDEMPOTENCY_KEY);
      if (
        path.includes('/actions/') ||
        (method === 'patch' && path.startsWith('/api/v1/orders/'))
      ) {
        params.push(IF_MATCH);
      }
      if (path.includes('/actions/') && op.requestBody) op.requestBody.required = false;
    }
  }
  return doc;
}
