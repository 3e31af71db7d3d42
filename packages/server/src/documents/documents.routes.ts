import { createHash } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AppError,
  DiskDocumentStorage,
  type IdempotentResult,
  checkDocumentAttach,
  defaultDocumentsDir,
  discardOrderDocument,
  documentExtractionSchema,
  documentUploadFieldsSchema,
  getOrderDocumentExtraction,
  listOrderDocuments,
  orderDocumentItemParams,
  orderDocumentListSchema,
  orderDocumentParams,
  orderDocumentSchema,
  prepareOrderDocument,
  readOrderDocument,
  recordOrderDocument,
  requireActor,
  useDocumentStorage,
  wholeListQuerySchema,
} from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import {
  idempotencyKeyAnswered,
  runIdempotentRequest,
  sendIdempotent,
} from '../http/idempotency.ts';
import { HttpProblem, badRequest, problemSchema } from '../http/problem.ts';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

interface Upload {
  bytes: Buffer;
  filename: string | undefined;
  mimetype: string | undefined;
  fields: Record<string, string>;
}

/** The one file of a multipart upload and its text fields, refused past `maxBytes` (413). */
async function receiveUpload(request: FastifyRequest, maxBytes: number): Promise<Upload> {
  if (!request.isMultipart()) {
    throw new HttpProblem(
      415,
      'unsupported-media-type',
      'Send the document as multipart/form-data (part `file`)',
    );
  }
  const fields: Record<string, string> = {};
  let upload: Upload | undefined;
  for await (const part of request.parts()) {
    if (part.type === 'field') {
      if (typeof part.value === 'string') fields[part.fieldname] = part.value;
      continue;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of part.file as AsyncIterable<Buffer>) {
      size += chunk.length;
      // Keep draining (so the request completes) but stop keeping bytes past the limit.
      if (size <= maxBytes) chunks.push(chunk);
    }
    if (size > maxBytes) {
      throw new AppError(
        'too_large',
        'payload-too-large',
        `The document exceeds ${maxBytes} bytes`,
        [{ path: 'file', code: 'limit.maxBytes', message: `At most ${maxBytes} bytes` }],
      );
    }
    upload = {
      bytes: Buffer.concat(chunks),
      filename: part.filename,
      mimetype: part.mimetype,
      fields: {},
    };
  }
  if (!upload) {
    throw badRequest('No file in the upload', [
      { path: 'file', code: 'required', message: 'Send the document as a file part named `file`' },
    ]);
  }
  upload.fields = fields;
  return upload;
}

/** `attachment; filename="…"` with an ASCII fallback and the UTF-8 name (RFC 6266). */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Documents on orders (API.md "Documents"). */
export function documentRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    useDocumentStorage(
      ctx,
      new DiskDocumentStorage(
        ctx.config.DOCUMENTS_DIR ?? defaultDocumentsDir(ctx.config.DATABASE_URL),
      ),
    );
    const maxBytes = ctx.config.DOCUMENT_MAX_BYTES;
    await app.register(multipart, {
      // One byte over reaches receiveUpload, which answers 413.
      limits: { fileSize: maxBytes + 1, files: 1, fields: 10, parts: 12 },
    });

    app.post(
      '/orders/:orderId/documents',
      {
        schema: {
          tags: ['documents'],
          summary: 'Attach a document to an order: the PO PDF, a product file, a license file',
          description:
            'multipart/form-data: part `file`, optional fields `kind` (po | product_file | license | other) ' +
            'and `name`. The content type is sniffed from the bytes (the declared type is kept only for text), ' +
            'the SHA-256 recorded. A PDF without a kind, or with kind po, is read as a purchase order and ' +
            'compared to the order (`extraction`). The partner that placed the order or the vendor’s staff.',
          params: orderDocumentParams,
          consumes: ['multipart/form-data'],
          response: {
            201: orderDocumentSchema,
            ...errors,
            409: problemSchema,
            413: problemSchema,
            415: problemSchema,
          },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        // Scope before the media type: a stranger learns nothing, not even "wrong format".
        if (!request.isMultipart()) await checkDocumentAttach(ctx, actor, request.params);
        // The body is read first: a request refused before its upload is consumed would stall.
        const upload = await receiveUpload(request, maxBytes);
        const fields = documentUploadFieldsSchema.safeParse(upload.fields);
        if (!fields.success) {
          throw badRequest(
            'Invalid upload fields',
            fields.error.issues.map((issue) => ({
              path: issue.path.join('.'),
              code: 'invalid',
              message: issue.message,
            })),
          );
        }
        // The key guards the upload itself: its bytes (by their SHA-256), its part's name and
        // type, and the fields. Same key and upload replay the first answer, another one 409.
        request.body = {
          sha256: createHash('sha256').update(upload.bytes).digest('hex'),
          filename: upload.filename ?? null,
          contentType: upload.mimetype ?? null,
          kind: fields.data.kind ?? null,
          name: fields.data.name ?? null,
        };
        const input = {
          orderId: request.params.orderId,
          name: fields.data.name ?? upload.filename,
          bytes: new Uint8Array(upload.bytes),
          declaredType: upload.mimetype,
          kind: fields.data.kind,
          maxBytes,
        };
        // Read (a PO PDF) and stored outside the transaction, unless the key was answered
        // before: then its answer (or the 409) comes back without that work.
        let prepared = (await idempotencyKeyAnswered(request, ctx, actor.userId))
          ? undefined
          : await prepareOrderDocument(ctx, actor, input);
        let result: IdempotentResult | undefined;
        try {
          result = await runIdempotentRequest(request, ctx, actor.userId, async (tx) => {
            // Not prepared only for a key answered before, whose answer comes back without this.
            prepared ??= await prepareOrderDocument(ctx, actor, input, { tx });
            return {
              status: 201,
              body: await recordOrderDocument(ctx, actor, prepared, { tx }),
            };
          });
        } finally {
          // Bytes no row refers to: a replay's (a concurrent request with the key committed
          // first), or a rolled-back transaction's.
          if (prepared && (result === undefined || result.replayed)) {
            await discardOrderDocument(ctx, prepared);
          }
        }
        return sendIdempotent(reply, result);
      },
    );

    app.get(
      '/orders/:orderId/documents',
      {
        schema: {
          tags: ['documents'],
          summary: 'The documents of an order, oldest first',
          params: orderDocumentParams,
          querystring: wholeListQuerySchema,
          response: { 200: orderDocumentListSchema, ...errors },
        },
      },
      async (request) =>
        listOrderDocuments(ctx, requireActor(request.actor), {
          orderId: request.params.orderId,
          ...request.query,
        }),
    );

    app.get(
      '/orders/:orderId/documents/:documentId',
      {
        schema: {
          tags: ['documents'],
          summary:
            'Download a document (a partner’s download of a license or product file is recorded on the order)',
          params: orderDocumentItemParams,
          response: {
            200: z.any().meta({ description: 'The document’s bytes' }),
            ...errors,
            503: problemSchema,
          },
        },
      },
      async (request, reply) => {
        const { document, bytes } = await readOrderDocument(
          ctx,
          requireActor(request.actor),
          request.params,
        );
        void reply
          .type(document.contentType)
          .header('content-disposition', contentDisposition(document.name))
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'private, no-store')
          .header('etag', `"${document.sha256}"`)
          .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        return reply;
      },
    );

    app.get(
      '/orders/:orderId/documents/:documentId/extraction',
      {
        schema: {
          tags: ['documents'],
          summary:
            'What was read from a PO PDF attached to the order, and where it disagrees with the order',
          params: orderDocumentItemParams,
          response: { 200: documentExtractionSchema, ...errors },
        },
      },
      async (request) =>
        getOrderDocumentExtraction(ctx, requireActor(request.actor), request.params),
    );
  };
}
