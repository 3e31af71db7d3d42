import { categoryMultipliersApply, explainPrice, resolveMultiplier } from '@orderdesk/core';
import {
  findMultipliers,
  findPartnership,
  findPricesInForce,
  type Executor,
  type Partnership,
} from '@orderdesk/store';
import type { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { PART_NUMBER } from '../catalog/catalog.schemas.ts';
import { findVendorToRead } from '../catalog/catalog.service.ts';
import { partnershipVisibility } from '../partnerships/price-visibility.ts';
import { todayForProfile } from '../price-lists/price-lists.service.ts';
import { invalidInput, notFound, unprocessable, type ProblemItem } from '../shared/errors.ts';
import { profileOfVendor } from '../vendors/profile-cache.ts';
import { contractingPartnerId } from '../vendors/vendor-scope.ts';
import { MAX_PRICED_PART_NUMBERS, type priceQuery, type pricesSchema } from './prices.schemas.ts';

export type PricesView = z.infer<typeof pricesSchema>;
export type PriceQuery = z.infer<typeof priceQuery>;

/** The distinct part numbers of a comma-separated list, in order; 400 on a malformed one. */
export function parsePartNumbers(text: string): string[] {
  const list = [...new Set(text.split(',').map((p) => p.trim()))];
  const problems: ProblemItem[] = [];
  list.forEach((p, i) => {
    if (!PART_NUMBER.test(p)) {
      problems.push({
        path: `partNumbers[${i}]`,
        code: 'invalid',
        message: p === '' ? 'Empty part number' : `"${p.slice(0, 70)}" is not a part number`,
      });
    }
  });
  if (list.length > MAX_PRICED_PART_NUMBERS) {
    problems.push({
      path: 'partNumbers',
      code: 'invalid',
      message: `At most ${MAX_PRICED_PART_NUMBERS} part numbers per request`,
    });
  }
  if (problems.length > 0) throw invalidInput('Invalid partNumbers', problems);
  return list;
}

/** The partnership a price request is for: the caller's (a tier-2's distributor's), or for staff the named partner's. */
async function pricingPartnership(
  db: Executor,
  actor: Actor,
  vendorId: string,
  partnerId: string | undefined,
): Promise<Partnership> {
  if (actor.side === 'partner') {
    if (partnerId !== undefined) {
      throw invalidInput('Partners price for themselves', [
        { path: 'partnerId', code: 'invalid', message: 'Only vendor staff may name a partner' },
      ]);
    }
    const own = contractingPartnerId(actor);
    const partnership = own ? await findPartnership(db, vendorId, own) : undefined;
    if (!partnership) throw notFound('Vendor');
    return partnership;
  }
  if (partnerId === undefined) {
    throw invalidInput('Name the partner to price for', [
      { path: 'partnerId', code: 'required', message: 'Vendor staff must pass partnerId' },
    ]);
  }
  const partnership = await findPartnership(db, vendorId, partnerId);
  if (!partnership) throw notFound('Partner');
  return partnership;
}

/**
 * Prices part numbers for a partner on a date: list price from the price list in force, the
 * partner's multiplier for the product's category (core's rule; category rules only where the
 * profile says `pricing.multipliersPerCategory`), and the net unit price rounded by the
 * profile's `pricing.rounding`. Unknown or unpriced part numbers fail the whole request with a
 * `part_number.unknown` problem each (422), as order validation reports them.
 *
 * What the caller sees follows `partnershipVisibility`: list price and multiplier are null
 * for partners of a vendor whose profile says `pricing.partnerVisible: false` (they get the
 * net prices they pay), and the multiplier is always null for a tier-2 reseller, who buys at
 * its distributor's net prices but must not learn its distributor's multiplier.
 */
export async function priceParts(
  ctx: AppContext,
  actor: Actor,
  query: PriceQuery,
): Promise<PricesView> {
  const db = ctx.store.db;
  const vendor = await findVendorToRead(db, actor, query.vendor);
  const partNumbers = parsePartNumbers(query.partNumbers);
  const partnership = await pricingPartnership(db, actor, vendor.id, query.partnerId);
  const profile = await profileOfVendor(db, vendor);
  const seen = partnershipVisibility(profile, actor, partnership);
  const currency = query.currency ?? profile.currency;
  const on = query.on ?? todayForProfile(profile, ctx.now());
  const [prices, allRules] = await Promise.all([
    findPricesInForce(db, { vendorId: vendor.id, currency, partNumbers, on }),
    findMultipliers(db, partnership.id, on),
  ]);
  const rules = categoryMultipliersApply(profile)
    ? allRules
    : allRules.filter((r) => r.categoryId === null);
  const byPartNumber = new Map(prices.map((p) => [p.partNumber, p]));
  const problems: ProblemItem[] = [];
  const items: PricesView['items'] = [];
  partNumbers.forEach((partNumber, i) => {
    const entry = byPartNumber.get(partNumber);
    if (!entry || entry.listPriceMinor === null) {
      problems.push({
        path: `partNumbers[${i}]`,
        code: 'part_number.unknown',
        message: entry
          ? `${partNumber} has no ${currency} price on ${on}`
          : `${partNumber} is not in the ${vendor.slug} catalog`,
      });
      return;
    }
    const multiplier = resolveMultiplier(rules, {
      categoryId: entry.categoryId,
      categoryAncestorIds: entry.categoryAncestorIds,
      on,
      defaultMultiplier: partnership.multiplier,
    });
    const price = explainPrice({
      partNumber,
      listPriceMinor: entry.listPriceMinor,
      multiplier,
      currency,
      rounding: profile.pricing.rounding,
    });
    items.push({
      partNumber,
      name: entry.name,
      category: entry.category,
      active: entry.active,
      listPrice: seen.listPrices ? price.listPrice : null,
      multiplier: seen.multipliers ? price.multiplier : null,
      netPrice: price.netPrice,
    });
  });
  if (problems.length > 0) {
    throw unprocessable(`${problems.length} part number(s) cannot be priced`, problems);
  }
  return {
    vendor: vendor.slug,
    partnerId: partnership.partner_id,
    currency,
    on,
    priceListId: prices.find((p) => p.priceListId !== null)?.priceListId ?? null,
    items,
  };
}
