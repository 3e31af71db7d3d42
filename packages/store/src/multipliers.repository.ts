import type { Executor } from './executor.ts';
import { newId } from './ids.ts';
import type { PartnershipMultiplier } from './schema.ts';
import { prepared } from './prepared-query.ts';

// Price multipliers of a partnership beyond its default (partnerships.multiplier): for the
// whole catalog or one category (and the categories below it), each for a span of dates.
// effective_from and effective_to are inclusive ISO dates; a null effective_to is open-ended.

/** A multiplier rule in force on a date (the shape core's pricing takes). */
export interface MultiplierRuleRow {
  id: string;
  categoryId: string | null;
  category: string | null;
  multiplier: string;
  effectiveFrom: string;
  effectiveTo: string | null;
}

function toRule(r: PartnershipMultiplier & { category_key: string | null }): MultiplierRuleRow {
  return {
    id: r.id,
    categoryId: r.category_id,
    category: r.category_key,
    multiplier: r.multiplier,
    effectiveFrom: r.effective_from,
    effectiveTo: r.effective_to,
  };
}

function selectRules(db: Executor, partnershipId: string) {
  return db
    .selectFrom('partnership_multipliers as m')
    .leftJoin('categories as c', 'c.id', 'm.category_id')
    .selectAll('m')
    .select('c.key as category_key')
    .where('m.partnership_id', '=', partnershipId);
}

/** The partnership's multiplier rules in force on `on` (ISO date); the default is not included. */
export async function findMultipliers(
  db: Executor,
  partnershipId: string,
  on: string,
): Promise<MultiplierRuleRow[]> {
  const { rows } = await selectRulesInForce(db, { partnershipId, on });
  return rows.map(toRule);
}

const selectRulesInForce = prepared((db, a: { partnershipId: string; on: string }) =>
  selectRules(db, a.partnershipId)
    .where('m.effective_from', '<=', a.on)
    .where((eb) => eb.or([eb('m.effective_to', 'is', null), eb('m.effective_to', '>=', a.on)]))
    .orderBy('m.effective_from')
    .orderBy('m.id'),
);

/**
 * Every multiplier rule of a partnership, past, present and future, by start date and id;
 * `page` reads `limit` of them after a rule (its start date and id).
 */
export async function listMultipliers(
  db: Executor,
  partnershipId: string,
  page?: { limit: number; after?: { effectiveFrom: string; id: string } | undefined },
): Promise<MultiplierRuleRow[]> {
  let q = selectRules(db, partnershipId).orderBy('m.effective_from').orderBy('m.id');
  if (page) {
    q = q.limit(page.limit);
    const after = page.after;
    if (after) {
      q = q.where((eb) =>
        eb(eb.refTuple('m.effective_from', 'm.id'), '>', eb.tuple(after.effectiveFrom, after.id)),
      );
    }
  }
  const rows = await q.execute();
  return rows.map(toRule);
}

export async function findMultiplier(
  db: Executor,
  partnershipId: string,
  id: string,
): Promise<MultiplierRuleRow | undefined> {
  const row = await selectRules(db, partnershipId).where('m.id', '=', id).executeTakeFirst();
  return row && toRule(row);
}

export async function insertMultiplier(
  db: Executor,
  input: {
    partnershipId: string;
    categoryId: string | null;
    multiplier: string;
    effectiveFrom: string;
    effectiveTo: string | null;
    createdBy: string;
    at: string;
  },
): Promise<string> {
  const now = input.at;
  const id = newId('pmu');
  await db
    .insertInto('partnership_multipliers')
    .values({
      id,
      partnership_id: input.partnershipId,
      category_id: input.categoryId,
      multiplier: input.multiplier,
      effective_from: input.effectiveFrom,
      effective_to: input.effectiveTo,
      created_by: input.createdBy,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

export async function updateMultiplierEnd(
  db: Executor,
  id: string,
  effectiveTo: string | null,
  at: string,
): Promise<void> {
  await db
    .updateTable('partnership_multipliers')
    .set({ effective_to: effectiveTo, updated_at: at })
    .where('id', '=', id)
    .execute();
}
