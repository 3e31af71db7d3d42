import type { Readable } from 'node:stream';
import {
  PRODUCT_TYPES,
  formatAmount,
  isCurrencyCode,
  parseAmount,
  type ProductType,
  type VendorProfile,
} from '@orderdesk/core';
import {
  ensureCategoryPath,
  findPriceList,
  insertAuditEvent,
  insertPriceList,
  insertPriceListItems,
  isUniqueViolation,
  listPriceListItems,
  listPriceLists,
  nextPriceListVersion,
  saveProductBatch,
  completePriceList,
  type Executor,
  type PriceList,
  type ProductInput,
  type Vendor,
} from '@orderdesk/store';
import { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { BILLING_TERM, PART_NUMBER } from '../catalog/catalog.schemas.ts';
import { categoryPath } from '../catalog/category-path.ts';
import type { ExportRow } from '../documents/price-list-export.ts';
import {
  PriceListFileError,
  readPriceListRows,
  type PriceListFormat,
  type PriceListRow,
} from '../documents/price-list-import.ts';
import { decodeCursor, encodeCursor } from '../shared/paging.ts';
import { conflict, notFound, unprocessable, type ProblemItem } from '../shared/errors.ts';
import { todayIn } from '../shared/time.ts';
import { findVisibleVendor } from '../vendors/vendor-scope.ts';
import type { priceListSchema } from './price-lists.schemas.ts';

export type PriceListView = z.infer<typeof priceListSchema>;

/** Rows written per statement: well under both dialects' bound-parameter limits. */
const BATCH_ROWS = 1000;
/** Problems listed in one answer; a wholly wrong file should not produce a 100,000-item reply. */
export const MAX_REPORTED_PROBLEMS = 1000;

const isoDate = z.iso.date();
const SHIPS = new Map([
  ['true', true],
  ['yes', true],
  ['y', true],
  ['1', true],
  ['false', false],
  ['no', false],
  ['n', false],
  ['0', false],
]);

export function toPriceListView(row: PriceList, vendorSlug: string): PriceListView {
  return {
    id: row.id,
    vendor: vendorSlug,
    currency: row.currency,
    version: row.version,
    effectiveFrom: row.effective_from,
    rowCount: row.row_count,
    sourceName: row.source_name,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

/** Today's date (ISO) in the vendor's business time zone: the default effective date. */
export function vendorToday(vendor: Vendor, now: Date): string {
  const profile = JSON.parse(vendor.profile) as Partial<VendorProfile>;
  return todayIn(profile.sla?.calendar.timeZone ?? 'UTC', now);
}

export interface PriceListImport {
  vendor: Vendor;
  format: PriceListFormat;
  source: Readable;
  sourceName?: string | null;
  /** Default: the vendor profile's currency. */
  currency?: string;
  /** Default: the file's effectiveFrom column (one date for all rows), else `today`. */
  effectiveFrom?: string;
  today: string;
  createdBy: { userId: string | null; label: string };
  /** Called after each written batch with the number of rows read so far. */
  onProgress?: (rows: number) => void;
}

export interface PriceListImportResult {
  priceList: PriceList;
  productsCreated: number;
  productsUpdated: number;
}

interface CheckedRow {
  product: Omit<ProductInput, 'vendorId' | 'categoryId'> & {
    keep: ('description' | 'billingTerm' | 'ships')[];
  };
  categoryText: string | null;
  listPriceMinor: number;
  effectiveFrom: string | undefined;
}

/** Checks one row; returns its problems (each naming `row N/column`) or the checked values. */
function checkRow(
  { row, values }: PriceListRow,
  rules: { currency: string; types: readonly ProductType[] },
  firstRowOf: Map<string, number>,
): CheckedRow | ProblemItem[] {
  const problems: ProblemItem[] = [];
  const add = (column: string, code: string, message: string): void => {
    problems.push({ path: `row ${row}/${column}`, code, message });
  };
  const partNumber = values.partNumber ?? '';
  if (partNumber === '') add('partNumber', 'required', 'Part number is empty');
  else if (!PART_NUMBER.test(partNumber)) {
    add(
      'partNumber',
      'invalid',
      `"${partNumber.slice(0, 70)}" is not a part number (letters, digits, '.', '_', '-'; at most 64)`,
    );
  } else {
    const first = firstRowOf.get(partNumber);
    if (first !== undefined)
      add('partNumber', 'duplicate', `${partNumber} is also on row ${first}`);
    else firstRowOf.set(partNumber, row);
  }
  const name = values.name ?? '';
  if (name === '') add('name', 'required', 'Name is empty');
  else if (name.length > 300) add('name', 'invalid', 'Name is longer than 300 characters');

  const type = values.type ?? '';
  if (type === '') add('type', 'required', 'Type is empty');
  else if (!(PRODUCT_TYPES as readonly string[]).includes(type)) {
    add(
      'type',
      'invalid',
      `Unknown type "${type.slice(0, 40)}" (one of ${PRODUCT_TYPES.join(', ')})`,
    );
  } else if (!rules.types.includes(type as ProductType)) {
    add(
      'type',
      'invalid',
      `This vendor does not sell "${type}" (it sells ${rules.types.join(', ')})`,
    );
  }

  const categoryText = values.category ?? null;
  if (categoryText !== null && (categoryText.length > 200 || categoryPath(categoryText) === null)) {
    add(
      'category',
      'invalid',
      `"${categoryText.slice(0, 60)}" is not a category (e.g. "Hardware / Gateways")`,
    );
  }

  let listPriceMinor = 0;
  const listPrice = values.listPrice ?? '';
  const amount = parseAmount(listPrice, rules.currency, { allowExtraZeros: true });
  if (amount.ok && amount.minor < 0) add('listPrice', 'invalid', `Negative price ${listPrice}`);
  else if (amount.ok) listPriceMinor = amount.minor;
  else if (amount.reason === 'empty') add('listPrice', 'required', 'List price is empty');
  else add('listPrice', 'invalid', amount.message);

  const effectiveFrom = values.effectiveFrom;
  if (effectiveFrom !== undefined && !isoDate.safeParse(effectiveFrom).success) {
    add(
      'effectiveFrom',
      'invalid',
      `Bad date "${effectiveFrom.slice(0, 40)}" (expected YYYY-MM-DD)`,
    );
  }
  const description = values.description;
  if (description !== undefined && description.length > 4000) {
    add('description', 'invalid', 'Description is longer than 4,000 characters');
  }
  const billingTerm = values.billingTerm;
  if (billingTerm !== undefined && !BILLING_TERM.test(billingTerm)) {
    add(
      'billingTerm',
      'invalid',
      `"${billingTerm.slice(0, 20)}" is not a term like P1M, P1Y or P3Y`,
    );
  }
  const ships = values.ships === undefined ? undefined : SHIPS.get(values.ships.toLowerCase());
  if (values.ships !== undefined && ships === undefined) {
    add('ships', 'invalid', `"${values.ships.slice(0, 20)}" is not yes or no`);
  }
  if (problems.length > 0) return problems;
  const keep: CheckedRow['product']['keep'] = [];
  if (description === undefined) keep.push('description');
  if (billingTerm === undefined) keep.push('billingTerm');
  if (ships === undefined) keep.push('ships');
  return {
    product: {
      partNumber,
      name,
      description: description ?? '',
      type,
      billingTerm: billingTerm ?? null,
      ships: ships ?? (type === 'device' || type === 'kit'),
      active: true,
      keep,
    },
    categoryText,
    listPriceMinor,
    effectiveFrom,
  };
}

/**
 * Imports a price list file as a new version of the vendor's price list in a currency, all or
 * nothing: products new to the catalog are created, known ones updated from the file, and
 * every row priced in the new list. Rows stream from the file and are written in batches as
 * they pass the checks; after the first bad row nothing more is written but every row is
 * still checked, and the import then fails with all the problems (422) so the caller's
 * transaction rolls back. Call inside a transaction.
 */
export async function importPriceList(
  db: Executor,
  input: PriceListImport,
): Promise<PriceListImportResult> {
  const profile = JSON.parse(input.vendor.profile) as Partial<VendorProfile>;
  const currency = input.currency ?? profile.currency ?? 'USD';
  if (!isCurrencyCode(currency)) {
    throw unprocessable('Unknown currency', [
      { path: 'currency', code: 'invalid', message: `"${currency}" is not an ISO 4217 currency` },
    ]);
  }
  const rules = { currency, types: profile.productTypes ?? PRODUCT_TYPES };
  const vendorId = input.vendor.id;
  const priceList = await insertPriceList(db, {
    vendorId,
    currency,
    version: await nextPriceListVersion(db, vendorId, currency),
    effectiveFrom: input.effectiveFrom ?? input.today,
    rowCount: 0,
    sourceName: input.sourceName ?? null,
    createdBy: input.createdBy.label,
  });

  const problems: ProblemItem[] = [];
  let unlisted = 0;
  const report = (items: readonly ProblemItem[]): void => {
    for (const item of items) {
      if (problems.length < MAX_REPORTED_PROBLEMS) problems.push(item);
      else unlisted++;
    }
  };
  const firstRowOf = new Map<string, number>();
  const categoryIds = new Map<string, string>();
  let fileDate: { date: string; row: number } | undefined;
  let batch: CheckedRow[] = [];
  let rows = 0;
  let productsCreated = 0;
  let productsUpdated = 0;

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const products: (ProductInput & { keep: CheckedRow['product']['keep'] })[] = [];
    for (const r of batch) {
      let categoryId: string | null = null;
      const path = r.categoryText === null ? null : categoryPath(r.categoryText);
      const leaf = path?.at(-1);
      if (path && leaf) {
        categoryId = categoryIds.get(leaf.key) ?? (await ensureCategoryPath(db, vendorId, path)).id;
        categoryIds.set(leaf.key, categoryId);
      }
      products.push({ ...r.product, vendorId, categoryId });
    }
    const saved = await saveProductBatch(db, vendorId, products);
    productsCreated += saved.created;
    productsUpdated += saved.updated;
    await insertPriceListItems(
      db,
      priceList.id,
      batch.map((r) => ({
        partNumber: r.product.partNumber,
        productId: saved.ids.get(r.product.partNumber) ?? '',
        listPriceMinor: r.listPriceMinor,
      })),
    );
    batch = [];
    input.onProgress?.(rows);
  };

  try {
    for await (const row of readPriceListRows(input.source, input.format)) {
      rows++;
      const checked = checkRow(row, rules, firstRowOf);
      if (Array.isArray(checked)) {
        report(checked);
        continue;
      }
      if (checked.effectiveFrom !== undefined && input.effectiveFrom === undefined) {
        if (fileDate === undefined) fileDate = { date: checked.effectiveFrom, row: row.row };
        else if (checked.effectiveFrom !== fileDate.date) {
          report([
            {
              path: `row ${row.row}/effectiveFrom`,
              code: 'invalid',
              message: `One price list has one date: ${checked.effectiveFrom} differs from ${fileDate.date} (row ${fileDate.row})`,
            },
          ]);
          continue;
        }
      }
      if (problems.length > 0) continue; // all or nothing: stop writing, keep checking
      batch.push(checked);
      if (batch.length >= BATCH_ROWS) await flush();
    }
  } catch (error) {
    if (error instanceof PriceListFileError) {
      report(error.problems);
      throw unprocessable(error.message, problems);
    }
    throw error;
  }
  if (problems.length === 0) await flush();
  if (rows === 0 && problems.length === 0) {
    report([{ path: 'row 2', code: 'required', message: 'The file has no price rows' }]);
  }
  if (problems.length > 0) {
    const total = problems.length + unlisted;
    if (unlisted > 0) {
      problems.push({
        path: 'file',
        code: 'invalid',
        message: `${unlisted} more problem(s) not listed`,
      });
    }
    throw unprocessable(`The price list has ${total} problem(s); nothing was imported`, problems);
  }
  const effectiveFrom = input.effectiveFrom ?? fileDate?.date ?? input.today;
  await completePriceList(db, priceList.id, { rowCount: rows, effectiveFrom });
  await insertAuditEvent(db, {
    vendorId,
    entityType: 'price_list',
    entityId: priceList.id,
    type: 'price_list.imported',
    actorUserId: input.createdBy.userId,
    actorLabel: input.createdBy.label,
    data: {
      currency,
      version: priceList.version,
      effectiveFrom,
      rows,
      productsCreated,
      productsUpdated,
    },
  });
  return {
    priceList: { ...priceList, row_count: rows, effective_from: effectiveFrom },
    productsCreated,
    productsUpdated,
  };
}

/** Runs an import, turning a lost race for the version number into a 409. */
export async function importPriceListOrConflict(
  db: Executor,
  input: PriceListImport,
): Promise<PriceListImportResult> {
  try {
    return await importPriceList(db, input);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw conflict(
      'Another price list for this vendor and currency was imported at the same time; retry',
    );
  }
}

/** A vendor the caller may see, for reading its price lists (its staff, or partners of it). */
export async function listVisiblePriceLists(
  db: Executor,
  actor: Actor,
  slug: string,
  page: { limit: number; cursor?: string },
): Promise<{ items: PriceListView[]; nextCursor: string | null }> {
  const vendor = await findVisibleVendor(db, actor, slug);
  const before = decodeCursor(page.cursor, z.object({ id: z.string() }));
  const rows = await listPriceLists(db, vendor.id, {
    limit: page.limit + 1,
    ...(before ? { before: before.id } : {}),
  });
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map((r) => toPriceListView(r, vendor.slug)),
    nextCursor: rows.length > page.limit && last ? encodeCursor({ id: last.id }) : null,
  };
}

export async function getVisiblePriceList(
  db: Executor,
  actor: Actor,
  slug: string,
  id: string,
): Promise<{ vendor: Vendor; priceList: PriceList }> {
  const vendor = await findVisibleVendor(db, actor, slug);
  const priceList = await findPriceList(db, vendor.id, id);
  if (!priceList) throw notFound('Price list');
  return { vendor, priceList };
}

/** The rows of a price list for export, read from the database page by page. */
export async function* priceListExportRows(
  db: Executor,
  priceList: PriceList,
): AsyncGenerator<ExportRow> {
  let after: string | undefined;
  for (;;) {
    const page = await listPriceListItems(db, priceList.id, {
      limit: 2000,
      ...(after !== undefined ? { after } : {}),
    });
    for (const item of page) {
      yield {
        partNumber: item.part_number,
        name: item.name,
        type: item.type,
        category: item.category_key ?? '',
        listPrice: formatAmount(item.list_price_minor, priceList.currency),
        effectiveFrom: priceList.effective_from,
        description: item.description,
        billingTerm: item.billing_term ?? '',
        ships: item.ships === 1 ? 'yes' : 'no',
      };
    }
    if (page.length < 2000) return;
    after = page.at(-1)?.part_number;
  }
}
