import { createReadStream } from 'node:fs';
import type { ProductType } from '@orderdesk/core';
import type { TokenizedProducts } from '@orderdesk/store';
import {
  PriceListFileError,
  readPriceListRows,
  type PriceListFormat,
} from '../documents/price-list-import.ts';
import type { ProblemItem } from '../shared/errors.ts';
import type { UploadLimits } from '../shared/uploads/upload-limits.ts';
import type { WorkerChannel } from '../shared/uploads/worker-runner.ts';
import { PartNumberIndex } from './part-number-index.ts';
import { checkPriceRow, type CategoryLevel, type PriceRowDraft } from './price-list-rows.ts';
import { wordsOfRows } from './price-list-words.ts';

// Reads and checks a price-list file on a worker thread (runWorkerTask): the main thread only
// writes the batches this sends (to the staging area, or on SQLite from the CLI straight into
// the catalog), so its event loop stays free for other requests. A batch goes out every
// BATCH_ROWS rows read, good or bad, so progress is reported while a wholly wrong file is being
// refused too. The main thread acknowledges a batch before it writes it, so this thread reads
// on while the insert runs. After the first problem no more rows are sent (nothing will be
// published) but every row is still checked and its problems reported. When the input asks
// (`words`: the CLI's import on SQLite), a batch also carries its rows' words for the word
// index (price-list-words.ts), found here so that the thread writing the catalog only inserts.

export interface PriceListParseInput {
  path: string;
  format: PriceListFormat;
  currency: string;
  types: readonly ProductType[];
  /** Whether the caller set the date: then the file's effectiveFrom column is not compared. */
  effectiveFromGiven: boolean;
  limits: UploadLimits;
  /** Problems listed at most; the rest are counted. */
  maxProblems: number;
  /** Distinct categories at most. */
  maxCategories: number;
  /** Whether each batch carries its rows' words (the CLI's import on SQLite indexes them). */
  words?: boolean;
}

export interface PriceListParseBatch {
  rows: PriceRowDraft[];
  /** The words of the rows' names and descriptions, when the input asks for them. */
  words?: TokenizedProducts;
  problems: ProblemItem[];
  /** The category paths first used by this batch's rows (by leaf key), before the rows. */
  categories: CategoryLevel[][];
  /** Rows read and bytes of the file consumed so far. */
  read: { rows: number; bytes: number };
}

export interface PriceListParseSummary {
  rows: number;
  bytes: number;
  /** The file's one effectiveFrom, if its rows carry one. */
  fileDate: string | undefined;
  /** The category paths the rows use, by leaf key. */
  categories: CategoryLevel[][];
  problems: number;
  /** Set when the file cannot be read as a price list at all (its problems were sent). */
  fileError: string | undefined;
}

/**
 * A task that only loads this module on a worker thread, which then waits idle for the file's
 * task (runWorkerTask reuses it): the CLI's import starts it first, so the thread's start-up
 * runs beside the main thread's own (vendor, profile, price list row).
 */
export interface PriceListParseWarmUp {
  warmUp: true;
}

const BATCH_ROWS = 2500;

export default async function parsePriceList(
  input: PriceListParseInput | PriceListParseWarmUp,
  channel: WorkerChannel<PriceListParseBatch>,
): Promise<PriceListParseSummary> {
  if ('warmUp' in input) {
    return {
      rows: 0,
      bytes: 0,
      fileDate: undefined,
      categories: [],
      problems: 0,
      fileError: undefined,
    };
  }
  const rules = { currency: input.currency, types: input.types };
  const partNumbers = new PartNumberIndex();
  const categories = new Map<string, CategoryLevel[]>();
  let fileDate: { date: string; row: number } | undefined;
  let rows = 0;
  let bytes = 0;
  let problems = 0;
  let listed = 0;
  let batch: PriceRowDraft[] = [];
  let batchProblems: ProblemItem[] = [];
  let batchCategories: CategoryLevel[][] = [];
  let sinceFlush = 0;

  const report = (items: readonly ProblemItem[]): void => {
    for (const item of items) {
      problems++;
      if (listed < input.maxProblems) {
        batchProblems.push(item);
        listed++;
      }
    }
  };
  const flush = async (): Promise<void> => {
    const out: PriceListParseBatch = {
      rows: batch,
      ...(input.words === true && batch.length > 0 ? { words: wordsOfRows(batch) } : {}),
      problems: batchProblems,
      categories: batchCategories,
      read: { rows, bytes },
    };
    batch = [];
    batchProblems = [];
    batchCategories = [];
    sinceFlush = 0;
    await channel.send(out);
  };

  const source =
    input.format === 'csv'
      ? createReadStream(input.path, { highWaterMark: 256 * 1024 })
      : { path: input.path };
  let fileError: string | undefined;
  try {
    for await (const row of readPriceListRows(source, input.format, {
      limits: input.limits,
      onProgress: (b) => {
        bytes = b;
      },
    })) {
      rows++;
      sinceFlush++;
      const checked = checkPriceRow(row, rules, partNumbers);
      if (Array.isArray(checked)) report(checked);
      else if (
        checked.effectiveFrom !== undefined &&
        !input.effectiveFromGiven &&
        fileDate !== undefined &&
        checked.effectiveFrom !== fileDate.date
      ) {
        report([
          {
            path: `row ${row.row}/effectiveFrom`,
            code: 'invalid',
            message: `One price list has one date: ${checked.effectiveFrom} differs from ${fileDate.date} (row ${fileDate.row})`,
          },
        ]);
      } else {
        if (checked.effectiveFrom !== undefined && fileDate === undefined) {
          fileDate = { date: checked.effectiveFrom, row: row.row };
        }
        const leaf = checked.categoryPath?.at(-1);
        if (checked.categoryPath && leaf && !categories.has(leaf.key)) {
          if (categories.size >= input.maxCategories) {
            report([
              {
                path: `row ${row.row}/category`,
                code: 'invalid',
                message: `A price list may use at most ${input.maxCategories} categories`,
              },
            ]);
            continue;
          }
          categories.set(leaf.key, checked.categoryPath);
          batchCategories.push(checked.categoryPath);
        }
        if (problems === 0) batch.push(checked.row);
      }
      if (sinceFlush >= BATCH_ROWS || batchProblems.length >= 100) await flush();
    }
  } catch (error) {
    if (!(error instanceof PriceListFileError)) throw error;
    report(error.problems);
    fileError = error.message;
  }
  await flush();
  return {
    rows,
    bytes,
    fileDate: fileDate?.date,
    categories: [...categories.values()],
    problems,
    fileError,
  };
}
