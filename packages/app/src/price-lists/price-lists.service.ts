import type { Readable, Writable } from 'node:stream';
import {
  PRODUCT_TYPES,
  formatAmount,
  isCurrencyCode,
  parseAmount,
  type ProductType,
  type VendorProfile,
} from '@orderdesk/core';
import {
  completePriceList,
  ensureCategoryPath,
  findPriceList,
  findPriceListInForce,
  findVendorBySlug,
  insertPriceList,
  insertPriceListItems,
  isUniqueViolation,
  listPriceListItems,
  listPriceLists,
  nextPriceListVersion,
  saveProductBatch,
  type Executor,
  type PriceList,
  type ProductInput,
  type Vendor,
} from '@orderdesk/store';
import { z } from 'zod';
import { requireVendorStaff, type Actor } from '../auth/actor.ts';
import { BILLING_TERM, PART_NUMBER } from '../catalog/catalog.schemas.ts';
import { categoryPath } from '../catalog/category-path.ts';
import type { AppContext } from '../context.ts';
import { writePriceList, type ExportRow } from '../documents/price-list-export.ts';
import {
  PriceListFileError,
  XLSX_CONTENT_TYPE,
  readPriceListRows,
  type PriceListFormat,
  type PriceListRow,
} from '../documents/price-list-import.ts';
import { eventActorOf, recordEvent, type EventActor } from '../events/record-event.ts';
import { partnershipVisibility } from '../partnerships/price-visibility.ts';
import {
  AppError,
  conflict,
  forbidden,
  notFound,
  unprocessable,
  type ProblemItem,
} from '../shared/errors.ts';
import { decodeCursor, pageOf, type Page } from '../shared/paging.ts';
import { todayIn } from '../shared/time.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { profileOfVendor } from '../vendors/profile-cache.ts';
import { contractingPartnerId, findVisibleVendor } from '../vendors/vendor-scope.ts';
import type { priceListImportSchema, priceListSchema } from './price-lists.schemas.ts';

export type PriceListView = z.infer<typeof priceListSchema>;
export type PriceListImportView = z.infer<typeof priceListImportSchema>;

/** Rows written per statement: well under both dialects' bound-parameter limits. */
const BATCH_ROWS = 1000;
/** Problems listed in one answer: a wholly wrong file should not produce 100,000 of them. */
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

/** Today's date (ISO) in the profile's business time zone: the default effective and pricing date. */
export function todayForProfile(profile: VendorProfile, now: Date): string {
  return todayIn(profile.sla.calendar.timeZone, now);
}

/** Today's date (ISO) in the vendor's business time zone. */
export async function vendorToday(db: Executor, vendor: Vendor, now: Date): Promise<string> {
  return todayForProfile(await profileOfVendor(db, vendor), now);
}

/**
 * Who may import or export a vendor's price lists: a user (API), or the operator at the
 * command line, who owns the database and acts without a user account.
 */
export type PriceListOperator = Actor | { operator: string };

function isUser(by: PriceListOperator): by is Actor {
  return 'userId' in by;
}

function eventActorOfOperator(by: PriceListOperator): EventActor {
  return isUser(by) ? eventActorOf(by) : { userId: null, label: by.operator };
}

/** The vendor a write is for: for a user, one whose vendor_admin they are (404 if not visible, 403 if not admin). */
async function vendorToAdminister(
  db: Executor,
  by: PriceListOperator,
  slug: string,
): Promise<Vendor> {
  if (isUser(by)) {
    const vendor = await findVisibleVendor(db, by, slug);
    requireVendorStaff(by, ['vendor_admin']);
    return vendor;
  }
  const vendor = await findVendorBySlug(db, slug);
  if (!vendor) throw notFound('Vendor');
  return vendor;
}

/**
 * The vendor whose price lists a caller reads: its staff, and partners with a partnership
 * with it — except where its profile hides list prices from partners
 * (`pricing.partnerVisible: false`): a price list is nothing but list prices.
 */
async function vendorToRead(db: Executor, by: PriceListOperator, slug: string): Promise<Vendor> {
  if (!isUser(by)) return vendorToAdminister(db, by, slug);
  const vendor = await findVisibleVendor(db, by, slug);
  if (by.side === 'partner') {
    const profile = await profileOfVendor(db, vendor);
    const seen = partnershipVisibility(profile, by, { partner_id: contractingPartnerId(by) ?? '' });
    if (!seen.listPrices) throw forbidden(`${profile.name} does not show partners its list prices`);
  }
  return vendor;
}

/**
 * Checks, before a byte of an upload is read, that the caller may import price lists for the
 * vendor (its vendor_admin); 404 or 403 otherwise. `importPriceList` checks again.
 */
export async function authorizePriceListImport(
  ctx: AppContext,
  actor: Actor,
  vendorSlug: string,
): Promise<void> {
  await vendorToAdminister(ctx.store.db, actor, vendorSlug);
}

/** A price-list file to import. */
export interface PriceListImportInput {
  /** The vendor's slug. */
  vendor: string;
  format: PriceListFormat;
  source: Readable;
  sourceName?: string | null;
  /** Default: the vendor profile's currency. */
  currency?: string | undefined;
  /** Default: the file's effectiveFrom column (one date for all rows), else today. */
  effectiveFrom?: string | undefined;
  /** Called after each written batch with the number of rows read so far. */
  onProgress?: (rows: number) => void;
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
 * still checked, and the import then fails with all the problems (422) so the transaction
 * rolls back. A lost race for the version number is a 409. Records `price_list.imported`.
 * The API (vendor_admin) and `orderdesk import pricelist` (the operator) both call this.
 */
export async function importPriceList(
  ctx: AppContext,
  by: PriceListOperator,
  input: PriceListImportInput,
  options: WriteOptions = {},
): Promise<PriceListImportView> {
  try {
    return await inTransaction(ctx, options, (tx) => importInto(ctx, tx, by, input));
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw conflict(
      'Another price list for this vendor and currency was imported at the same time; retry',
    );
  }
}

async function importInto(
  ctx: AppContext,
  db: Executor,
  by: PriceListOperator,
  input: PriceListImportInput,
): Promise<PriceListImportView> {
  const vendor = await vendorToAdminister(db, by, input.vendor);
  const profile = await profileOfVendor(db, vendor);
  const now = ctx.now();
  const at = now.toISOString();
  const today = todayForProfile(profile, now);
  const currency = input.currency ?? profile.currency;
  if (!isCurrencyCode(currency)) {
    throw unprocessable('Unknown currency', [
      { path: 'currency', code: 'invalid', message: `"${currency}" is not an ISO 4217 currency` },
    ]);
  }
  const rules = { currency, types: profile.productTypes ?? PRODUCT_TYPES };
  const vendorId = vendor.id;
  const eventActor = eventActorOfOperator(by);
  const priceList = await insertPriceList(db, {
    vendorId,
    currency,
    version: await nextPriceListVersion(db, vendorId, currency),
    effectiveFrom: input.effectiveFrom ?? today,
    rowCount: 0,
    sourceName: input.sourceName ?? null,
    createdBy: eventActor.label,
    at,
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
        categoryId =
          categoryIds.get(leaf.key) ?? (await ensureCategoryPath(db, vendorId, path, at)).id;
        categoryIds.set(leaf.key, categoryId);
      }
      products.push({ ...r.product, vendorId, categoryId });
    }
    const saved = await saveProductBatch(db, vendorId, products, at);
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
  const effectiveFrom = input.effectiveFrom ?? fileDate?.date ?? today;
  await completePriceList(db, priceList.id, { rowCount: rows, effectiveFrom });
  await recordEvent(db, {
    type: 'price_list.imported',
    entityId: priceList.id,
    vendorId,
    partnerId: null,
    actor: eventActor,
    at,
    data: { priceListId: priceList.id, currency, effectiveFrom, rows },
  });
  return {
    ...toPriceListView(
      { ...priceList, row_count: rows, effective_from: effectiveFrom },
      vendor.slug,
    ),
    productsCreated,
    productsUpdated,
  };
}

/** A vendor's price lists, newest first: its staff, and its partners where list prices are shown to them. */
export async function listVendorPriceLists(
  ctx: AppContext,
  actor: Actor,
  input: { vendor: string; limit: number; cursor?: string | undefined },
): Promise<Page<PriceListView>> {
  const db = ctx.store.db;
  const vendor = await vendorToRead(db, actor, input.vendor);
  const before = decodeCursor(input.cursor, z.object({ id: z.string() }));
  const rows = await listPriceLists(db, vendor.id, {
    limit: input.limit + 1,
    ...(before ? { before: before.id } : {}),
  });
  return pageOf(
    rows,
    input.limit,
    (last) => ({ id: last.id }),
    (r) => toPriceListView(r, vendor.slug),
  );
}

/** One price list of a vendor whose price lists the caller may read. */
export async function getPriceList(
  ctx: AppContext,
  actor: Actor,
  input: { vendor: string; id: string },
): Promise<PriceListView> {
  const db = ctx.store.db;
  const vendor = await vendorToRead(db, actor, input.vendor);
  const priceList = await findPriceList(db, vendor.id, input.id);
  if (!priceList) throw notFound('Price list');
  return toPriceListView(priceList, vendor.slug);
}

/** A price list ready to be written out: what it is, a file name, and the writer. */
export interface PriceListExport {
  priceList: PriceListView;
  fileName: string;
  contentType: string;
  /** Writes the file (CSV or XLSX, re-importable as is) into `out` and ends it. */
  writeTo(out: Writable): Promise<void>;
}

/**
 * Opens the export of a price list: the one named by `id`, else the one in force today in
 * `currency` (default: the profile's). Access is checked and the list found before anything
 * is written, so the caller can still answer 404/403; rows are then read page by page.
 */
export async function exportPriceList(
  ctx: AppContext,
  by: PriceListOperator,
  input: { vendor: string; format: PriceListFormat; id?: string | undefined; currency?: string },
): Promise<PriceListExport> {
  const db = ctx.store.db;
  const vendor = await vendorToRead(db, by, input.vendor);
  let priceList: PriceList | undefined;
  if (input.id !== undefined) {
    priceList = await findPriceList(db, vendor.id, input.id);
    if (!priceList) throw notFound('Price list');
  } else {
    const profile = await profileOfVendor(db, vendor);
    const currency = input.currency ?? profile.currency;
    const today = todayForProfile(profile, ctx.now());
    priceList = await findPriceListInForce(db, vendor.id, currency, today);
    if (!priceList) {
      throw new AppError(
        'not_found',
        'not-found',
        `No ${currency} price list of ${vendor.slug} is in force on ${today}`,
      );
    }
  }
  const list = priceList;
  return {
    priceList: toPriceListView(list, vendor.slug),
    fileName: `${vendor.slug}-price-list-${list.currency}-v${list.version}.${input.format}`,
    contentType: input.format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_CONTENT_TYPE,
    writeTo: (out) => writePriceList(out, input.format, priceListExportRows(db, list)),
  };
}

/** The rows of a price list for export, read from the database page by page. */
async function* priceListExportRows(db: Executor, priceList: PriceList): AsyncGenerator<ExportRow> {
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
