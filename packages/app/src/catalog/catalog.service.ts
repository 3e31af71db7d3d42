import type { ProductType, VendorProfile } from '@orderdesk/core';
import {
  findCategoryByKey,
  findProduct,
  findVendorById,
  findVendorBySlug,
  listPartnerships,
  insertCategory,
  insertProduct,
  isUniqueViolation,
  listCategories,
  listProducts,
  renameCategory,
  searchProducts,
  updateProduct,
  type CategoryRow,
  type Executor,
  type ProductChanges,
  type ProductRow,
  type Vendor,
} from '@orderdesk/store';
import { z } from 'zod';
import { requireAccess, type VendorAccess } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { eventActorOf, recordEvent } from '../events/record-event.ts';
import { conflict, invalidInput, notFound, unprocessable } from '../shared/errors.ts';
import { decodeCursor, pageOf, type Page, type PageQuery } from '../shared/paging.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { profileOfVendor } from '../vendors/profile-cache.ts';
import {
  contractingPartnerId,
  findVisibleVendor,
  visibleVendorIds,
} from '../vendors/vendor-scope.ts';
import type {
  categoryBodySchema,
  categorySchema,
  productBodySchema,
  productListQuery,
  productPatchSchema,
  productSchema,
} from './catalog.schemas.ts';
import { MAX_CATEGORY_DEPTH, slugify } from './category-path.ts';

export type ProductView = z.infer<typeof productSchema>;
export type CategoryView = z.infer<typeof categorySchema>;
export type ProductListQuery = z.infer<typeof productListQuery>;
export type ProductInput = z.infer<typeof productBodySchema>;
export type ProductPatch = z.infer<typeof productPatchSchema>;
export type CategoryInput = z.infer<typeof categoryBodySchema>;

/** Product types that are physical goods: they ship unless said otherwise. */
const SHIPPING_TYPES: readonly ProductType[] = ['device', 'kit'];

export function toProductView(row: ProductRow): ProductView {
  return {
    vendor: row.vendor_slug,
    partNumber: row.part_number,
    name: row.name,
    description: row.description,
    type: row.type as ProductType,
    category: row.category_key,
    billingTerm: row.billing_term,
    ships: row.ships === 1,
    active: row.active === 1,
  };
}

export function toCategoryView(row: CategoryRow): CategoryView {
  return {
    key: row.key,
    name: row.name,
    parent: row.parent_key,
    productCount: row.product_count,
  };
}

/** The catalog (products, categories) is changed by the vendor admin. */
export const CATALOG_ADMIN_ACCESS: VendorAccess = { vendor: ['vendor_admin'] };

/** The caller's own vendor, for a vendor admin (403 for anyone else). */
async function ownVendorAsAdmin(db: Executor, actor: Actor): Promise<Vendor> {
  const staff = requireAccess(actor, CATALOG_ADMIN_ACCESS);
  const vendor = await findVendorById(db, staff.vendorId);
  if (!vendor) throw notFound('Vendor');
  return vendor;
}

/** The vendor a read is about: the one named (404 unless visible), else the caller's own (staff; 400 for partners). */
export async function findVendorToRead(
  db: Executor,
  actor: Actor,
  slug: string | undefined,
): Promise<Vendor> {
  if (slug !== undefined) return findVisibleVendor(db, actor, slug);
  if (actor.side === 'vendor' && actor.vendorId) {
    const vendor = await findVendorById(db, actor.vendorId);
    if (vendor) return vendor;
  }
  throw invalidInput('Name the vendor', [
    { path: 'vendor', code: 'required', message: 'Pass ?vendor=<slug>' },
  ]);
}

/**
 * The id of a vendor the caller may see, by slug; 404 otherwise. The same rule as
 * findVisibleVendor (staff: their own vendor; partners: a vendor their contracting partner
 * has a partnership with) in one statement instead of two in sequence: a search is a few
 * short statements, and each round trip adds to it.
 */
async function visibleVendorIdBySlug(db: Executor, actor: Actor, slug: string): Promise<string> {
  if (actor.side === 'vendor') {
    const vendor = actor.vendorId ? await findVendorBySlug(db, slug) : undefined;
    if (!vendor || vendor.id !== actor.vendorId) throw notFound('Vendor');
    return vendor.id;
  }
  const partnerId = contractingPartnerId(actor);
  const [partnership] = partnerId
    ? await listPartnerships(db, { partnerIds: [partnerId], vendorSlug: slug })
    : [];
  if (!partnership) throw notFound('Vendor');
  return partnership.vendor_id;
}

const offsetCursor = z.object({ o: z.number().int().min(0).max(100_000) });
const keysetCursor = z.object({ p: z.string(), i: z.string() });

/**
 * Searches or browses the catalog of the vendors the caller may see: partners the vendors
 * they have a partnership with (active products unless asked otherwise), staff their own.
 */
export async function findProducts(
  ctx: AppContext,
  actor: Actor,
  query: ProductListQuery,
): Promise<Page<ProductView>> {
  const db = ctx.store.db;
  const vendorIds = query.vendor
    ? [await visibleVendorIdBySlug(db, actor, query.vendor)]
    : await visibleVendorIds(db, actor);
  const active = query.active ?? (actor.side === 'partner' ? true : undefined);
  const filter = {
    vendorIds,
    ...(query.category !== undefined ? { categoryKey: query.category } : {}),
    ...(active !== undefined ? { active } : {}),
  };
  const { limit } = query;
  if (query.q !== undefined) {
    // Ranked results have no stable key to continue after: page by offset.
    const offset = decodeCursor(query.cursor, offsetCursor)?.o ?? 0;
    const rows = await searchProducts(db, filter, query.q, { limit: limit + 1, offset });
    return pageOf(rows, limit, () => ({ o: offset + limit }), toProductView);
  }
  const after = decodeCursor(query.cursor, keysetCursor);
  const rows = await listProducts(db, filter, {
    limit: limit + 1,
    ...(after ? { after: { partNumber: after.p, id: after.i } } : {}),
  });
  return pageOf(rows, limit, (last) => ({ p: last.part_number, i: last.id }), toProductView);
}

async function productOf(db: Executor, vendor: Vendor, partNumber: string): Promise<ProductView> {
  const row = await findProduct(db, vendor.id, partNumber);
  if (!row) throw notFound('Product');
  return toProductView(row);
}

/** One product of a vendor the caller may see (staff: their own vendor by default). */
export async function getProduct(
  ctx: AppContext,
  actor: Actor,
  input: { vendor?: string | undefined; partNumber: string },
): Promise<ProductView> {
  const vendor = await findVendorToRead(ctx.store.db, actor, input.vendor);
  return productOf(ctx.store.db, vendor, input.partNumber);
}

/** Refuses a product type the vendor's profile does not list among what it sells. */
function checkSoldType(
  vendor: Vendor,
  profile: VendorProfile,
  type: ProductType | undefined,
): void {
  if (type === undefined) return;
  const sold = profile.productTypes;
  if (sold && !sold.includes(type)) {
    throw unprocessable('This vendor does not sell that type of product', [
      { path: 'type', code: 'invalid', message: `${vendor.slug} sells ${sold.join(', ')}` },
    ]);
  }
}

async function categoryIdFor(
  db: Executor,
  vendorId: string,
  key: string | null,
): Promise<string | null> {
  if (key === null) return null;
  const category = await findCategoryByKey(db, vendorId, key);
  if (!category) {
    throw unprocessable('Unknown category', [
      { path: 'category', code: 'invalid', message: `No category "${key}" in this catalog` },
    ]);
  }
  return category.id;
}

/** Adds a product to the caller's catalog (vendor admin). Records `product.created`. */
export async function createProduct(
  ctx: AppContext,
  actor: Actor,
  input: ProductInput,
  options: WriteOptions = {},
): Promise<ProductView> {
  return inTransaction(ctx, options, async (tx) => {
    const vendor = await ownVendorAsAdmin(tx, actor);
    checkSoldType(vendor, await profileOfVendor(tx, vendor), input.type);
    const categoryId = await categoryIdFor(tx, vendor.id, input.category);
    const at = ctx.now().toISOString();
    // A taken part number is found before writing: on PostgreSQL a failed insert would abort
    // the caller's transaction (the idempotency record shares it).
    if (await findProduct(tx, vendor.id, input.partNumber)) throw duplicatePartNumber(input);
    let productId: string;
    try {
      const product = await insertProduct(
        tx,
        {
          vendorId: vendor.id,
          partNumber: input.partNumber,
          name: input.name,
          description: input.description,
          type: input.type,
          categoryId,
          billingTerm: input.billingTerm,
          ships: input.ships ?? SHIPPING_TYPES.includes(input.type),
          active: input.active,
        },
        at,
      );
      productId = product.id;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw duplicatePartNumber(input);
    }
    await recordEvent(tx, {
      type: 'product.created',
      entityId: productId,
      vendorId: vendor.id,
      partnerId: null,
      actor: eventActorOf(actor),
      at,
      data: { productId, partNumber: input.partNumber },
    });
    return productOf(tx, vendor, input.partNumber);
  });
}

function duplicatePartNumber(input: { partNumber: string }) {
  return conflict('This part number is already in the catalog', [
    {
      path: 'partNumber',
      code: 'duplicate',
      message: `${input.partNumber} already exists; change it with PATCH`,
    },
  ]);
}

/**
 * Changes a product (vendor admin); `active: false` takes it off sale, history stays.
 * Records `product.updated` with the fields changed.
 */
export async function patchProduct(
  ctx: AppContext,
  actor: Actor,
  input: { partNumber: string; patch: ProductPatch },
  options: WriteOptions = {},
): Promise<ProductView> {
  const { patch } = input;
  return inTransaction(ctx, options, async (tx) => {
    const vendor = await ownVendorAsAdmin(tx, actor);
    const row = await findProduct(tx, vendor.id, input.partNumber);
    if (!row) throw notFound('Product');
    checkSoldType(vendor, await profileOfVendor(tx, vendor), patch.type);
    const changes: ProductChanges = {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.type !== undefined ? { type: patch.type } : {}),
      ...(patch.category !== undefined
        ? { category_id: await categoryIdFor(tx, vendor.id, patch.category) }
        : {}),
      ...(patch.billingTerm !== undefined ? { billing_term: patch.billingTerm } : {}),
      ...(patch.ships !== undefined ? { ships: patch.ships ? 1 : 0 } : {}),
      ...(patch.active !== undefined ? { active: patch.active ? 1 : 0 } : {}),
    };
    if (Object.keys(changes).length > 0) {
      const at = ctx.now().toISOString();
      await updateProduct(tx, row.id, changes, at);
      await recordEvent(tx, {
        type: 'product.updated',
        entityId: row.id,
        vendorId: vendor.id,
        partnerId: null,
        actor: eventActorOf(actor),
        at,
        data: { productId: row.id, partNumber: row.part_number, fields: changedFields(row, patch) },
      });
    }
    return productOf(tx, vendor, input.partNumber);
  });
}

/** The fields a patch names; a change of `active` says `deactivated` or `reactivated` (the catalogue's words). */
function changedFields(row: { active: number }, patch: ProductPatch): string[] {
  return Object.keys(patch).map((field) => {
    if (field !== 'active' || patch.active === (row.active === 1)) return field;
    return patch.active ? 'reactivated' : 'deactivated';
  });
}

const categoryCursorSchema = z.object({ key: z.string() });

/**
 * The category tree of a vendor the caller may see (staff: their own by default), by key (a
 * parent before its children), a page at a time.
 */
export async function listVendorCategories(
  ctx: AppContext,
  actor: Actor,
  input: { vendor?: string | undefined } & PageQuery,
): Promise<Page<CategoryView>> {
  const vendor = await findVendorToRead(ctx.store.db, actor, input.vendor);
  const after = decodeCursor(input.cursor, categoryCursorSchema);
  const rows = await listCategories(ctx.store.db, vendor.id, {
    limit: input.limit + 1,
    afterKey: after?.key,
  });
  return pageOf(rows, input.limit, (last) => ({ key: last.key }), toCategoryView);
}

async function categoryView(db: Executor, vendorId: string, key: string): Promise<CategoryView> {
  const row = (await listCategories(db, vendorId)).find((c) => c.key === key);
  if (!row) throw notFound('Category');
  return toCategoryView(row);
}

/** Adds a category, optionally under a parent (vendor admin). Records `category.created`. */
export async function createCategory(
  ctx: AppContext,
  actor: Actor,
  input: CategoryInput,
  options: WriteOptions = {},
): Promise<CategoryView> {
  return inTransaction(ctx, options, async (tx) => {
    const vendor = await ownVendorAsAdmin(tx, actor);
    const parent = input.parent ? await findCategoryByKey(tx, vendor.id, input.parent) : undefined;
    if (input.parent && !parent) {
      throw unprocessable('Unknown parent category', [
        { path: 'parent', code: 'invalid', message: `No category "${input.parent}"` },
      ]);
    }
    const own = input.slug ?? slugify(input.name);
    if (own === '') {
      throw unprocessable('The name makes no key', [
        { path: 'slug', code: 'required', message: 'Give a slug of letters and digits' },
      ]);
    }
    const key = parent ? `${parent.key}.${own}` : own;
    if (key.split('.').length > MAX_CATEGORY_DEPTH) {
      throw unprocessable('Categories nest at most five deep', [
        { path: 'parent', code: 'invalid', message: `At most ${MAX_CATEGORY_DEPTH} levels` },
      ]);
    }
    const duplicate = conflict('This category exists', [
      { path: 'slug', code: 'duplicate', message: `Category "${key}" already exists` },
    ]);
    if (await findCategoryByKey(tx, vendor.id, key)) throw duplicate;
    const at = ctx.now().toISOString();
    let categoryId: string;
    try {
      const row = await insertCategory(tx, {
        vendorId: vendor.id,
        key,
        name: input.name,
        parentId: parent?.id ?? null,
        at,
      });
      categoryId = row.id;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw duplicate;
    }
    await recordEvent(tx, {
      type: 'category.created',
      entityId: categoryId,
      vendorId: vendor.id,
      partnerId: null,
      actor: eventActorOf(actor),
      at,
      data: { categoryId, key, name: input.name },
    });
    return categoryView(tx, vendor.id, key);
  });
}

/** Renames a category; its key (and so every reference to it) stays. Records `category.updated`. */
export async function patchCategory(
  ctx: AppContext,
  actor: Actor,
  input: { key: string; name: string },
  options: WriteOptions = {},
): Promise<CategoryView> {
  return inTransaction(ctx, options, async (tx) => {
    const vendor = await ownVendorAsAdmin(tx, actor);
    const category = await findCategoryByKey(tx, vendor.id, input.key);
    if (!category) throw notFound('Category');
    const at = ctx.now().toISOString();
    await renameCategory(tx, category.id, input.name, at);
    await recordEvent(tx, {
      type: 'category.updated',
      entityId: category.id,
      vendorId: vendor.id,
      partnerId: null,
      actor: eventActorOf(actor),
      at,
      data: { categoryId: category.id, fields: ['name'] },
    });
    return categoryView(tx, vendor.id, input.key);
  });
}
