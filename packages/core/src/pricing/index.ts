export { resolveMultiplier } from './multiplier.rules.ts';
export type { MultiplierQuery, MultiplierRuleInput } from './multiplier.rules.ts';
export {
  comparePrice,
  explainPrice,
  netUnitPrice,
  priceLine,
  priceLines,
} from './pricing.rules.ts';
export type {
  PriceComparison,
  PriceExplanation,
  PriceLineInput,
  LinePricing,
} from './pricing.rules.ts';
