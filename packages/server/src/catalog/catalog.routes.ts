import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  CATALOG_ADMIN_ACCESS,
  categoryBodySchema,
  categoryListQuery,
  categoryListSchema,
  categoryParams,
  categoryPatchSchema,
  categorySchema,
  createCategory,
  createProduct,
  findProducts,
  getProduct,
  listVendorCategories,
  patchCategory,
  patchProduct,
  productBodySchema,
  productListQuery,
  productListSchema,
  productParams,
  productPatchSchema,
  productSchema,
  requireActor,
  vendorQuery,
} from '@orderdesk/app';
import type { ServerContext } from '../context.ts';
import { withIdempotency } from '../http/idempotency.ts';
import { problemSchema } from '../http/problem.ts';

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
      async (request) => findProducts(ctx, requireActor(request.actor), request.query),
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
        getProduct(ctx, requireActor(request.actor), {
          vendor: request.query.vendor,
          partNumber: request.params.partNumber,
        }),
    );

    app.post(
      '/products',
      {
        config: { access: CATALOG_ADMIN_ACCESS },
        schema: {
          tags: ['catalog'],
          summary: "Add a product to the caller's catalog (vendor_admin)",
          body: productBodySchema,
          response: { 201: productSchema, ...errors, 409: problemSchema, 422: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 201,
          body: await createProduct(ctx, actor, request.body, { tx }),
        }));
      },
    );

    app.patch(
      '/products/:partNumber',
      {
        config: { access: CATALOG_ADMIN_ACCESS },
        schema: {
          tags: ['catalog'],
          summary: 'Change a product; `active: false` deactivates it (vendor_admin)',
          params: productParams,
          body: productPatchSchema,
          response: { 200: productSchema, ...errors, 422: problemSchema },
        },
      },
      async (request) =>
        patchProduct(ctx, requireActor(request.actor), {
          partNumber: request.params.partNumber,
          patch: request.body,
        }),
    );

    app.get(
      '/categories',
      {
        schema: {
          tags: ['catalog'],
          summary:
            "A vendor's category tree by key, a parent before its children (keys are dotted paths: hardware.gateways)",
          querystring: categoryListQuery,
          response: { 200: categoryListSchema, ...errors },
        },
      },
      async (request) => listVendorCategories(ctx, requireActor(request.actor), request.query),
    );

    app.post(
      '/categories',
      {
        config: { access: CATALOG_ADMIN_ACCESS },
        schema: {
          tags: ['catalog'],
          summary: 'Add a category, optionally under a parent (vendor_admin)',
          body: categoryBodySchema,
          response: { 201: categorySchema, ...errors, 409: problemSchema, 422: problemSchema },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request.actor);
        return withIdempotency(request, reply, ctx, actor.userId, async (tx) => ({
          status: 201,
          body: await createCategory(ctx, actor, request.body, { tx }),
        }));
      },
    );

    app.patch(
      '/categories/:key',
      {
        config: { access: CATALOG_ADMIN_ACCESS },
        schema: {
          tags: ['catalog'],
          summary: 'Rename a category; its key stays (vendor_admin)',
          params: categoryParams,
          body: categoryPatchSchema,
          response: { 200: categorySchema, ...errors },
        },
      },
      async (request) =>
        patchCategory(ctx, requireActor(request.actor), {
          key: request.params.key,
          name: request.body.name,
        }),
    );
  };
}
