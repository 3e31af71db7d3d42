import { checkCategoryMultiplier, type VendorProfile } from '@orderdesk/core';
import {
  findCategoryByKey,
  findMultiplier,
  insertMultiplier,
  listMultipliers,
  updateMultiplierEnd,
  type Executor,
  type MultiplierRuleRow,
  type PartnershipRow,
} from '@orderdesk/store';
import { z } from 'zod';
import { requireAccess, type VendorAccess } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { eventActorOf, recordEvent } from '../events/record-event.ts';
import { findVisiblePartnership, profileReader } from '../partnerships/partnerships.service.ts';
import { partnershipVisibility } from '../partnerships/price-visibility.ts';
import { conflict, forbidden, notFound, unprocessable } from '../shared/errors.ts';
import { decodeCursor, pageOf, type PageQuery } from '../shared/paging.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import type {
  multiplierBodySchema,
  multiplierListSchema,
  multiplierPatchSchema,
  multiplierSchema,
} from './prices.schemas.ts';

export type MultiplierView = z.infer<typeof multiplierSchema>;
export type MultiplierListView = z.infer<typeof multiplierListSchema>;
export type MultiplierInput = z.infer<typeof multiplierBodySchema>;
export type MultiplierEndInput = z.infer<typeof multiplierPatchSchema>;

function toMultiplierView(row: MultiplierRuleRow): MultiplierView {
  return {
    id: row.id,
    category: row.category,
    multiplier: row.multiplier,
    effectiveFrom: row.effectiveFrom,
    effectiveTo: row.effectiveTo,
  };
}

/** Multiplier rules are set and ended (setMultiplier, endMultiplier) by the vendor admin. */
export const MULTIPLIER_ADMIN_ACCESS: VendorAccess = { vendor: ['vendor_admin'] };

/** A partnership of the caller's vendor, for a vendor admin (404 if not visible, 403 if not admin), with its profile. */
async function administeredPartnership(
  db: Executor,
  actor: Actor,
  id: string,
): Promise<{ row: PartnershipRow; profile: VendorProfile }> {
  const row = await findVisiblePartnership(db, actor, id);
  requireAccess(actor, MULTIPLIER_ADMIN_ACCESS);
  return { row, profile: await profileReader(db)(row.vendor_id) };
}

const multiplierCursorSchema = z.object({ effectiveFrom: z.string(), id: z.string() });

/**
 * The partnership's default multiplier and its rules, past, present and future, a page of rules
 * at a time. Vendor staff and the partner itself (where the profile lets partners see
 * multipliers); never a tier-2 reseller, for whom these are its distributor's buy prices (403).
 */

export async function getMultipliers(
  ctx: AppContext,
  actor: Actor,
  partnershipId: string,
  query: PageQuery,
): Promise<MultiplierListView> {
  const db = ctx.store.db;
  const row = await findVisiblePartnership(db, actor, partnershipId);
  const profile = await profileReader(db)(row.vendor_id);
  if (!partnershipVisibility(profile, actor, row).multipliers) {
    throw forbidden(
      actor.partnerId === row.partner_id
        ? `${profile.name} does not show partners their multipliers; ask your CAM`
        : "A reseller does not see its distributor's multipliers",
    );
  }
  const rules = await listMultipliers(db, row.id, {
    limit: query.limit + 1,
    after: decodeCursor(query.cursor, multiplierCursorSchema),
  });
  return {
    partnershipId: row.id,
    vendor: row.vendor_slug,
    partner: { id: row.partner_id, name: row.partner_name },
    default: row.multiplier,
    ...pageOf(
      rules,
      query.limit,
      (last) => ({ effectiveFrom: last.effectiveFrom, id: last.id }),
      toMultiplierView,
    ),
  };
}

function checkDates(effectiveFrom: string, effectiveTo: string | null): void {
  if (effectiveTo !== null && effectiveTo < effectiveFrom) {
    throw unprocessable('The multiplier would end before it starts', [
      {
        path: 'effectiveTo',
        code: 'invalid',
        message: `effectiveTo ${effectiveTo} is before effectiveFrom ${effectiveFrom}`,
      },
    ]);
  }
}

/**
 * Adds a multiplier rule (vendor admin). Rules may overlap: where several of one category are
 * in force, the latest start wins (core's resolveMultiplier), so a new rule supersedes an
 * open-ended one from its start. Two rules of one category starting the same day are refused,
 * and so is any category rule where the profile says `pricing.multipliersPerCategory: false`.
 * Records `multiplier.set`.
 */
export async function setMultiplier(
  ctx: AppContext,
  actor: Actor,
  input: { partnershipId: string; rule: MultiplierInput },
  options: WriteOptions = {},
): Promise<MultiplierView> {
  const { rule } = input;
  return inTransaction(ctx, options, async (tx) => {
    const { row, profile } = await administeredPartnership(tx, actor, input.partnershipId);
    const refused = checkCategoryMultiplier(profile, { categoryId: rule.category }, 'category');
    if (refused) {
      throw unprocessable('This vendor sets one multiplier per partner', [
        { path: refused.path, code: refused.code, message: refused.message },
      ]);
    }
    checkDates(rule.effectiveFrom, rule.effectiveTo);
    let categoryId: string | null = null;
    if (rule.category !== null) {
      const category = await findCategoryByKey(tx, row.vendor_id, rule.category);
      if (!category) {
        throw unprocessable('Unknown category', [
          { path: 'category', code: 'invalid', message: `No category "${rule.category}"` },
        ]);
      }
      categoryId = category.id;
    }
    const clash = (await listMultipliers(tx, row.id)).find(
      (m) => m.categoryId === categoryId && m.effectiveFrom === rule.effectiveFrom,
    );
    if (clash) {
      throw conflict('A multiplier for this category already starts that day', [
        {
          path: 'effectiveFrom',
          code: 'multiplier.overlap',
          message: `Rule ${clash.id} (${clash.multiplier}) starts on ${clash.effectiveFrom}; end or replace it`,
        },
      ]);
    }
    const at = ctx.now().toISOString();
    const id = await insertMultiplier(tx, {
      partnershipId: row.id,
      categoryId,
      multiplier: rule.multiplier,
      effectiveFrom: rule.effectiveFrom,
      effectiveTo: rule.effectiveTo,
      createdBy: actor.email,
      at,
    });
    await recordEvent(tx, {
      type: 'multiplier.set',
      entityId: row.id,
      vendorId: row.vendor_id,
      partnerId: row.partner_id,
      actor: eventActorOf(actor),
      at,
      data: {
        partnershipId: row.id,
        categoryId,
        multiplier: rule.multiplier,
        effectiveFrom: rule.effectiveFrom,
      },
    });
    const created = await findMultiplier(tx, row.id, id);
    if (!created) throw notFound('Multiplier');
    return toMultiplierView(created);
  });
}

/** Ends (or reopens) a multiplier rule (vendor admin); its start and value never change. Records `multiplier.ended`. */
export async function endMultiplier(
  ctx: AppContext,
  actor: Actor,
  input: { partnershipId: string; multiplierId: string; end: MultiplierEndInput },
  options: WriteOptions = {},
): Promise<MultiplierView> {
  const { effectiveTo } = input.end;
  return inTransaction(ctx, options, async (tx) => {
    const { row } = await administeredPartnership(tx, actor, input.partnershipId);
    const rule = await findMultiplier(tx, row.id, input.multiplierId);
    if (!rule) throw notFound('Multiplier');
    checkDates(rule.effectiveFrom, effectiveTo);
    const at = ctx.now().toISOString();
    await updateMultiplierEnd(tx, rule.id, effectiveTo, at);
    await recordEvent(tx, {
      type: 'multiplier.ended',
      entityId: row.id,
      vendorId: row.vendor_id,
      partnerId: row.partner_id,
      actor: eventActorOf(actor),
      at,
      data: { partnershipId: row.id, multiplierId: rule.id, effectiveTo },
    });
    return toMultiplierView({ ...rule, effectiveTo });
  });
}
