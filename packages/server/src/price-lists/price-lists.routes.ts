import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  PRICE_LIST_IMPORT_ACCESS,
  XLSX_CONTENT_TYPE,
  authorizePriceListImport,
  discardPriceListImport,
  exportPriceList,
  exportQuery,
  getPriceList,
  limitBytes,
  listVendorPriceLists,
  priceListFormatOf,
  priceListImportSchema,
  priceListListQuery,
  priceListParams,
  priceListSchema,
  publishPriceListImport,
  requireActor,
  stagePriceListImport,
  uploadLimits,
  uploadOptionsSchema,
  type PriceListFormat,
} from '@orderdesk/app';
import { uploadLimitOverrides } from '../config.ts';
import type { ServerContext } from '../context.ts';
import { formatPath } from '../http/error-handler.ts';
import { withIdempotency } from '../http/idempotency.ts';
import { HttpProblem, badRequest, problemSchema, unprocessable } from '../http/problem.ts';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };
const slugParams = z.object({ slug: z.string().min(1).max(100) });

interface Upload {
  source: Readable;
  filename: string | null;
  format: PriceListFormat;
  options: z.infer<typeof uploadOptionsSchema>;
}

/**
 * The uploaded file as a byte-limited stream, and the upload options (query parameters, or
 * multipart fields sent before the file). Nothing is buffered.
 */
async function receiveUpload(request: FastifyRequest, maxBytes: number): Promise<Upload> {
  const fields: Record<string, unknown> = { ...(request.query as Record<string, unknown>) };
  let raw: Readable;
  let filename: string | null = null;
  let contentType: string | undefined = request.headers['content-type'];
  if (request.isMultipart()) {
    const part = await request.file();
    if (!part) {
      throw badRequest('No file in the upload', [
        { path: 'file', code: 'required', message: 'Send the price list as a file part' },
      ]);
    }
    for (const field of Object.values(part.fields).flat()) {
      if (field && field.type === 'field' && field.fieldname in uploadOptionsSchema.shape) {
        fields[field.fieldname] = field.value;
      }
    }
    raw = part.file;
    filename = part.filename || null;
    contentType = part.mimetype;
  } else if (request.body instanceof Readable) {
    raw = request.body;
  } else {
    throw new HttpProblem(
      415,
      'unsupported-media-type',
      `Send the file as multipart/form-data, text/csv or ${XLSX_CONTENT_TYPE}`,
    );
  }
  const parsed = uploadOptionsSchema.safeParse(fields);
  if (!parsed.success) {
    raw.resume();
    throw badRequest(
      'Invalid upload options',
      parsed.error.issues.map((i) => ({
        path: formatPath(i.path) || 'query',
        code: 'invalid',
        message: i.message,
      })),
    );
  }
  const format =
    parsed.data.format ??
    priceListFormatOf(filename ?? undefined) ??
    priceListFormatOf(contentType);
  if (!format) {
    raw.resume();
    throw unprocessable('Unknown file format', [
      { path: 'file', code: 'invalid', message: 'Upload a .csv or .xlsx file (or pass format=)' },
    ]);
  }
  const limited = limitBytes(maxBytes);
  raw.on('error', (error) => limited.destroy(error));
  // Whoever reads `limited` gets its errors; this listener only keeps a late one (after the
  // reader gave up) from becoming an uncaught exception.
  limited.on('error', () => {});
  raw.pipe(limited);
  return { source: limited, filename, format, options: parsed.data };
}

/**
 * Spools an upload to a temporary file while hashing it: the parser's worker thread reads the
 * file (an XLSX must be read from its end: the zip directory is checked before anything is
 * inflated), and an Idempotency-Key compares the file itself by its hash.
 */
async function spool(
  source: Readable,
  dir: string,
  hashed: boolean,
): Promise<{ sha256: string | null; file: string }> {
  const file = join(dir, 'upload');
  if (!hashed) {
    await pipeline(source, createWriteStream(file));
    return { sha256: null, file };
  }
  const hash = createHash('sha256');
  await pipeline(
    source,
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback(null, chunk);
      },
    }),
    createWriteStream(file),
  );
  return { sha256: hash.digest('hex'), file };
}

/** Versioned price lists: upload (CSV / XLSX), list, export (API.md "Catalog and pricing"). */
export function priceListRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  const limits = uploadLimits(uploadLimitOverrides(ctx.config));
  return async (app) => {
    await app.register(multipart, {
      // One byte over the limit reaches limitBytes(), which answers 413.
      limits: { fileSize: ctx.config.UPLOAD_LIMIT_BYTES + 1, files: 1, fields: 10, parts: 12 },
    });
    // A raw CSV or XLSX body is handed over as a stream, never buffered.
    app.addContentTypeParser(['text/csv', XLSX_CONTENT_TYPE], (_request, payload, done) => {
      done(null, payload);
    });

    app.post(
      '/vendors/:slug/price-lists',
      {
        config: { access: PRICE_LIST_IMPORT_ACCESS },
        schema: {
          tags: ['catalog'],
          summary:
            'Upload a price list as a new version (vendor_admin; CSV or XLSX; all or nothing)',
          description:
            'Send the file as multipart/form-data (part `file`) or as the raw body with ' +
            `Content-Type text/csv or ${XLSX_CONTENT_TYPE}. Columns: partNumber, name, type, ` +
            'category, listPrice; optional effectiveFrom, description, billingTerm, ships. ' +
            'Row 1 is the header. Every bad row is reported (`errors[].path` like ' +
            '`row 12/listPrice`) and then nothing is written.',
          params: slugParams,
          querystring: uploadOptionsSchema,
          consumes: ['multipart/form-data', 'text/csv', XLSX_CONTENT_TYPE],
          response: {
            201: priceListImportSchema,
            ...errors,
            409: problemSchema,
            413: problemSchema,
            422: problemSchema,
          },
        },
        // Refuse other tenants and roles before reading a byte of the upload.
        onRequest: async (request) => {
          await authorizePriceListImport(ctx, requireActor(request.actor), request.params.slug);
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        const upload = await receiveUpload(request, ctx.config.UPLOAD_LIMIT_BYTES);
        const dir = await mkdtemp(join(tmpdir(), 'orderdesk-upload-'));
        let staged: Awaited<ReturnType<typeof stagePriceListImport>> | undefined;
        try {
          // Only an Idempotency-Key needs the file's hash (50 MB of SHA-256 is CPU time).
          const keyed = request.headers['idempotency-key'] !== undefined;
          const { sha256, file } = await spool(upload.source, dir, keyed);
          // Read, checked and staged outside any transaction: the database stays free for
          // everyone else meanwhile; only the publishing below is one (short) transaction.
          staged = await stagePriceListImport(ctx, actor, {
            vendor: request.params.slug,
            format: upload.format,
            source: { path: file },
            sourceName: upload.filename,
            currency: upload.options.currency,
            effectiveFrom: upload.options.effectiveFrom,
            limits,
          });
          const ready = staged;
          if (keyed) request.body = { sha256, ...upload.options };
          return await withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
            status: 201,
            body: await publishPriceListImport(ctx, actor, ready, { tx }),
          }));
        } finally {
          upload.source.resume(); // drain what a refused upload left unread
          if (staged) await discardPriceListImport(ctx, staged);
          await rm(dir, { recursive: true, force: true });
        }
      },
    );

    app.get(
      '/vendors/:slug/price-lists',
      {
        schema: {
          tags: ['catalog'],
          summary: "A vendor's price lists, newest first (its staff, and its partners)",
          params: slugParams,
          querystring: priceListListQuery,
          response: {
            200: z.object({ items: z.array(priceListSchema), nextCursor: z.string().nullable() }),
            ...errors,
          },
        },
      },
      async (request) =>
        listVendorPriceLists(ctx, requireActor(request.actor), {
          vendor: request.params.slug,
          limit: request.query.limit,
          cursor: request.query.cursor,
        }),
    );

    app.get(
      '/vendors/:slug/price-lists/:id',
      {
        schema: {
          tags: ['catalog'],
          summary: 'One price list',
          params: priceListParams,
          response: { 200: priceListSchema, ...errors },
        },
      },
      async (request) =>
        getPriceList(ctx, requireActor(request.actor), {
          vendor: request.params.slug,
          id: request.params.id,
        }),
    );

    app.get(
      '/vendors/:slug/price-lists/:id/export',
      {
        schema: {
          tags: ['catalog'],
          summary: 'Download a price list as CSV or XLSX (re-importable as is)',
          params: priceListParams,
          querystring: exportQuery,
          produces: ['text/csv', XLSX_CONTENT_TYPE],
          response: {
            200: z.unknown().meta({ description: 'The price list file (CSV or XLSX)' }),
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const file = await exportPriceList(ctx, requireActor(request.actor), {
          vendor: request.params.slug,
          id: request.params.id,
          format: request.query.format,
        });
        const out = new PassThrough();
        file.writeTo(out).catch((error: unknown) => {
          request.log.error({ err: error }, 'price list export failed');
          out.destroy(error as Error);
        });
        return reply
          .type(file.contentType)
          .header('content-disposition', `attachment; filename="${file.fileName}"`)
          .send(out);
      },
    );
  };
}
