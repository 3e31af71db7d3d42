import {
  findCategoryByKey,
  findMultiplier,
  insertAuditEvent,
  insertMultiplier,
  listMultipliers,
  updateMultiplierEnd,
  type Executor,
  type MultiplierRuleRow,
  type PartnershipRow,
} from '@orderdesk/store';
import type { z } from 'zod';
import { requireVendorStaff, type Actor } from '../auth/actor.ts';
import { conflict, notFound, unprocessable } from '../shared/errors.ts';
import { listVisiblePartnerships } from '../partnerships/partnerships.service.ts';
import type {
  multiplierBodySchema,
  multiplierListSchema,
  multiplierPatchSchema,
  multiplierSchema,
} from './prices.schemas.ts';

export type MultiplierView = z.infer<typeof multiplierSchema>;
export type MultiplierListView = z.infer<typeof multiplierListSchema>;

function toMultiplierView(row: MultiplierRuleRow): MultiplierView {
  return {
    id: row.id,
    category: row.category,
    multiplier: row.multiplier,
    effectiveFrom: row.effectiveFrom,
    effectiveTo: row.effectiveTo,
  };
}

/** A partnership the caller may see (its partner's, or its vendor's); 404 otherwise. */
async function visiblePartnership(db: Executor, actor: Actor, id: string): Promise<PartnershipRow> {
  const row = (await listVisiblePartnerships(db, actor)).find((p) => p.id === id);
  if (!row) throw notFound('Partnership');
  return row;
}

/** A partnership of the caller's vendor, for a vendor admin: 404 if not visible, 403 if not admin. */
async function administeredPartnership(
  db: Executor,
  actor: Actor,
  id: string,
): Promise<PartnershipRow> {
  const row = await visiblePartnership(db, actor, id);
  requireVendorStaff(actor, ['vendor_admin']);
  return row;
}

/** The partnership's default multiplier and its rules, past, present and future. */
export async function getMultipliers(
  db: Executor,
  actor: Actor,
  partnershipId: string,
): Promise<MultiplierListView> {
  const row = await visiblePartnership(db, actor, partnershipId);
  return {
    partnershipId: row.id,
    vendor: row.vendor_slug,
    partner: { id: row.partner_id, name: row.partner_name },
    default: row.multiplier,
    items: (await listMultipliers(db, row.id)).map(toMultiplierView),
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
 * open-ended one from its start. Two rules of one category starting the same day are refused.
 */
export async function addMultiplier(
  db: Executor,
  actor: Actor,
  partnershipId: string,
  body: z.infer<typeof multiplierBodySchema>,
): Promise<MultiplierView> {
  const row = await administeredPartnership(db, actor, partnershipId);
  checkDates(body.effectiveFrom, body.effectiveTo);
  let categoryId: string | null = null;
  if (body.category !== null) {
    const category = await findCategoryByKey(db, row.vendor_id, body.category);
    if (!category) {
      throw unprocessable('Unknown category', [
        { path: 'category', code: 'invalid', message: `No category "${body.category}"` },
      ]);
    }
    categoryId = category.id;
  }
  const clash = (await listMultipliers(db, row.id)).find(
    (m) => m.categoryId === categoryId && m.effectiveFrom === body.effectiveFrom,
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
  const id = await insertMultiplier(db, {
    partnershipId: row.id,
    categoryId,
    multiplier: body.multiplier,
    effectiveFrom: body.effectiveFrom,
    effectiveTo: body.effectiveTo,
    createdBy: actor.email,
  });
  await insertAuditEvent(db, {
    vendorId: row.vendor_id,
    partnerId: row.partner_id,
    entityType: 'partnership',
    entityId: row.id,
    type: 'multiplier.added',
    actorUserId: actor.userId,
    actorLabel: actor.email,
    data: { id, ...body },
  });
  const created = await findMultiplier(db, row.id, id);
  if (!created) throw notFound('Multiplier');
  return toMultiplierView(created);
}

/** Ends (or reopens) a multiplier rule (vendor admin); its start and value never change. */
export async function endMultiplier(
  db: Executor,
  actor: Actor,
  partnershipId: string,
  multiplierId: string,
  patch: z.infer<typeof multiplierPatchSchema>,
): Promise<MultiplierView> {
  const row = await administeredPartnership(db, actor, partnershipId);
  const rule = await findMultiplier(db, row.id, multiplierId);
  if (!rule) throw notFound('Multiplier');
  checkDates(rule.effectiveFrom, patch.effectiveTo);
  await updateMultiplierEnd(db, rule.id, patch.effectiveTo);
  await insertAuditEvent(db, {
    vendorId: row.vendor_id,
    partnerId: row.partner_id,
    entityType: 'partnership',
    entityId: row.id,
    type: 'multiplier.updated',
    actorUserId: actor.userId,
    actorLabel: actor.email,
    data: { id: rule.id, ...patch },
  });
  return toMultiplierView({ ...rule, effectiveTo: patch.effectiveTo });
}
