export { SPECIAL_TERMS_MISMATCH_FIELDS, matchSpecialTerms } from './special-terms.rules.ts';
export type { SpecialTermsMatch, SpecialTermsMismatchField } from './special-terms.rules.ts';
export {
  DEFAULT_SPECIAL_TERMS_DATE_FORMAT,
  SPECIAL_TERMS_FIELDS,
  formatAgreementDate,
  parseSpecialTermsTemplate,
  renderSpecialTerms,
} from './special-terms.template.ts';
export type {
  SpecialTermsField,
  SpecialTermsPart,
  SpecialTermsValues,
} from './special-terms.template.ts';
export { normalizeText, parseDateSpelling } from './special-terms.text.ts';
export type { NormalizedText } from './special-terms.text.ts';
