import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { withIdempotency } from '../http/idempotency.ts';
import { problemSchema } from '../http/problem.ts';
import {
  categoryBodySchema,
  categoryParams,
  categoryPatchSchema,
  categorySchema,
  productBodySchema,
  productListQuery,
  productListSchema,
  productParams,
  productPatchSchema,
  productSchema,
  vendorQuery,
} from '@orderdesk/app';
import {
  createCategory,
  createProduct,
  findProducts,
  getProduct,
  listVendorCategories,
  patchCategory,
  patchProduct,
} from '@orderdesk/app';

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

/** The catalog: product search, products and categories (API.md "Catalog and pricing"). */
export function catalogRoutes(ctx: ServerContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/products',
      {
        schema: {
          tags: ['catalog'],
          summary: 'Search or browse products',
          description:
            '`q` matches part-number prefixes ("F2" finds F200-…) and words of name and ' +
            'description; results rank exact part number, then prefix, then text relevance. ' +
            'Without `q`, products are listed by part number. Partners see the catalogs of ' +
            'vendors they have a partnership with (active products unless `active=false`); ' +
            "vendor staff their own vendor's.",
          querystring: productListQuery,
          response: { 200: productListSchema, ...errors },
        },
      },
      async (request) => findProducts(ctx.store.db, requireActor(request.actor), request.query),
    );

    app.get(
      '/products/:partNumber',
      {
        schema: {
          tags: ['catalog'],
          summary: 'One product of a vendor',
          params: productParams,
          querystring: vendorQuery,
          response: { 200: productSchema, ...errors },
        },
      },
      async (request) =>
        getProduct(
          ctx.store.db,
          requireActor(request.actor),
          request.query.vendor,
          request.params.partNumber,
        ),
    );

    app.post(
      '/products',
      {
        schema: {
          tags: ['catalog'],
          summary: "Add a product to the caller's catalog (vendor_admin)",
          body: productBodySchema,
          response: { 201: productSchema, ...errors, 409: problemSchema, 422: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx.store.db, actor.userId, async (tx) => ({
          status: 201,
          body: await createProduct(tx, actor, request.body),
        }));
      },
    );

    app.patch(
      '/products/:partNumber',
      {
        schema: {
          tags: ['catalog'],
          summary: 'Change a product; `active: false` deactivates it (vendor_admin)',
          params: productParams,
          body: productPatchSchema,
          response: { 200: productSchema, ...errors, 422: problemSchema },
        },
      },
      async (request) => {
        const actor = requireActor(request.actor);
        const { partNumber } = request.params;
        return ctx.store.db
          .transaction()
          .execute((tx) => patchProduct(tx, actor, partNumber, request.body));
      },
    );

    app.get(
      '/categories',
      {
        schema: {
          tags: ['catalog'],
          summary: "A vendor's category tree (keys are dotted paths: hardware.gateways)",
          querystring: vendorQuery,
          response: { 200: z.object({ items: z.array(categorySchema) }), ...errors },
        },
      },
      async (request) => ({
        items: await listVendorCategories(
          ctx.store.db,
          requireActor(request.actor),
          request.query.vendor,
        ),
      }),
    );

    app.post(
      '/categories',
      {
        schema: {
          tags: ['catalog'],
          summary: 'Add a category, optionally under a parent (vendor_admin)',
          body: categoryBodySchema,
          response: { 201: categorySchema, ...errors, 409: problemSchema, 422: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx.store.db, actor.userId, async (tx) => ({
          status: 201,
          body: await createCategory(tx, actor, request.body),
        }));
      },
    );

    app.patch(
      '/categories/:key',
      {
        schema: {
          tags: ['catalog'],
          summary: 'Rename a category; its key stays (vendor_admin)',
          params: categoryParams,
          body: categoryPatchSchema,
          response: { 200: categorySchema, ...errors },
        },
      },
      async (request) => {
        const actor = requireActor(request.actor);
        const { key } = request.params;
        return ctx.store.db
          .transaction()
          .execute((tx) => patchCategory(tx, actor, key, request.body.name));
      },
    );
  };
}
