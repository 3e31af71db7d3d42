import type { ProductType, VendorProfile } from '@orderdesk/core';
import {
  findCategoryByKey,
  findProduct,
  findVendorById,
  insertAuditEvent,
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
import { requireVendorStaff, type Actor } from '../auth/actor.ts';
import { decodeCursor, encodeCursor } from '../shared/paging.ts';
import { invalidInput, conflict, notFound, unprocessable } from '../shared/errors.ts';
import { findVisibleVendor, visibleVendorIds } from '../vendors/vendor-scope.ts';
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

/** A vendor the caller administers (vendor_admin of that vendor): 404 if not visible, 403 if not admin. */
export async function findAdministeredVendor(
  db: Executor,
  actor: Actor,
  slug: string,
): Promise<Vendor> {
  const vendor = await findVisibleVendor(db, actor, slug);
  requireVendorStaff(actor, ['vendor_admin']);
  return vendor;
}

/** The caller's own vendor, for a vendor admin (403 for anyone else). */
async function ownVendorAsAdmin(db: Executor, actor: Actor): Promise<Vendor> {
  const staff = requireVendorStaff(actor, ['vendor_admin']);
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

const offsetCursor = z.object({ o: z.number().int().min(0).max(100_000) });
const keysetCursor = z.object({ p: z.string(), i: z.string() });

/**
 * Searches or browses the catalog of the vendors the caller may see: partners the vendors
 * they have a partnership with (active products unless asked otherwise), staff their own.
 */
export async function findProducts(
  db: Executor,
  actor: Actor,
  query: z.infer<typeof productListQuery>,
): Promise<{ items: ProductView[]; nextCursor: string | null }> {
  const vendorIds = query.vendor
    ? [(await findVisibleVendor(db, actor, query.vendor)).id]
    : await visibleVendorIds(db, actor);
  const active = query.active ?? (actor.side === 'partner' ? true : undefined);
  const filter = {
    vendorIds,
    ...(query.category !== undefined ? { categoryKey: query.category } : {}),
    ...(active !== undefined ? { active } : {}),
  };
  const { limit } = query;
  if (query.q !== undefined) {
    const offset = decodeCursor(query.cursor, offsetCursor)?.o ?? 0;
    const rows = await searchProducts(db, filter, query.q, { limit: limit + 1, offset });
    return {
      items: rows.slice(0, limit).map(toProductView),
      nextCursor: rows.length > limit ? encodeCursor({ o: offset + limit }) : null,
    };
  }
  const after = decodeCursor(query.cursor, keysetCursor);
  const rows = await listProducts(db, filter, {
    limit: limit + 1,
    ...(after ? { after: { partNumber: after.p, id: after.i } } : {}),
  });
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(toProductView),
    nextCursor:
      rows.length > limit && last ? encodeCursor({ p: last.part_number, i: last.id }) : null,
  };
}

/** One product of a vendor the caller may see (staff: their own vendor by default). */
export async function getProduct(
  db: Executor,
  actor: Actor,
  slug: string | undefined,
  partNumber: string,
): Promise<ProductView> {
  const vendor = await findVendorToRead(db, actor, slug);
  const row = await findProduct(db, vendor.id, partNumber);
  if (!row) throw notFound('Product');
  return toProductView(row);
}

/** Refuses a product type the vendor's profile does not list among what it sells. */
function checkSoldType(vendor: Vendor, type: ProductType | undefined): void {
  if (type === undefined) return;
  const sold = (JSON.parse(vendor.profile) as Partial<VendorProfile>).productTypes;
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

function audit(
  db: Executor,
  actor: Actor,
  vendorId: string,
  entity: { type: string; id: string },
  event: string,
  data: unknown,
) {
  return insertAuditEvent(db, {
    vendorId,
    entityType: entity.type,
    entityId: entity.id,
    type: event,
    actorUserId: actor.userId,
    actorLabel: actor.email,
    data,
  });
}

/** Adds a product to the caller's catalog (vendor admin). */
export async function createProduct(
  db: Executor,
  actor: Actor,
  body: z.infer<typeof productBodySchema>,
): Promise<ProductView> {
  const vendor = await ownVendorAsAdmin(db, actor);
  checkSoldType(vendor, body.type);
  const categoryId = await categoryIdFor(db, vendor.id, body.category);
  try {
    const product = await insertProduct(db, {
      vendorId: vendor.id,
      partNumber: body.partNumber,
      name: body.name,
      description: body.description,
      type: body.type,
      categoryId,
      billingTerm: body.billingTerm,
      ships: body.ships ?? SHIPPING_TYPES.includes(body.type),
      active: body.active,
    });
    await audit(db, actor, vendor.id, { type: 'product', id: product.id }, 'product.created', body);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw conflict('This part number is already in the catalog', [
      {
        path: 'partNumber',
        code: 'duplicate',
        message: `${body.partNumber} already exists; change it with PATCH`,
      },
    ]);
  }
  return getProduct(db, actor, vendor.slug, body.partNumber);
}

/** Changes a product (vendor admin); `active: false` takes it off sale, history stays. */
export async function patchProduct(
  db: Executor,
  actor: Actor,
  partNumber: string,
  patch: z.infer<typeof productPatchSchema>,
): Promise<ProductView> {
  const vendor = await ownVendorAsAdmin(db, actor);
  const row = await findProduct(db, vendor.id, partNumber);
  if (!row) throw notFound('Product');
  checkSoldType(vendor, patch.type);
  const changes: ProductChanges = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(patch.type !== undefined ? { type: patch.type } : {}),
    ...(patch.category !== undefined
      ? { category_id: await categoryIdFor(db, vendor.id, patch.category) }
      : {}),
    ...(patch.billingTerm !== undefined ? { billing_term: patch.billingTerm } : {}),
    ...(patch.ships !== undefined ? { ships: patch.ships ? 1 : 0 } : {}),
    ...(patch.active !== undefined ? { active: patch.active ? 1 : 0 } : {}),
  };
  if (Object.keys(changes).length > 0) {
    await updateProduct(db, row.id, changes);
    const event =
      patch.active === false && row.active === 1 ? 'product.deactivated' : 'product.updated';
    await audit(db, actor, vendor.id, { type: 'product', id: row.id }, event, patch);
  }
  return getProduct(db, actor, vendor.slug, partNumber);
}

/** The category tree of a vendor the caller may see (staff: their own by default). */
export async function listVendorCategories(
  db: Executor,
  actor: Actor,
  slug: string | undefined,
): Promise<CategoryView[]> {
  const vendor = await findVendorToRead(db, actor, slug);
  return (await listCategories(db, vendor.id)).map(toCategoryView);
}

async function categoryView(db: Executor, vendorId: string, key: string): Promise<CategoryView> {
  const row = (await listCategories(db, vendorId)).find((c) => c.key === key);
  if (!row) throw notFound('Category');
  return toCategoryView(row);
}

/** Adds a category, optionally under a parent (vendor admin). */
export async function createCategory(
  db: Executor,
  actor: Actor,
  body: z.infer<typeof categoryBodySchema>,
): Promise<CategoryView> {
  const vendor = await ownVendorAsAdmin(db, actor);
  const parent = body.parent ? await findCategoryByKey(db, vendor.id, body.parent) : undefined;
  if (body.parent && !parent) {
    throw unprocessable('Unknown parent category', [
      { path: 'parent', code: 'invalid', message: `No category "${body.parent}"` },
    ]);
  }
  const own = body.slug ?? slugify(body.name);
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
  try {
    const row = await insertCategory(db, {
      vendorId: vendor.id,
      key,
      name: body.name,
      parentId: parent?.id ?? null,
    });
    await audit(db, actor, vendor.id, { type: 'category', id: row.id }, 'category.created', body);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw conflict('This category exists', [
      { path: 'slug', code: 'duplicate', message: `Category "${key}" already exists` },
    ]);
  }
  return categoryView(db, vendor.id, key);
}

/** Renames a category; its key (and so every reference to it) stays. */
export async function patchCategory(
  db: Executor,
  actor: Actor,
  key: string,
  name: string,
): Promise<CategoryView> {
  const vendor = await ownVendorAsAdmin(db, actor);
  const category = await findCategoryByKey(db, vendor.id, key);
  if (!category) throw notFound('Category');
  await renameCategory(db, category.id, name);
  await audit(db, actor, vendor.id, { type: 'category', id: category.id }, 'category.updated', {
    name,
  });
  return categoryView(db, vendor.id, key);
}
