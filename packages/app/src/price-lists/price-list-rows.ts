import { PRODUCT_TYPES, parseAmount, type ProductType } from '@orderdesk/core';
import type { StagedPriceTuple } from '@orderdesk/store';
import { z } from 'zod';
import { BILLING_TERM, PART_NUMBER } from '../catalog/catalog.schemas.ts';
import { categoryPath } from '../catalog/category-path.ts';
import type { PriceListRow } from '../documents/price-list-import.ts';
import type { ProblemItem } from '../shared/errors.ts';
import type { PartNumberIndex } from './part-number-index.ts';

// The checks of one price-list row, run on the import's worker thread
// (price-list-parse.worker.ts): each problem names `row N/column`; a good row comes out as
// the values to stage (store/import-staging.repository.ts), as a tuple in the staging
// table's column order: a 100,000-row file's rows cross to the main thread and become JSON
// parameters, and a tuple is a third of an object's cost both ways.

/**
 * A checked row as staged, its product id still empty: the main thread gives it the id a new
 * product would get (ids come from the store, which the parser thread does not load).
 */
export type PriceRowDraft = StagedPriceTuple;

/** One level of a category path (`{ key: 'hardware.gateways', name: 'Gateways' }`). */
export interface CategoryLevel {
  key: string;
  name: string;
}

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

/** A row that passed the checks: what is staged, its category path, its effective date. */
export interface CheckedPriceRow {
  row: PriceRowDraft;
  categoryPath: CategoryLevel[] | null;
  effectiveFrom: string | undefined;
}

/** Checks one row; returns its problems (each naming `row N/column`) or the checked values. */
export function checkPriceRow(
  { row, values }: PriceListRow,
  rules: { currency: string; types: readonly ProductType[] },
  partNumbers: PartNumberIndex,
): CheckedPriceRow | ProblemItem[] {
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
    const first = partNumbers.firstRowOrAdd(partNumber, row);
    if (first !== undefined)
      add('partNumber', 'duplicate', `${partNumber} is also on row ${first}`);
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
  const path = categoryText === null ? null : categoryPathOf(categoryText);
  if (categoryText !== null && path === null) {
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
  return {
    row: [
      row,
      partNumber,
      '',
      name,
      type,
      path?.at(-1)?.key ?? null,
      description ?? null,
      billingTerm ?? null,
      ships === undefined ? null : ships ? 1 : 0,
      type === 'device' || type === 'kit' ? 1 : 0,
      listPriceMinor,
    ],
    categoryPath: path,
    effectiveFrom,
  };
}

/** Category texts read so far and their paths: a price list names a few categories many times. */
const pathsOfText = new Map<string, CategoryLevel[] | null>();
const MAX_REMEMBERED_PATHS = 10_000;

/** The path a category text names (null if none), remembered for the next row (read-only). */
function categoryPathOf(text: string): CategoryLevel[] | null {
  let path = pathsOfText.get(text);
  if (path === undefined) {
    const own = detached(text);
    path = own.length > 200 ? null : categoryPath(own);
    if (pathsOfText.size >= MAX_REMEMBERED_PATHS) pathsOfText.clear();
    pathsOfText.set(own, path);
  }
  return path;
}

/**
 * A copy of `text` that keeps no larger string alive. V8 makes a substring of 13 or more
 * characters a view into its parent, and the XLSX reader's cell texts are substrings of a
 * 64 KB chunk of XML: a category text kept in pathsOfText would keep its chunk (the part
 * numbers did, +70 MB by the end of a 100,000-row sheet, when the duplicate check kept them
 * as strings). Concatenating flattens into a new string; the slice then refers to that copy
 * only.
 */
function detached(text: string): string {
  return text.length < 13 ? text : ` ${text}`.slice(1);
}
