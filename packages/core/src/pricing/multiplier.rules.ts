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
  const inForce = rules.filter(
    (rule) =>
      rule.effectiveFrom.slice(0, 10) <= query.on &&
      (rule.effectiveTo == null || query.on <= rule.effectiveTo.slice(0, 10)),
  );
  const chain: (string | null)[] = [
    ...(query.categoryId != null ? [query.categoryId] : []),
    ...(query.categoryId != null ? (query.categoryAncestorIds ?? []) : []),
    null,
  ];
  for (const category of chain) {
    const candidates = inForce.filter((rule) => (rule.categoryId ?? null) === category);
    const latest = candidates.reduce<MultiplierRuleInput | undefined>(
      (best, rule) => (best === undefined || rule.effectiveFrom > best.effectiveFrom ? rule : best),
      undefined,
    );
    if (latest !== undefined) return latest.multiplier;
  }
  return query.defaultMultiplier ?? null;
}
