export { currencyCodes, isCurrencyCode, minorUnitDigits } from './currency.ts';
export {
  AMOUNT_PARSE_ERRORS,
  AmountOutOfRangeError,
  MAX_MINOR,
  ROUNDING_MODES,
  assertSafeMinor,
  decimalFromText,
  formatAmount,
  formatMoney,
  multiplyMinor,
  parseAmount,
  sumMinor,
  toDecimal,
  toMinor,
} from './money.ts';
export type {
  AmountParseError,
  DecimalValue,
  Money,
  ParseAmountOptions,
  ParseAmountResult,
  RoundingMode,
} from './money.ts';
export {
  MAX_MULTIPLIER,
  MULTIPLIER_MAX_DECIMALS,
  MULTIPLIER_PARSE_ERRORS,
  isMultiplier,
  parseMultiplier,
} from './multiplier.ts';
export type { MultiplierParseError, ParseMultiplierResult } from './multiplier.ts';
