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
export {
  categoryMultipliersApply,
  checkCategoryMultiplier,
  partnerSeesPriceList,
  priceVisibility,
} from './pricing-policy.rules.ts';
export type { PriceViewer, PriceVisibility } from './pricing-policy.rules.ts';
