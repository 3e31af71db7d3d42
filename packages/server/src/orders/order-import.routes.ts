import { createHash } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AppError,
  ORDER_WORKBOOK_LIMITS,
  XLSX_MEDIA_TYPE,
  checkOrderImport,
  downloadOrderTemplate,
  orderImportQuerySchema,
  orderImportResultSchema,
  orderSchema,
  orderTemplateParams,
  orderTemplateQuerySchema,
  requireActor,
  submitOrderImport,
} from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { withIdempotency } from '../http/idempotency.ts';
import { HttpProblem, badRequest, problemSchema } from '../http/problem.ts';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

/** The uploaded workbook in memory (a template is small), refused past `maxBytes` with a 413. */
async function receiveWorkbook(request: FastifyRequest, maxBytes: number): Promise<Buffer> {
  let source: AsyncIterable<Buffer> | Iterable<Buffer>;
  if (request.isMultipart()) {
    const part = await request.file();
    if (!part) {
      throw badRequest('No file in the upload', [
        { path: 'file', code: 'required', message: 'Send the workbook as a file part' },
      ]);
    }
    source = part.file;
  } else if (Buffer.isBuffer(request.body)) {
    source = [request.body];
  } else {
    throw new HttpProblem(
      415,
      'unsupported-media-type',
      `Send the workbook as multipart/form-data or as ${XLSX_MEDIA_TYPE}`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > maxBytes) {
      throw new AppError(
        'too_large',
        'payload-too-large',
        `The workbook exceeds ${maxBytes} bytes`,
        [{ path: 'file', code: 'limit.maxBytes', message: `At most ${maxBytes} bytes` }],
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The Excel order template and its import (API.md "Mail", Excel). */
export function orderImportRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    const maxBytes = Math.min(ctx.config.UPLOAD_LIMIT_BYTES, ORDER_WORKBOOK_LIMITS.maxBytes);
    await app.register(multipart, {
      // One byte over reaches receiveWorkbook, which answers 413.
      limits: { fileSize: maxBytes + 1, files: 1, fields: 10, parts: 12 },
    });
    app.addContentTypeParser(
      XLSX_MEDIA_TYPE,
      { parseAs: 'buffer', bodyLimit: maxBytes + 1 },
      (_request, payload, done) => {
        done(null, payload);
      },
    );

    app.get(
      '/vendors/:slug/order-template',
      {
        schema: {
          tags: ['orders'],
          summary:
            'The Excel order template of an order type: its fields with help, part-number lists and your net prices',
          description:
            'Partners get their own net prices (their multiplier applied), customers and approved quotes; ' +
            'vendor staff name the partner with `partnerId`, or get list prices without it. ' +
            'A vendor the partner has no partnership with is a 404.',
          params: orderTemplateParams,
          querystring: orderTemplateQuerySchema,
          produces: [XLSX_MEDIA_TYPE],
          response: {
            200: z.any().meta({ description: 'The XLSX workbook' }),
            ...errors,
            422: problemSchema,
          },
        },
      },
      async (request, reply) => {
        const file = await downloadOrderTemplate(ctx, requireActor(request.actor), {
          vendor: request.params.slug,
          ...request.query,
        });
        void reply
          .type(file.contentType)
          .header('content-disposition', `attachment; filename="${file.filename}"`)
          .header('cache-control', 'private, no-store')
          .send(file.bytes);
        return reply;
      },
    );

    app.post(
      '/orders/import',
      {
        schema: {
          tags: ['orders'],
          summary:
            'Check an order workbook (the Excel template) — problems at Sheet!Cell — or submit it (?submit=true, Idempotency-Key)',
          description:
            'Send the XLSX as multipart/form-data (part `file`) or as the raw body with Content-Type ' +
            `${XLSX_MEDIA_TYPE}. Without submit: 200 { valid, problems, submission }, nothing recorded. ` +
            'With submit=true and an Idempotency-Key: 201 the order, or 422 with every problem at its cell.',
          querystring: orderImportQuerySchema,
          consumes: ['multipart/form-data', XLSX_MEDIA_TYPE],
          response: {
            200: orderImportResultSchema,
            201: orderSchema,
            ...errors,
            409: problemSchema,
            413: problemSchema,
            415: problemSchema,
            422: problemSchema,
          },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        const { submit, vendor, partnerId } = request.query;
        // The body is read first: a request refused before its upload is consumed would stall.
        const bytes = await receiveWorkbook(request, maxBytes);
        if (submit && request.headers['idempotency-key'] === undefined) {
          throw badRequest('Submitting a workbook needs an Idempotency-Key', [
            {
              path: 'headers.idempotency-key',
              code: 'required',
              message: 'Send an Idempotency-Key so that a retried upload places one order',
            },
          ]);
        }
        const input = { bytes, vendor, partnerId };
        if (!submit) return checkOrderImport(ctx, actor, input);
        // The key guards the file itself: same key and file replay, same key and another file 409.
        request.body = {
          sha256: createHash('sha256').update(bytes).digest('hex'),
          vendor: vendor ?? null,
          partnerId: partnerId ?? null,
        };
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 201,
          body: await submitOrderImport(ctx, actor, input, { tx }),
        }));
      },
    );
  };
}
