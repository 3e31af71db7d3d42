// Which multiplier applies to a product: a partnership has a default multiplier and optional
// per-category ones, each with effective dates. The most specific category in force wins.

/** A multiplier rule; `categoryId` null or absent is a partnership-wide default. */
export interface MultiplierRuleInput {
  readonly categoryId?: string | null;
  readonly multiplier: string;
  /** First day in force, ISO date. */
  readonly effectiveFrom: string;
  /** Last day in force (inclusive), ISO date; open-ended when absent. */
  readonly effectiveTo?: string | null;
}

export interface MultiplierQuery {
  /** The product's category, if any. */
  readonly categoryId?: string | null;
  /** The category's ancestors, nearest first. */
  readonly categoryAncestorIds?: readonly string[];
  /** The pricing date (PO date or quote date), ISO date. */
  readonly on: string;
  /** The partnership's own multiplier, used when no rule is in force. */
  readonly defaultMultiplier?: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The multiplier in force for a product on a date: a rule for the product's own category,
 * else for its nearest ancestor, else a category-less rule, else `defaultMultiplier`.
 * Among rules of the same category in force, the latest `effectiveFrom` wins.
 * Returns null only when nothing applies and no default was given.
 */
export function resolveMultiplier(
  rules: readonly MultiplierRuleInput[],
  query: MultiplierQuery & { readonly defaultMultiplier: string },
): string;
export function resolveMultiplier(
  rules: readonly MultiplierRuleInput[],
  query: MultiplierQuery,
): string | null;
export function resolveMultiplier(
  rules: readonly MultiplierRuleInput[],
  query: MultiplierQuery,
): string | null {
  if (!ISO_DATE.test(query.on)) throw new RangeError(`"${query.on}" is not an ISO date`);
  // Runs for every line of every order: no lists built, each rule looked at once per category.
  if (query.categoryId != null) {
    const own = latestInForce(rules, query.categoryId, query.on);
    if (own !== undefined) return own.multiplier;
    for (const ancestor of query.categoryAncestorIds ?? []) {
      const rule = latestInForce(rules, ancestor, query.on);
      if (rule !== undefined) return rule.multiplier;
    }
  }
  const general = latestInForce(rules, null, query.on);
  if (general !== undefined) return general.multiplier;
  return query.defaultMultiplier ?? null;
}

/** Among the rules of `category` (null: category-less) in force `on`, the latest to start. */
function latestInForce(
  rules: readonly MultiplierRuleInput[],
  category: string | null,
  on: string,
): MultiplierRuleInput | undefined {
  let latest: MultiplierRuleInput | undefined;
  for (const rule of rules) {
    if ((rule.categoryId ?? null) !== category) continue;
    if (!startsBy(rule.effectiveFrom, on) || !endsAfter(rule.effectiveTo, on)) continue;
    if (latest === undefined || rule.effectiveFrom > latest.effectiveFrom) latest = rule;
  }
  return latest;
}

/** Whether a rule's first day (an ISO date or date-time: its date counts) is on or before `on`. */
function startsBy(effectiveFrom: string, on: string): boolean {
  return (effectiveFrom.length === 10 ? effectiveFrom : effectiveFrom.slice(0, 10)) <= on;
}

/** Whether a rule's last day (inclusive; none: open-ended) is on or after `on`. */
function endsAfter(effectiveTo: string | null | undefined, on: string): boolean {
  if (effectiveTo == null) return true;
  return on <= (effectiveTo.length === 10 ? effectiveTo : effectiveTo.slice(0, 10));
}
