import type { Executor } from './executor.ts';
import { newId } from './ids.ts';
import type { Category, Product } from './schema.ts';

// Categories and products of a vendor's catalog. Search lives in search.repository.ts;
// prices in price-lists.repository.ts.

export interface CategoryRow extends Category {
  parent_key: string | null;
  product_count: number;
}

/** A vendor's categories by key (a tree: parents before children), with product counts. */
export async function listCategories(
  db: Executor,
  vendorId: string,
  page?: { limit: number; afterKey?: string | undefined },
): Promise<CategoryRow[]> {
  let q = db
    .selectFrom('categories as c')
    .leftJoin('categories as parent', 'parent.id', 'c.parent_id')
    .selectAll('c')
    .select((eb) => [
      'parent.key as parent_key',
      eb
        .selectFrom('products as p')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('p.category_id', '=', 'c.id')
        .as('product_count'),
    ])
    .where('c.vendor_id', '=', vendorId)
    .orderBy('c.key');
  if (page) {
    q = q.limit(page.limit);
    if (page.afterKey !== undefined) q = q.where('c.key', '>', page.afterKey);
  }
  const rows = await q.execute();
  return rows.map((r) => ({ ...r, product_count: Number(r.product_count ?? 0) }));
}

export async function findCategoryByKey(
  db: Executor,
  vendorId: string,
  key: string,
): Promise<Category | undefined> {
  return db
    .selectFrom('categories')
    .selectAll()
    .where('vendor_id', '=', vendorId)
    .where('key', '=', key)
    .executeTakeFirst();
}

export async function insertCategory(
  db: Executor,
  input: { vendorId: string; key: string; name: string; parentId: string | null; at: string },
): Promise<Category> {
  const now = input.at;
  const row: Category = {
    id: newId('cat'),
    vendor_id: input.vendorId,
    key: input.key,
    name: input.name,
    parent_id: input.parentId,
    created_at: now,
    updated_at: now,
  };
  await db.insertInto('categories').values(row).execute();
  return row;
}

export async function renameCategory(
  db: Executor,
  id: string,
  name: string,
  at: string,
): Promise<void> {
  await db.updateTable('categories').set({ name, updated_at: at }).where('id', '=', id).execute();
}

/**
 * The category at the end of a path (root first), creating the missing ones on the way.
 * `path` holds each level's full key and name: `[{ key: 'hardware', name: 'Hardware' },
 * { key: 'hardware.gateways', name: 'Gateways' }]`. Existing categories keep their names.
 */
export async function ensureCategoryPath(
  db: Executor,
  vendorId: string,
  path: readonly { key: string; name: string }[],
  at: string,
): Promise<Category> {
  let parent: Category | undefined;
  for (const level of path) {
    const found: Category | undefined = await findCategoryByKey(db, vendorId, level.key);
    parent =
      found ??
      (await insertCategory(db, {
        vendorId,
        key: level.key,
        name: level.name,
        parentId: parent?.id ?? null,
        at,
      }));
  }
  if (!parent) throw new Error('ensureCategoryPath: empty path');
  return parent;
}

/**
 * The product columns, spelled out (databases migrated before 0020 held a generated
 * `search_vector` on PostgreSQL, which `p.*` dragged into every answer).
 */
export const PRODUCT_COLUMNS = [
  'p.id',
  'p.vendor_id',
  'p.part_number',
  'p.name',
  'p.description',
  'p.type',
  'p.category_id',
  'p.billing_term',
  'p.ships',
  'p.active',
  'p.created_at',
  'p.updated_at',
] as const;

export interface ProductRow extends Product {
  vendor_slug: string;
  category_key: string | null;
}

/** A product of a vendor by part number, with its category key. */
export async function findProduct(
  db: Executor,
  vendorId: string,
  partNumber: string,
): Promise<ProductRow | undefined> {
  return db
    .selectFrom('products as p')
    .innerJoin('vendors as v', 'v.id', 'p.vendor_id')
    .leftJoin('categories as c', 'c.id', 'p.category_id')
    .select([...PRODUCT_COLUMNS, 'v.slug as vendor_slug', 'c.key as category_key'])
    .where('p.vendor_id', '=', vendorId)
    .where('p.part_number', '=', partNumber)
    .executeTakeFirst();
}

export interface ProductInput {
  vendorId: string;
  partNumber: string;
  name: string;
  description: string;
  type: string;
  categoryId: string | null;
  billingTerm: string | null;
  ships: boolean;
  active: boolean;
}

function productRow(input: ProductInput, now: string): Product {
  return {
    id: newId('prd'),
    vendor_id: input.vendorId,
    part_number: input.partNumber,
    name: input.name,
    description: input.description,
    type: input.type,
    category_id: input.categoryId,
    billing_term: input.billingTerm,
    ships: input.ships ? 1 : 0,
    active: input.active ? 1 : 0,
    created_at: now,
    updated_at: now,
  };
}

export async function insertProduct(
  db: Executor,
  input: ProductInput,
  at: string,
): Promise<Product> {
  const row = productRow(input, at);
  await db.insertInto('products').values(row).execute();
  return row;
}

export type ProductChanges = Partial<
  Pick<
    Product,
    'name' | 'description' | 'type' | 'category_id' | 'billing_term' | 'ships' | 'active'
  >
>;

export async function updateProduct(
  db: Executor,
  id: string,
  changes: ProductChanges,
  at: string,
): Promise<void> {
  await db
    .updateTable('products')
    .set({ ...changes, updated_at: at })
    .where('id', '=', id)
    .execute();
}

/** Products of a vendor by part number, for a batch of part numbers (≤ 1,000 per call). */
export async function findProductsByPartNumber(
  db: Executor,
  vendorId: string,
  partNumbers: readonly string[],
): Promise<Map<string, Product>> {
  if (partNumbers.length === 0) return new Map();
  const rows = await db
    .selectFrom('products as p')
    .select(PRODUCT_COLUMNS)
    .where('p.vendor_id', '=', vendorId)
    .where('p.part_number', 'in', partNumbers)
    .execute();
  return new Map(rows.map((r) => [r.part_number, r]));
}

/**
 * Writes a batch of catalog rows: inserts the new part numbers and rewrites the existing ones
 * whose fields differ (only the fields given in `changes`), in one statement each.
 * Returns the product id of every part number and how many were created and updated.
 */
export async function saveProductBatch(
  db: Executor,
  vendorId: string,
  batch: readonly (ProductInput & {
    keep?: readonly ('description' | 'billingTerm' | 'ships')[];
  })[],
  at: string,
): Promise<{ ids: Map<string, string>; created: number; updated: number }> {
  const existing = await findProductsByPartNumber(
    db,
    vendorId,
    batch.map((b) => b.partNumber),
  );
  const now = at;
  const ids = new Map<string, string>();
  const inserts: Product[] = [];
  const updates: Product[] = [];
  for (const input of batch) {
    const old = existing.get(input.partNumber);
    if (!old) {
      const row = productRow(input, now);
      inserts.push(row);
      ids.set(input.partNumber, row.id);
      continue;
    }
    ids.set(input.partNumber, old.id);
    const keep = new Set(input.keep ?? []);
    const next: Product = {
      ...old,
      name: input.name,
      type: input.type,
      category_id: input.categoryId,
      description: keep.has('description') ? old.description : input.description,
      billing_term: keep.has('billingTerm') ? old.billing_term : input.billingTerm,
      ships: keep.has('ships') ? old.ships : input.ships ? 1 : 0,
    };
    const changed = (
      ['name', 'type', 'category_id', 'description', 'billing_term', 'ships'] as const
    ).some((k) => next[k] !== old[k]);
    // A fresh id, so the only conflict is the (vendor, part number) key the upsert targets.
    if (changed) updates.push({ ...next, id: newId('prd'), updated_at: now });
  }
  if (inserts.length > 0) await db.insertInto('products').values(inserts).execute();
  if (updates.length > 0) {
    // An upsert of rows known to exist: one statement for the whole batch on both dialects.
    await db
      .insertInto('products')
      .values(updates)
      .onConflict((oc) =>
        oc.columns(['vendor_id', 'part_number']).doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          description: eb.ref('excluded.description'),
          type: eb.ref('excluded.type'),
          category_id: eb.ref('excluded.category_id'),
          billing_term: eb.ref('excluded.billing_term'),
          ships: eb.ref('excluded.ships'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
  return { ids, created: inserts.length, updated: updates.length };
}
