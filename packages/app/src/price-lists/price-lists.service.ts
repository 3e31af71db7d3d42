import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PRODUCT_TYPES, formatAmount, isCurrencyCode, type VendorProfile } from '@orderdesk/core';
import {
  completePriceList,
  createImportRun,
  discardImportRun,
  ensureCategoryPath,
  findImportRun,
  findPriceList,
  findPriceListInForce,
  findVendorBySlug,
  inImportTransaction,
  insertPriceList,
  isUniqueViolation,
  listPriceListItems,
  listPriceLists,
  newId,
  nextPriceListVersion,
  PriceRowWriter,
  publishStagedPriceRows,
  stagePriceRows,
  STAGING_BATCH_ROWS,
  sweepStaleImportRuns,
  type Executor,
  type PriceList,
  type StagedPriceTuple,
  type Vendor,
} from '@orderdesk/store';
import { z } from 'zod';
import { requireAccess, type VendorAccess } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { writePriceList, type ExportRow } from '../documents/price-list-export.ts';
import { XLSX_CONTENT_TYPE, type PriceListFormat } from '../documents/price-list-import.ts';
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
import { UPLOAD_LIMITS, type UploadLimits } from '../shared/uploads/upload-limits.ts';
import { endIdleWorker, runWorkerTask, siblingModule } from '../shared/uploads/worker-runner.ts';
import { profileOfVendor } from '../vendors/profile-cache.ts';
import { contractingPartnerId, findVisibleVendor } from '../vendors/vendor-scope.ts';
import type {
  PriceListParseBatch,
  PriceListParseInput,
  PriceListParseSummary,
} from './price-list-parse.worker.ts';
import { warmPriceListParser } from './price-list-warm-up.ts';
import type { CategoryLevel } from './price-list-rows.ts';
import type { priceListImportSchema, priceListSchema } from './price-lists.schemas.ts';

export type PriceListView = z.infer<typeof priceListSchema>;
export type PriceListImportView = z.infer<typeof priceListImportSchema>;

/** Problems listed in one answer: a wholly wrong file should not produce 100,000 of them. */
export const MAX_REPORTED_PROBLEMS = 1000;

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

/** Price lists are imported by the vendor admin (and the operator, from the CLI). */
export const PRICE_LIST_IMPORT_ACCESS: VendorAccess = { vendor: ['vendor_admin'] };

/** The vendor a write is for: for a user, one whose vendor_admin they are (404 if not visible, 403 if not admin). */
async function vendorToAdminister(
  db: Executor,
  by: PriceListOperator,
  slug: string,
): Promise<Vendor> {
  if (isUser(by)) {
    const vendor = await findVisibleVendor(db, by, slug);
    requireAccess(by, PRICE_LIST_IMPORT_ACCESS);
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
  /** The file on disk, or a stream (spooled to a temporary file first). */
  source: Readable | { path: string };
  sourceName?: string | null;
  /** Default: the vendor profile's currency. */
  currency?: string | undefined;
  /** Default: the file's effectiveFrom column (one date for all rows), else today. */
  effectiveFrom?: string | undefined;
  /** Called as the file is read (every 2,500 rows, bad ones too): rows read, bytes consumed. */
  onProgress?: (rows: number, bytes: number) => void;
  /** Default: UPLOAD_LIMITS (the server passes its configured limits). */
  limits?: UploadLimits | undefined;
}

/**
 * Imports a price list file as a new version of the vendor's price list in a currency, all or
 * nothing. On PostgreSQL: `stagePriceListImport` (read, check, stage), `publishPriceListImport`
 * (one short transaction), then `discardPriceListImport`. On SQLite the rows go straight into
 * the catalog as they are read, in one transaction (importPriceListDirectly). The CLI calls
 * this; the API calls the three itself so the publishing shares its idempotency transaction.
 */
export async function importPriceList(
  ctx: AppContext,
  by: PriceListOperator,
  input: PriceListImportInput,
  options: WriteOptions = {},
): Promise<PriceListImportView> {
  if (ctx.store.dialect === 'sqlite') return importPriceListDirectly(ctx, by, input, options);
  const staged = await stagePriceListImport(ctx, by, input);
  try {
    // The parser thread is done: its heap (tens of MB after a large file) goes back before
    // the publishing transaction, whose SQLite memory grows with the file, adds to the peak.
    // (The API keeps its worker warm for the next upload; it stages and publishes itself.)
    await endIdleWorker();
    return await publishPriceListImport(ctx, by, staged, options);
  } finally {
    await discardPriceListImport(ctx, staged);
  }
}

/** A price list read, checked and staged, not yet visible (publishPriceListImport shows it). */
export interface StagedPriceListImport {
  importId: string;
  vendorId: string;
  vendorSlug: string;
  currency: string;
  effectiveFrom: string;
  rows: number;
  sourceName: string | null;
  categories: CategoryLevel[][];
}

/** Batches of rows (2,500 each) read ahead of the one being written, on SQLite. */
const WRITES_QUEUED = 3;
/** Stagings older than this are an interrupted process's leftovers, swept by the next import. */
const STALE_STAGING_MS = 24 * 60 * 60 * 1000;
/** Distinct categories one price list may create or use. */
const MAX_CATEGORIES = 10_000;

/** The file of an upload on disk: a stream is spooled to a temporary file first. */
async function fileOf(
  source: PriceListImportInput['source'],
): Promise<{ path: string; cleanup: () => Promise<void> }> {
  if (!(source instanceof Readable)) return { path: source.path, cleanup: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'orderdesk-import-'));
  const path = join(dir, 'upload');
  try {
    await pipeline(source, createWriteStream(path));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { path, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Reads and checks a price-list file on a worker thread (within the upload limits: a file
 * past one is refused with 413 naming it) and writes its rows to the staging area in chunks,
 * each its own short write. Every bad row is reported (422, `errors[].path` like
 * `row 12/listPrice`, at most MAX_REPORTED_PROBLEMS listed) and the staging discarded; the
 * catalog is not touched. Access is checked first (vendor_admin, or the operator).
 */
export async function stagePriceListImport(
  ctx: AppContext,
  by: PriceListOperator,
  input: PriceListImportInput,
): Promise<StagedPriceListImport> {
  const db = ctx.store.db;
  const setting = await importSetting(ctx, by, input);
  const { vendor, profile, now, currency } = setting;
  await sweepStaleImportRuns(db, new Date(now.getTime() - STALE_STAGING_MS).toISOString());
  const importId = await createImportRun(db, {
    vendorId: vendor.id,
    kind: 'price_list',
    at: now.toISOString(),
  });
  const file = await fileOf(input.source).catch(async (error: unknown) => {
    await discardImportRun(db, importId);
    throw error;
  });
  try {
    const problems: ProblemItem[] = [];
    // Rows are written a few thousand at a time, each batch its own short statement, one at a
    // time: a batch is acknowledged before it is written, so the parser thread reads the next
    // one meanwhile, and it waits (backpressure) while the write before is still running.
    let pending: StagedPriceTuple[] = [];
    let writing: Promise<void> | undefined;
    const flush = async (): Promise<void> => {
      if (writing) await writing;
      const rows = pending;
      pending = [];
      writing = rows.length > 0 ? stagePriceRows(db, importId, rows) : undefined;
      // Awaited by the next flush or at the end; until then a failure must not go unhandled.
      writing?.catch(() => {});
    };
    const summary = await runWorkerTask<
      PriceListParseInput,
      PriceListParseBatch,
      PriceListParseSummary
    >({
      ...parseTask(file.path, input, setting),
      onMessage: async (batch) => {
        problems.push(...batch.problems);
        if (problems.length > 0) pending = [];
        else {
          for (const row of batch.rows) {
            row[2] = newId('prd');
            pending.push(row);
          }
          if (pending.length >= STAGING_BATCH_ROWS) await flush();
        }
        input.onProgress?.(batch.read.rows, batch.read.bytes);
      },
    }).finally(async () => {
      // Nothing is discarded, or published, while a write of it may still be running.
      await writing?.catch(() => {});
    });
    if (problems.length === 0) {
      await flush();
      await writing;
    }
    refuseUnlessClean(summary, problems);
    return {
      importId,
      vendorId: vendor.id,
      vendorSlug: vendor.slug,
      currency,
      effectiveFrom: input.effectiveFrom ?? summary.fileDate ?? todayForProfile(profile, now),
      rows: summary.rows,
      sourceName: input.sourceName ?? null,
      categories: summary.categories,
    };
  } catch (error) {
    await discardImportRun(db, importId);
    throw error;
  } finally {
    await file.cleanup();
  }
}

/** What an import is checked against: the vendor, its profile, the currency, the limits. */
interface ImportSetting {
  vendor: Vendor;
  profile: VendorProfile;
  now: Date;
  currency: string;
  limits: UploadLimits;
}

/** The vendor (access checked first: vendor_admin, or the operator), profile and currency. */
async function importSetting(
  ctx: AppContext,
  by: PriceListOperator,
  input: PriceListImportInput,
): Promise<ImportSetting> {
  const db = ctx.store.db;
  const vendor = await vendorToAdminister(db, by, input.vendor);
  const profile = await profileOfVendor(db, vendor);
  const now = ctx.now();
  const currency = input.currency ?? profile.currency;
  if (!isCurrencyCode(currency)) {
    throw unprocessable('Unknown currency', [
      { path: 'currency', code: 'invalid', message: `"${currency}" is not an ISO 4217 currency` },
    ]);
  }
  return { vendor, profile, now, currency, limits: input.limits ?? UPLOAD_LIMITS };
}

/** The parser thread's task for a file on disk. */
function parseTask(
  path: string,
  input: PriceListImportInput,
  setting: ImportSetting,
  options: { words?: boolean } = {},
): {
  task: URL;
  input: PriceListParseInput;
  timeBudgetMs: number;
  maxHeapMb: number;
} {
  return {
    task: siblingModule(import.meta.url, 'price-list-parse.worker'),
    input: {
      path,
      format: input.format,
      currency: setting.currency,
      types: setting.profile.productTypes ?? PRODUCT_TYPES,
      effectiveFromGiven: input.effectiveFrom !== undefined,
      limits: setting.limits,
      maxProblems: MAX_REPORTED_PROBLEMS,
      maxCategories: MAX_CATEGORIES,
      words: options.words ?? false,
    },
    timeBudgetMs: setting.limits.timeBudgetMs,
    maxHeapMb: setting.limits.maxWorkerHeapMb,
  };
}

/**
 * Throws the 422 of a file that cannot be imported: unreadable, without rows, or with bad rows
 * (each listed, at most MAX_REPORTED_PROBLEMS, the rest counted).
 */
function refuseUnlessClean(summary: PriceListParseSummary, problems: ProblemItem[]): void {
  if (summary.fileError !== undefined) throw unprocessable(summary.fileError, problems);
  if (summary.rows === 0 && summary.problems === 0) {
    throw unprocessable('The price list has no rows; nothing was imported', [
      { path: 'row 2', code: 'required', message: 'The file has no price rows' },
    ]);
  }
  if (summary.problems > 0) {
    const unlisted = summary.problems - problems.length;
    if (unlisted > 0) {
      problems.push({
        path: 'file',
        code: 'invalid',
        message: `${unlisted} more problem(s) not listed`,
      });
    }
    throw unprocessable(
      `The price list has ${summary.problems} problem(s); nothing was imported`,
      problems,
    );
  }
}

/**
 * The import on SQLite: one transaction (the write lock held from the start) in which the rows
 * go into the catalog as the parser thread reads them — categories, products, items, word
 * index (PriceRowWriter) — and the price list's row count and date are set at the end. At the
 * first problem the writes stop, every row is still checked and every problem reported, and
 * the transaction rolls back: nothing is written. No staging, no copy of each row, no discard;
 * the writes overlap the reading (one batch written while the next is read).
 */
async function importPriceListDirectly(
  ctx: AppContext,
  by: PriceListOperator,
  input: PriceListImportInput,
  options: WriteOptions,
): Promise<PriceListImportView> {
  // The parser thread starts (and loads its modules) while the vendor, its profile and the
  // price list's row are read and written here; the file's task then finds it idle.
  // (The CLI's entry may have started it already: then this finds it idle, or waits for it.)
  const warm = warmPriceListParser(input.limits ?? UPLOAD_LIMITS);
  const setting = await importSetting(ctx, by, input).catch(async (error: unknown) => {
    await warm;
    throw error;
  });
  const { vendor, profile, now, currency } = setting;
  const at = now.toISOString();
  const eventActor = eventActorOfOperator(by);
  const file = await fileOf(input.source).catch(async (error: unknown) => {
    await warm;
    throw error;
  });
  try {
    // Its own transaction: statement journals in memory while rows are written (see
    // inImportTransaction); in the caller's, as it is.
    const transaction = <T>(work: (tx: Executor) => Promise<T>): Promise<T> =>
      options.tx ? work(options.tx) : inImportTransaction(ctx.store.db, work);
    return await transaction(async (tx) => {
      const priceList = await insertPriceList(tx, {
        vendorId: vendor.id,
        currency,
        version: await nextPriceListVersion(tx, vendor.id, currency),
        // Both set again at the end, from what the file said.
        effectiveFrom: input.effectiveFrom ?? todayForProfile(profile, now),
        rowCount: 0,
        sourceName: input.sourceName ?? null,
        createdBy: eventActor.label,
        at,
      });
      const writer = await PriceRowWriter.start(tx, {
        vendorId: vendor.id,
        priceListId: priceList.id,
        at,
      });
      const categoryIds = new Map<string, string>();
      const categoryIdOf = (key: string): string | undefined => categoryIds.get(key);
      const problems: ProblemItem[] = [];
      // The batches are written one after the other while the parser thread reads on: a batch
      // is acknowledged (so the thread goes on) once it is queued, with at most WRITES_QUEUED
      // queued — so the thread keeps reading through a long write (every 10,000 products the
      // word index's), and memory stays bounded.
      let writing: Promise<void> = Promise.resolve();
      const queued: Promise<void>[] = [];
      const write = async (batch: PriceListParseBatch): Promise<void> => {
        for (const path of batch.categories) {
          const leaf = path.at(-1);
          if (leaf)
            categoryIds.set(leaf.key, (await ensureCategoryPath(tx, vendor.id, path, at)).id);
        }
        await writer.write(batch.rows, categoryIdOf, batch.words);
      };
      await warm;
      const summary = await runWorkerTask<
        PriceListParseInput,
        PriceListParseBatch,
        PriceListParseSummary
      >({
        ...parseTask(file.path, input, setting, { words: true }),
        onMessage: async (batch) => {
          problems.push(...batch.problems);
          if (problems.length === 0) {
            if (queued.length >= WRITES_QUEUED) await queued.shift();
            writing = writing.then(() => write(batch));
            // Awaited later or at the end; until then a failure must not go unhandled.
            writing.catch(() => {});
            queued.push(writing);
          }
          input.onProgress?.(batch.read.rows, batch.read.bytes);
        },
      }).finally(async () => {
        // Nothing is rolled back while a write of it may still be running.
        await writing.catch(() => {});
      });
      if (problems.length === 0) await writing;
      refuseUnlessClean(summary, problems);
      // The parser thread is done: its heap goes back before the word index is built.
      await endIdleWorker();
      const saved = await writer.finish();
      const effectiveFrom =
        input.effectiveFrom ?? summary.fileDate ?? todayForProfile(profile, now);
      await completePriceList(tx, priceList.id, { rowCount: summary.rows, effectiveFrom });
      await recordEvent(tx, {
        type: 'price_list.imported',
        entityId: priceList.id,
        vendorId: vendor.id,
        partnerId: null,
        actor: eventActor,
        at,
        data: { priceListId: priceList.id, currency, effectiveFrom, rows: summary.rows },
      });
      return {
        ...toPriceListView(
          { ...priceList, row_count: summary.rows, effective_from: effectiveFrom },
          vendor.slug,
        ),
        productsCreated: saved.created,
        productsUpdated: saved.updated,
      };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw conflict(
      'Another price list for this vendor and currency was imported at the same time; retry',
    );
  } finally {
    await file.cleanup();
  }
}

/**
 * Makes a staged price list visible in one short transaction (the caller's, if given): its
 * categories, the price list (the next version), the products it creates or changes and its
 * items, with three set-based statements whatever its size; records `price_list.imported`.
 * A lost race for the version number is a 409.
 */
export async function publishPriceListImport(
  ctx: AppContext,
  by: PriceListOperator,
  staged: StagedPriceListImport,
  options: WriteOptions = {},
): Promise<PriceListImportView> {
  const at = ctx.now().toISOString();
  const eventActor = eventActorOfOperator(by);
  try {
    return await inTransaction(ctx, options, async (tx) => {
      if (!(await findImportRun(tx, staged.vendorId, staged.importId)))
        throw notFound('Staged import');
      for (const path of staged.categories) await ensureCategoryPath(tx, staged.vendorId, path, at);
      const priceList = await insertPriceList(tx, {
        vendorId: staged.vendorId,
        currency: staged.currency,
        version: await nextPriceListVersion(tx, staged.vendorId, staged.currency),
        effectiveFrom: staged.effectiveFrom,
        rowCount: staged.rows,
        sourceName: staged.sourceName,
        createdBy: eventActor.label,
        at,
      });
      const saved = await publishStagedPriceRows(tx, {
        importId: staged.importId,
        vendorId: staged.vendorId,
        priceListId: priceList.id,
        at,
      });
      await recordEvent(tx, {
        type: 'price_list.imported',
        entityId: priceList.id,
        vendorId: staged.vendorId,
        partnerId: null,
        actor: eventActor,
        at,
        data: {
          priceListId: priceList.id,
          currency: staged.currency,
          effectiveFrom: staged.effectiveFrom,
          rows: staged.rows,
        },
      });
      return {
        ...toPriceListView(priceList, staged.vendorSlug),
        productsCreated: saved.created,
        productsUpdated: saved.updated,
      };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw conflict(
      'Another price list for this vendor and currency was imported at the same time; retry',
    );
  }
}

/** Deletes a staging (in short chunks); call after publishing, or to abandon it. */
export async function discardPriceListImport(
  ctx: AppContext,
  staged: Pick<StagedPriceListImport, 'importId'>,
): Promise<void> {
  await discardImportRun(ctx.store.db, staged.importId);
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
