import { PRODUCT_TYPES, parseAmount, type ProductType } from '@orderdesk/core';
import type { StagedPriceRow } from '@orderdesk/store';
import { z } from 'zod';
import { BILLING_TERM, PART_NUMBER } from '../catalog/catalog.schemas.ts';
import { categoryPath } from '../catalog/category-path.ts';
import type { PriceListRow } from '../documents/price-list-import.ts';
import type { ProblemItem } from '../shared/errors.ts';

// The checks of one price-list row, run on the import's worker thread
// (price-list-parse.worker.ts): each problem names `row N/column`; a good row comes out as
// the values to stage (store/import-staging.repository.ts).

/** A checked row as staged, before the main thread gives it the id a new product would get. */
export type PriceRowDraft = Omit<StagedPriceRow, 'productId'>;

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
  firstRowOf: Map<string, number>,
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
  const path = categoryText === null ? null : categoryPath(categoryText);
  return {
    row: {
      rowNumber: row,
      partNumber,
      name,
      type,
      categoryKey: path?.at(-1)?.key ?? null,
      description: description ?? null,
      billingTerm: billingTerm ?? null,
      ships: ships ?? null,
      shipsNew: type === 'device' || type === 'kit',
      listPriceMinor,
    },
    categoryPath: path,
    effectiveFrom,
  };
}
